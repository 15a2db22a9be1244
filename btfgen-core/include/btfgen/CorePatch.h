//===- CorePatch.h - Apply a CO-RE result to its instruction ------*- C++ -*-===//
//
// libbpf 1.1.2 relo_core.c bpf_core_patch_insn(): once a relocation's value
// is known, libbpf rewrites the instruction that carries it: the immediate
// of an ALU instruction, the offset (and maybe the size) of a load or
// store, the 64-bit immediate of an ld_imm64. A relocation without a
// target, or a load/store whose size cannot be adjusted safely, is
// *poisoned* instead: the instruction becomes a call of the invalid helper
// 0xbad2310 (both halves of an ld_imm64), which the verifier rejects only
// if it can reach it. An instruction that does not fit the relocation is a
// hard error that stops the whole load.
//
//===----------------------------------------------------------------------===//

#ifndef BTFGEN_COREPATCH_H
#define BTFGEN_COREPATCH_H

#include "btfgen/BPFInsn.h"
#include "btfgen/CoreMatch.h"

#include "llvm/ADT/ArrayRef.h"

#include <string>

namespace btfgen {

enum class PatchOutcome {
  Patched,  ///< the value was written (or was already right)
  Poisoned, ///< the instruction now calls helper 0xbad2310
  Failed,   ///< libbpf fails the load ("failed to patch insn")
};

struct CorePatchResult {
  PatchOutcome Outcome = PatchOutcome::Patched;
  /// Failed: libbpf's warning; Poisoned: why ("no matching target", "the
  /// load/store size cannot be adjusted"); Patched: empty.
  std::string Message;
};

/// Patch Insns[Idx] (and Insns[Idx + 1] of an ld_imm64) with Res, a
/// relocation result that is not RelocOutcome::Error, exactly as
/// bpf_core_patch_insn() does.
CorePatchResult patchCoreInsn(llvm::MutableArrayRef<BPFInsn> Insns,
                              uint32_t Idx, const CoreResult &Res);

} // namespace btfgen

#endif // BTFGEN_COREPATCH_H
