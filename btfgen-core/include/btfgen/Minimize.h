//===- Minimize.h - Keep only what CO-RE matching needs -----------*- C++ -*-===//
//
// Given a kernel's full BTF and the matcher's results for every relocation
// of one or more programs, build the smallest BTF that makes libbpf compute
// the same results: the types and members the target specs touch (as
// bpftool gen min_core_btf marks them, gen.c btfgen_record_*), plus what it
// takes to reproduce a hard error (the disagreeing candidates). Liveness is
// kept in side bitsets; the input table is never modified.
//
// Output is canonical: kept types keep their relative order (new IDs are
// assigned in source-ID order), references to dropped types become void,
// and strings are added in first-use order of that walk. The same inputs
// always give the same bytes.
//
//===----------------------------------------------------------------------===//

#ifndef BTFGEN_MINIMIZE_H
#define BTFGEN_MINIMIZE_H

#include "btfgen/CoreMatch.h"
#include "btfgen/TypeTable.h"

#include "llvm/ADT/BitVector.h"
#include "llvm/Support/Error.h"

#include <vector>

namespace btfgen {

class Minimizer {
public:
  /// Borrows Target for the Minimizer's lifetime.
  explicit Minimizer(const TypeTable &Target);

  /// Mark what relocation R (of a program whose local types are Local)
  /// needs, given its result against Target. Errors only for target BTF
  /// shapes libbpf itself would reject (e.g. a spec through a non-composite).
  llvm::Error addResult(const TypeTable &Local, const CoreRelocation &R,
                        const CoreResult &Res);

  /// Build the minimized table. Can be called more than once.
  TypeTable build() const;

  /// Number of kept types (excluding void), for reports.
  unsigned numKeptTypes() const;

private:
  /// Liveness of types and members, in side bitsets over Target's IDs.
  struct MarkState {
    llvm::BitVector Kept;     ///< type is kept
    llvm::BitVector Followed; ///< marked with pointee-following
    llvm::BitVector MatchDone[2]; ///< marked for TYPE_MATCHES (by behind_ptr)
    /// Per type, which members are kept (indexed by TypeId; empty if none).
    std::vector<llvm::BitVector> Members;
    /// Bumped whenever a new type or member is marked (fixed-point test).
    uint64_t Changes = 0;
  };
  /// A non-matching candidate of a type-based relocation: if it ends up
  /// kept for another reason, it is marked as if it had matched, so that it
  /// keeps not matching (see Minimize.cpp, "guards").
  struct Guard {
    TypeId Candidate;
    bool TypeMatches;
  };

  void markType(MarkState &S, TypeId Id, bool FollowPointees) const;
  void markTypeMatch(MarkState &S, TypeId Id, bool BehindPtr) const;
  void markMember(MarkState &S, TypeId Struct, uint32_t Idx) const;
  llvm::Error recordFieldSpec(MarkState &S, const CoreSpec &Spec) const;
  /// Apply the guards and the flexible-array rule until nothing changes.
  void finalize(MarkState &S) const;

  const TypeTable &Target;
  MarkState Marks;
  std::vector<Guard> Guards;
};

} // namespace btfgen

#endif // BTFGEN_MINIMIZE_H
