//===- Minimize.cpp - Keep only what CO-RE matching needs -----------------===//
//
// Marks, in side bitsets, the kernel types and members that the CO-RE
// relocations of one or more programs look at, then emits them as a new,
// smaller TypeTable. The marking follows bpftool's `gen min_core_btf`
// (tools/bpf/bpftool/gen.c of Linux 6.1 = bpftool 7.1):
//
//   kind                      bpftool function                 marks
//   FIELD_*                   btfgen_record_field_relo         root, each member
//                                                              on the raw spec
//                                                              and its type
//                                                              (pointers not
//                                                              followed)
//   TYPE_ID_TARGET/EXISTS/SIZE btfgen_record_type_relo         root, pointees
//                                                              followed
//   TYPE_MATCHES              btfgen_record_type_match_relo    root, all members
//                                                              (not behind ptr);
//                                                              here: only what
//                                                              the loaders read
//                                                              (TypeMatchMarks)
//   ENUMVAL_*                 btfgen_record_enumval_relo       the enum
//   TYPE_ID_LOCAL             -                                nothing
//
// bpftool marks only the target spec libbpf reports (the first matching
// candidate of libbpf's *pruned* candidate list). That is not enough for
// "same results as the full BTF" in general, so we keep more:
//
//  * every matching candidate of every relocation (CoreResult::TargetSpecs).
//    libbpf prunes each root's candidate list to the candidates that matched
//    the previous relocation of that root (bpf_core_calc_relo_insn,
//    cands->len = j), so a later relocation may be answered by the second
//    matching candidate. With only the first one kept it would find none.
//    For an ambiguity error the disagreeing candidates are kept too, so
//    libbpf fails the same way on the minimized BTF;
//  * a candidate on which matching itself failed (spec too deep) is kept
//    with all its members;
//  * guards: a candidate of a type-based relocation that did NOT match, but
//    is kept for another relocation, is marked as if it had matched. A
//    partly kept type could otherwise start matching: e.g. a pointer whose
//    pointee was dropped points to void, and `void *` is compatible with
//    a local `void *` while `struct foo *` was not;
//  * flexible arrays: libbpf's is_flex_arr() accepts any index into a
//    zero-length array that is the *last* member of its struct. A kept
//    zero-length array that is not last in the full BTF (kernel
//    `__cacheline_group_begin[0]` style markers) would become last when the
//    members after it are dropped, so we keep the struct's last member too;
//  * cilium/ebpf (btf/core.go at 5ba0b3b) reads more than libbpf in two
//    places: TYPE_MATCHES compares pointees member by member (the marks of
//    collectTypeMatchMarks cover both loaders, and candidates only cilium
//    matches are kept), and a field spec through a zero-length array that
//    is not flexible fails its whole load where libbpf finds no match
//    (CoreResult::InvalidFlexSpecs are kept, so it fails again).
//
// Candidate classes. On kernels whose BTF was not fully deduplicated
// (CentOS 8 aarch64: 476 copies of struct task_struct) keeping every
// matching candidate costs ~80x bpftool's size, although the copies answer
// every relocation alike. So candidates that are interchangeable for
// libbpf are collapsed:
//
//  * Group. libbpf keeps one candidate list per (bpf_object, local root
//    type ID) (libbpf.c bpf_object__relocate_core: cand_cache;
//    bpf_core_resolve_relo). We group coarser: all added relocations whose
//    local root has the same essential name and kind class (ENUM = ENUM64),
//    over all programs. Such roots have the same full candidate list. A
//    coarser group only refines the classes below (more columns to agree
//    on), so every libbpf cache is still a union of our classes; it also
//    keeps the output a function of the set of results alone (no program
//    identity, no pointer values).
//  * Signature. For candidate c and relocation r of the group, libbpf's
//    per-candidate step of bpf_core_calc_relo_insn gives: no match, match
//    error, or a match with bpf_core_calc_relo's result. Of that result,
//    libbpf's agreement check compares the spec's bit offset, poison and
//    new_val; the reported result also carries new_sz and fail_memsz_adjust
//    (orig_* and validate come from the local side, equal for all). All of
//    these are the signature entry (CoreCandidateResult), except that for
//    TYPE_ID_TARGET new_val is c's own ID and is left out. new_type_id is
//    left out too: it only feeds fail_memsz_adjust (in the entry) and logs.
//    Two candidates are in the same class iff their entries are equal for
//    every relocation of the group.
//  * What libbpf does. Per root, the list starts as the full candidate list
//    (ID order). For each relocation, in .BTF.ext order of the object, let
//    M be the listed candidates that match. M empty: the result is the
//    local-only one, the list is unchanged. Else the first of M gives the
//    result; each later one is compared with it (bit offset, then poison and
//    new_val) and the first disagreement fails the load with a message
//    naming the two values; without a failure the list becomes M (order
//    kept). A spec-match or calc error fails the load at once.
//  * Claim: on the minimized BTF every list and every result is the same,
//    for any sequence of the group's relocations. Induction: on full BTF
//    the list is always a union of classes (true at the start; M is one,
//    since class members match alike). On the minimized BTF the list is the
//    union of the same classes' KEPT members: we keep the lowest ID of every
//    class that matches some relocation (classes that never match are never
//    in any M and leave the list at the first non-empty M; they are dropped
//    as before), and kept candidates answer as on full BTF (the marking
//    invariant of the rules above). So M is empty on both or on neither.
//    The first of M on full BTF is the lowest ID of some class, which is
//    kept and first on the minimized BTF too: same result (TYPE_ID_TARGET:
//    the same type, renumbered). The first disagreeing candidate on full
//    BTF is the lowest ID of its class (its whole class disagrees and its
//    lower members are in M), so the same check fails with the same values.
//    TYPE_ID_TARGET fails iff |M| >= 2; a class matching one keeps two
//    members when it has two, so |M| >= 2 holds on both or neither. The new
//    list is M on both sides: the induction holds.
//  * Dropped candidates that get kept anyway. A dropped copy can still be
//    kept for another reason (a member type of a kept member, a pointee
//    followed by a TYPE_* relocation, a guard). It is then a candidate on
//    the minimized BTF, but with partial marks its answers could differ
//    from its class's. So such a candidate is restored: it gets every mark
//    it would have got without collapsing, which makes it one more member
//    of its class (or, for a class matching TYPE_ID_TARGET, a third one).
//    This is part of the fixed point below.
//  * Conservative cases: a group with a spec-match or calc error on some
//    candidate, or with results lacking per-candidate answers
//    (CoreResult::Candidates empty, e.g. built by hand) or disagreeing on
//    the candidate list, is not collapsed.
//
// Known inexactness (docs/core.md, section 7, "FIELD_SIGNED on a non-INT
// field"): libbpf 1.1.2's FIELD_SIGNED (relo_core.c
// bpf_core_calc_field_relo) reads the word after a non-INT type record,
// which depends on the neighbouring type in the file layout; with realistic
// string section sizes (< 16 MiB) it is 0 except when the field's type is
// the very last type (then it is the string section's first bytes).
//
// Output is canonical: new IDs in source-ID order, dropped references
// become void, strings are added in first-use order of the emitting walk
// (emitExact). The default, shrunk output is built from the same marks by
// Shrinker (Shrink.cpp) and checked there against every relocation.
//
//===----------------------------------------------------------------------===//

