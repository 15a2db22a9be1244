//===- LayoutCycles.cpp - Reference cycles outside pointers ---------------===//
//
// checkLayoutCycles() rejects reference cycles that do not go through a
// pointer: a typedef naming itself, `struct a { struct a x; }`, an
// array of itself. Such a type has no size and no end, the kernel's
// btf_resolve() refuses it ("Loop detected"), and every consumer that walks
// type chains (libbpf's skip_mods_and_typedefs, btf__resolve_size) would
// spin on it until a depth limit. Cycles through PTR are how C spells
// recursive data structures and are legal; FUNC and FUNC_PROTO edges are not
// followed either (a prototype is never part of a type's layout).
//
//===----------------------------------------------------------------------===//

#include "LayoutCycles.h"

#include "btfgen/Errors.h"

#include "llvm/Support/FormatVariadic.h"

#include <vector>

using namespace llvm;

namespace btfgen {

namespace {

/// The layout edges of a type (see the file comment): what it is made of,
/// as opposed to what it points to. The IDs are At[0], At[Stride], ...,
/// At[(Count - 1) * Stride], in record order.
struct LayoutEdges {
  const uint32_t *At = nullptr;
  uint32_t Count = 0;
  uint32_t Stride = 0;
  TypeId operator[](uint32_t I) const { return At[I * Stride]; }
};

LayoutEdges layoutEdges(const TypeTable &T, TypeId Id) {
  constexpr uint32_t MemberWords = sizeof(BTFMember) / 4;
  constexpr uint32_t SecinfoWords = sizeof(BTFVarSecinfo) / 4;
  switch (T.kind(Id)) {
  case Kind::Typedef:
  case Kind::Volatile:
  case Kind::Const:
  case Kind::Restrict:
  case Kind::TypeTag:
  case Kind::Var:
  case Kind::DeclTag:
    return {&T.type(Id).SizeOrType, 1, 1};
  case Kind::Array:
    return {&T.array(Id).ElemType, 1, 1};
  case Kind::Struct:
  case Kind::Union: {
    ArrayRef<BTFMember> Ms = T.members(Id);
    return {Ms.empty() ? nullptr : &Ms[0].Type, uint32_t(Ms.size()),
            MemberWords};
  }
  case Kind::Datasec: {
    ArrayRef<BTFVarSecinfo> Vs = T.secinfos(Id);
    return {Vs.empty() ? nullptr : &Vs[0].Type, uint32_t(Vs.size()),
            SecinfoWords};
  }
  default:
    return {};
  }
}

} // namespace

/// Iterative depth-first search over layout edges with the usual three
/// colours; a grey successor closes a cycle. Linear in types + edges, no
/// recursion (a chain of 100K typedefs is legal and must not overflow the
/// stack). The message spells the cycle, at most 8 steps of it.
Error checkLayoutCycles(const TypeTable &T, StringRef Name) {
  enum : uint8_t { White, Grey, Black };
  const uint32_t N = T.size();
  std::vector<uint8_t> Colour(N, White);
  struct Frame {
    TypeId Id;
    uint32_t Next;
    LayoutEdges Edges;
  };
  std::vector<Frame> Stack;
  // Whether every layout edge of Id leads to void or to a type already
  // proven acyclic: then Id is too, and needs no stack frame. That is most
  // types (leaves, and records after what they are made of), and most of
  // the time of a read.
  auto Settled = [&](const LayoutEdges &Es) {
    for (uint32_t I = 0; I < Es.Count; ++I) {
      TypeId To = Es[I];
      if (To != 0 && Colour[To] != Black)
        return false;
    }
    return true;
  };
  for (TypeId Root = 1; Root < N; ++Root) {
    if (Colour[Root] != White)
      continue;
    LayoutEdges RootEdges = layoutEdges(T, Root);
    if (Settled(RootEdges)) {
      Colour[Root] = Black;
      continue;
    }
    Colour[Root] = Grey;
    Stack.push_back({Root, 0, RootEdges});
    while (!Stack.empty()) {
      Frame &F = Stack.back();
      if (F.Next == F.Edges.Count) {
        Colour[F.Id] = Black;
        Stack.pop_back();
        continue;
      }
      TypeId To = F.Edges[F.Next++];
      if (To == 0 || Colour[To] == Black)
        continue;
      if (Colour[To] == White) {
        Colour[To] = Grey;
        Stack.push_back({To, 0, layoutEdges(T, To)});
        continue;
      }
      // Grey: To is on the stack; the cycle is To -> ... -> F.Id -> To.
      size_t Start = Stack.size() - 1;
      while (Stack[Start].Id != To)
        --Start;
      std::string Path;
      size_t Len = Stack.size() - Start;
      for (size_t I = 0; I < Len && I < 8; ++I)
        Path += formatv("[{0}] {1} -> ", Stack[Start + I].Id,
                        kindName(T.kind(Stack[Start + I].Id)));
      if (Len > 8)
        Path += "... -> ";
      Path += formatv("[{0}]", To);
      return malformed(Name,
                       "type [{0}] {1} {2}: reference cycle not through a "
                       "pointer: {3}",
                       To, kindName(T.kind(To)), quoteBounded(T.name(To)),
                       Path);
    }
  }
  return Error::success();
}

} // namespace btfgen
