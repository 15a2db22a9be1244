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
#include "KernelPipeline.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/raw_ostream.h"

#include <optional>
#include <string>
#include <vector>

namespace btfgen {

/// Everything the writers need. Leader[I] is the index of kernel I's dedup
/// leader when I is a symlink, else std::nullopt.
struct RunSummary {
  llvm::ArrayRef<KernelJob> Jobs;
  llvm::ArrayRef<KernelSlot> Slots;
  llvm::ArrayRef<std::optional<size_t>> Leader;
  llvm::ArrayRef<Program> Programs;
  std::string OutDir;
};

void writeReportJSON(const RunSummary &S, llvm::raw_ostream &OS);
/// The index of docs/runtime.md: rows sorted by (distro, version, arch,
/// release); "file" is FilePrefix + the leader's output path (FilePrefix
/// turns output-relative paths into index-file-relative ones). Kernels
/// whose path is not <distro>/<version>/<arch>/<release> are left out.
void writeIndexJSON(const RunSummary &S, llvm::StringRef FilePrefix,
                    llvm::raw_ostream &OS);
/// Paths of successful kernels that writeIndexJSON leaves out.
std::vector<std::string> unindexedKernels(const RunSummary &S);

/// True if no relocation of a kernel is Poisoned or Error.
bool fullySupported(const TargetResult &R);

/// The human summary: supported count and the top failing relocation
/// groups.
void printSupportSummary(const RunSummary &S, llvm::raw_ostream &OS,
                         unsigned TopGroups = 5);

} // namespace btfgen

#endif // BTFGEN_DRIVER_REPORT_H
