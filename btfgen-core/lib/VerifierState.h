//===- VerifierState.h - What the verifier knows on one path ------*- C++ -*-===//
//
// The abstract state of VerifierPaths.cpp: registers and stack slots of
// every call frame, as the verifier tracks them (kernel/bpf/verifier.c
// struct bpf_reg_state / bpf_stack_state), reduced to what decides
// branches: constants, pointers, and for unknown scalars an interval of
// values the verifier must consider.
//
// Invariant of an Unknown value with Exact set: every value in [Lo, Hi] is
// one the verifier's own range for that register contains, so a branch
// that some value of [Lo, Hi] takes either way is explored by the verifier
// both ways. Without Exact ("fuzzy") the verifier may know more than the
// model, and branches on the value are explored but not certain.
//
//===----------------------------------------------------------------------===//

#ifndef BTFGEN_VERIFIERSTATE_H
#define BTFGEN_VERIFIERSTATE_H

#include "btfgen/BPFInsn.h"
#include "btfgen/VerifierGenerations.h"

#include "llvm/ADT/SmallVector.h"

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

namespace btfgen {
namespace verifier {

enum class VK : uint8_t {
  Uninit,   ///< NOT_INIT: never written on this path
  Const,    ///< a scalar of known value V
  Unknown,  ///< a scalar in [Lo, Hi] (or a pointer the model lost)
  Ctx,      ///< the context pointer
  Stack,    ///< a pointer into the stack of frame Frame, offset V
  MapValue, ///< a pointer into global data Section, offset V
  Ptr,      ///< another pointer that is never NULL (a map)
  FuncPtr,  ///< the address of a subprogram (callback), insn V
};

/// Value.Deps bit for "came from read-only data" (beyond the features).
constexpr uint32_t DepReadOnlyData = 1u << 31;
inline uint32_t dep(VerifierFeature F) { return 1u << unsigned(F); }

struct Value {
  VK K = VK::Uninit;
  bool Exact = false;    ///< Unknown: see the file comment
  bool OffKnown = true;  ///< pointers: V is the offset
  uint16_t Frame = 0;    ///< Stack: frame; MapValue: section (0xffff: none)
  uint32_t Id = 0;       ///< Unknown: copies share it
  uint32_t Base = 0;     ///< Unknown: derived from Id Base by +,-,&,>>
  uint32_t Deps = 0;     ///< features the knowledge of the value needs
  /// Unknown: the values are not [Lo, Hi] but the "bits" set TVal | s for
  /// every s within TMask (a masked or shifted value: x & 0x20, x << 32);
  /// with Exact, every one of them is a value the verifier considers.
  bool Tn = false;
  uint64_t TVal = 0, TMask = 0;
  uint64_t V = 0;        ///< Const: value; pointers: offset
  uint64_t Lo = 0, Hi = 0;

  static Value constant(uint64_t C, uint32_t Deps = 0) {
    Value R;
    R.K = VK::Const;
    R.V = C;
    R.Deps = Deps;
    return R;
  }
  static Value unknown(uint64_t Lo, uint64_t Hi, bool Exact, uint32_t Id) {
    Value R;
    R.K = VK::Unknown;
    R.Lo = Lo;
    R.Hi = Hi;
    R.Exact = Exact;
    R.Id = Id;
    return R;
  }
  bool isPointer() const { return K >= VK::Ctx; }
  /// The largest value of an exact unknown.
  uint64_t maxValue() const { return Tn ? (TVal | TMask) : Hi; }
  bool isScalar() const { return K == VK::Const || K == VK::Unknown; }
};

/// One 8-byte stack slot; bytes are numbered by address within the slot.
enum class ByteKind : uint8_t { Invalid, Misc, Zero, Spill, FuzzyMisc };
struct Slot {
  std::array<ByteKind, 8> Bytes{};
  Value Spill;           ///< the spilled register when some byte is Spill
  uint8_t SpillAt = 0;   ///< first byte of the spill in the slot
  uint8_t SpillSize = 0; ///< 8, or 4/2/1 for a narrow spill
};

struct Frame {
  std::array<Value, 11> Regs;
  std::vector<Slot> Stack; ///< Stack[I] covers [-8(I+1), -8I)
  uint32_t ReturnTo = 0;   ///< caller's next instruction
  uint32_t FuncStart = 0;  ///< first instruction of this function
};

struct State {
  llvm::SmallVector<Frame, 2> Frames;
  uint32_t Pc = 0;
  /// Some branch on the path may be one the verifier decides otherwise.
  bool Uncertain = false;
  /// Next fresh Id for unknown scalars.
  uint32_t NextId = 1;

  Frame &cur() { return Frames.back(); }
  Value &reg(unsigned R) { return Frames.back().Regs[R]; }
};

/// 128-bit digest of a state for the visited-state cache: ids are
/// renumbered by first appearance, so states equal up to id naming hash
/// alike. Uncertain and Pc are not included.
struct StateDigest {
  uint64_t A = 0, B = 0;
  bool operator==(const StateDigest &O) const { return A == O.A && B == O.B; }
};
StateDigest digest(const State &S);

//===-- scalar arithmetic -------------------------------------------------===//

/// The value of ALU operation Op (bpf::ADD, ...) on constants, for the
/// class (ALU64 or ALU) and the instruction's Off (signed div/mod, movsx),
/// or nullopt where the verifier does not compute a constant (division,
/// shifts by the width or more, byte swaps, ...; XOR without XorConst).
std::optional<uint64_t> foldAlu(uint8_t Op, bool Is64, int16_t Off,
                                uint64_t Dst, uint64_t Src, bool XorConst);

/// Branch outcome on constants: true when the jump is taken.
bool evalJump(uint8_t Op, bool Is64, uint64_t Dst, uint64_t Src);

/// The opcode with operands swapped (a > b  <=>  b < a).
uint8_t swapJumpOp(uint8_t Op);

/// For an exact unknown X in [Lo, Hi] and a constant C: which outcomes of
/// "X Op C" some value of [Lo, Hi] gives, and an exact sub-interval of the
/// values that take each outcome (nullopt: none, or not expressible).
struct JumpSplit {
  bool TakenPossible = false, FallPossible = false;
  std::optional<std::pair<uint64_t, uint64_t>> Taken, Fall;
};
JumpSplit splitJump(uint8_t Op, bool Is64, uint64_t Lo, uint64_t Hi,
                    uint64_t C);
/// The same for a "bits" set (Value::Tn): which outcomes some member
/// gives (exact for unsigned conditions, witnesses for signed ones); the
/// members of an outcome are an interval only for equality.
JumpSplit splitJumpBits(uint8_t Op, bool Is64, uint64_t TVal, uint64_t TMask,
                        uint64_t C);

/// Turn a "bits" set that is an interval into one ([8, 15] for 8 | 0x7).
void normalizeBits(Value &V);

} // namespace verifier
} // namespace btfgen

#endif // BTFGEN_VERIFIERSTATE_H
