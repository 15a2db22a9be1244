//===- ManifestFuzzer.cpp - libFuzzer target for readManifest -------------===//
//
// Feeds arbitrary bytes to readManifest (llvm::json parse + validation of
// every type, member and relocation). Whatever is accepted must survive a
// write/read round trip, and writing is then a fixed point. A version 2
// manifest's code is relinked into programs (programsFromCode), which must
// fail cleanly or give programs whose every index is in range. Use with
// -dict=manifest.dict (the JSON keys and kind names).
//
//===----------------------------------------------------------------------===//

#include "btfgen/BPFObject.h"
#include "btfgen/Manifest.h"

#include "llvm/Support/Error.h"
#include "llvm/Support/MemoryBufferRef.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdint>
#include <cstdlib>

using namespace llvm;
using namespace btfgen;

static std::string toJson(const Manifest &M) {
  std::string S;
  raw_string_ostream OS(S);
  writeManifest(M, OS);
  OS.flush();
  return S;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size) {
  MemoryBufferRef Buf(StringRef(reinterpret_cast<const char *>(Data), Size),
                      "fuzz.json");
  Expected<Manifest> M = readManifest(Buf);
  if (!M) {
    consumeError(M.takeError());
    return 0;
  }
  std::string J1 = toJson(*M);
  Expected<Manifest> M2 = readManifest(MemoryBufferRef(J1, "fuzz.json (1)"));
  if (!M2) {
    errs() << "rewritten manifest rejected: " << toString(M2.takeError())
           << "\n"
           << J1;
    abort();
  }
  if (toJson(*M2) != J1) {
    errs() << "writing the re-read manifest is not a fixed point\n";
    abort();
  }
  if (!M->Code)
    return 0;
  Expected<BPFObject> Obj = programsFromCode(*M, "fuzz.json");
  if (!Obj) {
    consumeError(Obj.takeError());
    return 0;
  }
  for (const BPFProgram &P : Obj->Programs) {
    for (const ProgramCoreRelo &R : P.CoreRelos)
      if (R.Insn >= P.Insns.size() || R.Reloc >= M->Relocs.size())
        abort();
    for (const ProgramLine &L : P.Lines)
      if (L.Insn >= P.Insns.size() || L.File >= Obj->Files.size())
        abort();
    for (const InsnRef &R : P.Refs)
      if (R.Insn >= P.Insns.size() || R.Target >= P.Insns.size())
        abort();
  }
  return 0;
}
