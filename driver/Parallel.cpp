//===- Parallel.cpp - Parallel map over a sorted job list -----------------===//
//
// std::thread workers pulling indices from an atomic counter: jobs differ a
// lot in cost (27 MiB CentOS BTF next to 2 MiB ones), so dynamic
// assignment keeps all threads busy without a task queue.
//
//===----------------------------------------------------------------------===//

#include "Parallel.h"

#include "llvm/Support/Threading.h"

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

namespace btfgen {

unsigned defaultJobs() {
  unsigned N = llvm::heavyweight_hardware_concurrency().compute_thread_count();
  return std::max(1u, N);
}

void parallelForEachIndex(size_t N, unsigned Jobs,
                          llvm::function_ref<void(size_t)> Fn) {
  size_t Threads = std::min<size_t>(std::max(1u, Jobs), N);
  if (Threads <= 1) {
    for (size_t I = 0; I < N; ++I)
      Fn(I);
    return;
  }
  std::atomic<size_t> Next{0};
  auto Worker = [&] {
    for (size_t I = Next++; I < N; I = Next++)
      Fn(I);
  };
  std::vector<std::thread> Pool;
  Pool.reserve(Threads - 1);
  for (size_t T = 1; T < Threads; ++T)
    Pool.emplace_back(Worker);
  Worker();
  for (std::thread &Th : Pool)
    Th.join();
}

} // namespace btfgen
