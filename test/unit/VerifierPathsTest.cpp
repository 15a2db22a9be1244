//===- VerifierPathsTest.cpp - The verifier walk on hand-written programs -===//
//
// Small instruction sequences, each exercising one pattern the kernel's
// verifier decides (or cannot decide), with the verifier features that
// pattern needs switched on and off. A poisoned instruction
// (call 0xbad2310) marks the code whose reachability is asked.
//
//===----------------------------------------------------------------------===//

#include "btfgen/VerifierPaths.h"

#include "TestInsns.h"

#include "gtest/gtest.h"

#include <vector>

using namespace btfgen;
using namespace btfgen::test;

namespace {

constexpr int32_t GetPrandom = 7; // returns any value

/// One program: Funcs[0] is the entry, the others are appended after it.
struct Program {
  BPFObject Obj;
  explicit Program(std::vector<std::vector<BPFInsn>> Funcs,
                   std::vector<FuncLinkage> Linkage = {}) {
    BPFProgram P;
    P.Name = "prog";
    P.Section = "kprobe/x";
    for (size_t I = 0; I < Funcs.size(); ++I) {
      BPFFunction F;
      F.Name = "f" + std::to_string(I);
      F.Section = I ? ".text" : "kprobe/x";
      F.NumInsns = uint32_t(Funcs[I].size());
      F.IsSubprog = I > 0;
      F.Linkage = I < Linkage.size() ? Linkage[I] : FuncLinkage::Static;
      Obj.Functions.push_back(F);
      P.Parts.push_back({uint32_t(I), uint32_t(P.Insns.size())});
      P.Insns.insert(P.Insns.end(), Funcs[I].begin(), Funcs[I].end());
    }
    Obj.Programs.push_back(std::move(P));
  }
  PathResult walk(const PathOptions &O) const {
    return explorePaths(Obj, Obj.Programs[0], Obj.Programs[0].Insns, O);
  }
};

PathOptions all(bool On) {
  PathOptions O;
  O.Assume.fill(On);
  return O;
}

PathOptions without(VerifierFeature F) {
  PathOptions O = all(true);
  O.Assume[unsigned(F)] = false;
  return O;
}

/// The poisons a walk reached: (insn, certain).
std::vector<std::pair<uint32_t, bool>> reached(const PathResult &R) {
  std::vector<std::pair<uint32_t, bool>> Out;
  for (const PoisonReach &P : R.Poisons)
    Out.push_back({P.Insn, P.Certain});
  return Out;
}
using Reach = std::vector<std::pair<uint32_t, bool>>;

TEST(VerifierPaths, ConstantGuardIsPruned) {
  // r1 = 0 (a relocated field_exists); if r1 == 0 skip the poison.
  Program P({{mov(1, 0), jmp(bpf::JEQ, 1, 0, 1), poison(), exitInsn()}});
  PathResult R = P.walk(all(true));
  EXPECT_EQ(reached(R), Reach());
  EXPECT_TRUE(R.Used[unsigned(VerifierFeature::BranchConstImm)]);
  // A verifier that does not decide it explores the poison, certainly.
  EXPECT_EQ(reached(P.walk(without(VerifierFeature::BranchConstImm))),
            Reach({{2, true}}));
}

TEST(VerifierPaths, EveryConditionCodeOnConstants) {
  // r1 = -5: "if r1 s< 0" is taken, "if r1 > 10" (unsigned) too.
  Program P({{mov(1, -5), jmp(bpf::JSLT, 1, 0, 1), poison(),
              jmp(bpf::JGT, 1, 10, 1), poison(), jmp(bpf::JSET, 1, 2, 1),
              poison(), exitInsn()}});
  EXPECT_EQ(reached(P.walk(all(true))), Reach());
  // Undecided, each poison is reached by the path that jumped over the
  // one before.
  EXPECT_EQ(reached(P.walk(without(VerifierFeature::BranchConstRange))),
            Reach({{2, true}, {4, true}, {6, true}}));
}

TEST(VerifierPaths, UnknownValueReachesCertainly) {
  Program P({{helper(GetPrandom), jmp(bpf::JEQ, 0, 0, 1), poison(),
              exitInsn()}});
  EXPECT_EQ(reached(P.walk(all(true))), Reach({{2, true}}));
}

TEST(VerifierPaths, SpilledConstant) {
  // r1 = 1; *(u64 *)(r10 - 8) = r1; r2 = *(u64 *)(r10 - 8);
  // if r2 != 0 skip the poison.
  Program P({{mov(1, 1), stx(bpf::DW, 10, 1, -8), ldx(bpf::DW, 2, 10, -8),
              jmp(bpf::JNE, 2, 0, 1), poison(), exitInsn()}});
  PathResult R = P.walk(all(true));
  EXPECT_EQ(reached(R), Reach());
  EXPECT_TRUE(R.Used[unsigned(VerifierFeature::SpillConst64)]);
  EXPECT_EQ(reached(P.walk(without(VerifierFeature::SpillConst64))),
            Reach({{4, true}}));
}

TEST(VerifierPaths, NarrowSpillAtSlotStartOnly) {
  auto Prog = [](int16_t Off) {
    return Program({{mov(1, 1), stx(bpf::W, 10, 1, Off),
                     ldx(bpf::W, 2, 10, Off), jmp(bpf::JNE, 2, 0, 1), poison(),
                     exitInsn()}});
  };
  EXPECT_EQ(reached(Prog(-8).walk(all(true))), Reach());
  EXPECT_EQ(reached(Prog(-8).walk(without(VerifierFeature::SpillConstNarrow))),
            Reach({{4, true}}));
  // At -4 the value is in the upper half of its slot: not tracked.
  EXPECT_EQ(reached(Prog(-4).walk(all(true))), Reach({{4, true}}));
}

TEST(VerifierPaths, StoredZeroIsAlwaysKnown) {
  Program P({{mov(1, 0), stx(bpf::W, 10, 1, -4), ldx(bpf::W, 2, 10, -4),
              jmp(bpf::JEQ, 2, 0, 1), poison(), exitInsn()}});
  EXPECT_EQ(reached(P.walk(without(VerifierFeature::SpillConstNarrow))),
            Reach());
}

TEST(VerifierPaths, Alu32ZeroExtends) {
  // r1 = -1; w1 += 1 gives 0 (the upper half is cleared); r1 == 0.
  Program P({{mov(1, -1), alu(bpf::ADD, 1, 1, false), jmp(bpf::JEQ, 1, 0, 1),
              poison(), exitInsn()}});
  EXPECT_EQ(reached(P.walk(all(true))), Reach());
}

TEST(VerifierPaths, Jmp32LooksAtTheLowHalf) {
  // r1 = 1 << 32; "if w1 == 0" is taken (JMP32 compares 32 bits).
  Program P({{mov(1, 1), alu(bpf::LSH, 1, 32), jmp(bpf::JEQ, 1, 0, 1, false),
              poison(), exitInsn()}});
  EXPECT_EQ(reached(P.walk(all(true))), Reach());
  EXPECT_EQ(reached(P.walk(without(VerifierFeature::Jmp32))),
            Reach({{3, true}}));
}

TEST(VerifierPaths, StaticSubprogramSeesTheArgument) {
  // main: r1 = 0; call sub; exit.  sub: if r1 == 0 skip the poison.
  std::vector<BPFInsn> Main{mov(1, 0), subCall(1), exitInsn()};
  std::vector<BPFInsn> Sub{jmp(bpf::JEQ, 1, 0, 1), poison(), mov(0, 0),
                           exitInsn()};
  Program Static({Main, Sub}, {FuncLinkage::Global, FuncLinkage::Static});
  EXPECT_EQ(reached(Static.walk(all(true))), Reach());
  // A global function is verified apart, with r1 unknown.
  Program Global({Main, Sub}, {FuncLinkage::Global, FuncLinkage::Global});
  EXPECT_EQ(reached(Global.walk(all(true))), Reach({{4, true}}));
  // Before global functions existed, it was verified like a static one.
  EXPECT_EQ(reached(Global.walk(without(VerifierFeature::GlobalFuncs))),
            Reach());
}

TEST(VerifierPaths, LazyGlobalFunctionsOnlyWhenCalled) {
  // The call of the global function is dead code.
  std::vector<BPFInsn> Main{mov(1, 0), jmp(bpf::JEQ, 1, 0, 1), subCall(1),
                            exitInsn()};
  std::vector<BPFInsn> Sub{poison(), exitInsn()};
  Program P({Main, Sub}, {FuncLinkage::Global, FuncLinkage::Global});
  EXPECT_EQ(reached(P.walk(all(true))), Reach());
  EXPECT_EQ(reached(P.walk(without(VerifierFeature::LazyGlobalFuncs))),
            Reach({{4, true}}));
}

TEST(VerifierPaths, BoundedLoopWithConstantCounter) {
  // r1 = 0; do r1 += 1 while (r1 < 100); if r1 != 100 poison.
  Program P({{mov(1, 0), alu(bpf::ADD, 1, 1), jmp(bpf::JLT, 1, 100, -2),
              jmp(bpf::JEQ, 1, 100, 1), poison(), exitInsn()}});
  PathResult R = P.walk(all(true));
  EXPECT_EQ(reached(R), Reach());
  EXPECT_FALSE(R.Widened);
  EXPECT_FALSE(R.BudgetExceeded);
}

TEST(VerifierPaths, UnboundedCounterIsWidened) {
  // do { r6 += 1 } while (prandom()): the counter never decides a branch
  // but keeps changing; the walk forgets it and ends.
  Program P({{mov(6, 0), alu(bpf::ADD, 6, 1), helper(GetPrandom),
              jmp(bpf::JNE, 0, 0, -3), mov(0, 0), exitInsn()}});
  PathResult R = P.walk(all(true));
  EXPECT_TRUE(R.Widened);
  EXPECT_FALSE(R.BudgetExceeded);
}

TEST(VerifierPaths, BudgetStopsTheWalk) {
  Program P({{mov(1, 0), alu(bpf::ADD, 1, 1), jmp(bpf::JLT, 1, 100, -2),
              exitInsn()}});
  PathOptions O = all(true);
  O.Budget = 50;
  EXPECT_TRUE(P.walk(O).BudgetExceeded);
}

TEST(VerifierPaths, NarrowLoadsHaveTheirWidth) {
  // r2 = *(u8 *)(ctx + 0): "r2 > 100" goes both ways for the verifier;
  // "r2 > 300" may be decided by it (its range is [0, 255]).
  auto Prog = [](int32_t C) {
    return Program({{ldx(bpf::B, 2, 1, 0), jmp(bpf::JGT, 2, C, 1), exitInsn(),
                     poison(), exitInsn()}});
  };
  EXPECT_EQ(reached(Prog(100).walk(all(true))), Reach({{3, true}}));
  EXPECT_EQ(reached(Prog(300).walk(all(true))), Reach({{3, false}}));
}

TEST(VerifierPaths, MaskedAndShiftedValues) {
  // r2 = *(u64 *)(ctx + 0) & 0x20: 0 and 0x20 both possible.
  Program Masked({{ldx(bpf::DW, 2, 1, 0), alu(bpf::AND, 2, 0x20),
                   jmp(bpf::JEQ, 2, 0, 1), poison(), exitInsn()}});
  EXPECT_EQ(reached(Masked.walk(all(true))), Reach({{3, true}}));
  // (x << 32) >> 32, the zero-extension idiom: every 32-bit value.
  Program Trunc({{ldx(bpf::DW, 2, 1, 0), alu(bpf::LSH, 2, 32),
                  alu(bpf::RSH, 2, 32), jmp(bpf::JNE, 2, 0, 1), poison(),
                  exitInsn()}});
  EXPECT_EQ(reached(Trunc.walk(all(true))), Reach({{4, true}}));
}

TEST(VerifierPaths, RefinedByAnEarlierBranch) {
  // if (x > 5) exit; if (x > 10) poison: dead after the first branch; the
  // model explores it (it does not prune on ranges) but not certainly.
  Program P({{ldx(bpf::DW, 2, 1, 0), jmp(bpf::JGT, 2, 5, 3),
              jmp(bpf::JGT, 2, 10, 1), exitInsn(), poison(), exitInsn()}});
  Reach R = reached(P.walk(all(true)));
  ASSERT_EQ(R.size(), 1u);
  EXPECT_FALSE(R[0].second);
}

TEST(VerifierPaths, ReadOnlyDataIsConstant) {
  // r1 = &.rodata; r2 = *(u32 *)(r1 + 4); if r2 == 0 skip the poison.
  Program P({{insn(bpf::LdImm64Code, 1, 0, 0, 0), insn(0, 0, 0, 0, 0),
              ldx(bpf::W, 2, 1, 4), jmp(bpf::JEQ, 2, 0, 1), poison(),
              exitInsn()}});
  P.Obj.ReadOnlyData.push_back({".rodata", std::string(8, '\0')});
  InsnRef Ref;
  Ref.Insn = 0;
  Ref.Kind = InsnRefKind::MapValue;
  Ref.Section = ".rodata";
  P.Obj.Programs[0].Refs.push_back(Ref);
  PathResult R = P.walk(all(true));
  EXPECT_EQ(reached(R), Reach());
  EXPECT_TRUE(R.UsedReadOnlyData);
  EXPECT_EQ(reached(P.walk(without(VerifierFeature::ReadOnlyMapConst))),
            Reach({{4, true}}));
}

TEST(VerifierPaths, PoisonsBehindAPoison) {
  Program P({{poison(), poison(), exitInsn()}});
  EXPECT_EQ(reached(P.walk(all(true))), Reach({{0, true}}));
  PathOptions Past = all(true);
  Past.StopAtPoison = false;
  EXPECT_EQ(reached(P.walk(Past)), Reach({{0, true}, {1, true}}));
}

TEST(VerifierPaths, RecursionIsNotFollowed) {
  std::vector<BPFInsn> Main{subCall(1), exitInsn()};
  std::vector<BPFInsn> Sub{subCall(-1), exitInsn()};
  PathResult R = Program({Main, Sub}).walk(all(true));
  EXPECT_TRUE(R.Incomplete);
}

} // namespace
