//===- CorePatchTest.cpp - bpf_core_patch_insn, case by case --------------===//
//
// Each case is one branch of libbpf 1.1.2 relo_core.c bpf_core_patch_insn()
// with the instruction and result it describes: what the instruction
// becomes, and whether libbpf poisons it or fails the load.
//
//===----------------------------------------------------------------------===//

#include "btfgen/CorePatch.h"

#include "TestInsns.h"

#include "gtest/gtest.h"

#include <vector>

using namespace btfgen;
using namespace btfgen::test;

namespace {

CoreResult resolved(uint64_t Orig, uint64_t New) {
  CoreResult R;
  R.Outcome = RelocOutcome::Resolved;
  R.OrigVal = Orig;
  R.NewVal = New;
  return R;
}

bool isPoison(const BPFInsn &I) {
  return I.Code == (bpf::JMP | bpf::CALL) && I.Dst == 0 && I.Src == 0 &&
         I.Off == 0 && I.Imm == 0xbad2310;
}

TEST(CorePatch, AluImmediateIsRewritten) {
  // r1 = 12 (mov, ALU64|K): the field offset 12 becomes 2420.
  std::vector<BPFInsn> P{insn(bpf::ALU64 | bpf::MOV | bpf::K, 1, 0, 0, 12)};
  CorePatchResult R = patchCoreInsn(P, 0, resolved(12, 2420));
  EXPECT_EQ(R.Outcome, PatchOutcome::Patched);
  EXPECT_EQ(P[0].Imm, 2420);
}

TEST(CorePatch, AluValueMismatchFails) {
  // res->validate && insn->imm != orig_val: -EINVAL.
  std::vector<BPFInsn> P{insn(bpf::ALU64 | bpf::MOV | bpf::K, 1, 0, 0, 8)};
  CorePatchResult R = patchCoreInsn(P, 0, resolved(12, 2420));
  EXPECT_EQ(R.Outcome, PatchOutcome::Failed);
  EXPECT_EQ(P[0].Imm, 8);
  // Without validation (bitfields) any immediate is replaced.
  CoreResult NoValidate = resolved(12, 2420);
  NoValidate.Validate = false;
  EXPECT_EQ(patchCoreInsn(P, 0, NoValidate).Outcome, PatchOutcome::Patched);
  EXPECT_EQ(P[0].Imm, 2420);
}

TEST(CorePatch, AluWithRegisterSourceFails) {
  std::vector<BPFInsn> P{insn(bpf::ALU64 | bpf::ADD | bpf::X, 1, 2, 0, 0)};
  EXPECT_EQ(patchCoreInsn(P, 0, resolved(0, 4)).Outcome,
            PatchOutcome::Failed);
}

TEST(CorePatch, NegativeImmediateComparesSignExtended) {
  // The s32 immediate -1 equals the u64 original 0xffffffffffffffff.
  std::vector<BPFInsn> P{insn(bpf::ALU64 | bpf::MOV | bpf::K, 1, 0, 0, -1)};
  EXPECT_EQ(patchCoreInsn(P, 0, resolved(~0ULL, 7)).Outcome,
            PatchOutcome::Patched);
  EXPECT_EQ(P[0].Imm, 7);
}

TEST(CorePatch, LoadOffsetAndSizeAreRewritten) {
  // r2 = *(u64 *)(r1 + 16), a field that is 4 bytes on the kernel.
  std::vector<BPFInsn> P{insn(bpf::LDX | bpf::MEM | bpf::DW, 2, 1, 16, 0)};
  CoreResult Res = resolved(16, 2340);
  Res.OrigSz = 8;
  Res.NewSz = 4;
  EXPECT_EQ(patchCoreInsn(P, 0, Res).Outcome, PatchOutcome::Patched);
  EXPECT_EQ(P[0].Off, 2340);
  EXPECT_EQ(P[0].Code, bpf::LDX | bpf::MEM | bpf::W);
}

TEST(CorePatch, LoadOffsetTooBigFails) {
  // new_val > SHRT_MAX: -ERANGE, even when the size adjustment would
  // also have poisoned it (that check comes later).
  std::vector<BPFInsn> P{insn(bpf::LDX | bpf::MEM | bpf::W, 2, 1, 8, 0)};
  CoreResult Res = resolved(8, 40000);
  Res.FailMemsz = true;
  EXPECT_EQ(patchCoreInsn(P, 0, Res).Outcome, PatchOutcome::Failed);
}

TEST(CorePatch, UnsafeSizeAdjustmentPoisons) {
  std::vector<BPFInsn> P{insn(bpf::LDX | bpf::MEM | bpf::W, 2, 1, 8, 0)};
  CoreResult Res = resolved(8, 12);
  Res.FailMemsz = true;
  CorePatchResult R = patchCoreInsn(P, 0, Res);
  EXPECT_EQ(R.Outcome, PatchOutcome::Poisoned);
  EXPECT_TRUE(isPoison(P[0]));
}

TEST(CorePatch, UnexpectedLoadSizeFails) {
  // The instruction loads 2 bytes where the local field has 4.
  std::vector<BPFInsn> P{insn(bpf::LDX | bpf::MEM | bpf::H, 2, 1, 8, 0)};
  CoreResult Res = resolved(8, 12);
  Res.OrigSz = 4;
  Res.NewSz = 8;
  EXPECT_EQ(patchCoreInsn(P, 0, Res).Outcome, PatchOutcome::Failed);
  // A new size that is no load size.
  std::vector<BPFInsn> Q{insn(bpf::LDX | bpf::MEM | bpf::W, 2, 1, 8, 0)};
  Res.NewSz = 3;
  EXPECT_EQ(patchCoreInsn(Q, 0, Res).Outcome, PatchOutcome::Failed);
}

TEST(CorePatch, PoisonedLdImm64PoisonsBothHalves) {
  std::vector<BPFInsn> P{insn(bpf::LdImm64Code, 1, 0, 0, 5), insn(0, 0, 0, 0, 0),
                         insn(bpf::JMP | bpf::EXIT, 0, 0, 0, 0)};
  CoreResult Res;
  Res.Outcome = RelocOutcome::Poisoned;
  Res.Poison = true;
  EXPECT_EQ(patchCoreInsn(P, 0, Res).Outcome, PatchOutcome::Poisoned);
  EXPECT_TRUE(isPoison(P[0]));
  EXPECT_TRUE(isPoison(P[1]));
  EXPECT_EQ(P[2].Code, bpf::JMP | bpf::EXIT);
}

TEST(CorePatch, LdImm64ValueIsSplit) {
  std::vector<BPFInsn> P{insn(bpf::LdImm64Code, 1, 0, 0, 3), insn(0, 0, 0, 0, 0)};
  EXPECT_EQ(patchCoreInsn(P, 0, resolved(3, 0x1234567890ULL)).Outcome,
            PatchOutcome::Patched);
  EXPECT_EQ(uint32_t(P[0].Imm), 0x34567890u);
  EXPECT_EQ(P[1].Imm, 0x12);
}

TEST(CorePatch, MalformedLdImm64Fails) {
  // A second half with a non-zero code is not the ld_imm64 libbpf expects.
  std::vector<BPFInsn> P{insn(bpf::LdImm64Code, 1, 0, 0, 3),
                         insn(bpf::JMP | bpf::EXIT, 0, 0, 0, 0)};
  EXPECT_EQ(patchCoreInsn(P, 0, resolved(3, 4)).Outcome, PatchOutcome::Failed);
}

TEST(CorePatch, JumpCannotBeRelocated) {
  std::vector<BPFInsn> P{insn(bpf::JMP | bpf::JEQ | bpf::K, 1, 0, 1, 0)};
  EXPECT_EQ(patchCoreInsn(P, 0, resolved(0, 1)).Outcome,
            PatchOutcome::Failed);
}

} // namespace
