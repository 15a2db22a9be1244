//===- VerifierMemory.cpp - ALU, loads and stores in the verifier walk ----===//
//
// Register arithmetic and memory accesses as the verifier tracks them
// (kernel/bpf/verifier.c check_alu_op, adjust_scalar_min_max_vals,
// check_stack_write_fixed_off, check_stack_read_fixed_off,
// check_mem_access):
//
//  - constants fold where the verifier folds them (VerifierState.cpp);
//  - pointers move by constant offsets;
//  - an unknown scalar keeps an exact interval through moves, +/- a
//    constant, & a low-bit mask and >> a constant; anything else makes it
//    fuzzy;
//  - a register stored to the stack is a spill the verifier remembers
//    (pointers always; constants with SpillConst64 / SpillConstNarrow), a
//    zero makes the bytes "zero", anything else "misc"; loads read them
//    back;
//  - loads from read-only data (.rodata) at a constant offset give the
//    object's bytes (ReadOnlyMapConst); other loads give any value of
//    their width.
//
//===----------------------------------------------------------------------===//

#include "VerifierWalk.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/Endian.h"

using namespace llvm;

namespace btfgen {
namespace verifier {

namespace {

uint64_t widthMax(unsigned Bytes) {
  return Bytes >= 8 ? ~0ULL : (1ULL << (8 * Bytes)) - 1;
}

uint64_t signExtend(uint64_t V, unsigned Bytes) {
  unsigned Shift = 64 - 8 * Bytes;
  return uint64_t(int64_t(V << Shift) >> Shift);
}

bool isLowMask(uint64_t C) { return C != 0 && (C & (C + 1)) == 0; }

/// The root an unknown value was derived from.
uint32_t rootOf(const Value &V) { return V.Base ? V.Base : V.Id; }

/// The low half of an exact unknown, as a 32-bit operation sees it: the
/// same value when it fits, else every 32-bit value when it spans them.
std::optional<Value> lowHalf(const Value &X) {
  const uint64_t Max = 0xffffffffULL;
  if (X.maxValue() <= Max)
    return X;
  Value R = X;
  if (X.Tn) {
    R.TVal &= Max;
    R.TMask &= Max;
  } else if (X.Hi - X.Lo >= Max) {
    R.Lo = 0;
    R.Hi = Max;
  } else {
    return std::nullopt;
  }
  R.Base = rootOf(X);
  return R;
}

/// An exact interval as a "bits" set for an operation that only sees the
/// bits in Relevant: every pattern of those bits occurs in [Lo, Hi].
std::optional<std::pair<uint64_t, uint64_t>> asBits(const Value &X, uint64_t Relevant) {
  if (X.Tn)
    return std::make_pair(X.TVal, X.TMask);
  unsigned Bits = 64 - llvm::countl_zero(Relevant);
  uint64_t Span = Bits >= 64 ? ~0ULL : (1ULL << Bits) - 1;
  if (X.Hi - X.Lo >= Span)
    return std::make_pair(uint64_t(0), Span);
  if (X.Lo == 0 && isLowMask(X.Hi))
    return std::make_pair(uint64_t(0), X.Hi);
  return std::nullopt;
}

} // namespace

//===-- ALU ---------------------------------------------------------------===//

void Walker::alu(State &S, const BPFInsn &I) {
  bool Is64 = I.cls() == bpf::ALU64;
  uint8_t Op = I.op();
  Value Src;
  if (I.src() == bpf::X && Op != bpf::END && Op != bpf::NEG) {
    Src = S.reg(I.Src);
    if (Src.K == VK::Uninit) {
      unsupported(S, "read of an uninitialized register");
      Src = fresh(S, 0, ~0ULL, false);
    }
  } else {
    Src = Value::constant(Is64 ? uint64_t(int64_t(I.Imm)) : uint32_t(I.Imm));
  }
  Value &Dst = S.reg(I.Dst);
  if (Op == bpf::MOV && I.Off == 0 && (Is64 || Src.isScalar())) {
    if (Is64 || Src.K == VK::Const) {
      Value R = Src;
      if (!Is64)
        R.V = uint32_t(R.V);
      Dst = R;
      return;
    }
  }
  if (Op == bpf::NEG || Op == bpf::END) {
    Dst = fresh(S, 0, Is64 ? ~0ULL : 0xffffffffULL, false);
    return;
  }
  if (Dst.K == VK::Uninit && Op != bpf::MOV) {
    unsupported(S, "read of an uninitialized register");
    Dst = fresh(S, 0, ~0ULL, false);
  }
  Dst = aluValue(S, I, Dst, Src);
}

Value Walker::aluValue(State &S, const BPFInsn &I, const Value &Dst,
                       const Value &Src) {
  bool Is64 = I.cls() == bpf::ALU64;
  uint8_t Op = I.op();
  uint64_t Max = Is64 ? ~0ULL : 0xffffffffULL;
  if ((Op == bpf::MOV || Dst.K == VK::Const) && Src.K == VK::Const) {
    std::optional<uint64_t> R =
        foldAlu(Op, Is64, I.Off, Dst.V, Src.V,
                assume(VerifierFeature::XorConst));
    if (!R)
      return fresh(S, 0, Max, false);
    uint32_t Deps = (Op == bpf::MOV ? 0 : Dst.Deps) | Src.Deps;
    if (Op == bpf::XOR)
      Deps |= dep(VerifierFeature::XorConst);
    return Value::constant(*R, Deps);
  }
  bool AddSub = Op == bpf::ADD || Op == bpf::SUB;
  if (Is64 && AddSub && Dst.isPointer() && Src.isScalar()) {
    Value R = Dst;
    if (Src.K == VK::Const)
      R.V = Op == bpf::ADD ? R.V + Src.V : R.V - Src.V;
    else
      R.OffKnown = false;
    return R;
  }
  if (Is64 && Op == bpf::ADD && Src.isPointer() && Dst.isScalar()) {
    Value R = Src;
    if (Dst.K == VK::Const)
      R.V += Dst.V;
    else
      R.OffKnown = false;
    return R;
  }
  if (Op == bpf::MOV && !Is64 && I.Off == 0 && Src.K == VK::Unknown &&
      Src.Exact) {
    // w = w keeps the low half of the value.
    if (std::optional<Value> Low = lowHalf(Src))
      return *Low;
  }
  if (Dst.isPointer() || Src.isPointer() || Op == bpf::MOV)
    return fresh(S, 0, Max, false);
  return aluUnknown(S, I, Dst, Src);
}

/// An unknown scalar with a constant: keep an exact set (interval or
/// bits) when every value of the result comes from a value of the operand.
Value Walker::aluUnknown(State &S, const BPFInsn &I, const Value &Dst,
                         const Value &Src) {
  bool Is64 = I.cls() == bpf::ALU64;
  uint64_t Max = Is64 ? ~0ULL : 0xffffffffULL;
  unsigned Width = Is64 ? 64 : 32;
  Value Fuzzy = fresh(S, 0, Max, false);
  if (Dst.K != VK::Unknown || Src.K != VK::Const || !Dst.Exact)
    return Fuzzy;
  std::optional<Value> In = Is64 ? std::optional<Value>(Dst) : lowHalf(Dst);
  if (!In)
    return Fuzzy;
  uint64_t C = Src.V & Max;
  Value R = fresh(S, 0, Max, true);
  R.Base = rootOf(Dst);
  auto Bits = [&](uint64_t V, uint64_t M) {
    R.Tn = true;
    R.TVal = V & Max;
    R.TMask = M & Max;
    normalizeBits(R);
    return R;
  };
  switch (I.op()) {
  case bpf::ADD:
  case bpf::SUB: {
    bool Add = I.op() == bpf::ADD;
    if (In->Tn || (Add ? In->Hi > Max - C : In->Lo < C))
      return Fuzzy;
    R.Lo = Add ? In->Lo + C : In->Lo - C;
    R.Hi = Add ? In->Hi + C : In->Hi - C;
    return R;
  }
  case bpf::AND: {
    if (!In->Tn && isLowMask(C) && In->Hi <= C)
      return *In; // the mask keeps every value
    auto B = asBits(*In, C);
    return B ? Bits(B->first & C, B->second & C) : Fuzzy;
  }
  case bpf::OR: {
    auto B = asBits(*In, Max);
    return B ? Bits(B->first | C, B->second & ~C) : Fuzzy;
  }
  case bpf::LSH: {
    if (C >= Width)
      return Fuzzy;
    auto B = asBits(*In, Max >> C);
    return B ? Bits(B->first << C, B->second << C) : Fuzzy;
  }
  case bpf::RSH:
  case bpf::ARSH:
    if (C >= Width)
      return Fuzzy;
    return shiftRight(S, I, *In, C, R, Fuzzy);
  default:
    return Fuzzy;
  }
}

/// x >> C on an exact unknown. ARSH keeps the members whose sign bit is
/// clear, an exact subset.
Value Walker::shiftRight(State &S, const BPFInsn &I, const Value &In,
                         uint64_t C, Value R, const Value &Fuzzy) {
  (void)S;
  bool Arith = I.op() == bpf::ARSH;
  uint64_t Sign = I.cls() == bpf::ALU64 ? 1ULL << 63 : 1ULL << 31;
  if (In.Tn) {
    R.Tn = true;
    R.TVal = In.TVal >> C;
    R.TMask = (Arith ? In.TMask & ~Sign : In.TMask) >> C;
    if (Arith && (In.TVal & Sign))
      return Fuzzy;
    normalizeBits(R);
    return R;
  }
  uint64_t Hi = Arith ? std::min(In.Hi, Sign - 1) : In.Hi;
  if (In.Lo > Hi)
    return Fuzzy;
  R.Lo = In.Lo >> C;
  R.Hi = Hi >> C;
  return R;
}

//===-- loads -------------------------------------------------------------===//

bool Walker::stackAddress(State &S, const Value &Ptr, int64_t Off,
                          unsigned Size, Frame *&F, int64_t &At) {
  if (!Ptr.OffKnown || Ptr.Frame >= S.Frames.size())
    return false;
  At = int64_t(Ptr.V) + Off;
  if (At < -512 || At + int64_t(Size) > 0) {
    unsupported(S, "stack access out of bounds");
    return false;
  }
  F = &S.Frames[Ptr.Frame];
  return true;
}

void Walker::loadInsn(State &S, const BPFInsn &I) {
  unsigned Size = accessBytes(I);
  if (I.mode() != bpf::MEM && I.mode() != bpf::MEMSX) {
    unsupported(S, "load mode " + Twine(unsigned(I.mode())));
    S.reg(I.Dst) = fresh(S, 0, ~0ULL, false);
    return;
  }
  Value Ptr = S.reg(I.Src);
  S.reg(I.Dst) = loadFrom(S, Ptr, I.Off, Size, I.mode() == bpf::MEMSX);
}

Value Walker::loadFrom(State &S, const Value &Ptr, int64_t Off, unsigned Size,
                       bool SignExtend) {
  Value R = fresh(S, 0, widthMax(Size), true);
  switch (Ptr.K) {
  case VK::Stack: {
    Frame *F;
    int64_t At;
    if (stackAddress(S, Ptr, Off, Size, F, At))
      R = loadStack(S, *F, At, Size);
    else
      R.Exact = false;
    break;
  }
  case VK::MapValue: {
    if (Ptr.Frame == 0xffff || !Ptr.OffKnown ||
        !assume(VerifierFeature::ReadOnlyMapConst))
      break;
    const std::string &Bytes = Obj.ReadOnlyData[Ptr.Frame].Bytes;
    uint64_t At = Ptr.V + uint64_t(Off);
    if (At > Bytes.size() || Bytes.size() - At < Size)
      break;
    uint64_t V = 0;
    for (unsigned B = 0; B < Size; ++B)
      V |= uint64_t(uint8_t(Bytes[At + B])) << (8 * B);
    R = Value::constant(V, dep(VerifierFeature::ReadOnlyMapConst) |
                               DepReadOnlyData);
    break;
  }
  case VK::Ctx:
    // A BTF-typed context holds pointers the verifier may know non-NULL.
    R.Exact = !(TypedCtx && Size == 8);
    break;
  case VK::Ptr:
    break;
  case VK::Unknown:
    R.Exact = Ptr.Exact;
    break;
  default:
    unsupported(S, "load through a non-pointer");
    R.Exact = false;
    break;
  }
  if (!SignExtend || Size == 8)
    return R;
  if (R.K == VK::Const) {
    R.V = signExtend(R.V, Size);
    return R;
  }
  return fresh(S, 0, ~0ULL, false);
}

Value Walker::loadStack(State &S, Frame &F, int64_t At, unsigned Size) {
  size_t Idx = size_t((-At - 1) / 8);
  unsigned B = unsigned(At + 8 * int64_t(Idx + 1));
  Value Any = fresh(S, 0, widthMax(Size), true);
  if (Idx >= F.Stack.size())
    return Any; // never written: the verifier refuses or allows "any"
  if (B + Size > 8) {
    Any.Exact = false;
    return Any;
  }
  const Slot &Sl = F.Stack[Idx];
  if (Sl.Bytes[B] == ByteKind::Spill) {
    const Value &Sp = Sl.Spill;
    if (B == Sl.SpillAt && Size == Sl.SpillSize)
      return Sp;
    if (Sp.isPointer()) {
      unsupported(S, "partial read of a spilled pointer");
      Any.Exact = false;
      return Any;
    }
    if (Sl.SpillSize == 8 && B == 0 && Sp.K == VK::Const) {
      if (assume(VerifierFeature::NarrowFill))
        return Value::constant(Sp.V & widthMax(Size),
                               Sp.Deps | dep(VerifierFeature::NarrowFill));
      return Any;
    }
    if (Sp.K == VK::Unknown && Sp.Exact && Sp.maxValue() <= widthMax(Size) &&
        B == Sl.SpillAt)
      return Sp; // the low bytes hold the whole value
    Any.Exact = Sp.Exact || Sp.K == VK::Const;
    return Any;
  }
  bool AllZero = true, Fuzzy = false;
  for (unsigned K = B; K < B + Size; ++K) {
    AllZero &= Sl.Bytes[K] == ByteKind::Zero;
    Fuzzy |= Sl.Bytes[K] == ByteKind::FuzzyMisc ||
             Sl.Bytes[K] == ByteKind::Spill;
  }
  if (AllZero)
    return Value::constant(0);
  Any.Exact = !Fuzzy;
  return Any;
}

//===-- stores ------------------------------------------------------------===//

void Walker::clobberStack(Frame &F, int64_t From, int64_t To, bool Fuzzy) {
  From = std::max<int64_t>(From, -512);
  To = std::min<int64_t>(To, 0);
  for (int64_t A = From; A < To; ++A) {
    size_t Idx = size_t((-A - 1) / 8);
    if (Idx >= F.Stack.size())
      F.Stack.resize(Idx + 1);
    Slot &Sl = F.Stack[Idx];
    if (llvm::is_contained(Sl.Bytes, ByteKind::Spill)) {
      for (ByteKind &K : Sl.Bytes)
        if (K == ByteKind::Spill)
          K = ByteKind::Misc;
      Sl.Spill = Value();
    }
    Sl.Bytes[size_t(A + 8 * int64_t(Idx + 1))] =
        Fuzzy ? ByteKind::FuzzyMisc : ByteKind::Misc;
  }
}

void Walker::storeStack(State &S, Frame &F, int64_t At, unsigned Size,
                        const Value &V, bool Imm) {
  size_t Idx = size_t((-At - 1) / 8);
  unsigned B = unsigned(At + 8 * int64_t(Idx + 1));
  if (B + Size > 8 || V.K == VK::Uninit) {
    if (V.K == VK::Uninit)
      unsupported(S, "store of an uninitialized register");
    clobberStack(F, At, At + Size, false);
    return;
  }
  clobberStack(F, At, At + Size, false); // drops a spill it overlaps
  Slot &Sl = F.Stack[Idx];
  auto Spill = [&](const Value &X, unsigned N) {
    Sl.Spill = X;
    Sl.SpillAt = uint8_t(B);
    Sl.SpillSize = uint8_t(N);
    for (unsigned K = B; K < B + N; ++K)
      Sl.Bytes[K] = ByteKind::Spill;
  };
  auto Zero = [&]() {
    for (unsigned K = B; K < B + Size; ++K)
      Sl.Bytes[K] = ByteKind::Zero;
  };
  bool TrackConst =
      Imm ? assume(VerifierFeature::StoreImmToStack)
          : assume(Size == 8 ? VerifierFeature::SpillConst64
                             : VerifierFeature::SpillConstNarrow);
  uint32_t Why = Imm ? dep(VerifierFeature::StoreImmToStack)
                     : dep(Size == 8 ? VerifierFeature::SpillConst64
                                     : VerifierFeature::SpillConstNarrow);
  if (Size == 8 && B == 0) {
    if (V.isPointer() || V.K == VK::Unknown) {
      Spill(V, 8);
    } else if (TrackConst) {
      Value C = V;
      C.Deps |= Why;
      Spill(C, 8);
    } else if (V.V == 0 && (!Imm || assume(VerifierFeature::StoreImmToStack))) {
      Zero();
    }
    return;
  }
  if (V.K == VK::Const && V.V == 0 &&
      (!Imm || assume(VerifierFeature::StoreImmToStack))) {
    Zero();
    return;
  }
  if (B != 0)
    return; // a narrow spill is tracked at the start of a slot only
  if (V.K == VK::Const && TrackConst) {
    Value C = Value::constant(V.V & widthMax(Size), V.Deps | Why);
    Spill(C, Size);
  } else if (V.K == VK::Unknown && V.Exact && V.maxValue() <= widthMax(Size)) {
    Spill(V, Size);
  }
}

void Walker::storeInsn(State &S, const BPFInsn &I) {
  unsigned Size = accessBytes(I);
  Value Ptr = S.reg(I.Dst);
  if (I.cls() == bpf::STX && I.mode() == bpf::ATOMIC) {
    Frame *F;
    int64_t At;
    if (Ptr.K == VK::Stack && stackAddress(S, Ptr, I.Off, Size, F, At))
      clobberStack(*F, At, At + Size, true);
    if (I.Imm & 0x01) // BPF_FETCH: the old value lands in src (R0 for cmpxchg)
      S.reg(I.Imm == 0xf1 ? 0 : I.Src) = fresh(S, 0, ~0ULL, false);
    return;
  }
  if (I.mode() != bpf::MEM) {
    unsupported(S, "store mode " + Twine(unsigned(I.mode())));
    return;
  }
  if (Ptr.K != VK::Stack)
    return; // other memory is not tracked
  Value V = I.cls() == bpf::ST ? Value::constant(uint64_t(int64_t(I.Imm)))
                               : S.reg(I.Src);
  Frame *F;
  int64_t At;
  if (stackAddress(S, Ptr, I.Off, Size, F, At)) {
    storeStack(S, *F, At, Size, V, I.cls() == bpf::ST);
  } else if (Ptr.Frame < S.Frames.size()) {
    clobberStack(S.Frames[Ptr.Frame], -512, 0, true);
  }
}

} // namespace verifier
} // namespace btfgen
