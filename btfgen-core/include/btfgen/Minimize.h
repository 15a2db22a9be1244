//===- Minimize.h - Keep only what CO-RE matching needs -----------*- C++ -*-===//
//
// Given a kernel's full BTF and the matcher's results for every relocation
// of one or more programs, build the smallest BTF that makes libbpf compute
// the same results: the types and members the target specs touch (as
// bpftool gen min_core_btf marks them, gen.c btfgen_record_*), plus what it
// takes to reproduce a hard error (the disagreeing candidates). Liveness is
// kept in side bitsets; the input table is never modified.
//
// By default the output is then shrunk (MinimizeOptions::Shrink): what a
// field relocation looks at in a member's type is only its kind after
// typedefs and modifiers, its size, an INT's encoding word, an array's
// length and element, an enum's name and values. So a member of a struct
// that no TYPE_MATCHES relocation inspects refers straight to a canonical
// anonymous type (`void *`, an INT per size and encoding, an empty STRUCT
// per size, an array of those) instead of the kernel's typedef chain and
// named pointee. The shrunk table is checked in-process: every relocation
// is matched against it and must give libbpf's full-BTF answer, per
// candidate; if not, build() falls back to the unshrunk table.
//
// Output is canonical: kept types keep their relative order (new IDs are
// assigned in source-ID order, canonical types follow), references to
// dropped types become void, and strings are added in first-use order of
// that walk. The same inputs always give the same bytes.
//
//===----------------------------------------------------------------------===//

#ifndef BTFGEN_MINIMIZE_H
#define BTFGEN_MINIMIZE_H

#include "btfgen/CoreMatch.h"
#include "btfgen/TypeTable.h"
#include "btfgen/TypeMatchMarks.h"

#include "llvm/ADT/BitVector.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace btfgen {

struct MinimizeOptions {
  /// Keep only one member (two for TYPE_ID_TARGET ambiguities) of each class
  /// of candidates that give identical answers to every relocation of their
  /// root (see Minimize.cpp, "candidate classes"). Off: keep every matching
  /// candidate.
  bool CollapseCandidates = true;
  /// Replace member types that libbpf only inspects for kind, size and
  /// encoding by canonical anonymous types (see the file comment), checked
  /// by re-matching. Off: bpftool's output shape (gen.c btfgen_get_btf).
  bool Shrink = true;
};

/// How build() went, for reports and -v.
struct BuildStatus {
  bool Shrunk = false;
  /// Why the shrunk table was not used ("" if it was, or if Shrink is off):
  /// the first relocation whose answer differed.
  std::string Fallback;
};

class Minimizer {
public:
  /// Borrows Target for the Minimizer's lifetime.
  explicit Minimizer(const TypeTable &Target,
                     MinimizeOptions Opts = MinimizeOptions());

  /// Mark what relocation R (of a program whose local types are Local)
  /// needs, given its result against Target. Errors only for target BTF
  /// shapes libbpf itself would reject (e.g. a spec through a non-composite).
  /// With Shrink, Local is borrowed until the last build().
  llvm::Error addResult(const TypeTable &Local, const CoreRelocation &R,
                        const CoreResult &Res);

  /// Build the minimized table. Can be called more than once.
  TypeTable build(BuildStatus *Status = nullptr) const;

  /// Number of kept types (excluding void), for reports.
  unsigned numKeptTypes() const;

private:
  /// Which members of each type are kept: a 4-byte slot per type into a
  /// pool holding the few marked types' bits. A BitVector per type would
  /// cost 48 bytes each, 40 MB for the 840,000 types of the corpus's
  /// CentOS 8 kernel, built and freed for every kernel.
  class MemberMarks {
  public:
    void reset(uint32_t NumTypes) {
      Slot.assign(NumTypes, 0);
      Pool.clear();
    }
    /// The kept members of Id; empty if none was marked.
    const llvm::BitVector &operator[](TypeId Id) const {
      return Slot[Id] ? Pool[Slot[Id] - 1] : None;
    }
    /// The kept members of Id, to be marked (empty the first time).
    llvm::BitVector &mark(TypeId Id) {
      if (!Slot[Id]) {
        Pool.emplace_back();
        Slot[Id] = Pool.size();
      }
      return Pool[Slot[Id] - 1];
    }

