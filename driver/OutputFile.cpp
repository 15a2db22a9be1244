//===- OutputFile.cpp - Atomic writes into an output tree -----------------===//
//
// Temp files are named ".<name>.tmp-<pid>-XXXXXXXX" next to the
// destination: hidden, and without the .btf suffix, so an archive walk never
// picks one up. The interruption design (temp registry, signal pipe, watcher
// thread, stale-temp sweep) is described in OutputFile.h.
//
//===----------------------------------------------------------------------===//

#include "OutputFile.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

using namespace llvm;

namespace btfgen {

namespace {

Error pathError(const Twine &Path, const Twine &Msg) {
  return createStringError(inconvertibleErrorCode(), "'" + Path + "': " + Msg);
}

//===-- Registry of in-flight temporaries --------------------------------===//

/// Never destroyed: the watcher thread may use them while the main thread
/// runs static destructors in exit().
std::mutex &registryMutex() {
  static std::mutex *M = new std::mutex;
  return *M;
}
std::vector<std::string> &registry() {
  static std::vector<std::string> *R = new std::vector<std::string>;
  return *R;
}

/// Caller holds registryMutex().
void unregisterLocked(StringRef Path) {
  std::vector<std::string> &R = registry();
  for (size_t I = R.size(); I-- > 0;)
    if (R[I] == Path) {
      R.erase(R.begin() + I);
      return;
    }
}

/// Rename a registered temporary into place and unregister it, as one step
/// with respect to the interrupt watcher.
std::error_code renameRegistered(StringRef Tmp, StringRef Path) {
  std::lock_guard<std::mutex> L(registryMutex());
  std::error_code EC = sys::fs::rename(Tmp, Path);
  if (EC)
    sys::fs::remove(Tmp);
  unregisterLocked(Tmp);
  return EC;
}

void removeRegistered(StringRef Tmp) {
  std::lock_guard<std::mutex> L(registryMutex());
  sys::fs::remove(Tmp);
  unregisterLocked(Tmp);
}

/// BTFGEN_TEST_SLOW_WRITES_MS (test hook, see OutputFile.h).
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

std::string tempPrefix(StringRef FileName) {
  return ("." + FileName + ".tmp-" + Twine(::getpid()) + "-").str();
}

std::string tempModel(StringRef Path) {
  SmallString<256> Model(sys::path::parent_path(Path));
  if (Model.empty())
    Model = ".";
  sys::path::append(Model,
                    tempPrefix(sys::path::filename(Path)) + "%%%%%%%%");
  return std::string(Model);
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

bool sameRegularFile(StringRef Path, StringRef Bytes) {
  sys::fs::file_status St;
  if (sys::fs::status(Path, St, /*Follow=*/false) ||
      St.type() != sys::fs::file_type::regular_file || St.getSize() != Bytes.size())
    return false;
  ErrorOr<std::unique_ptr<MemoryBuffer>> Buf = MemoryBuffer::getFile(
      Path, /*IsText=*/false, /*RequiresNullTerminator=*/false);
  return Buf && (*Buf)->getBuffer() == Bytes;
}

Error writeFileNoSweep(StringRef Path, StringRef Bytes) {
  if (sameRegularFile(Path, Bytes))
    return Error::success();
  int FD;
  SmallString<256> TmpPath;
  {
    std::lock_guard<std::mutex> L(registryMutex());
    if (std::error_code EC =
            sys::fs::createUniqueFile(tempModel(Path), FD, TmpPath))
      return pathError(Path, "cannot create temporary file: " + EC.message());
    registry().push_back(std::string(TmpPath));
  }
  {
    raw_fd_ostream OS(FD, /*shouldClose=*/true);
    OS << Bytes;
    OS.close();
    if (OS.has_error()) {
      std::error_code EC = OS.error();
      OS.clear_error();
      removeRegistered(TmpPath);
      return pathError(Path, "write failed: " + EC.message());
    }
  }
  testDelayBeforeRename();
  if (std::error_code EC = renameRegistered(TmpPath, Path))
    return pathError(Path, "cannot rename temporary file into place: " +
                               EC.message());
  return Error::success();
}

Error writeSymlinkNoSweep(StringRef Path, StringRef Target) {
  {
    // Compare the stored link text, not its resolution.
    char Buf[4096];
    SmallString<256> P(Path);
    ssize_t N = ::readlink(P.c_str(), Buf, sizeof(Buf));
    if (N >= 0 && StringRef(Buf, N) == Target)
      return Error::success();
  }
  SmallString<256> Tmp;
  std::string Model = tempModel(Path);
  SmallString<256> TargetZ(Target);
  {
    std::lock_guard<std::mutex> L(registryMutex());
    for (unsigned Attempt = 0;; ++Attempt) {
      sys::fs::createUniquePath(Model, Tmp, /*MakeAbsolute=*/false);
      if (::symlink(TargetZ.c_str(), Tmp.c_str()) == 0)
        break;
      if (errno != EEXIST || Attempt > 100)
        return pathError(
            Path, "cannot create symlink: " +
                      std::error_code(errno, std::generic_category()).message());
    }
    registry().push_back(std::string(Tmp));
  }
  testDelayBeforeRename();
  if (std::error_code EC = renameRegistered(Tmp, Path))
    return pathError(Path, "cannot rename symlink into place: " + EC.message());
  return Error::success();
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
  for (const std::string &P : registry())
    Removed += ::unlink(P.c_str()) == 0;
  std::string Msg;
  if (::isatty(2))
    Msg += "\r\x1b[K"; // over a progress line
  Msg += InterruptTool;
  Msg += ": interrupted by ";
  Msg += signalName(Sig);
  Msg += "; removed " + std::to_string(Removed) +
         " temporary file(s); outputs already in place are complete, "
         "rerun to finish\n";
  for (size_t Off = 0; Off < Msg.size();) {
    ssize_t W = ::write(2, Msg.data() + Off, Msg.size() - Off);
    if (W <= 0 && errno != EINTR)
      break;
    if (W > 0)
      Off += W;
  }
  // Die of the same signal (see OutputFile.h).
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

unsigned removeStaleTemps(StringRef Dir, StringRef OnlyName) {
  unsigned Removed = 0;
  std::error_code EC;
  pid_t Self = ::getpid();
  for (sys::fs::directory_iterator It(Dir, EC, /*follow_symlinks=*/false), End;
       !EC && It != End; It.increment(EC)) {
    StringRef Name = sys::path::filename(It->path());
    StringRef File;
    pid_t Pid;
    if (!parseTempName(Name, File, Pid) || Pid == Self)
      continue;
    if (!OnlyName.empty() && File != OnlyName)
      continue;
    sys::fs::file_type Ty = It->type();
    if (Ty != sys::fs::file_type::regular_file &&
        Ty != sys::fs::file_type::symlink_file)
      continue;
    if (::kill(Pid, 0) == 0 || errno != ESRCH)
      continue; // the writer may still be running
    Removed += ::unlink(It->path().c_str()) == 0;
  }
  return Removed;
}

Error writeFileAtomic(StringRef Path, StringRef Bytes) {
  SmallString<256> Dir(sys::path::parent_path(Path));
  removeStaleTemps(Dir.empty() ? "." : Dir.str(), sys::path::filename(Path));
  return writeFileNoSweep(Path, Bytes);
}

Error writeSymlinkAtomic(StringRef Path, StringRef Target) {
  SmallString<256> Dir(sys::path::parent_path(Path));
  removeStaleTemps(Dir.empty() ? "." : Dir.str(), sys::path::filename(Path));
  return writeSymlinkNoSweep(Path, Target);
}

OutputTree::OutputTree(StringRef RootArg) : Root(RootArg.str()) {
  while (Root.size() > 1 && Root.back() == '/')
    Root.pop_back();
}

Error OutputTree::createRoot() {
  if (std::error_code EC = sys::fs::create_directories(Root))
    return pathError(Root, "cannot create output directory: " + EC.message());
  if (!sys::fs::is_directory(Root))
    return pathError(Root, "output path is not a directory");
  return Error::success();
}

std::string OutputTree::path(StringRef RelPath) const {
  return Root + "/" + RelPath.str();
}

Error OutputTree::createParents(StringRef RelPath) const {
  if (RelPath.empty() || RelPath.starts_with("/"))
    return pathError(RelPath, "output path must be relative");
  SmallVector<StringRef, 8> Parts;
  RelPath.split(Parts, '/');
  for (StringRef P : Parts)
    if (P == ".." || P == "." || P.empty())
      return pathError(RelPath, "output path must not contain '..', '.' or "
                                "empty components");
  std::string Dir = Root;
  for (StringRef P : ArrayRef<StringRef>(Parts).drop_back()) {
    Dir += "/";
    Dir += P.str();
    // lstat: a symlink here would take the write out of the tree.
    sys::fs::file_status St;
    std::error_code EC = sys::fs::status(Dir, St, /*Follow=*/false);
    if (EC == std::errc::no_such_file_or_directory) {
      EC = sys::fs::create_directory(Dir, /*IgnoreExisting=*/true);
      if (!EC)
        EC = sys::fs::status(Dir, St, /*Follow=*/false);
    }
    if (EC)
      return pathError(Dir, "cannot create directory: " + EC.message());
    if (St.type() == sys::fs::file_type::symlink_file)
      return pathError(Dir, "refusing to write through a symlinked directory "
                            "in the output tree");
    if (St.type() != sys::fs::file_type::directory_file)
      return pathError(Dir, "exists and is not a directory");
  }
  // Once per directory and run: temporaries left by a killed earlier run.
  if (Swept.insert(Dir).second)
    removeStaleTemps(Dir);
  return Error::success();
}

Error OutputTree::writeFile(StringRef RelPath, StringRef Bytes) const {
  if (Error E = createParents(RelPath))
    return E;
  return writeFileNoSweep(path(RelPath), Bytes);
}

Error OutputTree::writeSymlink(StringRef RelPath, StringRef Target) const {
  if (Error E = createParents(RelPath))
    return E;
  return writeSymlinkNoSweep(path(RelPath), Target);
}

} // namespace btfgen
