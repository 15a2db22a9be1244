//===- CoreCompat.cpp - libbpf's type compatibility relations -------------===//
//
// A re-implementation (not a copy) of the three relations of libbpf v1.1.2's
// relo_core.c (Debian libbpf 1:1.1.2-0+deb12u1) that decide whether a
// target type can stand for a local one: bpf_core_fields_are_compat (field
// relocations), __bpf_core_types_are_compat (TYPE_ID_TARGET, TYPE_EXISTS,
// TYPE_SIZE) and __bpf_core_types_match (TYPE_MATCHES). docs/core.md,
// section 3, tables what each compares. All three skip modifiers and
// typedefs first, with TypeTable::trySkipModsAndTypedefs.
//
//===----------------------------------------------------------------------===//

#include "CoreCompat.h"

#include "btfgen/CoreMatch.h"

using namespace llvm;

namespace btfgen {
namespace detail {

namespace {
/// The raw kind of Id, Unknown for void.
Kind kindOf(const TypeTable &T, TypeId Id) { return T.kind(Id); }

} // namespace

/// __bpf_core_types_are_compat().
int typesAreCompat(const TypeTable &L, TypeId LId, const TypeTable &T,
                   TypeId TId, int Level) {
  if (!L.isValid(LId) || !T.isValid(TId))
    return ErrInval;
  if (!kindsAreCoreCompat(kindOf(L, LId), kindOf(T, TId)))
    return 0;
  for (int Depth = 32;;) {
    if (--Depth < 0)
      return ErrInval;
    if (!skipModsTypedefs(L, LId, LId) || !skipModsTypedefs(T, TId, TId))
      return ErrInval;
    Kind LK = kindOf(L, LId), TK = kindOf(T, TId);
    if (!kindsAreCoreCompat(LK, TK))
      return 0;
    switch (LK) {
    case Kind::Unknown:
    case Kind::Struct:
    case Kind::Union:
    case Kind::Enum:
    case Kind::Fwd:
    case Kind::Enum64:
      return 1;
    case Kind::Int:
      // Only reject the deprecated bitfield-like ints (non-zero offset).
      return intOffset(L.intWord(LId)) == 0 && intOffset(T.intWord(TId)) == 0;
    case Kind::Ptr:
      LId = L.type(LId).SizeOrType;
      TId = T.type(TId).SizeOrType;
      continue;
    case Kind::Array:
      LId = L.array(LId).ElemType;
      TId = T.array(TId).ElemType;
      continue;
    case Kind::FuncProto: {
      ArrayRef<BTFParam> LP = L.params(LId), TP = T.params(TId);
      if (LP.size() != TP.size())
        return 0;
      for (size_t I = 0; I < LP.size(); ++I) {
        if (Level <= 0)
          return ErrInval;
        TypeId A, B;
        // libbpf ignores skip failures here (the callee re-checks).
        if (!skipModsTypedefs(L, LP[I].Type, A) ||
            !skipModsTypedefs(T, TP[I].Type, B))
          return ErrInval;
        int Err = typesAreCompat(L, A, T, B, Level - 1);
        if (Err <= 0)
          return Err;
      }
      TypeId A, B;
      if (!skipModsTypedefs(L, L.type(LId).SizeOrType, A) ||
          !skipModsTypedefs(T, T.type(TId).SizeOrType, B))
        return ErrInval;
      LId = A;
      TId = B;
      continue;
    }
    default:
      // libbpf: "unexpected kind %s relocated".
      return 0;
    }
  }
}

/// bpf_core_fields_are_compat().
int fieldsAreCompat(const TypeTable &L, TypeId LId, const TypeTable &T,
                    TypeId TId) {
  // libbpf recurses into array elements without a bound; each step reaches
  // a new local type, so only a cycle runs past L.size() steps.
  for (uint32_t Iter = 0; Iter < L.size(); ++Iter) {
    if (!skipModsTypedefs(L, LId, LId) || !skipModsTypedefs(T, TId, TId))
      return ErrInval;
    Kind LK = kindOf(L, LId), TK = kindOf(T, TId);
    if (isComposite(LK) && isComposite(TK))
      return 1;
    if (!kindsAreCoreCompat(LK, TK))
      return 0;
    switch (LK) {
    case Kind::Ptr:
    case Kind::Float:
      return 1;
    case Kind::Fwd:
    case Kind::Enum:
    case Kind::Enum64: {
      StringRef LN = essentialName(L.name(LId));
      StringRef TN = essentialName(T.name(TId));
      // One of them anonymous, or the same flavor-less name.
      return LN.empty() || TN.empty() || LN == TN;
    }
    case Kind::Int:
      return intOffset(L.intWord(LId)) == 0 && intOffset(T.intWord(TId)) == 0;
    case Kind::Array:
      LId = L.array(LId).ElemType;
      TId = T.array(TId).ElemType;
      continue;
    default:
      return 0;
    }
  }
  return ErrInval;
}

/// bpf_core_names_match(): target anonymous matches only anonymous local,
/// else essential names must be equal.
static bool namesMatch(StringRef LName, StringRef TName) {
  if (TName.empty())
    return LName.empty();
  return essentialName(LName) == essentialName(TName);
}

/// bpf_core_enums_match().
static int enumsMatch(const TypeTable &L, TypeId LId, const TypeTable &T,
               TypeId TId) {
  if (L.type(LId).SizeOrType != T.type(TId).SizeOrType)
    return 0;
  uint32_t LV = L.vlen(LId), TV = T.vlen(TId);
  if (LV > TV)
    return 0;
  for (uint32_t I = 0; I < LV; ++I) {
    bool Matched = false;
    for (uint32_t J = 0; J < TV && !Matched; ++J)
      Matched = namesMatch(L.enumName(LId, I),
                           T.enumName(TId, J));
    if (!Matched)
      return 0;
  }
  return 1;
}

int typesMatch(const TypeTable &L, TypeId LId, const TypeTable &T, TypeId TId,
               bool BehindPtr, int Level);

/// bpf_core_composites_match().
static int compositesMatch(const TypeTable &L, TypeId LId, const TypeTable &T,
                    TypeId TId, bool BehindPtr, int Level) {
  ArrayRef<BTFMember> LM = L.members(LId), TM = T.members(TId);
  if (LM.size() > TM.size())
    return 0;
  for (const BTFMember &M : LM) {
    bool Matched = false;
    for (const BTFMember &N : TM) {
      if (!namesMatch(L.str(M.NameOff), T.str(N.NameOff)))
        continue;
      int Err = typesMatch(L, M.Type, T, N.Type, BehindPtr, Level - 1);
      if (Err < 0)
        return Err;
      if (Err > 0) {
        Matched = true;
        break;
      }
    }
    if (!Matched)
      return 0;
  }
  return 1;
}

/// __bpf_core_types_match().
int typesMatch(const TypeTable &L, TypeId LId, const TypeTable &T, TypeId TId,
               bool BehindPtr, int Level) {
  if (Level <= 0)
    return ErrInval;
  for (int Depth = 32;;) {
    if (--Depth < 0)
      return ErrInval;
    if (!skipModsTypedefs(L, LId, LId) || !skipModsTypedefs(T, TId, TId))
      return ErrInval;
    // Names are compared after skipping typedefs; a root-level typedef was
    // name-matched by the candidate search.
    if (!namesMatch(L.name(LId), T.name(TId)))
      return 0;
    Kind LK = kindOf(L, LId), TK = kindOf(T, TId);
    switch (LK) {
    case Kind::Unknown:
      return LK == TK;
    case Kind::Fwd: {
      bool LF = L.kflag(LId);
      if (BehindPtr) {
        if (LK == TK)
          return LF == T.kflag(TId);
        // A forward's kflag says struct (0) or union (1).
        return (TK == Kind::Struct && !LF) || (TK == Kind::Union && LF);
      }
      if (LK != TK)
        return 0;
      return LF == T.kflag(TId);
    }
    case Kind::Enum:
    case Kind::Enum64:
      if (!isAnyEnum(TK))
        return 0;
      return enumsMatch(L, LId, T, TId);
    case Kind::Struct:
    case Kind::Union:
      if (BehindPtr) {
        if (LK == TK)
          return 1;
        if (TK != Kind::Fwd)
          return 0;
        return (LK == Kind::Union) == T.kflag(TId);
      }
      if (LK != TK)
        return 0;
      return compositesMatch(L, LId, T, TId, BehindPtr, Level);
    case Kind::Int: {
      if (LK != TK)
        return 0;
      bool LS = intEncoding(L.intWord(LId)) & BTFIntSigned;
      bool TS = intEncoding(T.intWord(TId)) & BTFIntSigned;
      return L.type(LId).SizeOrType == T.type(TId).SizeOrType && LS == TS;
    }
    case Kind::Ptr:
      if (LK != TK)
        return 0;
      BehindPtr = true;
      LId = L.type(LId).SizeOrType;
      TId = T.type(TId).SizeOrType;
      continue;
    case Kind::Array: {
      if (LK != TK)
        return 0;
      const BTFArray &LA = L.array(LId), &TA = T.array(TId);
      if (LA.NElems != TA.NElems)
        return 0;
      LId = LA.ElemType;
      TId = TA.ElemType;
      continue;
    }
    case Kind::FuncProto: {
      if (LK != TK)
        return 0;
      ArrayRef<BTFParam> LP = L.params(LId), TP = T.params(TId);
      if (LP.size() != TP.size())
        return 0;
      for (size_t I = 0; I < LP.size(); ++I) {
        int Err = typesMatch(L, LP[I].Type, T, TP[I].Type, BehindPtr,
                             Level - 1);
        if (Err <= 0)
          return Err;
      }
      LId = L.type(LId).SizeOrType;
      TId = T.type(TId).SizeOrType;
      continue;
    }
    default:
      return 0;
    }
  }
}

} // namespace detail

bool kindsAreCoreCompat(Kind A, Kind B) {
  return A == B || (isAnyEnum(A) && isAnyEnum(B));
}

int coreFieldsAreCompat(const TypeTable &Local, TypeId LocalId,
                        const TypeTable &Target, TypeId TargetId) {
  return detail::fieldsAreCompat(Local, LocalId, Target, TargetId);
}

int coreTypesAreCompat(const TypeTable &Local, TypeId LocalId,
                       const TypeTable &Target, TypeId TargetId) {
  return detail::typesAreCompat(Local, LocalId, Target, TargetId, 32);
}

int coreTypesMatch(const TypeTable &Local, TypeId LocalId,
                   const TypeTable &Target, TypeId TargetId) {
  return detail::typesMatch(Local, LocalId, Target, TargetId, false, 32);
}

} // namespace btfgen
