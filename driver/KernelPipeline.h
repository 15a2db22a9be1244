//===- KernelPipeline.h - Tailor one kernel for every program -----*- C++ -*-===//
//
// What an archive run does for each kernel, on a worker thread:
//
//   read the file -> output cache? -> raw BTF (kernel cache, or the tarball
//   decoded in memory) -> readBTF + name index -> match every relocation of
//   every program, minimize (minimizeTarget) -> [--verify] -> cache the result
//
// Everything a kernel produces goes into its own KernelSlot (bytes, records,
// error, -v notes); nothing is printed or written here, so the caller can
// report and write in job order whatever thread ran which kernel.
//
//===----------------------------------------------------------------------===//

#ifndef BTFGEN_DRIVER_KERNELPIPELINE_H
#define BTFGEN_DRIVER_KERNELPIPELINE_H

#include "Archive.h"
#include "Cache.h"
#include "Inputs.h"
#include "ResultPool.h"
#include "TargetResult.h"
#include "Verdicts.h"

#include "btfgen/TypeTable.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace btfgen {

/// Result slot of one kernel, written only by the worker that ran it.
struct KernelSlot {
  bool OK = false;
  /// Shared by every kernel with an identical result (ResultPool.h); empty
  /// when !OK.
  std::shared_ptr<const TargetResult> Result = ResultPool::empty();
  std::string Error; // why it failed (when !OK)
  /// -v notes (cache hits, corrupt cache entries), printed in job order.
  std::vector<std::string> Notes;
  bool KernelCacheHit = false, OutputCacheHit = false;
  /// Tailored on the kernel's cached basis (KernelBasis.h).
  bool BasisHit = false;
};

/// CPU-side wall time per stage, summed over all workers (-v).
class StageTimes {
public:
  enum Stage { Read, Hash, CacheRead, Decode, CacheWrite, Parse, Match, Count };
  void add(Stage S, uint64_t Ns) { Ns_[S] += Ns; }
  /// " read 0.012 hash 0.003 ..." in stage order.
  void print(llvm::raw_ostream &OS) const;

private:
  std::atomic<uint64_t> Ns_[Count] = {};
};

/// When a decoded kernel's view goes into the kernel cache (--cache-views;
/// auto picks one of these per run, CmdRun.cpp resolveViews).
/// Always: every decoded kernel's, so that a later run whose programs read
/// more than the kernel's basis holds reads the view instead of the tarball.
/// OnDemand: only a kernel whose cached basis fell short of what a run
/// read: a cold run stores bases and results alone (about 1/20 of the
/// cache's bytes, docs/benchmarks.md), and the first run that reads past a
/// kernel's basis decodes its tarball again, then stores its view.
enum class ViewPolicy { Always, OnDemand };

std::optional<ViewPolicy> parseViewPolicy(llvm::StringRef S);

/// What every worker shares (read-only, except the stage clocks).
struct PipelineContext {
  llvm::ArrayRef<Program> Programs;
  const Cache &C;
  /// Identifies the program set (and options) in output-cache keys.
  CacheKey ProgramKey;
  bool Verify;
  bool Shrink;
  ViewPolicy Views;
  StageTimes &Times;
  /// Verdicts shared across kernels (may be null: every kernel walks).
  VerdictMemo *Memo = nullptr;
  /// Where finished results are kept, each distinct one once.
  ResultPool *Results = nullptr;
};

/// Tailor kernel Job for Ctx.Programs into Slot.
void processKernel(const KernelJob &Job, const PipelineContext &Ctx,
                   KernelSlot &Slot);

/// Run every relocation of every program against Target (its name index
/// must be built) and minimize. TargetName names Target in errors. With
/// Verify, the minimized bytes are read back and every relocation is
/// matched again; any difference from the full-BTF result is an error.
/// Shrink selects MinimizeOptions::Shrink (off: bpftool's output shape).
/// With Verdicts (the kernel's verifier), every program of every input is
/// judged (Verdicts.h).
llvm::Expected<TargetResult>
minimizeTarget(const TypeTable &Target, llvm::ArrayRef<Program> Programs,
               llvm::StringRef TargetName, bool Verify = false,
               bool Shrink = true, const VerdictOptions *Verdicts = nullptr,
               VerdictMemo *Memo = nullptr);

} // namespace btfgen

#endif // BTFGEN_DRIVER_KERNELPIPELINE_H
