//===- AnchoredDir.h - A directory tree reached by descriptors ---*- C++ -*-===//
//
// Every write of an archive run goes below one of two user-named
// directories: the output tree and the cache. Checking each path component
// with lstat and then writing through the path string leaves a window in
// which a component can be swapped for a symlink (renameat2 RENAME_EXCHANGE
// in a loop wins it often), and the write lands outside. So the directory is
// opened once, and everything below it is reached through descriptors:
//
//   root fd --openat(O_DIRECTORY|O_NOFOLLOW)--> "debian" fd --> "12" fd ...
//   temporary: openat(dir fd, ".x.btf.tmp-<pid>-<rand>", O_CREAT|O_EXCL|O_NOFOLLOW)
//   commit:    renameat(dir fd, tmp, dir fd, "x.btf")
//
// A component that is a symlink fails the open (ELOOP/ENOTDIR) instead of
// being followed, and a directory swapped after it was opened no longer
// matters: the descriptor still names the directory that was checked. The
// root itself is the user's path and is resolved normally, once.
//
// Reads go the same way and accept only regular files (O_NOFOLLOW |
// O_NONBLOCK, then fstat), read into memory with a size bound: a FIFO, a
// device or a symlink planted in the tree is refused, never waited on, and a
// file truncated while being read is a short read, not a SIGBUS.
//
// Thread-safe: the descriptor cache is behind a mutex; writes to distinct
// names may run concurrently.
//
//===----------------------------------------------------------------------===//

#ifndef BTFGEN_DRIVER_ANCHOREDDIR_H
#define BTFGEN_DRIVER_ANCHOREDDIR_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/MemoryBuffer.h"

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace btfgen {

class AnchoredDir {
public:
  /// Open Path as the anchor, creating it (and its parents) first when
  /// Create. Role names it in errors ("output tree", "cache").
  static llvm::Expected<std::unique_ptr<AnchoredDir>>
  open(llvm::StringRef Path, bool Create, llvm::StringRef Role);
  ~AnchoredDir();
  AnchoredDir(const AnchoredDir &) = delete;
  AnchoredDir &operator=(const AnchoredDir &) = delete;

  /// The anchor's path as given, and a path below it for messages.
  const std::string &root() const { return Root; }
  std::string path(llvm::StringRef RelPath) const;
  int rootFd() const { return RootFd; }

  /// Descriptor of directory RelDir ("" = the root), every component
  /// opened without following symlinks and created when Create. Each
  /// directory is swept for stale temporaries on first use.
  llvm::Expected<int> dirFd(llvm::StringRef RelDir, bool Create) const;

  /// Atomically make RelPath a regular file holding Bytes (unchanged if it
  /// already is one with those bytes), creating directories as needed.
  llvm::Error writeFile(llvm::StringRef RelPath, llvm::StringRef Bytes) const;
  /// Atomically make RelPath a symlink with text Target (unchanged if it
  /// already is exactly that symlink).
  llvm::Error writeSymlink(llvm::StringRef RelPath,
                           llvm::StringRef Target) const;

  /// The text of symlink RelPath, or nothing.
  std::optional<std::string> readLink(llvm::StringRef RelPath) const;
  /// The bytes of regular file RelPath (no symlink followed; FIFOs,
  /// devices and files over MaxSize refused). An absent file or directory
  /// is an error whose code is errc::no_such_file_or_directory.
  llvm::Expected<std::string> readFile(llvm::StringRef RelPath,
                                       uint64_t MaxSize) const;
  /// Remove file or symlink RelPath; absent is not an error.
  llvm::Error remove(llvm::StringRef RelPath) const;
  /// Set RelPath's mtime to now (not following a symlink); best effort.
  void touch(llvm::StringRef RelPath) const;
  /// Remove directory RelDir if it is empty; true if it was removed.
  bool removeDirIfEmpty(llvm::StringRef RelDir) const;

  /// Check a tree-relative path: relative, '/'-separated, no "", "." or
  /// ".." component. Errors name it.
  static llvm::Error checkRelPath(llvm::StringRef RelPath);

private:
  AnchoredDir(std::string Root, std::string Role, int RootFd)
      : Root(std::move(Root)), Role(std::move(Role)), RootFd(RootFd) {}
  /// dirFd of RelPath's parent and RelPath's file name.
  llvm::Expected<int> parentFd(llvm::StringRef RelPath, bool Create,
                               llvm::StringRef &Name) const;

  std::string Root;
  std::string Role;
  int RootFd;
  mutable std::mutex Mu;
  /// RelDir -> descriptor, opened on first use.
  mutable std::map<std::string, int> Dirs;
};

/// Atomically write Bytes to Path (a file the user named: --report, -o):
/// its directory is resolved once and the temporary and the rename go
/// through that descriptor. Leaves an identical regular file untouched.
/// Role names the file in errors ("report", "index", "output").
llvm::Error writeFileAtomic(llvm::StringRef Path, llvm::StringRef Bytes,
                            llvm::StringRef Role = "output file");

/// Read a whole file the user named as an input, in ONE read into memory
/// (never mapped, never reopened): regular files, or pipes and other
/// streams (stdin, process substitution) up to MaxStream bytes.
/// Directories are refused. Errors name the path.
llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>>
readInputBytes(const llvm::Twine &Path, llvm::StringRef Role,
               uint64_t MaxStream = uint64_t(1) << 30);

} // namespace btfgen

#endif // BTFGEN_DRIVER_ANCHOREDDIR_H
