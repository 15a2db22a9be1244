//===- TestInsns.h - eBPF instruction builders for unit tests ---*- C++ -*-===//
//
// Readable constructors for hand-written instruction sequences
// (CorePatchTest, VerifierPathsTest), in the spirit of the kernel's
// include/linux/filter.h BPF_* macros.
//
//===----------------------------------------------------------------------===//

#ifndef BTFGEN_TEST_TESTINSNS_H
#define BTFGEN_TEST_TESTINSNS_H

#include "btfgen/BPFInsn.h"

namespace btfgen {
namespace test {

inline BPFInsn insn(uint8_t Code, uint8_t Dst, uint8_t Src, int16_t Off,
                    int32_t Imm) {
  BPFInsn I;
  I.Code = Code;
  I.Dst = Dst;
  I.Src = Src;
  I.Off = Off;
  I.Imm = Imm;
  return I;
}
/// Dst = Imm (64-bit move).
inline BPFInsn mov(uint8_t Dst, int32_t Imm) {
  return insn(bpf::ALU64 | bpf::MOV | bpf::K, Dst, 0, 0, Imm);
}
/// Dst Op= Imm, 64- or 32-bit.
inline BPFInsn alu(uint8_t Op, uint8_t Dst, int32_t Imm, bool Is64 = true) {
  return insn(uint8_t((Is64 ? bpf::ALU64 : bpf::ALU) | Op | bpf::K), Dst, 0, 0,
              Imm);
}
/// if (Dst Op Imm) goto +Off, JMP or JMP32.
inline BPFInsn jmp(uint8_t Op, uint8_t Dst, int32_t Imm, int16_t Off,
                   bool Is64 = true) {
  return insn(uint8_t((Is64 ? bpf::JMP : bpf::JMP32) | Op | bpf::K), Dst, 0,
              Off, Imm);
}
/// *(Size *)(Dst + Off) = Src.
inline BPFInsn stx(uint8_t Size, uint8_t Dst, uint8_t Src, int16_t Off) {
  return insn(uint8_t(bpf::STX | bpf::MEM | Size), Dst, Src, Off, 0);
}
/// Dst = *(Size *)(Src + Off).
inline BPFInsn ldx(uint8_t Size, uint8_t Dst, uint8_t Src, int16_t Off) {
  return insn(uint8_t(bpf::LDX | bpf::MEM | Size), Dst, Src, Off, 0);
}
inline BPFInsn helper(int32_t Id) { return insn(bpf::CallCode, 0, 0, 0, Id); }
/// A bpf-to-bpf call to the instruction Off + 1 ahead.
inline BPFInsn subCall(int32_t Off) {
  return insn(bpf::CallCode, 0, bpf::PseudoCall, 0, Off);
}
inline BPFInsn exitInsn() { return insn(bpf::JMP | bpf::EXIT, 0, 0, 0, 0); }
/// libbpf's poisoned instruction.
inline BPFInsn poison() { return helper(bpf::PoisonHelper); }

} // namespace test
} // namespace btfgen

#endif // BTFGEN_TEST_TESTINSNS_H
