//===- BTFExtFuzzer.cpp - libFuzzer target for readBTFExt -----------------===//
//
// readBTFExt needs the object's .BTF (section names, access strings and
// type IDs are checked against it), so an input is split as
//
//   u32 little-endian N | N bytes of raw .BTF | the .BTF.ext bytes
//
// Inputs whose .BTF part does not parse are skipped; the seeds (corpus/
// BTFExtFuzzer, made by make-seeds.sh from real clang-19 BPF objects) carry
// a valid .BTF so that mutations mostly land in the .BTF.ext part. Every
// accepted record is re-checked against the BTF to catch a reader that
// lets an out-of-range type ID or kind through.
//
//===----------------------------------------------------------------------===//

#include "btfgen/BTFExt.h"
#include "btfgen/BTFReader.h"

#include "llvm/Support/Error.h"
#include "llvm/Support/MemoryBufferRef.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdint>
#include <cstdlib>
#include <cstring>

using namespace llvm;
using namespace btfgen;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size) {
  if (Size < 4)
    return 0;
  uint32_t N = uint32_t(Data[0]) | uint32_t(Data[1]) << 8 |
               uint32_t(Data[2]) << 16 | uint32_t(Data[3]) << 24;
  if (N > Size - 4)
    return 0;
  StringRef BTFBytes(reinterpret_cast<const char *>(Data) + 4, N);
  StringRef ExtBytes(reinterpret_cast<const char *>(Data) + 4 + N,
                     Size - 4 - N);
  Expected<TypeTable> BTF = readBTF(MemoryBufferRef(BTFBytes, "fuzz.o"));
  if (!BTF) {
    consumeError(BTF.takeError());
    return 0;
  }
  Expected<BTFExt> Ext = readBTFExt(ExtBytes, *BTF, "fuzz.o");
  if (!Ext) {
    consumeError(Ext.takeError());
    return 0;
  }
  for (const BTFExtCoreRelo &R : Ext->CoreRelos) {
    if (!BTF->isValid(R.Type) || unsigned(R.Kind) > 12 || R.Access.empty()) {
      errs() << "accepted a bad core_relo: type " << R.Type << " kind "
             << unsigned(R.Kind) << " access '" << R.Access << "'\n";
      abort();
    }
  }
  for (const BTFExtFuncInfo &F : Ext->FuncInfos) {
    if (!BTF->isValid(F.Type)) {
      errs() << "accepted a bad func_info type " << F.Type << "\n";
      abort();
    }
  }
  return 0;
}
