//===- Shrink.cpp - The shrunk output of the Minimizer --------------------===//
//
// What libbpf's field relocations read of a member's type is its kind after
// typedefs and modifiers, its size, an INT's encoding word, an array's length
// and element, an enum's or a FWD's name (docs/core.md, "Shrinking"). So a
// kept member of a composite that no TYPE_MATCHES relocation inspects refers
// to a canonical anonymous type instead of the kernel's typedef chain and
// named pointee. Shrinker::run() builds that table in steps:
//
//   canon()                   each member type's canonical type
//   computeLive()             what the output still reaches
//   computeOrder()            named types by essential name, anonymous ones
//                             after the first type that reaches them
//   assignIds()               output IDs, canonical types after kept ones
//   computeObservedSizes()    composites whose size libbpf reads
//   emit()                    the records, then nameLong(): the pointer size
//
// Minimizer::build() then runs checkAnswers() on the result and falls back
// to the unshrunk table on any difference.
//
//===----------------------------------------------------------------------===//

#include "Shrink.h"

#include "btfgen/Errors.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/FormatVariadic.h"

#include <algorithm>

using namespace llvm;

namespace btfgen {

void emitType(const TypeTable &Target, TypeId Id, const BitVector &Keep,
              function_ref<TypeId(TypeId)> Ref,
              function_ref<TypeId(TypeId)> MemberRef, TypeTable &Out,
              SmallVectorImpl<uint32_t> &Words, std::optional<uint32_t> Size) {
  const BTFType &T = Target.type(Id);
  Kind K = T.kind();
  BTFType NT = T;
  NT.NameOff = Out.addString(Target.name(Id));
  if (!hasSizeWord(K))
    NT.SizeOrType = Ref(T.SizeOrType);
  else if (Size)
    NT.SizeOrType = *Size;
  Words.clear();
  switch (K) {
  case Kind::Struct:
  case Kind::Union: {
    ArrayRef<BTFMember> Ms = Target.members(Id);
    uint32_t N = 0;
    for (uint32_t I = 0; I < Ms.size(); ++I) {
      if (Keep.empty() || !Keep.test(I))
        continue;
      Words.push_back(Out.addString(Target.str(Ms[I].NameOff)));
      Words.push_back(MemberRef(Ms[I].Type));
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
      Words.push_back(Ref(P.Type));
    }
    break;
  case Kind::Array: {
    const BTFArray &A = Target.array(Id);
    Words.push_back(Ref(A.ElemType));
    Words.push_back(Ref(A.IndexType));
    Words.push_back(A.NElems);
    break;
  }
  case Kind::Datasec:
    for (const BTFVarSecinfo &V : Target.secinfos(Id)) {
      Words.push_back(Ref(V.Type));
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

/// Emission order of canonical kinds: INTs last, so the last record of the
/// table carries its own data word (libbpf 1.1.2's FIELD_SIGNED reads the
/// word after a non-INT record; see wordAfterType in CoreMatch.cpp).
static unsigned synthRank(Kind K) {
  switch (K) {
  case Kind::Ptr:
    return 0;
  case Kind::Struct:
    return 1;
  case Kind::Float:
    return 2;
  case Kind::Array:
    return 3;
  default:
    return 4;
  }
}

Shrinker::Shrinker(const TypeTable &Target, const Minimizer::MarkState &S,
                   ArrayRef<Minimizer::Column> Columns)
    : Target(Target), S(S), Columns(Columns), N(Target.size()), Live(N),
      Placed(N), SizeSeen(N) {}

TypeTable Shrinker::run(std::vector<TypeId> &NewId) {
  computeLive();
  computeOrder();
  assignIds(NewId);
  computeObservedSizes();
  TypeTable Out = emit(NewId);
  nameLong(Out);
  // As libbpf will read the file, so that the self-check sees what libbpf
  // sees (a kept `long` of another size than the kernel's first one would
  // change pointer sizes: the check then falls back).
  Out.setKnownPointerSize(Out.guessPointerSize());
  return Out;
}

//===----------------------------------------------------------------------===//
// Canonical member types
//===----------------------------------------------------------------------===//

Shrinker::Ref Shrinker::makeSynth(const Synth &X) {
  auto [It, New] = SynthIndex.try_emplace(X.key(), uint32_t(Synths.size()));
  if (New)
    Synths.push_back(X);
  return {It->second, true};
}

Shrinker::Ref Shrinker::canon(TypeId T) {
  auto It = CanonMemo.find(T);
  if (It != CanonMemo.end())
    return It->second;
  Ref R = canonUncached(T); // may recurse and grow the map: insert afterwards
  CanonMemo[T] = R;
  return R;
}

Shrinker::Ref Shrinker::canonUncached(TypeId T) {
  // libbpf's field relocations skip typedefs and modifiers
  // (skip_mods_and_typedefs) and then look at the kind, the size, an INT's
  // encoding, an array's length and element, an enum's or a FWD's name.
  // Composites the spec walks into (kept members), candidates and exactly
  // kept types stay themselves.
  std::optional<TypeId> Skipped = Target.trySkipModsAndTypedefs(T);
  if (!Skipped || *Skipped == 0)
    return {T, false}; // void, or a broken chain: keep as is
  TypeId U = *Skipped;
  switch (Target.kind(U)) {
  case Kind::Ptr:
    return makeSynth({Kind::Ptr, 0, 0, 0, false});
  case Kind::Int:
    return makeSynth(
        {Kind::Int, Target.type(U).SizeOrType, Target.intWord(U), 0, false});
  case Kind::Float:
    return makeSynth({Kind::Float, Target.type(U).SizeOrType, 0, 0, false});
  case Kind::Struct:
  case Kind::Union:
    if (S.Root.test(U) || S.Exact.test(U) ||
        (!S.Members[U].empty() && S.Members[U].any()))
      return {U, false};
    return makeSynth({Kind::Struct, Target.type(U).SizeOrType, 0, 0, false});
  case Kind::Array: {
    if (S.Root.test(U) || S.Exact.test(U))
      return {U, false};
    const BTFArray &A = Target.array(U);
    Ref E = canon(A.ElemType);
    return makeSynth({Kind::Array, A.NElems, 0, E.Id, E.IsSynth});
  }
  default:
    return {U, false};
  }
}

bool Shrinker::shrinkable(TypeId Id) const {
  return isComposite(Target.kind(Id)) && !S.MembersExact.test(Id);
}

void Shrinker::forEachOutRef(TypeId Id, function_ref<void(TypeId)> F) {
  // Through canon() for the members of a shrinkable composite (arrays
  // unwrapped to their kept elements), as they are otherwise.
  const BitVector &Keep = S.Members[Id];
  if (shrinkable(Id)) {
    ArrayRef<BTFMember> Ms = Target.members(Id);
    if (!Keep.empty())
      for (unsigned I : Keep.set_bits()) {
        Ref R = canon(Ms[I].Type);
        while (R.IsSynth && Synths[R.Id].K == Kind::Array)
          R = {Synths[R.Id].Elem, Synths[R.Id].ElemSynth};
        if (!R.IsSynth)
          F(R.Id);
      }
    return;
  }
  Target.forEachRef(Id, [&](TypeId R, RefRole Role, uint32_t I) {
    if (Role != RefRole::Member || (!Keep.empty() && Keep.test(I)))
      F(R);
  });
}

//===----------------------------------------------------------------------===//
// Liveness and order
//===----------------------------------------------------------------------===//

void Shrinker::pushLive(TypeId Id) {
  if (Id != 0 && Id < N && S.Kept.test(Id) && !Live.test(Id)) {
    Live.set(Id);
    Work.push_back(Id);
  }
}

void Shrinker::computeLive() {
  // Candidates and exactly kept types, and what they reach through the
  // references that are emitted.
  for (unsigned Id : S.Kept.set_bits())
    if (S.Root.test(Id) || S.Exact.test(Id))
      pushLive(Id);
  while (!Work.empty())
    forEachOutRef(Work.pop_back_val(), [&](TypeId R) { pushLive(R); });
}

void Shrinker::computeOrder() {
  // Named types sorted by essential name, then source ID: types that can be
  // candidates of the same local type (same essential name) keep their
  // relative order, which libbpf's first-match and pruning depend on;
  // nothing else about the order is observable. Each named type is followed
  // by the anonymous types it reaches first (depth-first, in reference
  // order). The order, and so the bytes, no longer depend on where the
  // kernel happened to put its types: kernels that differ only there give
  // identical files.
  std::vector<TypeId> Named;
  for (unsigned Id : Live.set_bits())
    if (!Target.name(Id).empty())
      Named.push_back(Id);
  llvm::stable_sort(Named, [&](TypeId A, TypeId B) {
    return essentialName(Target.name(A)) < essentialName(Target.name(B));
  });
  Order.reserve(Live.count());
  for (TypeId Id : Named)
    place(Id);
  for (unsigned Id : Live.set_bits())
    place(Id);
}

void Shrinker::place(TypeId Root) {
  if (Placed.test(Root))
    return;
  Placed.set(Root);
  Order.push_back(Root);
  // Preorder DFS over anonymous types.
  Stack.clear();
  pushAnonChildren(Root);
  while (!Stack.empty()) {
    TypeId C = Stack.pop_back_val();
    if (Placed.test(C))
      continue;
    Placed.set(C);
    Order.push_back(C);
    pushAnonChildren(C);
  }
}

void Shrinker::pushAnonChildren(TypeId Id) {
  // Pushed in reverse so that they are visited in reference order.
  size_t Mark = Stack.size();
  forEachOutRef(Id, [&](TypeId C) {
    if (C != 0 && C < N && Live.test(C) && !Placed.test(C) &&
        Target.name(C).empty())
      Stack.push_back(C);
  });
  std::reverse(Stack.begin() + Mark, Stack.end());
}

//===----------------------------------------------------------------------===//
// IDs
//===----------------------------------------------------------------------===//

void Shrinker::assignIds(std::vector<TypeId> &NewId) {
  // Live kept types in order, then the canonical ones by rank, each rank in
  // order of first use in the output. Array index types are an anonymous
  // 4-byte unsigned INT (libbpf never reads them).
  NewId.assign(N, 0);
  TypeId Next = 1;
  for (TypeId Id : Order)
    NewId[Id] = Next++;
  bool HasArray =
      llvm::any_of(Synths, [](const Synth &X) { return X.K == Kind::Array; });
  if (HasArray)
    IndexInt = makeSynth({Kind::Int, 4, 32, 0, false}).Id;
  SynthPlaced.resize(Synths.size());
  for (TypeId Id : Order)
    if (shrinkable(Id) && !S.Members[Id].empty())
      for (unsigned I : S.Members[Id].set_bits())
        useSynth(canon(Target.members(Id)[I].Type));
  for (uint32_t I = 0; I < Synths.size(); ++I)
    useSynth({I, true}); // not reached from a live type: kept for safety
  SynthEmitOrder = SynthOrder;
  llvm::stable_sort(SynthEmitOrder, [&](uint32_t A, uint32_t B) {
    return synthRank(Synths[A].K) < synthRank(Synths[B].K);
  });
  SynthId.assign(Synths.size(), 0);
  for (uint32_t I : SynthEmitOrder)
    SynthId[I] = Next++;
}

void Shrinker::useSynth(Ref R) {
  if (!R.IsSynth || SynthPlaced.test(R.Id))
    return;
  SynthPlaced.set(R.Id);
  SynthOrder.push_back(R.Id);
  if (Synths[R.Id].K == Kind::Array) {
    useSynth({Synths[R.Id].Elem, Synths[R.Id].ElemSynth});
    useSynth({IndexInt, true});
  }
}

//===----------------------------------------------------------------------===//
// Sizes
//===----------------------------------------------------------------------===//

void Shrinker::computeObservedSizes() {
  // A composite's size is read by libbpf only as a field's size
  // (btf__resolve_size of the accessed field's type), as an array element's
  // size times a non-zero index, as a root's size times a non-zero first
  // index, and by type-based relocations (exact types). Any other composite
  // gets the smallest size covering its kept members (canonSize), so kernels
  // that differ only in unobserved sizes give equal bytes.
  for (const Minimizer::Column &C : Columns) {
    if (!isFieldBased(C.Kind))
      continue;
    for (size_t I = 0; I < C.Roots.size(); ++I) {
      ArrayRef<uint32_t> Raw(C.Raw.data() + C.RawOff[I],
                             C.RawOff[I + 1] - C.RawOff[I]);
      if (Raw.empty() || Raw[0] != 0)
        markSizeSeen(C.Roots[I]);
      Expected<TypeId> Leaf = walkTargetSpec(
          Target, C.Roots[I], Raw,
          [&](TypeId Parent, uint32_t Index, TypeId Child) {
            if (Target.kind(Parent) == Kind::Array && Index != 0)
              markSizeSeen(Child);
          });
      // Specs that do not fit were refused when they were recorded.
      if (Leaf)
        markSizeSeen(*Leaf); // the accessed field's type
      else
        consumeError(Leaf.takeError());
    }
  }
}

void Shrinker::markSizeSeen(TypeId Id) {
  // The composites whose size btf__resolve_size(Id) reads: through
  // typedefs, modifiers and array elements.
  for (unsigned Depth = 0; Depth < 32 && Id != 0 && Id < N; ++Depth) {
    Id = Target.skipModsAndTypedefs(Id);
    if (Id == 0 || Id >= N)
      return;
    if (isComposite(Target.kind(Id)))
      SizeSeen.set(Id);
    if (Target.kind(Id) != Kind::Array)
      return;
    Id = Target.array(Id).ElemType;
  }
}

bool Shrinker::freeSize(TypeId Id) const {
  return shrinkable(Id) && !S.Exact.test(Id) && !SizeSeen.test(Id);
}

uint64_t Shrinker::refSize(Ref R) {
  if (R.IsSynth) {
    const Synth &X = Synths[R.Id];
    switch (X.K) {
    case Kind::Ptr:
      return Target.pointerSize();
    case Kind::Array:
      return X.Size * refSize({X.Elem, X.ElemSynth});
    default:
      return X.Size;
    }
  }
  if (R.Id < N && Live.test(R.Id) && freeSize(R.Id))
    return canonSize(R.Id);
  int64_t Sz = Target.resolveSize(R.Id);
  return Sz < 0 ? 0 : uint64_t(Sz);
}

uint64_t Shrinker::canonSize(TypeId Id) {
  auto [It, New] = SizeMemo.try_emplace(Id, 0);
  if (!New)
    return It->second;
  uint64_t End = 0;
  ArrayRef<BTFMember> Ms = Target.members(Id);
  bool KFlag = Target.kflag(Id);
  if (!S.Members[Id].empty())
    for (unsigned I : S.Members[Id].set_bits()) {
      uint32_t Bits = memberBitOffset(KFlag, Ms[I]);
      uint32_t BF = memberBitfieldSize(KFlag, Ms[I]);
      uint64_t E = BF ? (uint64_t(Bits) + BF + 7) / 8
                      : Bits / 8 + refSize(canon(Ms[I].Type));
      End = std::max(End, E);
    }
  End = std::min<uint64_t>(End, UINT32_MAX);
  SizeMemo[Id] = End;
  return End;
}

//===----------------------------------------------------------------------===//
// Emission
//===----------------------------------------------------------------------===//

TypeTable Shrinker::emit(ArrayRef<TypeId> NewId) {
  auto Remap = [&](TypeId Id) -> TypeId { return Id < N ? NewId[Id] : 0; };
  TypeTable Out;
  SmallVector<uint32_t, 64> Words;
  for (TypeId Id : Order) {
    if (shrinkable(Id))
      emitType(Target, Id, S.Members[Id], Remap,
               [&](TypeId T) {
                 Ref R = canon(T);
                 return R.IsSynth ? SynthId[R.Id] : Remap(R.Id);
               },
               Out, Words,
               freeSize(Id) ? std::optional<uint32_t>(canonSize(Id))
                            : std::nullopt);
    else
      emitType(Target, Id, S.Members[Id], Remap, Remap, Out, Words);
  }
  for (uint32_t I : SynthEmitOrder) {
    const Synth &X = Synths[I];
    Words.clear();
    if (X.K == Kind::Array)
      Words.append({X.ElemSynth ? SynthId[X.Elem]
                                : (X.Elem < N ? NewId[X.Elem] : 0),
                    SynthId[IndexInt], X.Size});
    emitSynth(X, Out, Words);
  }
  return Out;
}

void Shrinker::emitSynth(const Synth &X, TypeTable &Out,
                         SmallVectorImpl<uint32_t> &Words) const {
  // Words holds an ARRAY's words already; the other kinds fill their own.
  BTFType NT{};
  NT.NameOff = 0;
  switch (X.K) {
  case Kind::Ptr:
    NT.Info = BTFType::makeInfo(Kind::Ptr, 0, false);
    NT.SizeOrType = 0;
    break;
  case Kind::Int:
    NT.Info = BTFType::makeInfo(Kind::Int, 0, false);
    NT.SizeOrType = X.Size;
    Words.push_back(X.Word);
    break;
  case Kind::Float:
    NT.Info = BTFType::makeInfo(Kind::Float, 0, false);
    NT.SizeOrType = X.Size;
    break;
  case Kind::Struct:
    NT.Info = BTFType::makeInfo(Kind::Struct, 0, false);
    NT.SizeOrType = X.Size;
    break;
  case Kind::Array:
    NT.Info = BTFType::makeInfo(Kind::Array, 0, false);
    NT.SizeOrType = 0;
    break;
  default:
    break;
  }
  Out.addType(NT, Words);
}

void Shrinker::nameLong(TypeTable &Out) const {
  // libbpf sizes pointers by what it learns of the BTF it loads (btf.c
  // btf_ptr_sz(): for a raw file, the first INT named like `long`). The
  // kernel's `long` is seldom kept; without one, a loader whose own pointer
  // size is not the kernel's (a 32-bit libbpf on a 64-bit kernel, a 64-bit
  // tool reading a 32-bit kernel's BTF) would size every pointer
  // differently with this table than with the full one. Name the canonical
  // INT of the same size and encoding like the kernel's `long`, or add one.
  if (!Target.knownPointerSize() || Out.guessPointerSize())
    return;
  uint32_t Size = Target.knownPointerSize();
  StringRef LongName = "long"; // an ELF target's class gave the size
  uint32_t Word = (BTFIntSigned << 24) | (Size * 8);
  TypeId L = Target.longType();
  if (L && Target.type(L).SizeOrType == Size) {
    LongName = Target.name(L);
    Word = Target.intWord(L);
  }
  auto It = SynthIndex.find(Synth{Kind::Int, Size, Word, 0, false}.key());
  if (It != SynthIndex.end()) {
    Out.mutableType(SynthId[It->second]).NameOff = Out.addString(LongName);
  } else {
    BTFType NT{Out.addString(LongName), BTFType::makeInfo(Kind::Int, 0, false),
               Size};
    Out.addType(NT, {Word});
  }
}

//===----------------------------------------------------------------------===//
// Self-check
//===----------------------------------------------------------------------===//

std::string Shrinker::checkAnswers(ArrayRef<Minimizer::Check> Checks,
                                   const TypeTable &Small,
                                   ArrayRef<TypeId> NewId) {
  TypeTable T = Small;
  T.buildNameIndex();
  auto Map = [&](TypeId Id) -> TypeId {
    return Id < NewId.size() ? NewId[Id] : 0;
  };
  for (const Minimizer::Check &K : Checks) {
    CoreRelocation R;
    R.Kind = K.Kind;
    R.LocalType = K.LocalType;
    R.Access = K.Access;
    CoreMatcher M(*K.Local, T);
    Expected<CoreResult> Res = M.calc(R);
    std::string Where =
        formatv("{0} [{1}] {2} {3}", reloKindName(K.Kind), K.LocalType,
                quoteBounded(K.Local->name(K.LocalType)),
                boundedText(K.Access))
            .str();
    if (!Res)
      return Where + ": " + toString(Res.takeError());
    const CoreResult &F = K.Full;
    bool IsTypeId = K.Kind == CoreReloKind::TypeIdTarget;
    // TYPE_ID_TARGET answers (and ambiguity messages) carry target IDs,
    // renumbered here: compare the mapped ID; the per-candidate check below
    // covers the message's IDs.
    uint64_t WantVal = F.NewVal;
    if (IsTypeId && (F.Outcome == RelocOutcome::Resolved ||
                     F.Outcome == RelocOutcome::Error))
      WantVal = Map(TypeId(F.NewVal));
    if (Res->Outcome != F.Outcome || Res->NewVal != WantVal ||
        Res->OrigVal != F.OrigVal || Res->Poison != F.Poison ||
        Res->Validate != F.Validate || Res->FailMemsz != F.FailMemsz ||
        Res->OrigSz != F.OrigSz || Res->NewSz != F.NewSz ||
        (!IsTypeId && Res->Message != F.Message))
      return formatv("{0}: answer {1}/{2} vs full BTF {3}/{4}", Where,
                     outcomeName(Res->Outcome), Res->NewVal,
                     outcomeName(F.Outcome), WantVal)
          .str();
    // Per candidate: the kept candidates that matched (or failed) on the
    // full BTF must be exactly the ones that do here, with equal answers,
    // or libbpf's candidate-list pruning could diverge.
    size_t J = 0;
    for (const CoreCandidateResult &C : Res->Candidates) {
      if (C.Match == 0)
        continue;
      while (J < K.Cands.size() && Map(K.Cands[J].Id) == 0)
        ++J;
      if (J == K.Cands.size() || Map(K.Cands[J].Id) != C.Id ||
          sigEntry(C, K.Kind) != sigEntry(K.Cands[J], K.Kind))
        return formatv("{0}: candidate [{1}] answers differently", Where,
                       C.Id)
            .str();
      ++J;
    }
    while (J < K.Cands.size() && Map(K.Cands[J].Id) == 0)
      ++J;
    if (J != K.Cands.size())
      return formatv("{0}: candidate [{1}] no longer matches", Where,
                     Map(K.Cands[J].Id))
          .str();
    // TYPE_MATCHES under cilium/ebpf (it compares more than libbpf): every
    // kept candidate answers as on the full BTF.
    for (const auto &[Id, Ans] : K.Cilium)
      if (Map(Id) != 0 &&
          ciliumTypesMatch(*K.Local, K.LocalType, T, Map(Id)) != Ans)
        return formatv("{0}: candidate [{1}] answers differently under "
                       "cilium/ebpf",
                       Where, Map(Id))
            .str();
  }
  return "";
}

} // namespace btfgen
