//===- CoreCompat.h - libbpf's type compatibility relations ------*- C++ -*-===//
//
// Private to the core: the three relations relo_core.c uses to decide
// whether a target type can stand for a local one (docs/core.md, section 3,
// "The three compatibility relations"), with libbpf's tri-state results
// (<0 error, 0 no, 1 yes) and errno values, shared by CoreCompat.cpp and
// the matcher (CoreMatch.cpp).
//
//===----------------------------------------------------------------------===//

#ifndef BTFGEN_LIB_CORECOMPAT_H
#define BTFGEN_LIB_CORECOMPAT_H

#include "btfgen/TypeTable.h"

#include <optional>

namespace btfgen {
namespace detail {

// libbpf's negative errno results, kept as ints so the tri-state logic of
// relo_core.c (<0 error, 0 no match, >0 match) reads the same here.
constexpr int ErrInval = -22;     // -EINVAL
constexpr int Err2Big = -7;       // -E2BIG
constexpr int ErrUClean = -117;   // -EUCLEAN: poison request
constexpr int ErrNotSupp = -95;   // -EOPNOTSUPP

/// libbpf skip_mods_and_typedefs() in the out-parameter form the tri-state
/// code below reads best (TypeTable::trySkipModsAndTypedefs): false where
/// libbpf would get a NULL type (invalid ID) or loop forever (a cycle).
inline bool skipModsTypedefs(const TypeTable &T, TypeId Id, TypeId &Out) {
  std::optional<TypeId> R = T.trySkipModsAndTypedefs(Id);
  if (!R)
    return false;
  Out = *R;
  return true;
}

/// relo_core.c __bpf_core_types_are_compat(); Level bounds the recursion
/// into FUNC_PROTO parameters (libbpf passes 32).
int typesAreCompat(const TypeTable &L, TypeId LId, const TypeTable &T,
                   TypeId TId, int Level);
/// relo_core.c bpf_core_fields_are_compat().
int fieldsAreCompat(const TypeTable &L, TypeId LId, const TypeTable &T,
                    TypeId TId);
/// relo_core.c __bpf_core_types_match(); BehindPtr relaxes composites to
/// name and flavor, Level bounds the recursion (libbpf passes 32).
int typesMatch(const TypeTable &L, TypeId LId, const TypeTable &T, TypeId TId,
               bool BehindPtr, int Level);

} // namespace detail
} // namespace btfgen

#endif // BTFGEN_LIB_CORECOMPAT_H
