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
//                                                              (not behind ptr)
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
//    members after it are dropped, so we keep the struct's last member too.
//
// Known inexactness (documented in /work/notes/match.md): libbpf 1.1.2's
// FIELD_SIGNED reads the word after a non-INT type record, which depends on
// the neighbouring type in the file layout; with realistic string section
// sizes (< 16 MiB) it is 0 except when the field's type is the very last
// type (then it is the string section's first bytes).
//
// Output is canonical: new IDs in source-ID order, dropped references
// become void, strings are added in first-use order of the emitting walk.
//
//===----------------------------------------------------------------------===//

#include "btfgen/Minimize.h"

#include "llvm/Support/FormatVariadic.h"

using namespace llvm;

namespace btfgen {

namespace {

bool isComposite(Kind K) { return K == Kind::Struct || K == Kind::Union; }

bool isModOrTypedef(Kind K) {
  return K == Kind::Volatile || K == Kind::Const || K == Kind::Restrict ||
         K == Kind::TypeTag || K == Kind::Typedef;
}

/// Kinds whose SizeOrType word is a size, not a type reference.
bool hasSizeWord(Kind K) {
  return K == Kind::Int || K == Kind::Enum || K == Kind::Enum64 ||
         K == Kind::Struct || K == Kind::Union || K == Kind::Float ||
         K == Kind::Datasec || K == Kind::Fwd;
}

} // namespace

Minimizer::Minimizer(const TypeTable &Target) : Target(Target) {
  unsigned N = Target.size();
  Marks.Kept.resize(N);
  Marks.Followed.resize(N);
  Marks.MatchDone[0].resize(N);
  Marks.MatchDone[1].resize(N);
  Marks.Members.resize(N);
}

void Minimizer::markMember(MarkState &S, TypeId Struct, uint32_t Idx) const {
  // bpftool btfgen_mark_member(); the parent is always marked by callers,
  // but make it explicit so a kept member never lacks its struct.
  if (!S.Kept.test(Struct)) {
    S.Kept.set(Struct);
    ++S.Changes;
  }
  BitVector &M = S.Members[Struct];
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
  // kept here with their references followed.
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
    if (FollowPointees)
      S.Followed.set(T);
    const BTFType &BT = Target.type(T);
    switch (BT.kind()) {
    case Kind::Ptr:
      if (FollowPointees)
        Work.push_back(BT.SizeOrType);
      break;
    case Kind::Const:
    case Kind::Volatile:
    case Kind::Restrict:
    case Kind::Typedef:
    case Kind::TypeTag:
    case Kind::Func:
    case Kind::Var:
    case Kind::DeclTag:
      Work.push_back(BT.SizeOrType);
      break;
    case Kind::Array: {
      const BTFArray &A = Target.array(T);
      Work.push_back(A.IndexType);
      Work.push_back(A.ElemType);
      break;
    }
    case Kind::FuncProto:
      for (const BTFParam &P : Target.params(T))
        Work.push_back(P.Type);
      Work.push_back(BT.SizeOrType);
      break;
    case Kind::Datasec:
      for (const BTFVarSecinfo &V : Target.secinfos(T))
        Work.push_back(V.Type);
      break;
    default:
      // INT, FLOAT, ENUM, ENUM64, STRUCT, UNION (members not implied), FWD.
      break;
    }
  }
}

void Minimizer::markTypeMatch(MarkState &S, TypeId Id, bool BehindPtr) const {
  // bpftool btfgen_mark_type_match().
  SmallVector<std::pair<TypeId, bool>, 16> Work{{Id, BehindPtr}};
  while (!Work.empty()) {
    auto [T, Behind] = Work.pop_back_val();
    if (T == 0 || !Target.isValid(T))
      continue;
    if (S.MatchDone[Behind].test(T))
      continue;
    S.MatchDone[Behind].set(T);
    if (!S.Kept.test(T)) {
      S.Kept.set(T);
      ++S.Changes;
    }
    const BTFType &BT = Target.type(T);
    switch (BT.kind()) {
    case Kind::Struct:
    case Kind::Union: {
      if (Behind)
        break;
      ArrayRef<BTFMember> Ms = Target.members(T);
      for (uint32_t I = 0; I < Ms.size(); ++I) {
        markMember(S, T, I);
        Work.push_back({Ms[I].Type, false});
      }
      break;
    }
    case Kind::Const:
    case Kind::Volatile:
    case Kind::Restrict:
    case Kind::Typedef:
    case Kind::TypeTag:
    case Kind::Fwd:
    case Kind::Func:
    case Kind::Var:
    case Kind::DeclTag:
      Work.push_back({BT.SizeOrType, Behind});
      break;
    case Kind::Ptr:
      Work.push_back({BT.SizeOrType, true});
      break;
    case Kind::Array: {
      const BTFArray &A = Target.array(T);
      Work.push_back({A.IndexType, false});
      Work.push_back({A.ElemType, false});
      break;
    }
    case Kind::FuncProto:
      for (const BTFParam &P : Target.params(T))
        Work.push_back({P.Type, false});
      Work.push_back({BT.SizeOrType, false});
      break;
    default:
      break;
    }
  }
}

