//===- VerifierBranch.cpp - Conditional jumps in the verifier walk --------===//
//
// kernel/bpf/verifier.c check_cond_jmp_op: when is_branch_taken() knows the
// outcome, only that branch is followed; otherwise both are, each with the
// registers narrowed by the condition (reg_set_min_max). The model decides
// a jump only on constants it is sure the verifier has (and a never-NULL
// pointer against 0), each guarded by the feature that introduced it. An
// undecided jump is followed both ways; a branch is "certain" when some
// value the verifier must consider takes it.
//
//===----------------------------------------------------------------------===//

#include "VerifierWalk.h"

using namespace llvm;

namespace btfgen {
namespace verifier {

namespace {

bool neverNull(const Value &V) {
  return V.K == VK::Ctx || V.K == VK::Stack || V.K == VK::MapValue ||
         V.K == VK::Ptr || V.K == VK::FuncPtr;
}

bool isSigned(uint8_t Op) {
  return Op == bpf::JSGT || Op == bpf::JSGE || Op == bpf::JSLT ||
         Op == bpf::JSLE;
}

/// Whether two exact unknowns, independent of each other, can make
/// "D Op S" true (Want) for some pair of their values.
bool pairPossible(uint8_t Op, const Value &D, const Value &S, bool Want) {
  switch (Want ? Op : uint8_t(0xff)) {
  case bpf::JEQ:
    return D.Lo <= S.Hi && S.Lo <= D.Hi;
  case bpf::JNE:
    return !(D.Lo == D.Hi && S.Lo == S.Hi && D.Lo == S.Lo);
  case bpf::JGT:
    return D.Hi > S.Lo;
  case bpf::JGE:
    return D.Hi >= S.Lo;
  case bpf::JLT:
    return D.Lo < S.Hi;
  case bpf::JLE:
    return D.Lo <= S.Hi;
  default:
    break;
  }
  // The false outcome is the true outcome of the inverse condition.
  switch (Op) {
  case bpf::JEQ:
    return pairPossible(bpf::JNE, D, S, true);
  case bpf::JNE:
    return pairPossible(bpf::JEQ, D, S, true);
  case bpf::JGT:
    return pairPossible(bpf::JLE, D, S, true);
  case bpf::JGE:
    return pairPossible(bpf::JLT, D, S, true);
  case bpf::JLT:
    return pairPossible(bpf::JGE, D, S, true);
  case bpf::JLE:
    return pairPossible(bpf::JGT, D, S, true);
  default:
    return false;
  }
}

} // namespace

bool Walker::decideConst(const BPFInsn &I, const Value &Dst, const Value &Src,
                         bool &Taken) {
  bool Is64 = I.cls() == bpf::JMP;
  uint8_t Op = I.op();
  if (Dst.K == VK::Const && Src.K == VK::Const) {
    uint32_t Need = Is64 ? 0 : dep(VerifierFeature::Jmp32);
    if (I.src() == bpf::X)
      Need |= dep(VerifierFeature::BranchConstRegs);
    Need |= dep(Op == bpf::JEQ || Op == bpf::JNE
                    ? VerifierFeature::BranchConstImm
                    : VerifierFeature::BranchConstRange);
    for (unsigned F = 0; F < NumVerifierFeatures; ++F)
      if ((Need & (1u << F)) && !Opts.Assume[F])
        return false;
    Taken = evalJump(Op, Is64, Dst.V, Src.V);
    use(Need | Dst.Deps | Src.Deps);
    return true;
  }
  if (Is64 && (Op == bpf::JEQ || Op == bpf::JNE) &&
      assume(VerifierFeature::PtrNullBranch)) {
    bool DstPtr = neverNull(Dst) && Src.K == VK::Const && Src.V == 0;
    bool SrcPtr = neverNull(Src) && Dst.K == VK::Const && Dst.V == 0;
    if (DstPtr || SrcPtr) {
      Taken = Op == bpf::JNE;
      use(dep(VerifierFeature::PtrNullBranch));
      return true;
    }
  }
  return false;
}

void Walker::refine(State &S, const Value &Old, std::optional<Value> New) {
  uint32_t Root = Old.Base ? Old.Base : Old.Id;
  auto Visit = [&](Value &V) {
    if (V.K != VK::Unknown)
      return;
    if (V.Id == Old.Id) {
      if (New)
        V = *New;
      else
        V.Exact = false;
    } else if (V.Base == Old.Id || V.Id == Root || (Old.Base && V.Base == Root)) {
      // Values computed from the refined one (or it from them): the
      // verifier may narrow them too.
      V.Exact = false;
    }
  };
  for (Frame &F : S.Frames) {
    for (Value &V : F.Regs)
      Visit(V);
    for (Slot &Sl : F.Stack)
      Visit(Sl.Spill);
  }
}

void Walker::condJump(State &S, const BPFInsn &I) {
  bool Is64 = I.cls() == bpf::JMP;
  uint8_t Op = I.op();
  uint32_t Target = uint32_t(int64_t(S.Pc) + 1 + I.Off);
  Value Dst = S.reg(I.Dst);
  Value Src = I.src() == bpf::X
                  ? S.reg(I.Src)
                  : Value::constant(Is64 ? uint64_t(int64_t(I.Imm))
                                         : uint64_t(uint32_t(I.Imm)));
  if (Dst.K == VK::Uninit || Src.K == VK::Uninit) {
    unsupported(S, "jump on an uninitialized register");
    Dst = fresh(S, 0, ~0ULL, false);
  }
  bool Taken;
  if (decideConst(I, Dst, Src, Taken)) {
    S.Pc = Taken ? Target : S.Pc + 1;
    return;
  }
  State Other = S;
  Other.Pc = Target;
  ++S.Pc;
  bool TakenSure = true, FallSure = true;
  bool DstUnknown = Dst.K == VK::Unknown, SrcUnknown = Src.K == VK::Unknown;
  if (DstUnknown != SrcUnknown && (Dst.K == VK::Const || Src.K == VK::Const)) {
    // An unknown against a constant: split its interval.
    const Value &X = DstUnknown ? Dst : Src;
    uint64_t C = DstUnknown ? Src.V : Dst.V;
    uint8_t XOp = DstUnknown ? Op : swapJumpOp(Op);
    if (!X.Exact) {
      TakenSure = FallSure = false;
    } else {
      JumpSplit Sp = X.Tn ? splitJumpBits(XOp, Is64, X.TVal, X.TMask, C)
                          : splitJump(XOp, Is64, X.Lo, X.Hi, C);
      TakenSure = Sp.TakenPossible;
      FallSure = Sp.FallPossible;
      auto Narrow = [&](State &St,
                        std::optional<std::pair<uint64_t, uint64_t>> R,
                        bool Equal) {
        if (!R) {
          refine(St, X, std::nullopt);
          return;
        }
        Value N = X;
        N.Tn = false;
        N.Lo = R->first;
        N.Hi = R->second;
        refine(St, X, N);
        // After a 64-bit JEQ the compared register itself is a known
        // constant (reg_set_min_max); its copies only on some kernels.
        if (Is64 && Equal && N.Lo == N.Hi)
          St.reg(DstUnknown ? I.Dst : I.Src) = Value::constant(N.Lo);
      };
      Narrow(Other, Sp.Taken, Op == bpf::JEQ);
      Narrow(S, Sp.Fall, Op == bpf::JNE);
    }
  } else if (DstUnknown && SrcUnknown) {
    bool Comparable = Dst.Exact && Src.Exact && !Dst.Tn && !Src.Tn &&
                      Dst.Id != Src.Id && Is64 &&
                      Op != bpf::JSET && !isSigned(Op);
    TakenSure = Comparable && pairPossible(Op, Dst, Src, true);
    FallSure = Comparable && pairPossible(Op, Dst, Src, false);
    for (State *St : {&S, &Other}) {
      refine(*St, Dst, std::nullopt);
      refine(*St, Src, std::nullopt);
    }
  } else if (DstUnknown || SrcUnknown) {
    // An unknown against a pointer: the verifier explores both, but the
    // unknown may be a pointer the model lost.
    const Value &X = DstUnknown ? Dst : Src;
    TakenSure = FallSure = X.Exact;
  }
  // Otherwise: constants the assumed verifier does not compare, pointers
  // against each other or against a constant: both branches, certainly.
  Other.Uncertain |= !TakenSure;
  S.Uncertain |= !FallSure;
  Work.push_back(std::move(Other));
}

} // namespace verifier
} // namespace btfgen
