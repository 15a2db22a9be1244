//===- CLayout.cpp - How a C compiler lays out BTF structs ----------------===//
//
// Written from libbpf 1.1 (Linux 6.1 tools/lib/bpf): btf.c btf__align_of,
// btf_dump.c btf_is_struct_packed and btf_dump_emit_bit_padding. Offsets
// are C ints there; they are int32_t here so that absurd sizes wrap the
// same way.
//
//===----------------------------------------------------------------------===//

#include "CLayout.h"

#include <algorithm>

using namespace llvm;

namespace btfgen {

namespace {

/// btf_dump.c's `roundup`, except that a zero alignment (a member of a kind
/// libbpf cannot align, where bpftool divides by zero) leaves X unchanged.
int32_t roundUp(int32_t X, int32_t Y) {
  return Y == 0 ? X : (X + Y - 1) / Y * Y;
}

/// A non-bitfield member whose offset is not a multiple of its alignment.
bool isMisaligned(bool KFlag, const BTFMember &M, int32_t Align) {
  return memberBitfieldSize(KFlag, M) == 0 &&
         memberBitOffset(KFlag, M) % (8 * uint32_t(Align)) != 0;
}

} // namespace

CLayout::CLayout(const TypeTable &T, unsigned MaxDepth)
    : T(T), MaxDepth(MaxDepth), Aligns(T.size(), -1) {}

int32_t CLayout::alignOf(TypeId Id) {
  if (Aligns[Id] >= 0)
    return Aligns[Id];
  if (Depth >= MaxDepth) {
    if (!TooDeep)
      TooDeep = Id;
    return 1;
  }
  ++Depth;
  int32_t A = computeAlign(Id);
  --Depth;
  Aligns[Id] = A;
  return A;
}

/// Scalars align to their size capped at the pointer size; a struct or
/// union to its most aligned member, or to 1 when some member (not a
/// bitfield) or the size is misaligned (so it must have been packed).
int32_t CLayout::computeAlign(TypeId Id) {
  if (Id == 0)
    return 0;
  const BTFType &Ty = T.type(Id);
  switch (Ty.kind()) {
  case Kind::Int:
  case Kind::Enum:
  case Kind::Enum64:
  case Kind::Float:
    return int32_t(std::min<uint32_t>(T.pointerSize(), Ty.SizeOrType));
  case Kind::Ptr:
    return int32_t(T.pointerSize());
  case Kind::Typedef:
  case Kind::Volatile:
  case Kind::Const:
  case Kind::Restrict:
  case Kind::TypeTag:
    return alignOf(Ty.SizeOrType);
  case Kind::Array:
    return alignOf(T.array(Id).ElemType);
  case Kind::Struct:
  case Kind::Union: {
    const bool KFlag = Ty.kflag();
    int32_t MaxAlign = 1;
    for (const BTFMember &M : T.members(Id)) {
      int32_t A = alignOf(M.Type);
      if (A <= 0)
        return A;
      MaxAlign = std::max(MaxAlign, A);
      if (isMisaligned(KFlag, M, A))
        return 1;
    }
    return Ty.SizeOrType % uint32_t(MaxAlign) != 0 ? 1 : MaxAlign;
  }
  default:
    return 0;
  }
}

/// Some non-bitfield member is not naturally aligned, or the size is not a
/// multiple of the largest alignment. A struct declared packed but laid out
/// naturally is not detected (and need not be). Members without an
/// alignment are skipped.
bool CLayout::isStructPacked(TypeId Id) {
  const BTFType &Ty = T.type(Id);
  const bool KFlag = Ty.kflag();
  int32_t MaxAlign = 1;
  for (const BTFMember &M : T.members(Id)) {
    int32_t A = alignOf(M.Type);
    if (A && isMisaligned(KFlag, M, A))
      return true;
    MaxAlign = std::max(MaxAlign, A);
  }
  return Ty.SizeOrType % uint32_t(MaxAlign) != 0;
}

/// First the widest of long/int/short/char whose alignment boundary lies
/// inside the gap is chosen. A `type: 0` mark forces that boundary when the
/// compiler would not reach it by itself (after a bitfield, whose mark then
/// carries the bit count; or when the next member aligns more weakly), or
/// when a following `type: N` would otherwise fit into the hole before it.
/// Whole `type: N` units fill the rest, the last one with the narrowest
/// type that holds the remainder (only for readability). Padding with
/// `long` never raises the struct's alignment: the compiler aligns
/// anonymous bitfields but does not count them in the struct's alignment.
void CLayout::padding(int32_t CurOff, int32_t NextOff, int32_t NextAlign,
                      bool InBitfield, function_ref<void(Pad)> Emit) const {
  const Pad Pads[] = {{"long", int32_t(T.pointerSize()) * 8},
                      {"int", 32},
                      {"short", 16},
                      {"char", 8}};
  constexpr int NumPads = 4;
  if (CurOff >= NextOff)
    return;

  int32_t NewOff = 0;
  Pad P = Pads[0];
  for (int I = 0; I < NumPads; ++I) {
    P = Pads[I];
    NewOff = roundUp(CurOff, P.Bits);
    if (NewOff <= NextOff)
      break;
  }
  if (NewOff > CurOff && NewOff <= NextOff) {
    if (InBitfield ||
        (NewOff == NextOff && roundUp(CurOff, NextAlign * 8) != NewOff) ||
        (NewOff != NextOff && NextOff - NewOff <= NewOff - CurOff))
      Emit({P.Type, InBitfield ? NewOff - CurOff : 0});
    CurOff = NewOff;
  }
  while (CurOff != NextOff) {
    const int32_t Bits = std::min(NextOff - CurOff, P.Bits);
    if (Bits == P.Bits) {
      Emit(P);
      CurOff += Bits;
      continue;
    }
    for (int I = NumPads - 1; I >= 0; --I) {
      P = Pads[I];
      if (P.Bits < Bits)
        continue;
      Emit({P.Type, Bits});
      CurOff += Bits;
      break;
    }
  }
}

} // namespace btfgen