Error Minimizer::recordFieldSpec(MarkState &S, const CoreSpec &Spec) const {
  // bpftool btfgen_record_field_relo(): walk the target raw spec.
  TypeId Id = Spec.RootType;
  if (!Target.isValid(Id))
    return createStringError(inconvertibleErrorCode(),
                             "target spec root [%u] out of range", Id);
  markType(S, Id, false);
  for (size_t I = 1; I < Spec.RawSpec.size(); ++I) {
    for (unsigned Depth = 0; Depth < 1024 && Id != 0 &&
                             isModOrTypedef(Target.kind(Id));
         ++Depth)
      Id = Target.type(Id).SizeOrType;
    Kind K = Target.kind(Id);
    if (isComposite(K)) {
      uint32_t Idx = Spec.RawSpec[I];
      if (Idx >= Target.vlen(Id))
        return createStringError(
            inconvertibleErrorCode(),
            "target spec member index %u out of range for type [%u]", Idx, Id);
      markMember(S, Id, Idx);
      Id = Target.members(Id)[Idx].Type;
      markType(S, Id, false);
    } else if (K == Kind::Array) {
      Id = Target.array(Id).ElemType;
    } else {
      return createStringError(
          inconvertibleErrorCode(),
          formatv("target spec goes through type [{0}] of unsupported kind {1}",
                  Id, kindName(K))
              .str());
    }
  }
  return Error::success();
}

Error Minimizer::addResult(const TypeTable &Local, const CoreRelocation &R,
                           const CoreResult &Res) {
  // bpftool btfgen_record_reloc(), for every matching candidate.
  if (R.Kind == CoreReloKind::TypeIdLocal)
    return Error::success();
  for (const CoreSpec &Spec : Res.TargetSpecs) {
    if (!Target.isValid(Spec.RootType))
      return createStringError(inconvertibleErrorCode(),
                               "target spec root [%u] out of range",
                               Spec.RootType);
    if (isFieldBased(R.Kind)) {
      if (Error E = recordFieldSpec(Marks, Spec))
        return E;
    } else if (R.Kind == CoreReloKind::TypeMatches) {
      markTypeMatch(Marks, Spec.RootType, false);
    } else if (isTypeBased(R.Kind)) {
      markType(Marks, Spec.RootType, true);
    } else {
      markType(Marks, Spec.RootType, false);
    }
  }
  if (Res.ErrorCandidate && Target.isValid(Res.ErrorCandidate)) {
    // Matching failed inside this candidate (e.g. nesting deeper than
    // BPF_CORE_SPEC_MAX_LEN): keep all of it so it fails again.
    markTypeMatch(Marks, Res.ErrorCandidate, false);
    markType(Marks, Res.ErrorCandidate, true);
  }
  if (isTypeBased(R.Kind) && Local.isValid(R.LocalType)) {
    // Guards for the candidates that did not match.
    SmallVector<TypeId, 4> Cands;
    if (Target.hasNameIndex()) {
      Cands = findCoreCandidates(Local, R.LocalType, Target);
    } else {
      StringRef Name = Local.name(R.LocalType);
      if (!Name.empty())
        for (TypeId Id = 1; Id < Target.size(); ++Id)
          if (kindsAreCoreCompat(Target.kind(Id), Local.kind(R.LocalType)) &&
              !Target.name(Id).empty() &&
              essentialName(Target.name(Id)) == essentialName(Name))
            Cands.push_back(Id);
    }
    for (TypeId C : Cands) {
      bool Matched = llvm::any_of(Res.TargetSpecs, [&](const CoreSpec &S) {
        return S.RootType == C;
      });
      if (!Matched)
        Guards.push_back({C, R.Kind == CoreReloKind::TypeMatches});
    }
  }
  return Error::success();
}

