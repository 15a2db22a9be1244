//===- VerifierPaths.cpp - The paths the kernel's verifier explores -------===//
//
// A depth-first walk over (instruction, abstract state), in the verifier's
// order (kernel/bpf/verifier.c do_check: a conditional jump pushes the
// taken branch and goes on with the fall-through). Each step models one
// instruction class; VerifierState.cpp holds the value arithmetic and
// VerifierMemory.cpp the stack and memory accesses.
//
//===----------------------------------------------------------------------===//

#include "btfgen/VerifierPaths.h"

#include "VerifierWalk.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/FormatVariadic.h"

using namespace llvm;

namespace btfgen {

using namespace verifier;

bool hasTypedContext(StringRef Sec) {
  for (StringRef P : {"tp_btf/", "fentry/", "fexit/", "fmod_ret/", "lsm/",
                      "lsm.s/", "lsm_cgroup/", "iter/", "iter.s/",
                      "struct_ops", "fentry.s/", "fexit.s/", "fmod_ret.s/",
                      "freplace/"})
    if (Sec.starts_with(P))
      return true;
  return false;
}

namespace verifier {

//===-- program facts -----------------------------------------------------===//

/// Successors of instruction Pc in the control-flow graph (calls continue
/// at Pc + 1; a callee is entered separately).
static SmallVector<uint32_t, 2> successors(ArrayRef<BPFInsn> Insns,
                                           uint32_t Pc) {
  const BPFInsn &I = Insns[Pc];
  uint8_t Cls = I.cls();
  if (Cls != bpf::JMP && Cls != bpf::JMP32)
    return {isLdImm64(I) ? Pc + 2 : Pc + 1};
  uint8_t Op = I.op();
  if (Op == bpf::CALL)
    return {Pc + 1};
  if (Op == bpf::EXIT)
    return {};
  if (Op == bpf::JA)
    return {uint32_t(int64_t(Pc) + 1 + (Cls == bpf::JMP32 ? I.Imm : I.Off))};
  return {Pc + 1, uint32_t(int64_t(Pc) + 1 + I.Off)};
}

/// Registers an instruction reads and writes, as bit masks.
static void useDef(const BPFInsn &I, uint16_t &Use, uint16_t &Def) {
  auto B = [](unsigned R) { return uint16_t(1u << R); };
  Use = Def = 0;
  switch (I.cls()) {
  case bpf::ALU:
  case bpf::ALU64:
    Def = B(I.Dst);
    if (I.op() != bpf::MOV)
      Use |= B(I.Dst);
    if (I.src() == bpf::X && I.op() != bpf::NEG && I.op() != bpf::END)
      Use |= B(I.Src);
    return;
  case bpf::LDX:
    Use = B(I.Src);
    Def = B(I.Dst);
    return;
  case bpf::ST:
    Use = B(I.Dst);
    return;
  case bpf::STX:
    Use = B(I.Dst) | B(I.Src) | B(0);
    if (I.mode() == bpf::ATOMIC)
      Def = B(I.Src) | B(0);
    return;
  case bpf::LD:
    if (isLdImm64(I)) {
      Def = B(I.Dst);
      return;
    }
    Use = B(6) | B(I.Src);
    Def = 0x3f;
    return;
  default:
    break;
  }
  uint8_t Op = I.op();
  if (Op == bpf::CALL) {
    Use = 0x3e;
    Def = 0x3f;
  } else if (Op == bpf::EXIT) {
    Use = B(0);
  } else if (Op != bpf::JA && Op != bpf::JCOND) {
    Use = B(I.Dst);
    if (I.src() == bpf::X)
      Use |= B(I.Src);
  }
}

ProgramFacts::ProgramFacts(ArrayRef<BPFInsn> Insns) {
  size_t N = Insns.size();
  LiveIn.assign(N, 0);
  PrunePoint.assign(N, false);
  std::vector<uint16_t> Use(N), Def(N);
  for (uint32_t Pc = 0; Pc < N; ++Pc) {
    useDef(Insns[Pc], Use[Pc], Def[Pc]);
    const BPFInsn &I = Insns[Pc];
    bool Jump = (I.cls() == bpf::JMP || I.cls() == bpf::JMP32) &&
                I.op() != bpf::EXIT;
    for (uint32_t S : successors(Insns, Pc)) {
      if (S < N && (Jump || S != Pc + 1))
        PrunePoint[S] = true;
    }
    if (I.Code == bpf::CallCode && I.Src == bpf::PseudoCall) {
      uint32_t T = uint32_t(int64_t(Pc) + 1 + I.Imm);
      if (T < N)
        PrunePoint[T] = true;
    }
  }
  // Backward liveness to a fixed point; R10 is always live.
  bool Changed = true;
  while (Changed) {
    Changed = false;
    for (uint32_t Pc = N; Pc-- > 0;) {
      uint16_t Out = 0;
      for (uint32_t S : successors(Insns, Pc))
        if (S < N)
          Out |= LiveIn[S];
      uint16_t In = uint16_t((Out & ~Def[Pc]) | Use[Pc] | (1u << 10));
      if (In != LiveIn[Pc]) {
        LiveIn[Pc] = In;
        Changed = true;
      }
    }
  }
}

//===-- the walk ----------------------------------------------------------===//

Walker::Walker(const BPFObject &Obj, const BPFProgram &P,
               ArrayRef<BPFInsn> Insns, const PathOptions &Opts)
    : Obj(Obj), P(P), Insns(Insns), Opts(Opts), Facts(Insns),
      TypedCtx(hasTypedContext(P.Section)) {
  for (const ReadOnlySection &S : Obj.ReadOnlyData)
    (void)S;
}

void Walker::unsupported(const State &S, const Twine &What) {
  Notes.insert((What + " at insn " + Twine(S.Pc)).str());
}

void Walker::incomplete(const State &S, const Twine &What) {
  unsupported(S, What);
  Result.Incomplete = true;
}

State Walker::entryState(uint32_t Pc, bool CtxArg) {
  State S;
  S.Pc = Pc;
  Frame F;
  F.FuncStart = Pc;
  S.Frames.push_back(std::move(F));
  Value R10;
  R10.K = VK::Stack;
  R10.Frame = 0;
  S.reg(10) = R10;
  if (CtxArg) {
    Value Ctx;
    Ctx.K = VK::Ctx;
    S.reg(1) = Ctx;
  } else {
    for (unsigned R = 1; R <= 5; ++R)
      S.reg(R) = fresh(S, 0, ~0ULL, /*Exact=*/true);
  }
  return S;
}

Value Walker::fresh(State &S, uint64_t Lo, uint64_t Hi, bool Exact) {
  return Value::unknown(Lo, Hi, Exact, S.NextId++);
}

void Walker::canonicalize(State &S) const {
  for (size_t FI = 0; FI < S.Frames.size(); ++FI) {
    Frame &F = S.Frames[FI];
    bool Top = FI + 1 == S.Frames.size();
    uint16_t Live = Top ? Facts.LiveIn[S.Pc]
                        : uint16_t(Facts.LiveIn[S.Frames[FI + 1].ReturnTo] &
                                   0x7c0);
    for (unsigned R = 0; R < 10; ++R)
      if (!(Live & (1u << R)))
        F.Regs[R] = Value();
  }
}

/// Whether S was seen at its instruction; records it otherwise. A certain
/// state is explored even after an uncertain equal one.
bool Walker::seen(State &S) {
  canonicalize(S);
  StateDigest D = digest(S);
  VisitKey K{S.Pc, D.A, D.B};
  auto [It, New] = Visited.try_emplace(K, S.Uncertain);
  if (New) {
    widenIfLooping(S);
    return false;
  }
  if (It->second && !S.Uncertain) {
    It->second = false;
    return false;
  }
  return true;
}

void Walker::widenIfLooping(State &S) {
  unsigned &N = Distinct[S.Pc];
  if (++N < Opts.WidenAfter)
    return;
  auto It = LastAt.find(S.Pc);
  if (It == LastAt.end() || It->second.Frames.size() != S.Frames.size()) {
    LastAt[S.Pc] = S;
    return;
  }
  const State &Old = It->second;
  bool Changed = false;
  auto Widen = [&](Value &V, const Value &O) {
    if (V.K == O.K && V.K != VK::Const && V.K != VK::Unknown)
      return;
    if (V.K == O.K && V.K == VK::Const && V.V == O.V)
      return;
    if (V.K == VK::Unknown && !V.Exact && V.Lo == 0 && V.Hi == ~0ULL)
      return;
    V = fresh(S, 0, ~0ULL, /*Exact=*/false);
    Changed = true;
  };
  for (size_t FI = 0; FI < S.Frames.size(); ++FI) {
    Frame &F = S.Frames[FI];
    const Frame &OF = Old.Frames[FI];
    for (unsigned R = 0; R < 10; ++R)
      Widen(F.Regs[R], OF.Regs[R]);
    for (size_t I = 0; I < F.Stack.size() && I < OF.Stack.size(); ++I)
      if (llvm::is_contained(F.Stack[I].Bytes, ByteKind::Spill))
        Widen(F.Stack[I].Spill, OF.Stack[I].Spill);
  }
  if (Changed) {
    S.Uncertain = true;
    Result.Widened = true;
  }
  LastAt[S.Pc] = S;
}

void Walker::reachPoison(const State &S) {
  auto It = llvm::find_if(Result.Poisons, [&](const PoisonReach &R) {
    return R.Insn == S.Pc;
  });
  if (It == Result.Poisons.end())
    Result.Poisons.push_back({S.Pc, !S.Uncertain});
  else
    It->Certain |= !S.Uncertain;
}

void Walker::walk(State S) {
  Work.push_back(std::move(S));
  while (!Work.empty()) {
    State Cur = std::move(Work.back());
    Work.pop_back();
    followPath(std::move(Cur));
    if (Result.BudgetExceeded)
      return;
  }
}

void Walker::followPath(State S) {
  while (true) {
    if (S.Pc >= Insns.size()) {
      incomplete(S, "jump out of the program");
      return;
    }
    if (Facts.PrunePoint[S.Pc] && seen(S))
      return;
    if (++Result.Steps > Opts.Budget) {
      Result.BudgetExceeded = true;
      return;
    }
    if (!step(S))
      return;
  }
}

bool Walker::step(State &S) {
  const BPFInsn &I = Insns[S.Pc];
  switch (I.cls()) {
  case bpf::ALU:
  case bpf::ALU64:
    alu(S, I);
    ++S.Pc;
    return true;
  case bpf::LDX:
    loadInsn(S, I);
    ++S.Pc;
    return true;
  case bpf::ST:
  case bpf::STX:
    storeInsn(S, I);
    ++S.Pc;
    return true;
  case bpf::LD:
    return ldInsn(S, I);
  default:
    return jumpInsn(S, I);
  }
}

bool Walker::ldInsn(State &S, const BPFInsn &I) {
  if (!isLdImm64(I)) {
    // Legacy packet access (LD_ABS/LD_IND): R0 gets the data, R1-R5 die.
    S.reg(0) = fresh(S, 0, ~0ULL, false);
    for (unsigned R = 1; R <= 5; ++R)
      S.reg(R) = Value();
    ++S.Pc;
    return true;
  }
  if (S.Pc + 1 >= Insns.size()) {
    incomplete(S, "truncated ld_imm64");
    return false;
  }
  S.reg(I.Dst) = ldImm64Value(S, I);
  S.Pc += 2;
  return true;
}

Value Walker::ldImm64Value(State &S, const BPFInsn &I) {
  const InsnRef *Ref = P.refOf(S.Pc);
  Value V;
  if (!Ref) {
    if (I.Src != 0) {
      unsupported(S, formatv("ld_imm64 with src_reg {0}", unsigned(I.Src)));
      return fresh(S, 0, ~0ULL, false);
    }
    return Value::constant(uint64_t(uint32_t(I.Imm)) |
                           uint64_t(uint32_t(Insns[S.Pc + 1].Imm)) << 32);
  }
  switch (Ref->Kind) {
  case InsnRefKind::Map:
    V.K = VK::Ptr;
    return V;
  case InsnRefKind::MapValue: {
    V.K = VK::MapValue;
    V.Frame = 0xffff;
    for (size_t J = 0; J < Obj.ReadOnlyData.size(); ++J)
      if (Obj.ReadOnlyData[J].Name == Ref->Section)
        V.Frame = uint16_t(J);
    V.V = Ref->Offset;
    return V;
  }
  case InsnRefKind::Func:
    V.K = VK::FuncPtr;
    V.V = Ref->Target;
    return V;
  default:
    // __kconfig values come from the loading host, __ksym addresses from
    // its kernel: the verifier knows them, the model does not.
    return fresh(S, 0, ~0ULL, false);
  }
}

bool Walker::jumpInsn(State &S, const BPFInsn &I) {
  uint8_t Op = I.op();
  if (Op == bpf::CALL)
    return callInsn(S, I);
  if (Op == bpf::EXIT)
    return exitInsn(S);
  if (Op == bpf::JA) {
    S.Pc = uint32_t(int64_t(S.Pc) + 1 +
                    (I.cls() == bpf::JMP32 ? I.Imm : I.Off));
    return true;
  }
  if (Op == bpf::JCOND) {
    // may_goto: the verifier explores both the jump and the fall-through.
    State Other = S;
    Other.Pc = uint32_t(int64_t(S.Pc) + 1 + I.Off);
    Work.push_back(std::move(Other));
    ++S.Pc;
    return true;
  }
  condJump(S, I);
  return true;
}

bool Walker::exitInsn(State &S) {
  if (S.Frames.size() == 1)
    return false;
  Value R0 = S.reg(0);
  uint32_t Ret = S.cur().ReturnTo;
  S.Frames.pop_back();
  if (R0.K == VK::Stack && R0.Frame >= S.Frames.size()) {
    unsupported(S, "a pointer to the callee's stack is returned");
    R0 = fresh(S, 0, ~0ULL, false);
  }
  S.reg(0) = R0;
  S.Pc = Ret;
  return true;
}

} // namespace verifier

PathResult explorePaths(const BPFObject &Obj, const BPFProgram &P,
                        ArrayRef<BPFInsn> Insns, const PathOptions &Opts) {
  Walker W(Obj, P, Insns, Opts);
  return W.run();
}

} // namespace btfgen
