//===- VerifierState.cpp - What the verifier knows on one path ------------===//
//
// State digests, constant folding as the verifier folds (kernel/bpf/
// verifier.c adjust_scalar_min_max_vals: ADD, SUB, MUL, AND, OR, XOR,
// LSH, RSH, ARSH keep a constant; division, NEG and byte swaps make the
// register unknown), jump conditions on constants (is_branch_taken), and
// the split of an interval of values by a jump condition.
//
//===----------------------------------------------------------------------===//

#include "VerifierState.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/xxhash.h"

#include <cstring>

using namespace llvm;

namespace btfgen {
namespace verifier {

namespace {

/// Collects a state as a sequence of 64-bit words and hashes them once
/// (xxh3-128): one pass over a few hundred bytes instead of a dependent
/// chain of mixing steps per word. Ids are renumbered by first appearance;
/// a state holds only a few distinct ones, so a linear search beats a map.
class Hasher {
public:
  void add(uint64_t V) { Words.push_back(V); }
  void addId(uint32_t Id) {
    if (Id == 0)
      return add(0);
    auto It = llvm::find(Ids, Id);
    if (It == Ids.end()) {
      Ids.push_back(Id);
      return add(Ids.size());
    }
    add(It - Ids.begin() + 1);
  }
  void addValue(const Value &V) {
    add(uint64_t(V.K) | uint64_t(V.Exact) << 8 | uint64_t(V.OffKnown) << 9 |
        uint64_t(V.Frame) << 16 | uint64_t(V.Deps) << 32);
    if (V.K == VK::Uninit)
      return;
    add(V.V);
    if (V.K == VK::Unknown) {
      add(V.Tn);
      add(V.TVal);
      add(V.TMask);
      addId(V.Id);
      addId(V.Base);
      add(V.Lo);
      add(V.Hi);
    }
  }
  StateDigest digest() const {
    XXH128_hash_t H = xxh3_128bits(ArrayRef<uint8_t>(
        reinterpret_cast<const uint8_t *>(Words.data()),
        Words.size() * sizeof(uint64_t)));
    return {H.low64, H.high64};
  }

private:
  SmallVector<uint64_t, 256> Words;
  SmallVector<uint32_t, 16> Ids;
};

uint64_t truncTo(uint64_t V, bool Is64) { return Is64 ? V : uint32_t(V); }

uint64_t signBit(bool Is64) { return Is64 ? 1ULL << 63 : 1ULL << 31; }

using Range = std::pair<uint64_t, uint64_t>;

/// The larger of two optional intervals (an exact under-approximation of
/// their union).
std::optional<Range> larger(std::optional<Range> X, std::optional<Range> Y) {
  if (!X)
    return Y;
  if (!Y)
    return X;
  return (X->second - X->first) >= (Y->second - Y->first) ? X : Y;
}

/// Values of [Lo, Hi] (within one signedness half, so ordered alike signed
/// and unsigned after the bias) that satisfy "V Op C" and those that do
/// not. Signed operations are turned into unsigned ones by flipping the
/// sign bit of both sides.
JumpSplit splitMonotone(uint8_t Op, uint64_t Lo, uint64_t Hi, uint64_t C) {
  JumpSplit S;
  auto Set = [](std::optional<Range> &Out, bool &Possible, uint64_t L,
                uint64_t H) {
    if (L > H)
      return;
    Possible = true;
    Out = Range(L, H);
  };
  switch (Op) {
  case bpf::JGT:
    if (C < Hi)
      Set(S.Taken, S.TakenPossible, std::max(Lo, C + 1), Hi);
    if (Lo <= C)
      Set(S.Fall, S.FallPossible, Lo, std::min(Hi, C));
    break;
  case bpf::JGE:
    if (C <= Hi)
      Set(S.Taken, S.TakenPossible, std::max(Lo, C), Hi);
    if (C > 0 && Lo <= C - 1)
      Set(S.Fall, S.FallPossible, Lo, std::min(Hi, C - 1));
    break;
  case bpf::JLT:
    if (C > 0 && Lo <= C - 1)
      Set(S.Taken, S.TakenPossible, Lo, std::min(Hi, C - 1));
    if (C <= Hi)
      Set(S.Fall, S.FallPossible, std::max(Lo, C), Hi);
    break;
  case bpf::JLE:
    if (Lo <= C)
      Set(S.Taken, S.TakenPossible, Lo, std::min(Hi, C));
    if (C < Hi)
      Set(S.Fall, S.FallPossible, std::max(Lo, C + 1), Hi);
    break;
  case bpf::JEQ:
  case bpf::JNE: {
    std::optional<Range> Eq, Ne;
    bool EqP = false, NeP = false;
    if (Lo <= C && C <= Hi) {
      EqP = true;
      Eq = Range(C, C);
    }
    if (!(Lo == C && Hi == C)) {
      NeP = true;
      if (C < Lo || C > Hi)
        Ne = Range(Lo, Hi);
      else
        Ne = larger(C > Lo ? std::optional<Range>(Range(Lo, C - 1))
                           : std::nullopt,
                    C < Hi ? std::optional<Range>(Range(C + 1, Hi))
                           : std::nullopt);
    }
    bool IsEq = Op == bpf::JEQ;
    S.TakenPossible = IsEq ? EqP : NeP;
    S.FallPossible = IsEq ? NeP : EqP;
    S.Taken = IsEq ? Eq : Ne;
    S.Fall = IsEq ? Ne : Eq;
    break;
  }
  default:
    break;
  }
  return S;
}

/// JSET: feasibility only (the values that take either branch are not an
/// interval); an outcome is shown possible by a witness value.
JumpSplit splitJset(uint64_t Lo, uint64_t Hi, uint64_t C) {
  JumpSplit S;
  auto Witness = [&](uint64_t V) {
    if (V < Lo || V > Hi)
      return;
    if (V & C)
      S.TakenPossible = true;
    else
      S.FallPossible = true;
  };
  Witness(Lo);
  Witness(Hi);
  uint64_t Low = C & -C; // lowest set bit of C
  if (C)
    Witness(Lo | Low);
  if (C && Hi - Lo >= 2 * Low)
    S.TakenPossible = S.FallPossible = true;
  return S;
}

JumpSplit splitInWidth(uint8_t Op, bool Is64, uint64_t Lo, uint64_t Hi,
                       uint64_t C) {
  if (Op == bpf::JSET)
    return splitJset(Lo, Hi, C);
  bool Signed = Op == bpf::JSGT || Op == bpf::JSGE || Op == bpf::JSLT ||
                Op == bpf::JSLE;
  if (!Signed)
    return splitMonotone(Op, Lo, Hi, C);
  uint8_t UOp = Op == bpf::JSGT   ? bpf::JGT
                : Op == bpf::JSGE ? bpf::JGE
                : Op == bpf::JSLT ? bpf::JLT
                                  : bpf::JLE;
  // Flipping the sign bit maps signed order onto unsigned order; a range
  // that crosses the sign boundary becomes two pieces.
  uint64_t Bit = signBit(Is64);
  auto Flip = [&](uint64_t V) { return V ^ Bit; };
  JumpSplit Out;
  auto Piece = [&](uint64_t L, uint64_t H) {
    JumpSplit P = splitMonotone(UOp, Flip(L), Flip(H), Flip(C));
    auto Back = [&](std::optional<Range> R) -> std::optional<Range> {
      if (!R)
        return std::nullopt;
      return Range(Flip(R->first), Flip(R->second));
    };
    Out.TakenPossible |= P.TakenPossible;
    Out.FallPossible |= P.FallPossible;
    Out.Taken = larger(Out.Taken, Back(P.Taken));
    Out.Fall = larger(Out.Fall, Back(P.Fall));
  };
  if (Lo < Bit && Hi >= Bit) {
    Piece(Lo, Bit - 1);
    Piece(Bit, Hi);
  } else {
    Piece(Lo, Hi);
  }
  return Out;
}

} // namespace

StateDigest digest(const State &S) {
  Hasher H;
  H.add(S.Frames.size());
  for (const Frame &F : S.Frames) {
    H.add(uint64_t(F.ReturnTo) << 32 | F.FuncStart);
    for (const Value &V : F.Regs)
      H.addValue(V);
    size_t Used = F.Stack.size();
    while (Used && llvm::all_of(F.Stack[Used - 1].Bytes, [](ByteKind B) {
             return B == ByteKind::Invalid;
           }))
      --Used;
    H.add(Used);
    for (size_t I = 0; I < Used; ++I) {
      const Slot &Sl = F.Stack[I];
      static_assert(sizeof(Sl.Bytes) == sizeof(uint64_t));
      uint64_t Bytes;
      std::memcpy(&Bytes, Sl.Bytes.data(), sizeof(Bytes));
      bool HasSpill = llvm::is_contained(Sl.Bytes, ByteKind::Spill);
      H.add(Bytes);
      if (HasSpill) {
        H.add(uint64_t(Sl.SpillAt) << 8 | Sl.SpillSize);
        H.addValue(Sl.Spill);
      }
    }
  }
  return H.digest();
}

std::optional<uint64_t> foldAlu(uint8_t Op, bool Is64, int16_t Off,
                                uint64_t Dst, uint64_t Src, bool XorConst) {
  unsigned Width = Is64 ? 64 : 32;
  uint64_t D = truncTo(Dst, Is64), S = truncTo(Src, Is64);
  uint64_t R;
  switch (Op) {
  case bpf::ADD:
    R = D + S;
    break;
  case bpf::SUB:
    R = D - S;
    break;
  case bpf::MUL:
    R = D * S;
    break;
  case bpf::AND:
    R = D & S;
    break;
  case bpf::OR:
    R = D | S;
    break;
  case bpf::XOR:
    if (!XorConst)
      return std::nullopt;
    R = D ^ S;
    break;
  case bpf::LSH:
    if (S >= Width)
      return std::nullopt;
    R = D << S;
    break;
  case bpf::RSH:
    if (S >= Width)
      return std::nullopt;
    R = D >> S;
    break;
  case bpf::ARSH:
    if (S >= Width)
      return std::nullopt;
    R = Is64 ? uint64_t(int64_t(D) >> S) : uint64_t(uint32_t(int32_t(D) >> S));
    break;
  case bpf::MOV:
    if (Off == 0) {
      R = S;
      break;
    }
    // movsx (ISA v4): sign-extend the low Off bits of the source.
    if (Off == 8)
      R = uint64_t(int64_t(int8_t(S)));
    else if (Off == 16)
      R = uint64_t(int64_t(int16_t(S)));
    else if (Off == 32 && Is64)
      R = uint64_t(int64_t(int32_t(S)));
    else
      return std::nullopt;
    break;
  default:
    // DIV, MOD, NEG, END: the verifier makes the destination unknown.
    return std::nullopt;
  }
  return truncTo(R, Is64);
}

bool evalJump(uint8_t Op, bool Is64, uint64_t Dst, uint64_t Src) {
  uint64_t D = truncTo(Dst, Is64), S = truncTo(Src, Is64);
  int64_t SD = Is64 ? int64_t(D) : int64_t(int32_t(D));
  int64_t SS = Is64 ? int64_t(S) : int64_t(int32_t(S));
  switch (Op) {
  case bpf::JEQ:
    return D == S;
  case bpf::JNE:
    return D != S;
  case bpf::JGT:
    return D > S;
  case bpf::JGE:
    return D >= S;
  case bpf::JLT:
    return D < S;
  case bpf::JLE:
    return D <= S;
  case bpf::JSGT:
    return SD > SS;
  case bpf::JSGE:
    return SD >= SS;
  case bpf::JSLT:
    return SD < SS;
  case bpf::JSLE:
    return SD <= SS;
  case bpf::JSET:
    return (D & S) != 0;
  default:
    return false;
  }
}

uint8_t swapJumpOp(uint8_t Op) {
  switch (Op) {
  case bpf::JGT:
    return bpf::JLT;
  case bpf::JGE:
    return bpf::JLE;
  case bpf::JLT:
    return bpf::JGT;
  case bpf::JLE:
    return bpf::JGE;
  case bpf::JSGT:
    return bpf::JSLT;
  case bpf::JSGE:
    return bpf::JSLE;
  case bpf::JSLT:
    return bpf::JSGT;
  case bpf::JSLE:
    return bpf::JSGE;
  default:
    return Op; // JEQ, JNE, JSET are symmetric
  }
}

JumpSplit splitJump(uint8_t Op, bool Is64, uint64_t Lo, uint64_t Hi,
                    uint64_t C) {
  if (Is64 || Hi <= 0xffffffffULL)
    return splitInWidth(Op, Is64, Lo, Hi, truncTo(C, Is64));
  // A 32-bit jump on a wider value looks at its low half; the values that
  // take each branch are then not an interval of the full register.
  JumpSplit Out;
  auto Piece = [&](uint64_t L, uint64_t H) {
    JumpSplit P = splitInWidth(Op, false, L, H, uint32_t(C));
    Out.TakenPossible |= P.TakenPossible;
    Out.FallPossible |= P.FallPossible;
  };
  if (Hi - Lo >= 0xffffffffULL) {
    Piece(0, 0xffffffffULL);
  } else if (uint32_t(Lo) <= uint32_t(Hi)) {
    Piece(uint32_t(Lo), uint32_t(Hi));
  } else {
    Piece(uint32_t(Lo), 0xffffffffULL);
    Piece(0, uint32_t(Hi));
  }
  return Out;
}

JumpSplit splitJumpBits(uint8_t Op, bool Is64, uint64_t TVal, uint64_t TMask,
                        uint64_t C) {
  uint64_t Width = Is64 ? ~0ULL : 0xffffffffULL;
  TVal &= Width & ~TMask;
  TMask &= Width;
  C &= Width;
  JumpSplit S;
  auto Possible = [&](bool Taken) {
    (Taken ? S.TakenPossible : S.FallPossible) = true;
  };
  switch (Op) {
  case bpf::JEQ:
  case bpf::JNE: {
    bool EqP = (C & ~TMask) == TVal;
    bool NeP = TMask != 0 || TVal != C;
    if (Op == bpf::JEQ) {
      S.TakenPossible = EqP;
      S.FallPossible = NeP;
    } else {
      S.TakenPossible = NeP;
      S.FallPossible = EqP;
    }
    if (EqP)
      (Op == bpf::JEQ ? S.Taken : S.Fall) = std::make_pair(C, C);
    return S;
  }
  case bpf::JSET:
    S.TakenPossible = ((TVal | TMask) & C) != 0;
    S.FallPossible = (TVal & C) == 0;
    return S;
  default:
    break;
  }
  // Ordered conditions: try members that are extremes in either order.
  uint64_t Sign = signBit(Is64) & TMask;
  for (uint64_t W : {TVal, TVal | TMask, TVal | Sign, (TVal | TMask) & ~Sign})
    Possible(evalJump(Op, Is64, W, C));
  return S;
}

void normalizeBits(Value &V) {
  if (!V.Tn)
    return;
  V.TVal &= ~V.TMask;
  bool LowMask = (V.TMask & (V.TMask + 1)) == 0;
  if (LowMask && (V.TVal & V.TMask) == 0) {
    V.Tn = false;
    V.Lo = V.TVal;
    V.Hi = V.TVal | V.TMask;
  }
}

} // namespace verifier
} // namespace btfgen
