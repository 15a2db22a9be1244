//===- LoadVerdict.h - Will this program load on that kernel? -----*- C++ -*-===//
//
// Per BPF program and per kernel: does CO-RE let it load, and if not,
// where does it fail? Given the program as libbpf links it (BPFObject.h)
// and, per unique relocation, libbpf's result on the kernel (CoreMatch.h),
// the engine
//
//  1. collects libbpf's hard errors among the relocations libbpf applies
//     when the program is loaded (the program's own and every subprogram's);
//  2. patches the instructions exactly as libbpf does (CorePatch.h), which
//     poisons the ones whose relocation has no target;
//  3. walks the paths the kernel's verifier explores (VerifierPaths.h), for
//     what that kernel's verifier is known to prune (VerifierGenerations.h):
//     once assuming every uncertain feature absent, once present;
//  4. concludes:
//       loads    no hard error, and no poisoned instruction is reachable
//                even by the least capable verifier the kernel may have;
//       fails    a hard error, or a poison reached on a path every verifier
//                the kernel may have explores;
//       unknown  anything in between (a feature of uncertain presence, a
//                branch the verifier may decide from values the model does
//                not track, the work budget, a construct it cannot follow).
//
// "loads" speaks of CO-RE only: a program can still fail for other
// reasons (a missing helper or attach target, program type, map limits).
// A verdict is for the program loaded alone, as verifier-referee loads it;
// loading the whole object fails if any program's relocations fail.
//
//===----------------------------------------------------------------------===//

#ifndef BTFGEN_LOADVERDICT_H
#define BTFGEN_LOADVERDICT_H

#include "btfgen/BPFObject.h"
#include "btfgen/CoreMatch.h"
#include "btfgen/VerifierGenerations.h"

#include "llvm/ADT/ArrayRef.h"

#include <cstdint>
#include <string>
#include <vector>

namespace btfgen {

enum class VerdictKind { Loads, Fails, Unknown };
const char *verdictKindName(VerdictKind K); // "loads", "fails", "unknown"

/// A poisoned instruction of a program.
struct PoisonSite {
  uint32_t Insn = 0;        ///< index in the linked program (the verifier's)
  uint32_t Reloc = 0;       ///< unique relocation (BPFObject::M.Relocs)
  uint32_t RecordIndex = 0; ///< libbpf's "relo #N"
  /// libbpf's bpf_core_format_spec() of the local spec, as its verifier
  /// log fix-up prints it: "<byte_off> [360] struct pt_regs.di (0:14 @
  /// offset 112)".
  std::string Spec;
  std::string Why;          ///< why libbpf poisoned it
  std::string Function;     ///< the function holding the instruction
  std::string File;         ///< source place from .BTF.ext line info
  uint32_t Line = 0, Column = 0;
};

/// A libbpf error that stops the load before the verifier runs.
struct LoadError {
  uint32_t Reloc = 0;
  uint32_t RecordIndex = 0;
  std::string Function; ///< libbpf names the (sub)program in its message
  std::string Message;  ///< "failed to relocate: <reason>" or a patch error
};

struct ProgramVerdict {
  std::string Program;
  std::string Section;
  VerdictKind Kind = VerdictKind::Unknown;
  /// libbpf's errors, in the order libbpf meets them (the first is the one
  /// it reports).
  std::vector<LoadError> Errors;
  /// Poisons the verifier surely reaches, in the order it meets them.
  std::vector<PoisonSite> Reachable;
  /// Poisons no verifier the kernel may have can reach (guarded).
  std::vector<PoisonSite> Guarded;
  /// Poisons reached only through another poison: the verifier stops at
  /// the first one, so these are not reached but not guarded either.
  std::vector<PoisonSite> Shadowed;
  /// Poisons in between: reachable unless the verifier prunes more than
  /// the model proves.
  std::vector<PoisonSite> Undecided;
  /// Why the verdict is unknown, and remarks on the others.
  std::vector<std::string> Reasons;
  /// Verifier features a pruned branch of the "loads" proof relies on.
  std::vector<VerifierFeature> ReliesOn;
  /// The proof relies on a .rodata value, which user space may change
  /// before loading (the verdict holds for the object's initial values).
  bool DependsOnReadOnlyData = false;
  uint64_t Steps = 0; ///< instructions the walks processed
};

struct VerdictOptions {
  /// What the kernel's verifier prunes (verifierCapsFor).
  VerifierCaps Caps = uniformCaps(Support::Yes);
  /// Instructions one walk may process.
  uint64_t Budget = 1000000;
};

/// The verdict for program P of Obj on one kernel. Results[I] is libbpf's
/// result for Obj.M.Relocs[I] on that kernel (CoreLoadSession::calc, or
/// CoreMatcher::calc), so Results.size() == Obj.M.Relocs.size().
ProgramVerdict judgeProgram(const BPFObject &Obj, const BPFProgram &P,
                            llvm::ArrayRef<CoreResult> Results,
                            const VerdictOptions &Opts);

/// libbpf's bpf_core_format_spec() of a local spec built on Local (its
/// CoreResult::LocalSpec). ShownRoot, when not 0, is the root's ID as the
/// object numbers it (BPFObject::objectRootId), printed instead of Local's.
std::string formatCoreSpec(const TypeTable &Local, const CoreSpec &Spec,
                           TypeId ShownRoot = 0);

} // namespace btfgen

#endif // BTFGEN_LOADVERDICT_H
