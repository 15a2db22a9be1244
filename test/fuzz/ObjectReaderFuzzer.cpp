//===- ObjectReaderFuzzer.cpp - libFuzzer target for readBPFObject --------===//
//
// Feeds arbitrary bytes to readBPFObject (ELF via llvm::object, then .BTF
// and .BTF.ext) and readELFSection. A manifest built from an object must be
// one the driver can exchange as JSON: writeManifest's output has to be
// accepted by readManifest, which the target checks.
//
//===----------------------------------------------------------------------===//

#include "btfgen/Manifest.h"
#include "btfgen/ObjectReader.h"

#include "llvm/Support/Error.h"
#include "llvm/Support/MemoryBufferRef.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdint>
#include <cstdlib>

using namespace llvm;
using namespace btfgen;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size) {
  MemoryBufferRef Buf(StringRef(reinterpret_cast<const char *>(Data), Size),
                      "fuzz.bpf.o");
  Expected<StringRef> Sec = readELFSection(Buf, ".BTF");
  if (!Sec)
    consumeError(Sec.takeError());
  Expected<Manifest> M = readBPFObject(Buf);
  if (!M) {
    consumeError(M.takeError());
    return 0;
  }
  std::string Json;
  raw_string_ostream OS(Json);
  writeManifest(*M, OS);
  OS.flush();
  Expected<Manifest> M2 = readManifest(MemoryBufferRef(Json, "fuzz.json"));
  if (!M2) {
    errs() << "manifest of an accepted object rejected: "
           << toString(M2.takeError()) << "\n";
    abort();
  }
  return 0;
}