void Minimizer::finalize(MarkState &S) const {
  uint64_t Before;
  do {
    Before = S.Changes;
    for (const Guard &G : Guards) {
      if (!S.Kept.test(G.Candidate))
        continue;
      if (G.TypeMatches)
        markTypeMatch(S, G.Candidate, false);
      else
        markType(S, G.Candidate, true);
    }
    // Flexible-array rule (see the file comment).
    for (TypeId Id = 1; Id < Target.size(); ++Id) {
      if (!S.Kept.test(Id) || !isComposite(Target.kind(Id)) ||
          S.Members[Id].empty())
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
  } while (S.Changes != Before);
}

TypeTable Minimizer::build() const {
  MarkState S = Marks;
  finalize(S);

  // bpftool btfgen_get_btf(): new IDs in source order, then remap.
  std::vector<TypeId> NewId(Target.size(), 0);
  TypeId Next = 1;
  for (TypeId Id = 1; Id < Target.size(); ++Id)
    if (S.Kept.test(Id))
      NewId[Id] = Next++;
  auto Remap = [&](TypeId Id) -> TypeId {
    return Id < NewId.size() ? NewId[Id] : 0;
  };

  TypeTable Out;
  Out.PointerSize = Target.PointerSize;
  SmallVector<uint32_t, 64> Words;
  for (TypeId Id = 1; Id < Target.size(); ++Id) {
    if (!S.Kept.test(Id))
      continue;
    const BTFType &T = Target.type(Id);
    Kind K = T.kind();
    BTFType NT = T;
    NT.NameOff = Out.addString(Target.name(Id));
    if (!hasSizeWord(K))
      NT.SizeOrType = Remap(T.SizeOrType);
    Words.clear();
    switch (K) {
    case Kind::Struct:
    case Kind::Union: {
      ArrayRef<BTFMember> Ms = Target.members(Id);
      const BitVector &Keep = S.Members[Id];
      uint32_t N = 0;
      for (uint32_t I = 0; I < Ms.size(); ++I) {
        if (Keep.empty() || !Keep.test(I))
          continue;
        Words.push_back(Out.addString(Target.str(Ms[I].NameOff)));
        Words.push_back(Remap(Ms[I].Type));
        Words.push_back(Ms[I].Offset);
        ++N;
      }
      NT.Info = BTFType::makeInfo(K, N, T.kflag());
      break;
    }
    case Kind::Enum:
      for (const BTFEnum &E : Target.enums(Id)) {
        Words.push_back(Out.addString(Target.str(E.NameOff)));
        Words.push_back(uint32_t(E.Val));
      }
      break;
    case Kind::Enum64:
      for (const BTFEnum64 &E : Target.enums64(Id)) {
        Words.push_back(Out.addString(Target.str(E.NameOff)));
        Words.push_back(E.ValLo32);
        Words.push_back(E.ValHi32);
      }
      break;
    case Kind::FuncProto:
      for (const BTFParam &P : Target.params(Id)) {
        Words.push_back(Out.addString(Target.str(P.NameOff)));
        Words.push_back(Remap(P.Type));
      }
      break;
    case Kind::Array: {
      const BTFArray &A = Target.array(Id);
      Words.push_back(Remap(A.ElemType));
      Words.push_back(Remap(A.IndexType));
      Words.push_back(A.NElems);
      break;
    }
    case Kind::Datasec:
      for (const BTFVarSecinfo &V : Target.secinfos(Id)) {
        Words.push_back(Remap(V.Type));
        Words.push_back(V.Offset);
        Words.push_back(V.Size);
      }
      break;
    default: {
      // INT, VAR, DECL_TAG words carry no references.
      ArrayRef<uint32_t> D = Target.data(Id);
      Words.append(D.begin(), D.end());
      break;
    }
    }
    Out.addType(NT, Words);
  }
  return Out;
}

unsigned Minimizer::numKeptTypes() const {
  MarkState S = Marks;
  finalize(S);
  return S.Kept.count();
}

} // namespace btfgen
