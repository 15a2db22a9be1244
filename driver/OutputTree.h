//===- OutputTree.h - The output tree of a run, locked ------------*- C++ -*-===//
//
// The directory a run writes its tailored BTFs into. It is an AnchoredDir
// (every write below it goes through directory descriptors, so nothing can
// be redirected out of it), and it is held by one run at a time: an
// exclusive flock(2) on the directory itself for the life of the object
// (no lock file: the tree's contents stay a pure function of the inputs).
// Two runs into one tree would otherwise interleave their leaders and
// links, and a kernel could end up linked to another run's bytes. A second
// run fails at once naming the holder's pid, or waits with --wait-lock.
// Readers (embed, the runtime, the index) take no lock: every file they can
// see is complete.
//
//===----------------------------------------------------------------------===//

#ifndef BTFGEN_DRIVER_OUTPUTTREE_H
#define BTFGEN_DRIVER_OUTPUTTREE_H

#include "AnchoredDir.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <memory>
#include <string>

namespace btfgen {

/// An exclusive flock on a directory, released by the destructor (or by
/// the process's death, however it dies).
class DirLock {
public:
  /// Take the lock; with Wait, block until the holder is done, else fail
  /// with a message naming Role and Dir.
  static llvm::Expected<std::unique_ptr<DirLock>>
  acquire(const AnchoredDir &Dir, llvm::StringRef Role, bool Wait);
  ~DirLock();

private:
  explicit DirLock(int FD) : FD(FD) {}
  int FD;
};

class OutputTree {
public:
  /// Create Root if needed, open it, and lock it.
  static llvm::Expected<std::unique_ptr<OutputTree>> open(llvm::StringRef Root,
                                                          bool WaitLock);

  const AnchoredDir &dir() const { return *Dir; }
  const std::string &root() const { return Dir->root(); }
  std::string path(llvm::StringRef RelPath) const { return Dir->path(RelPath); }

  llvm::Error writeFile(llvm::StringRef RelPath, llvm::StringRef Bytes) const {
    return Dir->writeFile(RelPath, Bytes);
  }
  llvm::Error writeSymlink(llvm::StringRef RelPath,
                           llvm::StringRef Target) const {
    return Dir->writeSymlink(RelPath, Target);
  }

private:
  OutputTree(std::unique_ptr<AnchoredDir> Dir, std::unique_ptr<DirLock> Lock)
      : Dir(std::move(Dir)), Lock(std::move(Lock)) {}
  std::unique_ptr<AnchoredDir> Dir;
  std::unique_ptr<DirLock> Lock;
};

} // namespace btfgen

#endif // BTFGEN_DRIVER_OUTPUTTREE_H
