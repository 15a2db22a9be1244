//===- TempFiles.cpp - Temporaries and their cleanup ----------------------===//
//
// The registry of in-flight temporaries, the signal pipe and its watcher
// thread, and the stale-temporary sweep described in TempFiles.h.
//
//===----------------------------------------------------------------------===//

#include "TempFiles.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/raw_ostream.h"

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <thread>
#include <vector>

#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace llvm;

namespace btfgen {

namespace {

std::error_code lastError() { return {errno, std::generic_category()}; }

//===-- Registry of in-flight temporaries --------------------------------===//

struct Registered {
  int DirFd;
  std::string Name;
};

/// Never destroyed: the watcher thread may use them while the main thread
/// runs static destructors in exit().
std::mutex &registryMutex() {
  static std::mutex *M = new std::mutex;
  return *M;
}
std::vector<Registered> &registry() {
  static std::vector<Registered> *R = new std::vector<Registered>;
  return *R;
}

/// Caller holds registryMutex().
void unregisterLocked(int DirFd, StringRef Tmp) {
  std::vector<Registered> &R = registry();
  for (size_t I = R.size(); I-- > 0;)
    if (R[I].DirFd == DirFd && R[I].Name == Tmp) {
      R.erase(R.begin() + I);
      return;
    }
}

/// BTFGEN_TEST_SLOW_WRITES_MS (test hook, see TempFiles.h).
void testDelayBeforeRename() {
  static const unsigned Ms = [] {
    const char *V = std::getenv("BTFGEN_TEST_SLOW_WRITES_MS");
    unsigned N = 0;
    if (!V || StringRef(V).getAsInteger(10, N) || N > 10000)
      return 0u;
    return N;
  }();
  if (Ms)
    std::this_thread::sleep_for(std::chrono::milliseconds(Ms));
}

std::string tempName(StringRef Name) {
  SmallString<16> Rand;
  raw_svector_ostream OS(Rand);
  OS << format_hex_no_prefix(sys::Process::GetRandomNumber() & 0xffffffffu, 8,
                             /*Upper=*/false);
  return ("." + Name + ".tmp-" + Twine(::getpid()) + "-" + Rand).str();
}

/// If Name is ".<file>.tmp-<pid>-XXXXXXXX" (X lowercase hex), set File and
/// Pid.
bool parseTempName(StringRef Name, StringRef &File, pid_t &Pid) {
  if (!Name.consume_front("."))
    return false;
  size_t Tmp = Name.rfind(".tmp-");
  if (Tmp == StringRef::npos || Tmp == 0)
    return false;
  File = Name.take_front(Tmp);
  StringRef Rest = Name.drop_front(Tmp + 5);
  auto [PidStr, Rand] = Rest.split('-');
  if (Rand.size() != 8 || !llvm::all_of(Rand, [](char C) {
        return (C >= '0' && C <= '9') || (C >= 'a' && C <= 'f');
      }))
    return false;
  unsigned long long P;
  if (PidStr.getAsInteger(10, P) || P == 0 || P > (1ull << 31))
    return false;
  Pid = pid_t(P);
  return true;
}

//===-- Signals ----------------------------------------------------------===//

int SignalPipe[2] = {-1, -1};
const char *InterruptTool = "btfgen-driver";

extern "C" void onInterruptSignal(int Sig) {
  // Async-signal-safe: one write(2), errno preserved. A full pipe means a
  // signal is already pending for the watcher.
  int SavedErrno = errno;
  unsigned char B = (unsigned char)Sig;
  ssize_t R = ::write(SignalPipe[1], &B, 1);
  (void)R;
  errno = SavedErrno;
}

const char *signalName(int Sig) {
  switch (Sig) {
  case SIGINT:
    return "SIGINT";
  case SIGTERM:
    return "SIGTERM";
  case SIGHUP:
    return "SIGHUP";
  default:
    return "a signal";
  }
}

void writeAll(int FD, StringRef Msg) {
  for (size_t Off = 0; Off < Msg.size();) {
    ssize_t W = ::write(FD, Msg.data() + Off, Msg.size() - Off);
    if (W <= 0 && errno != EINTR)
      break;
    if (W > 0)
      Off += W;
  }
}

/// Watcher thread: ordinary thread context, so locks and allocation are
/// fine here.
void *interruptWatcher(void *) {
  unsigned char B;
  for (;;) {
    ssize_t N = ::read(SignalPipe[0], &B, 1);
    if (N == 1)
      break;
    if (N < 0 && errno == EINTR)
      continue;
    return nullptr; // pipe closed: nothing to watch
  }
  int Sig = B;
  // Taken for good: no temporary can be created or renamed from now on.
  registryMutex().lock();
  unsigned Removed = 0;
  for (const Registered &R : registry())
    Removed += ::unlinkat(R.DirFd, R.Name.c_str(), 0) == 0;
  std::string Msg;
  if (::isatty(2))
    Msg += "\r\x1b[K"; // over a progress line
  Msg += InterruptTool;
  Msg += ": interrupted by ";
  Msg += signalName(Sig);
  Msg += "; removed " + std::to_string(Removed) +
         " temporary file(s); outputs already in place are complete, "
         "rerun to finish\n";
  writeAll(2, Msg);
  // Die of the same signal (see TempFiles.h).
  struct sigaction SA;
  std::memset(&SA, 0, sizeof(SA));
  SA.sa_handler = SIG_DFL;
  sigemptyset(&SA.sa_mask);
  ::sigaction(Sig, &SA, nullptr);
  sigset_t Set;
  sigemptyset(&Set);
  sigaddset(&Set, Sig);
  ::pthread_sigmask(SIG_UNBLOCK, &Set, nullptr);
  ::raise(Sig);
  ::_exit(128 + Sig);
}

} // namespace

void installInterruptHandler(StringRef Tool) {
  static std::atomic<bool> Installed{false};
  if (Installed.exchange(true))
    return;
  static std::string ToolStr = Tool.str();
  InterruptTool = ToolStr.c_str();
  if (::pipe(SignalPipe) != 0)
    return;
  for (int FD : SignalPipe)
    ::fcntl(FD, F_SETFD, FD_CLOEXEC);
  ::fcntl(SignalPipe[1], F_SETFL, O_NONBLOCK);
  pthread_t T;
  // The watcher must not take the signals itself before it is ready: it
  // only reads the pipe, so any thread may run the handler.
  if (::pthread_create(&T, nullptr, interruptWatcher, nullptr) != 0)
    return;
  ::pthread_detach(T);
  struct sigaction SA;
  std::memset(&SA, 0, sizeof(SA));
  SA.sa_handler = onInterruptSignal;
  SA.sa_flags = SA_RESTART;
  sigemptyset(&SA.sa_mask);
  for (int Sig : {SIGINT, SIGTERM, SIGHUP}) {
    // A signal ignored by our parent (nohup, `cmd &` in a non-interactive
    // shell) stays ignored.
    struct sigaction Old;
    if (::sigaction(Sig, nullptr, &Old) == 0 && Old.sa_handler == SIG_IGN)
      continue;
    ::sigaction(Sig, &SA, nullptr);
  }
}

//===-- TempFile ---------------------------------------------------------===//

Expected<TempFile> TempFile::createFile(int DirFd, StringRef Name) {
  std::lock_guard<std::mutex> L(registryMutex());
  for (unsigned Attempt = 0;; ++Attempt) {
    std::string Tmp = tempName(Name);
    int FD = ::openat(DirFd, Tmp.c_str(),
                      O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                      0666);
    if (FD >= 0) {
      registry().push_back({DirFd, Tmp});
      return TempFile(DirFd, Name.str(), std::move(Tmp), FD);
    }
    if (errno != EEXIST || Attempt > 100)
      return errorCodeToError(lastError());
  }
}

Expected<TempFile> TempFile::createSymlink(int DirFd, StringRef Name,
                                           StringRef Target) {
  std::string TargetZ = Target.str();
  std::lock_guard<std::mutex> L(registryMutex());
  for (unsigned Attempt = 0;; ++Attempt) {
    std::string Tmp = tempName(Name);
    if (::symlinkat(TargetZ.c_str(), DirFd, Tmp.c_str()) == 0) {
      registry().push_back({DirFd, Tmp});
      return TempFile(DirFd, Name.str(), std::move(Tmp), -1);
    }
    if (errno != EEXIST || Attempt > 100)
      return errorCodeToError(lastError());
  }
}

TempFile::TempFile(TempFile &&O) noexcept
    : DirFd(O.DirFd), Name(std::move(O.Name)), Tmp(std::move(O.Tmp)),
      FD(O.FD), Done(O.Done) {
  O.FD = -1;
  O.Done = true;
}

TempFile::~TempFile() {
  if (!Done)
    discard();
  if (FD >= 0)
    ::close(FD);
}

std::error_code TempFile::closeFile() {
  if (FD < 0)
    return {};
  int R = ::close(FD);
  FD = -1;
  return R == 0 ? std::error_code() : lastError();
}

std::error_code TempFile::commit() {
  closeFile();
  testDelayBeforeRename();
  std::lock_guard<std::mutex> L(registryMutex());
  std::error_code EC;
  if (::renameat(DirFd, Tmp.c_str(), DirFd, Name.c_str()) != 0) {
    EC = lastError();
    ::unlinkat(DirFd, Tmp.c_str(), 0);
  }
  unregisterLocked(DirFd, Tmp);
  Done = true;
  return EC;
}

void TempFile::discard() {
  closeFile();
  std::lock_guard<std::mutex> L(registryMutex());
  ::unlinkat(DirFd, Tmp.c_str(), 0);
  unregisterLocked(DirFd, Tmp);
  Done = true;
}

bool isTempName(StringRef Name) {
  StringRef File;
  pid_t Pid;
  return parseTempName(Name, File, Pid);
}

unsigned removeStaleTemps(int DirFd, StringRef OnlyName) {
  int Dup = ::fcntl(DirFd, F_DUPFD_CLOEXEC, 0);
  if (Dup < 0)
    return 0;
  DIR *D = ::fdopendir(Dup);
  if (!D) {
    ::close(Dup);
    return 0;
  }
  // The duplicate shares DirFd's file offset: start from the beginning
  // whatever an earlier listing of DirFd left it at.
  ::rewinddir(D);
  unsigned Removed = 0;
  pid_t Self = ::getpid();
  while (struct dirent *E = ::readdir(D)) {
    StringRef Name(E->d_name), File;
    pid_t Pid;
    if (!parseTempName(Name, File, Pid) || Pid == Self)
      continue;
    if (!OnlyName.empty() && File != OnlyName)
      continue;
    struct stat St;
    if (::fstatat(DirFd, E->d_name, &St, AT_SYMLINK_NOFOLLOW) != 0 ||
        !(S_ISREG(St.st_mode) || S_ISLNK(St.st_mode)))
      continue;
    if (::kill(Pid, 0) == 0 || errno != ESRCH)
      continue; // the writer may still be running
    Removed += ::unlinkat(DirFd, E->d_name, 0) == 0;
  }
  ::closedir(D);
  return Removed;
}

} // namespace btfgen
