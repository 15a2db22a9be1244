//===- Verdicts.h - Per program, per kernel: does it load? --------*- C++ -*-===//
//
// The driver's side of load verdicts (docs/verdicts.md): for every input
// and every BPF program in it (named as libbpf names it), on one kernel,
// the core's verdict (LoadVerdict.h) reduced to what the report, the
// summary, the cache and --fail-on need. Object inputs are judged from
// their instructions, version 2 manifests from the code the plugin
// recorded (the same instructions); a manifest without code says
// `unknown`.
//
//===----------------------------------------------------------------------===//

#ifndef BTFGEN_DRIVER_VERDICTS_H
#define BTFGEN_DRIVER_VERDICTS_H

#include "Inputs.h"

#include "btfgen/CoreMatch.h"
#include "btfgen/LoadVerdict.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace btfgen {

class Cache;

/// A poisoned instruction, as the report shows it.
struct PoisonRecord {
  /// libbpf's spec text: "<byte_off> [360] struct pt_regs.di (0:14 @
  /// offset 112)".
  std::string Spec;
  std::string Function, File;
  uint32_t Line = 0, Column = 0;
};

/// One program's verdict on one kernel.
struct VerdictRecord {
  uint32_t Input = 0;  ///< index of the program input (command line order)
  std::string Program; ///< libbpf's program name
  VerdictKind Kind = VerdictKind::Unknown;
  /// libbpf refuses the relocations (ambiguity, ...): the whole object,
  /// not just this program, fails to load on this kernel.
  bool HardError = false;
  /// Why it fails (the first reason is libbpf's first error, or the first
  /// reachable poison with its field path and source line), or why the
  /// verdict is unknown; remarks for `loads`.
  std::vector<std::string> Reasons;
  std::vector<PoisonRecord> Reachable; ///< poisons the verifier reaches
  std::vector<PoisonRecord> Guarded;   ///< poisons on dead branches
};

/// The verdicts of every program of input P (index Input) on a kernel
/// whose verifier is described by Opts, from libbpf's result for each of
/// P's unique relocations.
std::vector<VerdictRecord> judgeInput(const Program &P, uint32_t Input,
                                      llvm::ArrayRef<CoreResult> Results,
                                      const VerdictOptions &Opts);

/// judgeInput() once per distinct question. A verdict depends on the
/// input, the kernel's verifier (VerdictOptions) and, per relocation, the
/// fields of libbpf's result that patching and the verdict read (outcome,
/// message, original and new value and size, poison, validate, fail-memsz:
/// LoadVerdict.cpp, CorePatch.cpp); not on type ids or names of the kernel.
/// Kernels whose relocations resolve alike, most of an archive, share one
/// verifier walk. With a cache, answers also outlive the run (Cache.h,
/// "vrd"), keyed by the tool's identity, the input's bytes and the
/// question: a rerun with a changed program set walks only for the inputs
/// it has not judged before. The answers are equal to judgeInput's by
/// construction; the memo is looked up, never iterated, and safe to use
/// from every worker.
class VerdictMemo {
public:
  /// Disk, if not null and enabled, is consulted after the run's own memo
  /// and receives every new answer.
  explicit VerdictMemo(const Cache *Disk = nullptr) : Disk(Disk) {}
  std::vector<VerdictRecord> judge(const Program &P, uint32_t Input,
                                   llvm::ArrayRef<CoreResult> Results,
                                   const VerdictOptions &Opts);
  /// Walks skipped because an equal question was answered before.
  uint64_t hits() const;
  /// Of those, answers read from the cache.
  uint64_t diskHits() const;
  /// Cache entries found corrupt (replaced) and cache writes that failed,
  /// in the order met: for notes.
  std::vector<std::string> problems() const;

private:
  const Cache *Disk;
  mutable std::mutex Mu;
  std::map<std::array<uint8_t, 32>, std::vector<VerdictRecord>> Done;
  uint64_t Hits = 0, DiskHits = 0;
  std::vector<std::string> Problems;
};

/// When a run's exit status is 1 because of verdicts (--fail-on).
enum class FailOn { Never, Error, Unloadable, Unknown };
std::optional<FailOn> parseFailOn(llvm::StringRef S);
const char *failOnName(FailOn F);

/// Does verdict V trip the --fail-on level F? Error: a libbpf hard error
/// (the object cannot load); Unloadable: any `fails`; Unknown: `fails` or
/// `unknown`.
bool tripsFailOn(const VerdictRecord &V, FailOn F);

/// "pt_regs.di" and the rest of libbpf's spec text's field path, for
/// one-line summaries: from "<byte_off> [360] struct pt_regs.di (0:14 @
/// offset 112)" to "struct pt_regs.di".
std::string specPath(llvm::StringRef Spec);

} // namespace btfgen

#endif // BTFGEN_DRIVER_VERDICTS_H
