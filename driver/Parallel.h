//===- Parallel.h - Parallel map over a sorted job list -----------*- C++ -*-===//
//
// The only place that knows how the driver runs work in parallel. Callers
// pre-sort their jobs, give each job a result slot, and let Fn(I) write only
// Results[I]; diagnostics go into the slot too and are printed afterwards in
// job order. Output therefore never depends on scheduling or on -j.
//
//===----------------------------------------------------------------------===//

#ifndef BTFGEN_DRIVER_PARALLEL_H
#define BTFGEN_DRIVER_PARALLEL_H

#include "llvm/ADT/STLFunctionalExtras.h"

#include <cstddef>

namespace btfgen {

/// Number of worker threads for "-j" when the user gives none: the
/// hardware threads available to this process (at least 1).
unsigned defaultJobs();

/// Run Fn(0) .. Fn(N-1) on up to Jobs threads (Jobs == 1: in the calling
/// thread, in order). Returns when all calls have returned. Fn must be safe
/// to call concurrently for different indices.
void parallelForEachIndex(size_t N, unsigned Jobs,
                          llvm::function_ref<void(size_t)> Fn);

} // namespace btfgen

#endif // BTFGEN_DRIVER_PARALLEL_H
