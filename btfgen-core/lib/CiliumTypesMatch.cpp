//===- CiliumTypesMatch.cpp - cilium/ebpf's TYPE_MATCHES relation ---------===//
//
// btf/core.go coreTypesMatch of cilium/ebpf 5ba0b3b (unchanged since
// v0.19.0), read, not copied:
// https://github.com/cilium/ebpf/blob/5ba0b3b27a92/btf/core.go#L1125
//
// Used by the shrinking self-check (Shrink.cpp) and the unit tests to judge
// a tailored BTF by cilium's answers as well as libbpf's. The rules:
//  * typedefs and qualifiers (CONST, VOLATILE, RESTRICT, TYPE_TAG) are
//    skipped on both sides (UnderlyingType);
//  * names: equal essential names (cut at the last "___", newEssentialName
//    in btf/types.go), or either one anonymous;
//  * kinds: the same Go type; ENUM and ENUM64 are both *Enum;
//  * a (local, target) pair met again counts as matching (visited map);
//  * FWD: same kind flag; ENUM: sizes equal, no more local than target
//    enumerators, each local name in the target (essential names);
//    INT: size and encoding == SIGNED; ARRAY: length and element; FUNC_PROTO: arity,
//    parameters, return;
//  * STRUCT/UNION, also behind a pointer: no more local than target members,
//    and each local member compared with the LAST target member of the
//    same exact name (a map keyed by name);
//  * PTR: a pointer to a FWD matches a pointer to a STRUCT/UNION of that
//    flavor (either side), otherwise the pointees are compared;
//  * any other kind (FLOAT, VOID aside) is "unsupported": no match.
//
//===----------------------------------------------------------------------===//

#include "btfgen/CoreMatch.h"

#include <set>
#include <utility>

using namespace llvm;

namespace btfgen {

namespace {

class CiliumMatch {
public:
  CiliumMatch(const TypeTable &L, const TypeTable &T) : L(L), T(T) {}
  bool match(TypeId LId, TypeId TId, unsigned Depth);

private:
  static StringRef essential(StringRef Name) {
    size_t I = Name.rfind("___");
    return I != StringRef::npos && I > 0 ? Name.take_front(I) : Name;
  }
  static bool namesMatch(StringRef A, StringRef B) {
    return A.empty() || B.empty() || essential(A) == essential(B);
  }
  /// As[*Fwd]: the FWD after typedefs and qualifiers, or 0.
  TypeId asFwd(const TypeTable &X, TypeId Id) const {
    TypeId U = X.skipModsAndTypedefs(Id);
    return U && X.kind(U) == Kind::Fwd ? U : 0;
  }
  /// Fwd.matches(): a STRUCT (kflag 0) or UNION (kflag 1) after typedefs.
  bool fwdMatches(const TypeTable &FT, TypeId Fwd, const TypeTable &X,
                  TypeId Id) const {
    TypeId U = X.skipModsAndTypedefs(Id);
    if (!U)
      return false;
    return (X.kind(U) == Kind::Struct && !FT.kflag(Fwd)) ||
           (X.kind(U) == Kind::Union && FT.kflag(Fwd));
  }
  bool composites(TypeId LU, TypeId TU, unsigned Depth);

  const TypeTable &L, &T;
  std::set<std::pair<TypeId, TypeId>> Visited;
};

bool CiliumMatch::match(TypeId LId, TypeId TId, unsigned Depth) {
  if (Depth > 64)
    return false; // cilium's maxResolveDepth-style bound
  std::optional<TypeId> LO = L.trySkipModsAndTypedefs(LId);
  std::optional<TypeId> TO = T.trySkipModsAndTypedefs(TId);
  if (!LO || !TO)
    return false;
  TypeId LU = *LO, TU = *TO;
  if (!namesMatch(L.name(LU), T.name(TU)))
    return false;
  Kind LK = L.kind(LU), TK = T.kind(TU);
  if (isAnyEnum(LK) && isAnyEnum(TK))
    TK = LK;
  if (LK != TK)
    return false;
  if (!Visited.insert({LU, TU}).second)
    return true;
  switch (LK) {
  case Kind::Unknown: // void
    return true;
  case Kind::Fwd:
    return L.kflag(LU) == T.kflag(TU);
  case Kind::Enum:
  case Kind::Enum64: {
    if (L.type(LU).SizeOrType != T.type(TU).SizeOrType ||
        L.vlen(LU) > T.vlen(TU))
      return false;
    for (uint32_t I = 0; I < L.vlen(LU); ++I) {
      bool Found = false;
      for (uint32_t J = 0; J < T.vlen(TU) && !Found; ++J)
        Found = namesMatch(L.enumName(LU, I), T.enumName(TU, J));
      if (!Found)
        return false;
    }
    return true;
  }
  case Kind::Struct:
  case Kind::Union:
    return composites(LU, TU, Depth);
  case Kind::Int: {
    // coreEncodingMatches: "all encodings other than Signed are considered
    // unsigned" (a signed CHAR or BOOL encoding is not Signed).
    bool LS = intEncoding(L.intWord(LU)) == BTFIntSigned;
    bool TS = intEncoding(T.intWord(TU)) == BTFIntSigned;
    return L.type(LU).SizeOrType == T.type(TU).SizeOrType && LS == TS;
  }
  case Kind::Ptr: {
    TypeId LP = L.type(LU).SizeOrType, TP = T.type(TU).SizeOrType;
    if (TypeId F = asFwd(L, LP); F && fwdMatches(L, F, T, TP))
      return true;
    if (TypeId F = asFwd(T, TP); F && fwdMatches(T, F, L, LP))
      return true;
    return match(LP, TP, Depth + 1);
  }
  case Kind::Array:
    return L.array(LU).NElems == T.array(TU).NElems &&
           match(L.array(LU).ElemType, T.array(TU).ElemType, Depth + 1);
  case Kind::FuncProto: {
    ArrayRef<BTFParam> LP = L.params(LU), TP = T.params(TU);
    if (LP.size() != TP.size())
      return false;
    for (size_t I = 0; I < LP.size(); ++I)
      if (!match(LP[I].Type, TP[I].Type, Depth + 1))
        return false;
    return match(L.type(LU).SizeOrType, T.type(TU).SizeOrType, Depth + 1);
  }
  default:
    return false; // "unsupported type"
  }
}

bool CiliumMatch::composites(TypeId LU, TypeId TU, unsigned Depth) {
  ArrayRef<BTFMember> LMs = L.members(LU), TMs = T.members(TU);
  if (LMs.size() > TMs.size())
    return false;
  for (const BTFMember &LM : LMs) {
    StringRef Name = L.str(LM.NameOff);
    const BTFMember *Last = nullptr;
    for (const BTFMember &TM : TMs)
      if (T.str(TM.NameOff) == Name)
        Last = &TM;
    if (!Last || !match(LM.Type, Last->Type, Depth + 1))
      return false;
  }
  return true;
}

} // namespace

bool ciliumTypesMatch(const TypeTable &Local, TypeId LocalId,
                      const TypeTable &Target, TypeId TargetId) {
  if (!Local.isValid(LocalId) || !Target.isValid(TargetId))
    return false;
  return CiliumMatch(Local, Target).match(LocalId, TargetId, 0);
}

} // namespace btfgen
