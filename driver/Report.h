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

/// True if no relocation of a kernel is Poisoned or Error.
bool fullySupported(const TargetResult &R);

/// The human summary: supported count and the top failing relocation
/// groups.
void printSupportSummary(const RunSummary &S, llvm::raw_ostream &OS,
                         unsigned TopGroups = 5);

} // namespace btfgen

#endif // BTFGEN_DRIVER_REPORT_H
