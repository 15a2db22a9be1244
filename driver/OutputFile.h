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
//===----------------------------------------------------------------------===//

#ifndef BTFGEN_DRIVER_OUTPUTFILE_H
#define BTFGEN_DRIVER_OUTPUTFILE_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <string>

namespace btfgen {

/// Write Bytes to Path via a temp file in the same directory + rename.
/// Leaves an existing regular file with identical bytes untouched.
llvm::Error writeFileAtomic(llvm::StringRef Path, llvm::StringRef Bytes);

/// Make Path a symlink to Target (stored verbatim), atomically replacing
/// whatever is there. No-op if it already is exactly that symlink.
llvm::Error writeSymlinkAtomic(llvm::StringRef Path, llvm::StringRef Target);

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
};

} // namespace btfgen

#endif // BTFGEN_DRIVER_OUTPUTFILE_H
