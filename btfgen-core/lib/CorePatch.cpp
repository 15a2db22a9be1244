//===- CorePatch.cpp - Apply a CO-RE result to its instruction ------------===//
//
// A line-by-line model of libbpf 1.1.2 relo_core.c bpf_core_patch_insn()
// and bpf_core_poison_insn(); the checks come in libbpf's order, because the
// first one that trips decides between a poison and a hard error.
//
//===----------------------------------------------------------------------===//

#include "btfgen/CorePatch.h"

#include "llvm/Support/FormatVariadic.h"

#include <climits>

using namespace llvm;

namespace btfgen {

namespace {

void poisonInsn(BPFInsn &I) {
  I.Code = bpf::CallCode;
  I.Dst = 0;
  I.Src = 0;
  I.Off = 0;
  I.Imm = bpf::PoisonHelper;
}

/// bpf_core_patch_insn's poison label: both halves of an ld_imm64.
CorePatchResult poison(MutableArrayRef<BPFInsn> Insns, uint32_t Idx,
                       std::string Why) {
  if (isLdImm64(Insns[Idx]) && Idx + 1 < Insns.size())
    poisonInsn(Insns[Idx + 1]);
  poisonInsn(Insns[Idx]);
  return {PatchOutcome::Poisoned, std::move(Why)};
}

CorePatchResult failed(std::string Msg) {
  return {PatchOutcome::Failed, std::move(Msg)};
}

int sizeCode(uint32_t Bytes) {
  switch (Bytes) {
  case 8:
    return bpf::DW;
  case 4:
    return bpf::W;
  case 2:
    return bpf::H;
  case 1:
    return bpf::B;
  default:
    return -1;
  }
}

CorePatchResult patchMem(MutableArrayRef<BPFInsn> Insns, uint32_t Idx,
                         const CoreResult &Res) {
  BPFInsn &I = Insns[Idx];
  // insn->off (s16) compared with the u64 orig_val: C sign-extends it.
  if (Res.Validate && uint64_t(int64_t(I.Off)) != Res.OrigVal)
    return failed(formatv("insn #{0} (LDX/ST/STX) value: got {1}, exp {2} -> "
                          "{3}",
                          Idx, unsigned(uint16_t(I.Off)), Res.OrigVal,
                          Res.NewVal));
  if (Res.NewVal > uint64_t(SHRT_MAX))
    return failed(formatv("insn #{0} (LDX/ST/STX) value too big: {1}", Idx,
                          Res.NewVal));
  if (Res.FailMemsz)
    return poison(Insns, Idx,
                  "the load/store size cannot be adjusted (field of another "
                  "size or signedness)");
  I.Off = static_cast<int16_t>(Res.NewVal);
  if (Res.NewSz != Res.OrigSz) {
    if (int(accessBytes(I)) != int(Res.OrigSz))
      return failed(formatv("insn #{0} (LDX/ST/STX) unexpected mem size: got "
                            "{1}, exp {2}",
                            Idx, int(accessBytes(I)), Res.OrigSz));
    int Code = sizeCode(Res.NewSz);
    if (Code < 0)
      return failed(formatv("insn #{0} (LDX/ST/STX) invalid new mem size: {1}",
                            Idx, Res.NewSz));
    I.Code = uint8_t(I.mode() | Code | I.cls());
  }
  return {};
}

CorePatchResult patchLdImm64(MutableArrayRef<BPFInsn> Insns, uint32_t Idx,
                             const CoreResult &Res) {
  BPFInsn &I = Insns[Idx];
  if (!isLdImm64(I) || Idx + 1 >= Insns.size() || I.Src != 0 || I.Off != 0 ||
      Insns[Idx + 1].Code != 0 || Insns[Idx + 1].Dst != 0 ||
      Insns[Idx + 1].Src != 0 || Insns[Idx + 1].Off != 0)
    return failed(formatv("insn #{0} (LDIMM64) has unexpected form", Idx));
  uint64_t Imm = uint64_t(uint32_t(I.Imm)) |
                 (uint64_t(uint32_t(Insns[Idx + 1].Imm)) << 32);
  if (Res.Validate && Imm != Res.OrigVal)
    return failed(formatv("insn #{0} (LDIMM64) value: got {1}, exp {2} -> {3}",
                          Idx, Imm, Res.OrigVal, Res.NewVal));
  I.Imm = static_cast<int32_t>(uint32_t(Res.NewVal));
  Insns[Idx + 1].Imm = static_cast<int32_t>(uint32_t(Res.NewVal >> 32));
  return {};
}

} // namespace

CorePatchResult patchCoreInsn(MutableArrayRef<BPFInsn> Insns, uint32_t Idx,
                              const CoreResult &Res) {
  assert(Idx < Insns.size() && "relocated instruction inside the program");
  assert(Res.Outcome != RelocOutcome::Error && "errors are never patched");
  if (Res.Poison)
    return poison(Insns, Idx, "no matching target");
  BPFInsn &I = Insns[Idx];
  switch (I.cls()) {
  case bpf::ALU:
  case bpf::ALU64:
    if (I.src() != bpf::K)
      return failed(formatv("insn #{0} (ALU/ALU64) has a register source",
                            Idx));
    // insn->imm (s32) compared with the u64 orig_val: sign-extended.
    if (Res.Validate && uint64_t(int64_t(I.Imm)) != Res.OrigVal)
      return failed(formatv("insn #{0} (ALU/ALU64) value: got {1}, exp {2} "
                            "-> {3}",
                            Idx, uint32_t(I.Imm), Res.OrigVal, Res.NewVal));
    I.Imm = static_cast<int32_t>(uint32_t(Res.NewVal));
    return {};
  case bpf::LDX:
  case bpf::ST:
  case bpf::STX:
    return patchMem(Insns, Idx, Res);
  case bpf::LD:
    return patchLdImm64(Insns, Idx, Res);
  default:
    return failed(formatv("trying to relocate unrecognized insn #{0}, "
                          "code:{1:x}",
                          Idx, unsigned(I.Code)));
  }
}

} // namespace btfgen