  private:
    std::vector<uint32_t> Slot;
    std::deque<llvm::BitVector> Pool; ///< stable references as it grows
    llvm::BitVector None;
  };
  /// Liveness of types and members, in side bitsets over Target's IDs.
  struct MarkState {
    llvm::BitVector Kept;     ///< type is kept
    llvm::BitVector Followed; ///< marked with pointee-following
    llvm::BitVector MatchDone[2]; ///< marked for TYPE_MATCHES (by behind_ptr)
    /// Per type, which members are kept (empty if none).
    MemberMarks Members;
    /// Marked by a type-based relocation or a guard (pointee-following or
    /// TYPE_MATCHES): emitted exactly as in the kernel.
    llvm::BitVector Exact;
    /// Members inspected by TYPE_MATCHES (or a failing candidate): a
    /// composite whose member types are emitted exactly.
    llvm::BitVector MembersExact;
    /// A candidate whose spec was marked (a root of some relocation).
    llvm::BitVector Root;
    /// Bumped whenever a new type or member is marked (fixed-point test).
    uint64_t Changes = 0;
  };
  /// A non-matching candidate of a type-based relocation: if it ends up
  /// kept for another reason, it is marked as if it had matched, so that it
  /// keeps not matching (see Minimize.cpp, "guards").
  struct Guard {
    TypeId Candidate;
    bool TypeMatches;
    /// TYPE_MATCHES: what the match of the local type reads of Candidate.
    std::vector<TypeMatchMark> Marks;
  };
  /// One added relocation: its matching candidates and what marking each
  /// needs (field kinds: the target raw spec, flattened).
  struct Column {
    CoreReloKind Kind;
    uint32_t Group;
    std::vector<TypeId> Roots;        ///< matching candidates, ID order
    std::vector<uint32_t> RawOff;     ///< field kinds: Roots.size() + 1 offsets
    std::vector<uint32_t> Raw;        ///< field kinds: raw specs
    /// TYPE_MATCHES: Roots.size() + 1 offsets into Marks, and the marks
    /// (what the match reads of each root, TypeMatchMarks.h).
    std::vector<uint32_t> MarkOff;
    std::vector<TypeMatchMark> Marks;
    /// Field kinds: roots and partial raw specs of the candidates where
    /// cilium/ebpf fails the load (CoreResult::InvalidFlexSpecs).
    std::vector<TypeId> FlexRoots;
    std::vector<uint32_t> FlexOff;
    std::vector<uint32_t> FlexRaw;
    TypeId ErrorCandidate = 0;
  };
  /// The candidates of one root (essential name + kind class) over all
  /// added relocations, partitioned by their answers.
  struct CandGroup {
    std::vector<TypeId> Cands; ///< candidate list, ID order
    std::vector<uint32_t> Class; ///< per candidate: class number
    std::vector<uint8_t> Flags;  ///< per candidate: MatchesAny/TypeIdTarget
    bool Collapsible = true;
    bool Seen = false;
  };

  void markType(MarkState &S, TypeId Id, bool FollowPointees) const;
  void markTypeMatch(MarkState &S, TypeId Id, bool BehindPtr) const;
  void markMember(MarkState &S, TypeId Struct, uint32_t Idx) const;
  void applyTypeMatchMarks(MarkState &S,
                           llvm::ArrayRef<TypeMatchMark> Marks) const;
  /// Mark (S non-null) or only validate (S null) a field relocation's target
  /// raw spec rooted at Root.
  llvm::Error recordFieldSpec(MarkState *S, TypeId Root,
                              llvm::ArrayRef<uint32_t> Raw) const;
  void markSpec(MarkState &S, const Column &C, size_t I) const;
  /// Record in C what TYPE_MATCHES reads of each candidate, candidates only
  /// cilium/ebpf matches, and cilium's hard errors (addResult).
  llvm::Error addLoaderMarks(const TypeTable &Local, const CoreRelocation &R,
                             const CoreResult &Res, Column &C);
  /// Candidates left out by the class rule, before the fixed point.
  llvm::BitVector droppedCandidates() const;
  /// All marks, with guards, the flexible-array rule and the restoring of
  /// dropped candidates that got kept anyway applied until nothing changes.
  MarkState computeMarks() const;
  /// Apply the guards and the flexible-array rule once.
  void applyGuardsAndFlex(MarkState &S) const;
  /// The table as bpftool shapes it: every kept type, references as is.
  /// NewId (if given) receives the Target -> output ID map.
  TypeTable emitExact(const MarkState &S, std::vector<TypeId> *NewId) const;

  /// The shrunk table is built by Shrinker (lib/Shrink.h) from the marks
  /// and columns, and checked against Checks.
  friend class Shrinker;
  /// What the self-check (Shrinker::checkAnswers) compares for one
  /// relocation: the full-BTF answer and the candidates that matched (or
  /// failed) with their answers.
  struct Check {
    const TypeTable *Local;
    CoreReloKind Kind;
    TypeId LocalType;
    std::string Access;
    CoreResult Full; ///< without specs and candidate list
    std::vector<CoreCandidateResult> Cands; ///< Match != 0 only
    /// TYPE_MATCHES: every candidate with cilium/ebpf's answer on the full
    /// BTF (ciliumTypesMatch).
    std::vector<std::pair<TypeId, bool>> Cilium;
  };
  std::vector<Check> Checks;

  const TypeTable &Target;
  MinimizeOptions Opts;
  std::vector<Guard> Guards;
  /// TYPE_MATCHES candidates that only cilium/ebpf matches (libbpf does
  /// not, so they are no root): kept anyway, with their marks.
  std::vector<Guard> CiliumOnly;
  std::vector<Column> Columns;
  std::vector<CandGroup> Groups;
  std::map<std::pair<std::string, unsigned>, uint32_t> GroupIndex;
};

} // namespace btfgen

#endif // BTFGEN_MINIMIZE_H
