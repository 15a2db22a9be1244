//===- CoreRelo.h - CO-RE relocation records --------------------*- C++ -*-===//
//
// The 13 CO-RE relocation kinds (enum bpf_core_relo_kind in the kernel UAPI)
// and the record the whole toolchain passes around: one unique relocation,
// keyed by (kind, local root type, access string), with the source places
// that use it. The plugin produces these from IR; ObjectReader produces them
// from an object's .BTF.ext; the matcher consumes them.
//
//===----------------------------------------------------------------------===//

#ifndef BTFGEN_CORERELO_H
#define BTFGEN_CORERELO_H

#include "btfgen/BTFFormat.h"

#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

namespace btfgen {

enum class CoreReloKind : uint32_t {
  FieldByteOffset = 0,
  FieldByteSize = 1,
  FieldExists = 2,
  FieldSigned = 3,
  FieldLShiftU64 = 4,
  FieldRShiftU64 = 5,
  TypeIdLocal = 6,
  TypeIdTarget = 7,
  TypeExists = 8,
  TypeSize = 9,
  EnumvalExists = 10,
  EnumvalValue = 11,
  TypeMatches = 12,
};
constexpr unsigned NumCoreReloKinds = 13;

/// libbpf's core_relo_kind_str() spelling: "byte_off", "byte_sz",
/// "field_exists", "signed", "lshift_u64", "rshift_u64", "local_type_id",
/// "target_type_id", "type_exists", "type_matches", "type_size",
/// "enumval_exists", "enumval_value". "unknown" if out of range.
const char *reloKindName(CoreReloKind K);
/// Inverse of reloKindName(); std::nullopt for an unknown spelling.
std::optional<CoreReloKind> parseReloKindName(llvm::StringRef S);

/// An access string as .BTF.ext and manifests allow it: N(:N)*, every N a
/// decimal number that fits in 32 bits.
bool isAccessString(llvm::StringRef S);

inline bool isFieldBased(CoreReloKind K) {
  return K <= CoreReloKind::FieldRShiftU64;
}
inline bool isTypeBased(CoreReloKind K) {
  return (K >= CoreReloKind::TypeIdLocal && K <= CoreReloKind::TypeSize) ||
         K == CoreReloKind::TypeMatches;
}
inline bool isEnumvalBased(CoreReloKind K) {
  return K == CoreReloKind::EnumvalExists || K == CoreReloKind::EnumvalValue;
}

/// A place in the program's source that uses a relocation.
struct SourceLoc {
  std::string File;
  uint32_t Line = 0;
  uint32_t Column = 0;
  std::string Function;

  auto key() const { return std::tie(File, Line, Column, Function); }
  bool operator<(const SourceLoc &O) const { return key() < O.key(); }
  bool operator==(const SourceLoc &O) const { return key() == O.key(); }
};

/// One unique CO-RE relocation of a program.
struct CoreRelocation {
  CoreReloKind Kind = CoreReloKind::FieldByteOffset;
  /// Root type ID in the program's local TypeTable (the .BTF.ext
  /// bpf_core_relo.type_id, or the manifest's "type").
  TypeId LocalType = 0;
  /// Access string, e.g. "0:1:2" (bpf_core_relo.access_str_off).
  std::string Access;
  /// Where the program uses it; sorted, unique. May be empty (objects
  /// without line info).
  std::vector<SourceLoc> Locs;
};

} // namespace btfgen

#endif // BTFGEN_CORERELO_H
