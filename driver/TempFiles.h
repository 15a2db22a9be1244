//===- TempFiles.h - Temporaries and their cleanup ---------------*- C++ -*-===//
//
// Every file btfgen writes (outputs, cache entries, reports) is first
// written to a temporary in its final directory and renamed over the
// destination, so a reader (or a crash) never sees a half-written file, and
// a stale file or symlink from an earlier run is replaced in one step.
// rename(2) replaces a symlink at the destination instead of following it.
//
// Temporaries are named ".<name>.tmp-<pid>-XXXXXXXX" next to <name>:
// hidden, never ending in ".btf" (an archive walk or a `*.btf` glob never
// sees one), and carrying the writer's process ID. They are addressed by a
// directory descriptor and a name, never by a path, so a directory swapped
// for a symlink cannot redirect a write, a rename or a cleanup
// (AnchoredDir.h).
//
// Interruption.
//   - While a temporary exists it is listed in a process-wide registry; the
//     registry's mutex is held only around create+register and
//     rename+unregister, never while bytes are written.
//   - installInterruptHandler() (main(), before any thread starts) makes
//     SIGINT, SIGTERM and SIGHUP write one byte into a pipe; that is all the
//     async-signal handler does. A watcher thread reading the pipe then, in
//     ordinary thread context, takes the registry mutex for good (so no
//     rename can start or be half-done), unlinks every registered temporary,
//     prints "interrupted by SIGxxx" on stderr, restores the default action
//     and re-raises the signal: the process dies of that signal, so a shell
//     reports 130 (SIGINT), 143 (SIGTERM) or 129 (SIGHUP) and a calling
//     script or make sees an interrupted child. Every output present
//     afterwards is a complete file of this run or of an earlier one.
//     Handlers, unlike blocked signal masks, are reset by exec, so child
//     processes would not inherit any of this.
//   - SIGKILL (or a crash) cannot be caught: its temporaries stay. The next
//     write into the same directory removes stale ones: a temporary whose
//     <pid> is no process any more (kill(pid, 0) fails with ESRCH). Writers
//     that are still alive keep theirs. Each AnchoredDir sweeps a directory
//     once, before its first use; a single-file write removes only the
//     stale temporaries of its own file name.
//
// Test hook: BTFGEN_TEST_SLOW_WRITES_MS=N (N <= 10000) sleeps N ms between
// writing a temporary and renaming it, so tests can interrupt the driver
// while a temporary is in flight (test/driver/archive-kill-mid-run.test).
//
//===----------------------------------------------------------------------===//

#ifndef BTFGEN_DRIVER_TEMPFILES_H
#define BTFGEN_DRIVER_TEMPFILES_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <string>
#include <system_error>

namespace btfgen {

/// Route SIGINT, SIGTERM and SIGHUP to the cleanup described above. Call
/// once from main(), after llvm::InitLLVM (which installs LLVM's own
/// handlers) and before any other thread starts. Tool names the messages.
/// Without it (e.g. in unit tests) temporaries are still registered but a
/// signal just kills the process.
void installInterruptHandler(llvm::StringRef Tool);

/// A registered temporary in directory DirFd. The descriptor must stay open
/// until commit() or discard().
class TempFile {
public:
  /// A new regular temporary for Name, open for writing (fd()).
  static llvm::Expected<TempFile> createFile(int DirFd, llvm::StringRef Name);
  /// A new symlink temporary for Name whose text is Target.
  static llvm::Expected<TempFile> createSymlink(int DirFd,
                                                llvm::StringRef Name,
                                                llvm::StringRef Target);
  TempFile(TempFile &&O) noexcept;
  TempFile &operator=(TempFile &&) = delete;
  /// Discards the temporary if neither commit() nor discard() ran.
  ~TempFile();

  /// The write descriptor of a regular temporary (-1 for a symlink).
  int fd() const { return FD; }
  /// Close the write descriptor; its error, if any.
  std::error_code closeFile();
  /// Rename over Name in the same directory and unregister, as one step
  /// with respect to the interrupt watcher. On failure the temporary is
  /// removed.
  std::error_code commit();
  /// Remove and unregister.
  void discard();

private:
  TempFile(int DirFd, std::string Name, std::string Tmp, int FD)
      : DirFd(DirFd), Name(std::move(Name)), Tmp(std::move(Tmp)), FD(FD) {}
  int DirFd;
  std::string Name, Tmp;
  int FD;
  bool Done = false;
};

/// Remove, in directory DirFd, stale temporaries (see above) of the file
/// OnlyName, or of every file if OnlyName is empty. Returns how many.
unsigned removeStaleTemps(int DirFd, llvm::StringRef OnlyName = "");

/// True for a name of the form above (a temporary of any writer).
bool isTempName(llvm::StringRef Name);

} // namespace btfgen

#endif // BTFGEN_DRIVER_TEMPFILES_H
