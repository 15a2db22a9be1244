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
// The tree's record, OUT/.btfgen-tree.json, says what the last run owns:
//
//   {"format":"btfgen-tree","version":1,"layout":"tree",
//    "kernels":[{"distro":..,"version":..,"arch":..,"release":..,"file":..}],
//    "owned":["debian/12/x86_64/6.1.0-48-amd64.btf", ...]}
//
// "kernels" are the rows of the JSON index ("file" relative to OUT, always
// a regular file); "owned" every path the run wrote or kept (outputs, dedup
// and alias links, --index/--report files inside OUT). The next run removes
// what the old record owns and it no longer produces (kernels gone from
// the archive or the selection, stale files of an older program), then
// directories left empty by that; files it never wrote are never touched.
// Crash safety: before writing anything a run records old-owned plus
// to-be-written, so a killed run never leaves a file that no record owns.
// `embed` reads "kernels", not a directory listing.
//
//===----------------------------------------------------------------------===//

#ifndef BTFGEN_DRIVER_OUTPUTTREE_H
#define BTFGEN_DRIVER_OUTPUTTREE_H

#include "AnchoredDir.h"
#include "Archive.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

#include <memory>
#include <string>
#include <vector>

namespace btfgen {

/// The record's file name inside OUT.
constexpr const char *TreeRecordName = ".btfgen-tree.json";

/// One kernel name of the index/record and the regular file (relative to
/// OUT) holding its BTF. Job is the index of the kernel that produced it
/// (several rows share one job when the archive has aliases).
struct IndexRow {
  KernelId Id;
  std::string File;
  size_t Job = 0;
};

struct TreeRecord {
  std::string Layout = "tree";
  std::vector<IndexRow> Kernels; ///< sorted by KernelId::key()
  std::vector<std::string> Owned; ///< sorted
};

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

/// Rows as the "kernels" array of the index and the record, one per line;
/// every "file" is FilePrefix + IndexRow::File.
void writeIndexRows(llvm::raw_ostream &OS, llvm::ArrayRef<IndexRow> Rows,
                    llvm::StringRef FilePrefix);

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

  /// The record of the last run, or an empty one when there is none (a new
  /// tree, or one written before records existed). A malformed record is
  /// an error.
  llvm::Expected<TreeRecord> readRecord() const;
  llvm::Error writeRecord(const TreeRecord &R) const;
  /// Remove the paths of OldOwned not in NewOwned (both sorted), then the
  /// directories that leaves empty. Returns the removed paths.
  std::vector<std::string> prune(llvm::ArrayRef<std::string> OldOwned,
                                 llvm::ArrayRef<std::string> NewOwned) const;

private:
  OutputTree(std::unique_ptr<AnchoredDir> Dir, std::unique_ptr<DirLock> Lock)
      : Dir(std::move(Dir)), Lock(std::move(Lock)) {}
  std::unique_ptr<AnchoredDir> Dir;
  std::unique_ptr<DirLock> Lock;
};

} // namespace btfgen

#endif // BTFGEN_DRIVER_OUTPUTTREE_H
