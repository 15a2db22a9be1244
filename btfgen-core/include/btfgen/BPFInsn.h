//===- BPFInsn.h - One eBPF instruction ---------------------------*- C++ -*-===//
//
// struct bpf_insn (uapi linux/bpf.h) and the opcode fields the loader
// (libbpf) and the verifier model look at. Field names follow the uapi:
// code = operation | source | class for ALU/JMP, mode | size | class for
// loads and stores. Reference: the kernel's
// Documentation/bpf/standardization/instruction-set.rst.
//
//===----------------------------------------------------------------------===//

#ifndef BTFGEN_BPFINSN_H
#define BTFGEN_BPFINSN_H

#include <cstdint>

namespace btfgen {

struct BPFInsn {
  uint8_t Code = 0;
  uint8_t Dst = 0; ///< dst_reg (low nibble of byte 1)
  uint8_t Src = 0; ///< src_reg (high nibble of byte 1)
  int16_t Off = 0;
  int32_t Imm = 0;

  uint8_t cls() const { return Code & 0x07; }
  uint8_t op() const { return Code & 0xf0; }    ///< ALU/JMP operation
  uint8_t src() const { return Code & 0x08; }   ///< BPF_K (0) or BPF_X
  uint8_t size() const { return Code & 0x18; }  ///< load/store size
  uint8_t mode() const { return Code & 0xe0; }  ///< load/store mode
};

/// Instruction classes.
namespace bpf {
constexpr uint8_t LD = 0x00, LDX = 0x01, ST = 0x02, STX = 0x03, ALU = 0x04,
                  JMP = 0x05, JMP32 = 0x06, ALU64 = 0x07;
/// Sizes and modes.
constexpr uint8_t W = 0x00, H = 0x08, B = 0x10, DW = 0x18;
constexpr uint8_t IMM = 0x00, ABS = 0x20, IND = 0x40, MEM = 0x60,
                  MEMSX = 0x80, ATOMIC = 0xc0;
/// Sources.
constexpr uint8_t K = 0x00, X = 0x08;
/// ALU operations.
constexpr uint8_t ADD = 0x00, SUB = 0x10, MUL = 0x20, DIV = 0x30, OR = 0x40,
                  AND = 0x50, LSH = 0x60, RSH = 0x70, NEG = 0x80, MOD = 0x90,
                  XOR = 0xa0, MOV = 0xb0, ARSH = 0xc0, END = 0xd0;
/// JMP operations.
constexpr uint8_t JA = 0x00, JEQ = 0x10, JGT = 0x20, JGE = 0x30, JSET = 0x40,
                  JNE = 0x50, JSGT = 0x60, JSGE = 0x70, CALL = 0x80,
                  EXIT = 0x90, JLT = 0xa0, JLE = 0xb0, JSLT = 0xc0,
                  JSLE = 0xd0, JCOND = 0xe0;
/// src_reg values with a special meaning.
constexpr uint8_t PseudoMapFd = 1, PseudoMapValue = 2, PseudoBtfId = 3,
                  PseudoFunc = 4, PseudoMapIdx = 5, PseudoMapIdxValue = 6;
constexpr uint8_t PseudoCall = 1, PseudoKfuncCall = 2;
/// The opcode of a call and of a 64-bit immediate load.
constexpr uint8_t CallCode = JMP | CALL;
constexpr uint8_t LdImm64Code = LD | IMM | DW;
/// libbpf's poisoned-instruction marker (relo_core.c bpf_core_poison_insn):
/// a call to helper 0xbad2310 ("bad relo").
constexpr int32_t PoisonHelper = 195896080;
/// bpf_tail_call (uapi enum bpf_func_id).
constexpr int32_t TailCallHelper = 12;
} // namespace bpf

inline bool isLdImm64(const BPFInsn &I) { return I.Code == bpf::LdImm64Code; }
/// The bytes a load or store accesses (its size field).
inline unsigned accessBytes(const BPFInsn &I) {
  switch (I.size()) {
  case bpf::DW:
    return 8;
  case bpf::W:
    return 4;
  case bpf::H:
    return 2;
  default:
    return 1;
  }
}
inline bool isPoisonCall(const BPFInsn &I) {
  return I.Code == bpf::CallCode && I.Src == 0 && I.Imm == bpf::PoisonHelper;
}
/// libbpf.c insn_is_subprog_call().
inline bool isSubprogCall(const BPFInsn &I) {
  return I.Code == bpf::CallCode && I.Src == bpf::PseudoCall && I.Dst == 0 &&
         I.Off == 0;
}

} // namespace btfgen

#endif // BTFGEN_BPFINSN_H
