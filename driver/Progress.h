//===- Progress.h - In-place progress line on a terminal ----------*- C++ -*-===//
//
// "[ 12/64] 3.1 kernels/s, ETA 17s" on stderr, rewritten in place with \r,
// only when stderr is a terminal (never in logs, pipes or tests). Workers
// call done() after each kernel; at most ~10 updates per second are
// printed. finish() erases the line so later messages start clean.
//
//===----------------------------------------------------------------------===//

#ifndef BTFGEN_DRIVER_PROGRESS_H
#define BTFGEN_DRIVER_PROGRESS_H

#include <chrono>
#include <cstddef>
#include <mutex>

namespace btfgen {

class Progress {
public:
  /// Enabled if Force, or if stderr is a terminal.
  Progress(size_t Total, bool Force = false);
  ~Progress() { finish(); }
  bool enabled() const { return Enabled; }
  /// One more item finished (thread-safe).
  void done();
  /// Erase the line (idempotent).
  void finish();

private:
  void print(bool Final);

  size_t Total, Done = 0;
  bool Enabled, Printed = false;
  std::chrono::steady_clock::time_point Start, Last;
  std::mutex M;
};

} // namespace btfgen

#endif // BTFGEN_DRIVER_PROGRESS_H
