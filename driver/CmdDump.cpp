//===- CmdDump.cpp - "dump": print BTF like bpftool -----------------------===//
//
// `btfgen-driver dump FILE [--format raw|c]` prints raw BTF, an ELF's .BTF,
// or the BTF inside a BTFHub `<release>.btf.tar.xz`, as `bpftool btf dump
// file FILE [format raw|c]` does: one line per type (raw, the default), or
// a compilable C header, the vmlinux.h of CO-RE programs (c).
//
//===----------------------------------------------------------------------===//

#include "Archive.h"
#include "Commands.h"
#include "Options.h"

#include "btfgen/BTFReader.h"
#include "btfgen/CDumper.h"
#include "btfgen/Dump.h"

#include "llvm/Support/MemoryBufferRef.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;

namespace btfgen {

Error cmdDump(ArrayRef<StringRef> Args) {
  bool AsC = false;
  const OptionSpec Table[] = {
      {"--format", "", true,
       [&](StringRef V) -> Error {
         if (V != "raw" && V != "c")
           return usageError("dump: --format must be 'raw' or 'c', not '" +
                             V + "'");
         AsC = V == "c";
         return Error::success();
       }},
  };
  Expected<std::vector<std::string>> Files = parseOptions("dump", Table, Args);
  if (!Files)
    return Files.takeError();
  if (Files->size() != 1)
    return usageError("dump: expected exactly one FILE");
  StringRef Path = Files->front();
  Expected<std::string> Bytes = loadBTFFile(Path, "BTF file to dump");
  if (!Bytes)
    return Bytes.takeError();
  Expected<TypeTable> T = readBTFAny(MemoryBufferRef(*Bytes, Path));
  if (!T)
    return T.takeError();
  if (!AsC) {
    dumpBTF(*T, outs());
    return Error::success();
  }
  if (Error E = dumpBTFAsC(*T, outs()))
    return createStringError(inconvertibleErrorCode(),
                             "'" + Path + "': cannot write as C: " +
                                 toString(std::move(E)));
  return Error::success();
}

} // namespace btfgen
