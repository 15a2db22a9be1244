//===- Progress.cpp - In-place progress line on a terminal ----------------===//
//
// Rate and ETA are computed from the wall time since the start, so a
// cache-warm run (where kernels finish in milliseconds) shows a high rate
// and a short ETA at once.
//
//===----------------------------------------------------------------------===//

#include "Progress.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;

namespace btfgen {

Progress::Progress(size_t Total, bool Force)
    : Total(Total),
      Enabled(Total > 0 && (Force || sys::Process::StandardErrIsDisplayed())),
      Start(std::chrono::steady_clock::now()), Last(Start) {}

void Progress::done() {
  if (!Enabled)
    return;
  std::lock_guard<std::mutex> L(M);
  ++Done;
  auto Now = std::chrono::steady_clock::now();
  if (Done != Total && Now - Last < std::chrono::milliseconds(100))
    return;
  Last = Now;
  print(false);
}

void Progress::print(bool) {
  double Secs =
      std::chrono::duration<double>(Last - Start).count();
  double Rate = Secs > 0 ? Done / Secs : 0;
  double Eta = Rate > 0 ? (Total - Done) / Rate : 0;
  errs() << format("\r[%*zu/%zu] %.1f kernels/s, ETA %.0fs\x1b[K",
                   int(std::to_string(Total).size()), Done, Total, Rate, Eta);
  errs().flush();
  Printed = true;
}

void Progress::finish() {
  std::lock_guard<std::mutex> L(M);
  if (!Enabled || !Printed)
    return;
  errs() << "\r\x1b[K";
  errs().flush();
  Printed = false;
}

} // namespace btfgen
