//===- TypeMatchMarks.h - What TYPE_MATCHES reads of a target ----*- C++ -*-===//
//
// The parts of a target type that the TYPE_MATCHES
// relations of every supported loader read when they compare it with one
// local type (docs/core.md, section 5, rule 6 of "What btfgen keeps beyond
// bpftool"). The Minimizer keeps exactly these, instead of bpftool's "every
// member of every struct not behind a pointer".
//
//===----------------------------------------------------------------------===//

#ifndef BTFGEN_TYPEMATCHMARKS_H
#define BTFGEN_TYPEMATCHMARKS_H

#include "btfgen/TypeTable.h"

#include <cstdint>
#include <vector>

namespace btfgen {

/// One thing to keep of the target.
struct TypeMatchMark {
  enum What : uint8_t {
    Type,    ///< the type itself, emitted exactly (name, size, encoding,
             ///< enumerators, array length, parameters)
    Member,  ///< member Index of composite Id (its type is marked separately)
    Shallow, ///< the type kept as a field relocation keeps a member's type
  };
  TypeId Id;
  uint32_t Index;
  What Kind;
};

/// The marks for matching local type LocalId against target type TargetId,
/// in a deterministic order (a pure function of the two tables and IDs).
/// The walk visits every (local, target) pair that libbpf 1.1.2, the newest
/// libbpf or cilium/ebpf can compare, including behind pointers (cilium
/// compares pointees recursively), whatever each comparison's result; it
/// only follows the local type's structure, so it stays small.
std::vector<TypeMatchMark> collectTypeMatchMarks(const TypeTable &Local,
                                                 TypeId LocalId,
                                                 const TypeTable &Target,
                                                 TypeId TargetId);

} // namespace btfgen

#endif // BTFGEN_TYPEMATCHMARKS_H
