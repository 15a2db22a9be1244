//===- TypeMatchMarks.cpp - What TYPE_MATCHES reads of a target -----------===//
//
// The TYPE_MATCHES relation of each supported loader, and what it reads of
// the target:
//
//  * libbpf 1.1.2 and the newest libbpf (relo_core.c __bpf_core_types_match,
//    bpf_core_composites_match, bpf_core_enums_match, bpf_core_names_match;
//    identical in both but for the width of vlen:
//    https://github.com/libbpf/libbpf/blob/c504f227df9b47576a04314df161d76b2261eb4d/src/relo_core.c
//    https://github.com/libbpf/libbpf/blob/f7081a6b/src/relo_core.c):
//    after typedefs and modifiers, the essential name of every type, the
//    kind (FWD and STRUCT/UNION behind a pointer: kind and kflag), INT size
//    and signedness, ENUM/ENUM64 size, count and enumerator names, ARRAY
//    length, FUNC_PROTO arity; for a composite not behind a pointer, the
//    member COUNT (local > target: no match) and, for each local member,
//    every target member with the same essential name (both anonymous
//    counts as the same name), compared recursively until one matches.
//  * cilium/ebpf 5ba0b3b (btf/core.go coreTypesMatch, coreEnumsMatch,
//    coreEncodingMatches;
//    https://github.com/cilium/ebpf/blob/5ba0b3b27a92/btf/core.go): the same
//    reads, except that composites are compared recursively ALSO behind a
//    pointer (only a pointer to a FWD short-cuts), and a local member is
//    looked up by exact name in a map of the target's members, so the LAST
//    target member of that name is the one compared.
//
// Neither reads a target member whose name no local member has, beyond
// counting it. So the marks are, for every (local, target) pair the union of
// those walks can reach (whatever each comparison answers, so that a
// failing comparison fails again): the target type exactly, every target
// member whose essential name equals a local member's (with its type
// walked against the local member's type), and, when that is fewer than
// min(local count, target count), further target members to keep the
// count rule's answer (named ones first; their types shallow, as a field
// relocation keeps a member's type). The walk follows only the local
// type's structure, which is what makes `bpf_core_type_matches(struct
// task_struct___local)` cost two members of the kernel's task_struct
// instead of all of them.
//
//===----------------------------------------------------------------------===//

#include "btfgen/TypeMatchMarks.h"

#include "llvm/ADT/SmallVector.h"

#include <set>
#include <utility>

using namespace llvm;

namespace btfgen {

namespace {

class Walker {
public:
  Walker(const TypeTable &L, const TypeTable &T) : L(L), T(T) {}

  std::vector<TypeMatchMark> run(TypeId LId, TypeId TId) {
    push(LId, TId);
    while (!Work.empty()) {
      auto [LI, TI] = Work.pop_back_val();
      visit(LI, TI);
    }
    return std::move(Out);
  }

private:
  void push(TypeId LId, TypeId TId) {
    if (Seen.insert({LId, TId}).second)
      Work.push_back({LId, TId});
  }
  void mark(TypeId Id, TypeMatchMark::What K, uint32_t Index = 0) {
    Out.push_back({Id, Index, K});
  }
  /// Marks the target chain of typedefs and modifiers from Id; returns the
  /// type after it, or nullopt for a broken chain.
  std::optional<TypeId> skipTarget(TypeId Id) {
    std::optional<TypeId> End = T.trySkipModsAndTypedefs(Id);
    if (!End)
      return std::nullopt;
    for (TypeId C = Id; C != *End && C != 0 && T.isValid(C);
         C = T.type(C).SizeOrType)
      mark(C, TypeMatchMark::Type);
    return End;
  }

  void visit(TypeId LId, TypeId TId);
  void visitComposite(TypeId LU, TypeId TU);

  const TypeTable &L, &T;
  SmallVector<std::pair<TypeId, TypeId>, 16> Work;
  std::set<std::pair<TypeId, TypeId>> Seen;
  std::vector<TypeMatchMark> Out;
};

void Walker::visit(TypeId LId, TypeId TId) {
  if (!L.isValid(LId) || !T.isValid(TId))
    return;
  std::optional<TypeId> TU = skipTarget(TId);
  std::optional<TypeId> LU = L.trySkipModsAndTypedefs(LId);
  if (!TU || !LU || *TU == 0)
    return;
  mark(*TU, TypeMatchMark::Type); // name, kind, kflag, size, encoding, ...
  if (*LU == 0)
    return;
  Kind LK = L.kind(*LU), TK = T.kind(*TU);
  switch (LK) {
  case Kind::Struct:
  case Kind::Union:
    if (LK == TK)
      visitComposite(*LU, *TU);
    return;
  case Kind::Ptr:
    if (TK == Kind::Ptr)
      push(L.type(*LU).SizeOrType, T.type(*TU).SizeOrType);
    return;
  case Kind::Array:
    if (TK == Kind::Array) {
      // cilium/ebpf's type compatibility (not its TYPE_MATCHES) compares
      // index types: keep the index as every other marking does.
      mark(T.array(*TU).IndexType, TypeMatchMark::Shallow);
      push(L.array(*LU).ElemType, T.array(*TU).ElemType);
    }
    return;
  case Kind::FuncProto:
    if (TK == Kind::FuncProto) {
      ArrayRef<BTFParam> LP = L.params(*LU), TP = T.params(*TU);
      if (LP.size() == TP.size())
        for (size_t I = 0; I < LP.size(); ++I)
          push(LP[I].Type, TP[I].Type);
      push(L.type(*LU).SizeOrType, T.type(*TU).SizeOrType);
    }
    return;
  default: // INT, ENUM, ENUM64, FWD, FLOAT, ...: the type itself
    return;
  }
}

void Walker::visitComposite(TypeId LU, TypeId TU) {
  ArrayRef<BTFMember> LMs = L.members(LU), TMs = T.members(TU);
  std::vector<bool> Kept(TMs.size(), false);
  size_t NumKept = 0;
  for (const BTFMember &LM : LMs) {
    StringRef LName = essentialName(L.str(LM.NameOff));
    for (size_t J = 0; J < TMs.size(); ++J) {
      if (essentialName(T.str(TMs[J].NameOff)) != LName)
        continue;
      if (!Kept[J]) {
        Kept[J] = true;
        ++NumKept;
        mark(TU, TypeMatchMark::Member, J);
      }
      push(LM.Type, TMs[J].Type);
    }
  }
  // The count rule (local vlen > target vlen: no match) must give the same
  // answer on what is kept: keep at least min(local, target) members.
  size_t Want = std::min(LMs.size(), TMs.size());
  for (int Pass = 0; Pass < 2 && NumKept < Want; ++Pass)
    for (size_t J = 0; J < TMs.size() && NumKept < Want; ++J) {
      bool Named = !T.str(TMs[J].NameOff).empty();
      if (Kept[J] || Named != (Pass == 0))
        continue;
      Kept[J] = true;
      ++NumKept;
      mark(TU, TypeMatchMark::Member, J);
      mark(TMs[J].Type, TypeMatchMark::Shallow);
    }
}

} // namespace

std::vector<TypeMatchMark> collectTypeMatchMarks(const TypeTable &Local,
                                                 TypeId LocalId,
                                                 const TypeTable &Target,
                                                 TypeId TargetId) {
  return Walker(Local, Target).run(LocalId, TargetId);
}

} // namespace btfgen
