//===- VerifierPaths.h - The paths the kernel's verifier explores -*- C++ -*-===//
//
// Which instructions of a relocated program can the kernel's verifier
// reach? The verifier walks every path from the entry, path by path, and
// decides a conditional jump whose outcome it knows from the values it
// tracks: that branch alone is explored, the other is dead code the
// verifier never judges. A poisoned instruction on a dead branch is
// harmless; one on an explored path fails the load.
//
// explorePaths() replays that walk with a model of what the verifier knows,
// for one set of assumed verifier features (VerifierGenerations.h):
//
//  - per register and per stack slot: known constants (relocated
//    immediates, moves, ALU on constants in 64 and 32 bits, spills and
//    fills), pointers to the stack of each call frame, to maps, to the
//    context, to read-only data;
//  - unknown scalars carry an interval of values the verifier must consider
//    (a load of N bytes: [0, 2^8N - 1]), narrowed on each branch, so that
//    a branch the verifier cannot decide is known to be explored;
//  - conditional jumps of both classes with every condition code, decided
//    on constants; bpf-to-bpf calls in the caller's context, global
//    functions apart, callbacks, tail calls, may_goto, exit;
//  - states are cached per instruction: an equal state is not explored
//    twice, so loops with constant counters end; a budget of instructions
//    bounds the walk.
//
// The model knows less than the verifier where unsure: a branch it decides
// is one every verifier with the assumed features decides. A reached
// poison is "certain" when every branch on its path is one the verifier
// cannot decide either.
//
//===----------------------------------------------------------------------===//

#ifndef BTFGEN_VERIFIERPATHS_H
#define BTFGEN_VERIFIERPATHS_H

#include "btfgen/BPFObject.h"
#include "btfgen/VerifierGenerations.h"

#include "llvm/ADT/ArrayRef.h"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace btfgen {

struct PathOptions {
  /// Per VerifierFeature: whether this walk assumes the verifier has it.
  std::array<bool, NumVerifierFeatures> Assume{};
  /// Instructions the walk may process, like the verifier's complexity
  /// limit (1M since 5.2).
  uint64_t Budget = 1000000;
  /// Distinct states per instruction before the values that keep changing
  /// there are forgotten (a loop without a constant bound).
  unsigned WidenAfter = 256;
  /// Whether a path ends at a poisoned instruction, as in the verifier.
  /// Off, the walk goes on past it (as past a helper call), to tell the
  /// poisons no path reaches from those only reached through another.
  bool StopAtPoison = true;
};

/// A poisoned instruction the walk reached.
struct PoisonReach {
  uint32_t Insn = 0;
  /// Reached on a path whose every branch the verifier cannot decide.
  bool Certain = false;
};

struct PathResult {
  std::vector<PoisonReach> Poisons; ///< in the order first reached
  uint64_t Steps = 0;               ///< instructions processed
  bool BudgetExceeded = false;
  /// Loop values were forgotten somewhere (PathOptions::WidenAfter).
  bool Widened = false;
  /// Some path stopped at a construct the walk cannot follow (recursion,
  /// a jump out of the program, ...): what lies behind it is unexplored.
  bool Incomplete = false;
  /// Constructs the model approximated or could not follow, e.g. "unknown
  /// opcode 0x8d at insn 12"; sorted, unique.
  std::vector<std::string> Unsupported;
  /// Per VerifierFeature: a pruned branch relied on it.
  std::array<bool, NumVerifierFeatures> Used{};
  /// A pruned branch relied on a value of read-only data (.rodata), which
  /// user space may change before loading.
  bool UsedReadOnlyData = false;
};

/// Walk program P of Obj, whose instructions after CO-RE patching are
/// Insns (same length and layout as P.Insns).
PathResult explorePaths(const BPFObject &Obj, const BPFProgram &P,
                        llvm::ArrayRef<BPFInsn> Insns,
                        const PathOptions &Opts);

/// Whether the program type of section Sec gives BTF-typed context
/// arguments (tp_btf, fentry, fexit, fmod_ret, lsm, iter, struct_ops):
/// loads from its context can be pointers the verifier knows non-NULL.
bool hasTypedContext(llvm::StringRef Sec);

} // namespace btfgen

#endif // BTFGEN_VERIFIERPATHS_H
