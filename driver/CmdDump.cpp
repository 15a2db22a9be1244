//===- CmdDump.cpp - "dump": print BTF like bpftool -----------------------===//
//
// `btfgen-driver dump FILE` prints raw BTF, an ELF's .BTF, or the BTF inside
// a BTFHub `<release>.btf.tar.xz`, in `bpftool btf dump file` raw format.
//
//===----------------------------------------------------------------------===//

#include "Archive.h"
#include "Commands.h"
#include "Options.h"

#include "btfgen/BTFReader.h"
#include "btfgen/Dump.h"

#include "llvm/Support/MemoryBufferRef.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;

namespace btfgen {

Error cmdDump(ArrayRef<StringRef> Args) {
  Expected<std::vector<std::string>> Files = parseOptions("dump", {}, Args);
  if (!Files)
    return Files.takeError();
  if (Files->size() != 1)
    return usageError("dump: expected exactly one FILE");
  StringRef Path = Files->front();
  Expected<std::string> Bytes = loadBTFFile(Path);
  if (!Bytes)
    return Bytes.takeError();
  Expected<TypeTable> T = readBTFAny(MemoryBufferRef(*Bytes, Path));
  if (!T)
    return T.takeError();
  dumpBTF(*T, outs());
  return Error::success();
}

} // namespace btfgen
