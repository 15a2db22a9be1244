//===- OutputFile.h - Atomic writes into an output tree -----------*- C++ -*-===//
//
// Every output is written to a temporary file in its final directory and
// renamed over the destination, so a reader (or a crash) never sees a
// half-written .btf, and a stale file or symlink from an earlier run is
// replaced in one step. rename(2) replaces a symlink at the destination
// instead of following it.
//
// OutputTree additionally refuses to leave its root: relative paths with
// ".." or a leading "/" are rejected, and every directory below the root is
// checked with lstat so that a symlink planted inside the tree cannot
// redirect a write elsewhere ("never follow a symlink out of OUT"). The
// root itself is taken as given.
//
// Interruption. Temporary files are named ".<name>.tmp-<pid>-XXXXXXXX" next
// to <name>: hidden, never ending in ".btf" (an archive walk or a `*.btf`
// glob never sees one), and carrying the writer's process ID.
//
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
//     that are still alive (a concurrent run, which is not supported into
//     the same tree anyway) keep theirs. OutputTree sweeps each directory
//     once per run, before its first write there; writeFileAtomic() alone
//     removes only the stale temporaries of its own file name.
//
// Test hook: BTFGEN_TEST_SLOW_WRITES_MS=N (N <= 10000) sleeps N ms between
// writing a temporary and renaming it, so tests can interrupt the driver
// while a temporary is in flight (test/driver/archive-kill-mid-run.test).
//
//===----------------------------------------------------------------------===//

#ifndef BTFGEN_DRIVER_OUTPUTFILE_H
#define BTFGEN_DRIVER_OUTPUTFILE_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <set>
#include <string>

namespace btfgen {

/// Write Bytes to Path via a temp file in the same directory + rename.
/// Leaves an existing regular file with identical bytes untouched.
llvm::Error writeFileAtomic(llvm::StringRef Path, llvm::StringRef Bytes);

/// Make Path a symlink to Target (stored verbatim), atomically replacing
/// whatever is there. No-op if it already is exactly that symlink.
llvm::Error writeSymlinkAtomic(llvm::StringRef Path, llvm::StringRef Target);

/// Route SIGINT, SIGTERM and SIGHUP to the cleanup described above. Call
/// once from main(), after llvm::InitLLVM (which installs LLVM's own
/// handlers) and before any other thread starts. Tool names the messages.
/// Without it (e.g. in unit tests) temporaries are still registered but a
/// signal just kills the process.
void installInterruptHandler(llvm::StringRef Tool);

/// Remove, in Dir, stale temporaries (see above) of the file OnlyName, or of
/// every file if OnlyName is empty. Returns how many were removed.
unsigned removeStaleTemps(llvm::StringRef Dir, llvm::StringRef OnlyName = "");

class OutputTree {
public:
  explicit OutputTree(llvm::StringRef Root);

  /// Create the root directory (and its parents) if needed.
  llvm::Error createRoot();

  /// Absolute-or-as-given path of RelPath under the root.
  std::string path(llvm::StringRef RelPath) const;

  /// Atomically write Bytes / a symlink at RelPath, creating directories
  /// below the root as needed and refusing symlinked directories.
  llvm::Error writeFile(llvm::StringRef RelPath, llvm::StringRef Bytes) const;
  llvm::Error writeSymlink(llvm::StringRef RelPath,
                           llvm::StringRef Target) const;

private:
  llvm::Error createParents(llvm::StringRef RelPath) const;

  std::string Root;
  /// Directories already swept for stale temporaries by this tree.
  mutable std::set<std::string> Swept;
};

} // namespace btfgen

#endif // BTFGEN_DRIVER_OUTPUTFILE_H