#include "btfgen/Minimize.h"

#include "Shrink.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/FormatVariadic.h"

#include <algorithm>
#include <map>
#include <optional>
#include <tuple>

using namespace llvm;

namespace btfgen {

Minimizer::Minimizer(const TypeTable &Target, MinimizeOptions Opts)
    : Target(Target), Opts(Opts) {}

void Minimizer::markMember(MarkState &S, TypeId Struct, uint32_t Idx) const {
  // bpftool btfgen_mark_member(); the parent is always marked by callers,
  // but make it explicit so a kept member never lacks its struct.
  if (!S.Kept.test(Struct)) {
    S.Kept.set(Struct);
    ++S.Changes;
  }
  BitVector &M = S.Members.mark(Struct);
  if (M.empty())
    M.resize(Target.vlen(Struct));
  if (!M.test(Idx)) {
    M.set(Idx);
    ++S.Changes;
  }
}

void Minimizer::markType(MarkState &S, TypeId Id, bool FollowPointees) const {
  // bpftool btfgen_mark_type(), iterative and with visited bits. Kinds
  // bpftool rejects ("unsupported kind": FWD, FUNC, VAR, DATASEC, tags) are
  // kept here with their references followed. Members are not implied.
  SmallVector<TypeId, 16> Work{Id};
  while (!Work.empty()) {
    TypeId T = Work.pop_back_val();
    if (T == 0 || !Target.isValid(T))
      continue;
    if (S.Kept.test(T) && (!FollowPointees || S.Followed.test(T)))
      continue;
    if (!S.Kept.test(T)) {
      S.Kept.set(T);
      ++S.Changes;
    }
    if (FollowPointees) {
      S.Followed.set(T);
      S.Exact.set(T);
    }
    Target.forEachRef(T, [&](TypeId R, RefRole Role, uint32_t) {
      if (Role != RefRole::Member &&
          (Role != RefRole::Pointee || FollowPointees))
        Work.push_back(R);
    });
  }
}

void Minimizer::markTypeMatch(MarkState &S, TypeId Id, bool BehindPtr) const {
  // bpftool btfgen_mark_type_match(): behind a pointer, a composite's
  // members are not needed (libbpf compares only names and kinds there).
  SmallVector<std::pair<TypeId, bool>, 16> Work{{Id, BehindPtr}};
  while (!Work.empty()) {
    // Plain variables: the lambda below captures them (C++17 cannot
    // capture structured bindings).
    TypeId T;
    bool Behind;
    std::tie(T, Behind) = Work.pop_back_val();
    if (T == 0 || !Target.isValid(T))
      continue;
    if (S.MatchDone[Behind].test(T))
      continue;
    S.MatchDone[Behind].set(T);
    S.Exact.set(T);
    S.MembersExact.set(T);
    if (!S.Kept.test(T)) {
      S.Kept.set(T);
      ++S.Changes;
    }
    Target.forEachRef(T, [&](TypeId R, RefRole Role, uint32_t I) {
      switch (Role) {
      case RefRole::Member:
        if (!Behind) {
          markMember(S, T, I);
          Work.push_back({R, false});
        }
        break;
      case RefRole::Type: // modifiers, typedefs, tags: transparent
        Work.push_back({R, Behind});
        break;
      case RefRole::Pointee:
        Work.push_back({R, true});
        break;
      case RefRole::Var: // DATASEC is never a TYPE_MATCHES operand
        break;
      case RefRole::Return:
      case RefRole::Param:
      case RefRole::Elem:
      case RefRole::Index:
        Work.push_back({R, false});
        break;
      }
    });
  }
}

void Minimizer::applyTypeMatchMarks(MarkState &S,
                                    ArrayRef<TypeMatchMark> Marks) const {
  // What the TYPE_MATCHES relations of libbpf and cilium/ebpf read
  // (TypeMatchMarks.cpp): types exactly, the members they look up.
  for (const TypeMatchMark &M : Marks) {
    if (M.Id == 0 || !Target.isValid(M.Id))
      continue;
    switch (M.Kind) {
    case TypeMatchMark::Type:
      if (!S.Kept.test(M.Id)) {
        S.Kept.set(M.Id);
        ++S.Changes;
      }
      S.Exact.set(M.Id);
      S.MembersExact.set(M.Id);
      break;
    case TypeMatchMark::Member:
      if (M.Index < Target.vlen(M.Id))
        markMember(S, M.Id, M.Index);
      break;
    case TypeMatchMark::Shallow:
      markType(S, M.Id, false);
      break;
    }
  }
}

Expected<TypeId>
walkTargetSpec(const TypeTable &Target, TypeId Root, ArrayRef<uint32_t> Raw,
               function_ref<void(TypeId, uint32_t, TypeId)> OnStep) {
  TypeId Id = Root;
  if (!Target.isValid(Id))
    return createStringError(inconvertibleErrorCode(),
                             "target spec root [%u] out of range", Id);
  for (size_t I = 1; I < Raw.size(); ++I) {
    Id = Target.skipModsAndTypedefs(Id);
    Kind K = Target.kind(Id);
    TypeId Child;
    if (isComposite(K)) {
      if (Raw[I] >= Target.vlen(Id))
        return createStringError(
            inconvertibleErrorCode(),
            "target spec member index %u out of range for type [%u]", Raw[I],
            Id);
      Child = Target.members(Id)[Raw[I]].Type;
    } else if (K == Kind::Array) {
      Child = Target.array(Id).ElemType;
    } else {
      return createStringError(
          inconvertibleErrorCode(),
          formatv("target spec goes through type [{0}] of unsupported kind {1}",
                  Id, kindName(K))
              .str());
    }
    OnStep(Id, Raw[I], Child);
    Id = Child;
  }
  return Id;
}

Error Minimizer::recordFieldSpec(MarkState *S, TypeId Root,
                                 ArrayRef<uint32_t> Raw) const {
  // bpftool btfgen_record_field_relo(): the root, and each member the spec
  // goes through with its type (array elements need nothing more).
  if (S && Target.isValid(Root))
    markType(*S, Root, false);
  Expected<TypeId> Leaf = walkTargetSpec(
      Target, Root, Raw, [&](TypeId Parent, uint32_t Index, TypeId Child) {
        if (S && isComposite(Target.kind(Parent))) {
          markMember(*S, Parent, Index);
          markType(*S, Child, false);
        }
      });
  return Leaf.takeError();
}

SigEntry sigEntry(const CoreCandidateResult &C, CoreReloKind Kind) {
  if (C.Match != 1)
    return SigEntry(C.Match, 0, 0, false, false, 0, 0);
  if (C.CalcErr)
    return SigEntry(1, C.CalcErr, 0, false, false, 0, 0);
  uint64_t Val = Kind == CoreReloKind::TypeIdTarget ? 0 : C.NewVal;
  return SigEntry(1, 0, C.BitOffset, C.Poison, C.FailMemsz, Val, C.NewSz);
}

namespace {
enum : uint8_t { MatchesAny = 1, MatchesTypeIdTarget = 2 };
} // namespace

Error Minimizer::addLoaderMarks(const TypeTable &Local, const CoreRelocation &R,
                                const CoreResult &Res, Column &C) {
  // What the loaders read beyond bpftool's marks (TypeMatchMarks.cpp,
  // CoreResult::InvalidFlexSpecs).
  bool LocalOk = Local.isValid(R.LocalType);
  if (R.Kind == CoreReloKind::TypeMatches && LocalOk) {
    // A candidate cilium/ebpf matches and libbpf does not must stay, or
    // cilium's answer flips to "no match".
    for (const CoreCandidateResult &CR : Res.Candidates)
      if (CR.Match == 0 && Target.isValid(CR.Id) &&
          ciliumTypesMatch(Local, R.LocalType, Target, CR.Id))
        CiliumOnly.push_back(
            {CR.Id, true,
             collectTypeMatchMarks(Local, R.LocalType, Target, CR.Id)});
    C.MarkOff.push_back(0);
    for (TypeId Root : C.Roots) {
      std::vector<TypeMatchMark> M =
          collectTypeMatchMarks(Local, R.LocalType, Target, Root);
      C.Marks.insert(C.Marks.end(), M.begin(), M.end());
      C.MarkOff.push_back(C.Marks.size());
    }
  }
  if (isFieldBased(R.Kind)) {
    C.FlexOff.push_back(0);
    for (const CoreSpec &Spec : Res.InvalidFlexSpecs) {
      if (!Target.isValid(Spec.RootType))
        continue;
      if (Error E = recordFieldSpec(nullptr, Spec.RootType, Spec.RawSpec))
        return E;
      C.FlexRoots.push_back(Spec.RootType);
      C.FlexRaw.insert(C.FlexRaw.end(), Spec.RawSpec.begin(),
                       Spec.RawSpec.end());
      C.FlexOff.push_back(C.FlexRaw.size());
    }
  }
  return Error::success();
}

Error Minimizer::addResult(const TypeTable &Local, const CoreRelocation &R,
                           const CoreResult &Res) {
  // bpftool btfgen_record_reloc(), for every matching candidate; the marks
  // themselves are made in computeMarks(), once the candidate classes are
  // known.
  if (R.Kind == CoreReloKind::TypeIdLocal)
    return Error::success();
  Column C;
  C.Kind = R.Kind;
  bool Field = isFieldBased(R.Kind);
  if (Field)
    C.RawOff.push_back(0);
  for (const CoreSpec &Spec : Res.TargetSpecs) {
    if (!Target.isValid(Spec.RootType))
      return createStringError(inconvertibleErrorCode(),
                               "target spec root [%u] out of range",
                               Spec.RootType);
    if (Field) {
      if (Error E = recordFieldSpec(nullptr, Spec.RootType, Spec.RawSpec))
        return E;
      C.Raw.insert(C.Raw.end(), Spec.RawSpec.begin(), Spec.RawSpec.end());
      C.RawOff.push_back(C.Raw.size());
    }
    C.Roots.push_back(Spec.RootType);
  }
  if (Error E = addLoaderMarks(Local, R, Res, C))
    return E;
  bool LocalOk = Local.isValid(R.LocalType);
  if (Res.ErrorCandidate && Target.isValid(Res.ErrorCandidate))
    C.ErrorCandidate = Res.ErrorCandidate;
  if (Opts.Shrink) {
    Check K{&Local, R.Kind, R.LocalType, R.Access, CoreResult(), {}};
    K.Full.Outcome = Res.Outcome;
    K.Full.OrigVal = Res.OrigVal;
    K.Full.NewVal = Res.NewVal;
    K.Full.Poison = Res.Poison;
    K.Full.Validate = Res.Validate;
    K.Full.FailMemsz = Res.FailMemsz;
    K.Full.OrigSz = Res.OrigSz;
    K.Full.NewSz = Res.NewSz;
    K.Full.NewType = Res.NewType;
    K.Full.Message = Res.Message;
    for (const CoreCandidateResult &CR : Res.Candidates)
      if (CR.Match != 0)
        K.Cands.push_back(CR);
    if (R.Kind == CoreReloKind::TypeMatches && Local.isValid(R.LocalType))
      for (const CoreCandidateResult &CR : Res.Candidates)
        K.Cilium.emplace_back(
            CR.Id, ciliumTypesMatch(Local, R.LocalType, Target, CR.Id));
    Checks.push_back(std::move(K));
  }

  // The candidate group of this root, refined by this relocation's answers.
  std::string Name =
      LocalOk ? essentialName(Local.name(R.LocalType)).str() : std::string();
  Kind LK = LocalOk ? Local.kind(R.LocalType) : Kind::Unknown;
  if (LK == Kind::Enum64)
    LK = Kind::Enum;
  auto [It, New] = GroupIndex.try_emplace(
      std::make_pair(std::move(Name), unsigned(LK)), uint32_t(Groups.size()));
  if (New)
    Groups.emplace_back();
  C.Group = It->second;
  CandGroup &G = Groups[C.Group];
  const auto &Cands = Res.Candidates;
  if (!G.Seen) {
    G.Seen = true;
    for (const CoreCandidateResult &CR : Cands)
      G.Cands.push_back(CR.Id);
    G.Class.assign(G.Cands.size(), 0);
    G.Flags.assign(G.Cands.size(), 0);
  }
  bool SameList = Cands.size() == G.Cands.size();
  for (size_t I = 0; SameList && I < Cands.size(); ++I)
    SameList = Cands[I].Id == G.Cands[I];
  if (!SameList || (Cands.empty() && !Res.TargetSpecs.empty()))
    G.Collapsible = false;
  if (SameList && G.Collapsible) {
    // Partition refinement: new class = (old class, this entry), numbered
    // by first occurrence in candidate order (so independent of the order
    // relocations are added).
    std::map<std::pair<uint32_t, SigEntry>, uint32_t> Refined;
    for (size_t I = 0; I < Cands.size(); ++I) {
      const CoreCandidateResult &CR = Cands[I];
      if (CR.Match < 0 || (CR.Match == 1 && CR.CalcErr))
        G.Collapsible = false;
      if (CR.Match == 1)
        G.Flags[I] |= MatchesAny |
                      (R.Kind == CoreReloKind::TypeIdTarget ? MatchesTypeIdTarget
                                                            : 0);
      auto Key = std::make_pair(G.Class[I], sigEntry(CR, R.Kind));
      G.Class[I] =
          Refined.try_emplace(Key, uint32_t(Refined.size())).first->second;
    }
    // The matching candidates must be exactly the recorded target specs.
    size_t NumMatch = 0;
    for (const CoreCandidateResult &CR : Cands)
      if (CR.Match == 1) {
        if (NumMatch >= C.Roots.size() || C.Roots[NumMatch] != CR.Id)
          G.Collapsible = false;
        ++NumMatch;
      }
    if (NumMatch != C.Roots.size())
      G.Collapsible = false;
  }

  if (isTypeBased(R.Kind) && LocalOk) {
    // Guards for the candidates that did not match.
    SmallVector<TypeId, 4> All;
    if (Target.hasNameIndex()) {
      All = findCoreCandidates(Local, R.LocalType, Target);
    } else {
      StringRef LName = Local.name(R.LocalType);
      if (!LName.empty())
        for (TypeId Id = 1; Id < Target.size(); ++Id)
          if (kindsAreCoreCompat(Target.kind(Id), Local.kind(R.LocalType)) &&
              !Target.name(Id).empty() &&
              essentialName(Target.name(Id)) == essentialName(LName))
            All.push_back(Id);
    }
    for (TypeId Cand : All) {
      if (llvm::is_contained(C.Roots, Cand))
        continue;
      bool TM = R.Kind == CoreReloKind::TypeMatches;
      Guards.push_back(
          {Cand, TM,
           TM ? collectTypeMatchMarks(Local, R.LocalType, Target, Cand)
              : std::vector<TypeMatchMark>()});
    }
  }
  Columns.push_back(std::move(C));
  return Error::success();
}

void Minimizer::markSpec(MarkState &S, const Column &C, size_t I) const {
  TypeId Root = C.Roots[I];
  S.Root.set(Root);
  if (isFieldBased(C.Kind)) {
    ArrayRef<uint32_t> Raw(C.Raw.data() + C.RawOff[I],
                           C.RawOff[I + 1] - C.RawOff[I]);
    // Validated in addResult(), so this cannot fail.
    consumeError(recordFieldSpec(&S, Root, Raw));
  } else if (C.Kind == CoreReloKind::TypeMatches) {
    // bpftool's marks for its output shape (and for an invalid local
    // type), plus what the loaders read (cilium: members behind pointers).
    if (!Opts.Shrink || C.MarkOff.empty())
      markTypeMatch(S, Root, false);
    if (!C.MarkOff.empty())
      applyTypeMatchMarks(S, ArrayRef<TypeMatchMark>(C.Marks).slice(
                                 C.MarkOff[I], C.MarkOff[I + 1] - C.MarkOff[I]));
  } else if (isTypeBased(C.Kind)) {
    markType(S, Root, true);
  } else {
    markType(S, Root, false);
    S.Exact.set(Root); // ENUMVAL_*: the enum with all its values
  }
}

BitVector Minimizer::droppedCandidates() const {
  BitVector Dropped(Target.size());
  if (!Opts.CollapseCandidates)
    return Dropped;
  for (const CandGroup &G : Groups) {
    if (!G.Collapsible)
      continue;
    // Members kept so far per class (classes are numbered densely).
    std::vector<uint8_t> KeptInClass(G.Cands.size(), 0);
    for (size_t I = 0; I < G.Cands.size(); ++I) {
      if (!(G.Flags[I] & MatchesAny))
        continue; // never marked for this group anyway
      unsigned Want = (G.Flags[I] & MatchesTypeIdTarget) ? 2 : 1;
      uint8_t &N = KeptInClass[G.Class[I]];
      if (N < Want)
        ++N;
      else
        Dropped.set(G.Cands[I]);
    }
  }
  return Dropped;
}

void Minimizer::applyGuardsAndFlex(MarkState &S) const {
  for (const Guard &G : Guards) {
    if (!S.Kept.test(G.Candidate))
      continue;
    if (G.TypeMatches) {
      if (!Opts.Shrink)
        markTypeMatch(S, G.Candidate, false);
      applyTypeMatchMarks(S, G.Marks);
    } else
      markType(S, G.Candidate, true);
  }
  // Flexible-array rule (see the file comment). Over the kept types only
  // (a few hundred of a kernel's 100,000+); a type kept by this loop past
  // the cursor is visited too, as an index loop would.
  for (unsigned Id : S.Kept.set_bits()) {
    if (!isComposite(Target.kind(Id)) || S.Members[Id].empty())
      continue;
    ArrayRef<BTFMember> Ms = Target.members(Id);
    uint32_t Last = Ms.size() - 1;
    if (S.Members[Id].test(Last))
      continue;
    for (unsigned I : S.Members[Id].set_bits()) {
      TypeId MT = Target.skipModsAndTypedefs(Ms[I].Type);
      if (Target.kind(MT) == Kind::Array && Target.array(MT).NElems == 0) {
        markMember(S, Id, Last);
        markType(S, Ms[Last].Type, false);
        break;
      }
    }
  }
}

Minimizer::MarkState Minimizer::computeMarks() const {
  unsigned N = Target.size();
  MarkState S;
  S.Kept.resize(N);
  S.Followed.resize(N);
  S.MatchDone[0].resize(N);
  S.MatchDone[1].resize(N);
  S.Members.reset(N);
  S.Exact.resize(N);
  S.MembersExact.resize(N);
  S.Root.resize(N);

  BitVector Dropped = droppedCandidates();
  // Where each dropped candidate would have been marked: (root, column,
  // index), sorted by root, for restoring.
  std::vector<std::tuple<TypeId, uint32_t, uint32_t>> Pending;
  for (uint32_t CI = 0; CI < Columns.size(); ++CI) {
    const Column &C = Columns[CI];
    for (uint32_t I = 0; I < C.Roots.size(); ++I) {
      if (Dropped.test(C.Roots[I]))
        Pending.emplace_back(C.Roots[I], CI, I);
      else
        markSpec(S, C, I);
    }
    for (size_t F = 0; F < C.FlexRoots.size(); ++F) {
      // cilium/ebpf's "invalid flexible array" hard error (see addResult).
      ArrayRef<uint32_t> Raw(C.FlexRaw.data() + C.FlexOff[F],
                             C.FlexOff[F + 1] - C.FlexOff[F]);
      S.Root.set(C.FlexRoots[F]);
      consumeError(recordFieldSpec(&S, C.FlexRoots[F], Raw));
    }
    if (C.ErrorCandidate) {
      // Matching failed inside this candidate (e.g. nesting deeper than
      // BPF_CORE_SPEC_MAX_LEN): keep all of it so it fails again.
      markTypeMatch(S, C.ErrorCandidate, false);
      markType(S, C.ErrorCandidate, true);
    }
  }
  llvm::sort(Pending);
  for (const Guard &G : CiliumOnly) {
    S.Root.set(G.Candidate);
    if (!Opts.Shrink)
      markTypeMatch(S, G.Candidate, false);
    applyTypeMatchMarks(S, G.Marks);
  }

  // Fixed point over guards, the flexible-array rule and restoring dropped
  // candidates that ended up kept (see the file comment). All three only
  // add marks, so the result does not depend on the order of the steps.
  uint64_t Before;
  do {
    Before = S.Changes;
    applyGuardsAndFlex(S);
    for (size_t P = 0; P < Pending.size();) {
      TypeId Root = std::get<0>(Pending[P]);
      size_t End = P;
      while (End < Pending.size() && std::get<0>(Pending[End]) == Root)
        ++End;
      if (Dropped.test(Root) && S.Kept.test(Root)) {
        Dropped.reset(Root);
        for (size_t Q = P; Q < End; ++Q)
          markSpec(S, Columns[std::get<1>(Pending[Q])], std::get<2>(Pending[Q]));
      }
      P = End;
    }
  } while (S.Changes != Before);
  return S;
}

TypeTable Minimizer::build(BuildStatus *Status) const {
  MarkState S = computeMarks();
  if (Status)
    *Status = BuildStatus();
  if (!Opts.Shrink)
    return emitExact(S, nullptr);
  std::vector<TypeId> NewId;
  TypeTable Small = Shrinker(Target, S, Columns).run(NewId);
  std::string Why = Shrinker::checkAnswers(Checks, Small, NewId);
  if (Why.empty()) {
    if (Status)
      Status->Shrunk = true;
    return Small;
  }
  if (Status)
    Status->Fallback = std::move(Why);
  return emitExact(S, nullptr);
}

TypeTable Minimizer::emitExact(const MarkState &S,
                               std::vector<TypeId> *NewIdOut) const {
  // bpftool btfgen_get_btf(): new IDs in source order, then remap.
  std::vector<TypeId> NewId(Target.size(), 0);
  TypeId Next = 1;
  for (unsigned Id : S.Kept.set_bits())
    NewId[Id] = Next++;
  auto Remap = [&](TypeId Id) -> TypeId {
    return Id < NewId.size() ? NewId[Id] : 0;
  };

  TypeTable Out;
  SmallVector<uint32_t, 64> Words;
  for (unsigned Id : S.Kept.set_bits())
    emitType(Target, Id, S.Members[Id], Remap, Remap, Out, Words);
  // As libbpf (and --verify) will read the file.
  Out.setKnownPointerSize(Out.guessPointerSize());
  if (NewIdOut)
    *NewIdOut = std::move(NewId);
  return Out;
}

unsigned Minimizer::numKeptTypes() const {
  return computeMarks().Kept.count();
}

} // namespace btfgen
