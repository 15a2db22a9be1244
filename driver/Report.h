//===- Report.h - JSON report, JSON index and the stderr summary --*- C++ -*-===//
//
// What an archive run tells its users besides the output tree:
//
//   --report FILE  every kernel with its output, dedup target and the
//                  outcome of every relocation (docs/report.md);
//   --index FILE   (distro, version, arch, release) -> regular output file,
//                  for consumers that cannot follow symlinks
//                  (docs/runtime.md, "JSON index");
//   stderr         a few lines: how many kernels are fully supported and
//                  which relocations fail where (grouped, top few).
//
// All three are pure functions of the sorted job list and the result slots,
// so they do not depend on -j or on the cache.
//
//===----------------------------------------------------------------------===//

#ifndef BTFGEN_DRIVER_REPORT_H
#define BTFGEN_DRIVER_REPORT_H

#include "Archive.h"
#include "Inputs.h"
#include "DedupTree.h"
#include "KernelPipeline.h"
#include "Verdicts.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/raw_ostream.h"

#include <optional>
#include <string>
#include <vector>

namespace btfgen {

/// Everything the writers need: the jobs and their slots, what the tree
/// writer wrote (DedupTree.h: per kernel its file and dedup leader; the
/// index rows, aliases included) and the archive's aliases.
struct RunSummary {
  llvm::ArrayRef<KernelJob> Jobs;
  llvm::ArrayRef<KernelSlot> Slots;
  const TreeWrite &Written;
  llvm::ArrayRef<ArchiveAlias> Aliases;
  llvm::ArrayRef<Program> Programs;
  std::string OutDir;
};

void writeReportJSON(const RunSummary &S, llvm::raw_ostream &OS);
/// The index of docs/runtime.md: S.Written.Rows (sorted by (distro,
/// version, arch, release), aliases included); "file" is FilePrefix + the
/// regular file's output path (FilePrefix turns output-relative paths into
/// index-file-relative ones).
void writeIndexJSON(const RunSummary &S, llvm::StringRef FilePrefix,
                    llvm::raw_ostream &OS);

/// The verdicts of a run, per (input, program), over the successful
/// kernels: where each fails or is unknown, and where it trips --fail-on.
struct VerdictTally {
  struct Row {
    uint32_t Input;
    std::string Program;
    /// (kernel index, verdict) where it fails / is unknown, job order.
    std::vector<std::pair<size_t, const VerdictRecord *>> Fails, Unknown;
    std::vector<size_t> Trips; ///< kernels where it trips the level
  };
  std::vector<Row> Rows; ///< first-seen order (inputs, then libbpf's order)
  size_t Kernels = 0;    ///< successful kernels
};
VerdictTally tallyVerdicts(const RunSummary &S, FailOn Level);

/// The summary's lead: "N of M programs load on all K kernels", then per
/// failing (else unknown) program where, with the first reason.
void printVerdictSummary(const RunSummary &S, const VerdictTally &T,
                         llvm::raw_ostream &OS, unsigned TopPrograms = 10);

/// True if no relocation of a kernel is Poisoned or Error.
bool fullySupported(const TargetResult &R);

/// The human summary: supported count and the top failing relocation
/// groups.
void printSupportSummary(const RunSummary &S, llvm::raw_ostream &OS,
                         unsigned TopGroups = 5);

} // namespace btfgen

#endif // BTFGEN_DRIVER_REPORT_H
