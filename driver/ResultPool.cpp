//===- ResultPool.cpp - Identical kernel results kept once ----------------===//
//
// The key covers every field of a TargetResult: the cache's result payload
// (bytes, kept types, records, verdicts), then what that payload leaves to
// be recounted (counters, load error messages, which name the kernel) and
// the shrink fallback note.
//
//===----------------------------------------------------------------------===//

#include "ResultPool.h"

namespace btfgen {

namespace {

CacheKey contentKey(const TargetResult &R) {
  KeyBuilder B;
  B.add("btfgen-result").add(resultPayload(R));
  for (unsigned N : {R.Resolved, R.NotFound, R.Poisoned, R.LoadErrors})
    B.add(std::to_string(N));
  for (const std::string &M : R.LoadErrorMessages)
    B.add(M);
  return B.add(R.ShrinkFallback).final();
}

} // namespace

std::shared_ptr<const TargetResult> ResultPool::intern(TargetResult R) {
  CacheKey Key = contentKey(R);
  std::lock_guard<std::mutex> Lock(M);
  auto [It, New] = Pool.try_emplace(Key);
  if (New)
    It->second = std::make_shared<const TargetResult>(std::move(R));
  return It->second;
}

size_t ResultPool::size() const {
  std::lock_guard<std::mutex> Lock(M);
  return Pool.size();
}

const std::shared_ptr<const TargetResult> &ResultPool::empty() {
  static const std::shared_ptr<const TargetResult> None =
      std::make_shared<const TargetResult>();
  return None;
}

} // namespace btfgen
