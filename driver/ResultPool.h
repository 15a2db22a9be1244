//===- ResultPool.h - Identical kernel results kept once ----------*- C++ -*-===//
//
// A run holds every kernel's result (minimized bytes, one record per
// relocation, the load verdicts) until it writes the tree and the report.
// Kernels that resolve alike give identical results: on a BTFHub arch
// most kernels of one distro line share their output file, and their
// records and verdicts too. The pool keeps each distinct result once, so
// what a run holds grows with the number of distinct results, not of
// kernels (docs/benchmarks.md, "Scale").
//
//===----------------------------------------------------------------------===//

#ifndef BTFGEN_DRIVER_RESULTPOOL_H
#define BTFGEN_DRIVER_RESULTPOOL_H

#include "Cache.h"
#include "TargetResult.h"

#include <map>
#include <memory>
#include <mutex>

namespace btfgen {

class ResultPool {
public:
  /// R itself, or an identical result interned before (compared by the
  /// BLAKE3 of everything it holds). Thread-safe.
  std::shared_ptr<const TargetResult> intern(TargetResult R);
  /// How many distinct results the pool holds.
  size_t size() const;
  /// The result of a kernel that has none (failed): empty, shared.
  static const std::shared_ptr<const TargetResult> &empty();

private:
  mutable std::mutex M;
  std::map<CacheKey, std::shared_ptr<const TargetResult>> Pool;
};

} // namespace btfgen

#endif // BTFGEN_DRIVER_RESULTPOOL_H
