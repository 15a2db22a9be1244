//===- CoreRelo.cpp - CO-RE relocation kinds ------------------------------===//
//
// Names of the relocation kinds, spelled as libbpf's core_relo_kind_str()
// (relo_core.c) prints them, so reports and manifests read like libbpf logs;
// and the access string syntax both .BTF.ext and manifests accept.
//
//===----------------------------------------------------------------------===//

#include "btfgen/CoreRelo.h"

#include "llvm/ADT/SmallVector.h"

namespace btfgen {

static const char *const ReloKindNames[NumCoreReloKinds] = {
    "byte_off",      "byte_sz",        "field_exists", "signed",
    "lshift_u64",    "rshift_u64",     "local_type_id", "target_type_id",
    "type_exists",   "type_size",      "enumval_exists", "enumval_value",
    "type_matches"};

const char *reloKindName(CoreReloKind K) {
  unsigned I = static_cast<unsigned>(K);
  return I < NumCoreReloKinds ? ReloKindNames[I] : "unknown";
}

std::optional<CoreReloKind> parseReloKindName(llvm::StringRef S) {
  for (unsigned I = 0; I < NumCoreReloKinds; ++I)
    if (S == ReloKindNames[I])
      return static_cast<CoreReloKind>(I);
  return std::nullopt;
}

bool isAccessString(llvm::StringRef S) {
  llvm::SmallVector<llvm::StringRef, 8> Parts;
  S.split(Parts, ':');
  for (llvm::StringRef P : Parts) {
    uint32_t V;
    if (P.empty() || P.getAsInteger(10, V))
      return false;
  }
  return true;
}

} // namespace btfgen
