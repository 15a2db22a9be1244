//===- BTFReaderFuzzer.cpp - libFuzzer target for readBTFAny --------------===//
//
// Feeds arbitrary bytes to readBTFAny (raw BTF or an ELF's .BTF). Besides
// "no crash, hang or huge allocation", checks one property: whatever the
// reader accepts, the writer serializes into raw BTF that the reader accepts
// again with the same number of types, and re-serializing that is
// byte-identical (the canonical form is a fixed point).
//
//===----------------------------------------------------------------------===//

#include "btfgen/BTFReader.h"
#include "btfgen/BTFWriter.h"

#include "llvm/Support/Error.h"
#include "llvm/Support/MemoryBufferRef.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdint>
#include <cstdlib>

using namespace llvm;
using namespace btfgen;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size) {
  MemoryBufferRef Buf(StringRef(reinterpret_cast<const char *>(Data), Size),
                      "fuzz.btf");
  Expected<TypeTable> T = readBTFAny(Buf);
  if (!T) {
    consumeError(T.takeError());
    return 0;
  }
  std::string Out = writeBTFToString(*T);
  Expected<TypeTable> T2 =
      readBTF(MemoryBufferRef(Out, "fuzz.btf (rewritten)"));
  if (!T2) {
    errs() << "rewritten BTF rejected: " << toString(T2.takeError()) << "\n";
    abort();
  }
  if (T2->size() != T->size()) {
    errs() << "rewritten BTF has " << T2->size() << " types, not "
           << T->size() << "\n";
    abort();
  }
  if (writeBTFToString(*T2) != Out) {
    errs() << "writing the rewritten BTF is not a fixed point\n";
    abort();
  }
  return 0;
}
