//===- DedupTree.h - Identical outputs become relative symlinks ---*- C++ -*-===//
//
// Many kernels of one distro give byte-identical minimized BTF. Among all
// outputs with identical bytes, the first in sorted output-path order stays a
// regular file ("leader") and every other one becomes a relative symlink to
// it, so the tree can be moved or packed as a whole:
//
//   debian/12/x86_64/6.1.0-49-amd64.btf -> 6.1.0-48-amd64.btf
//   ubuntu/22.04/x86_64/5.15.0-1.btf    -> ../../../debian/12/x86_64/x.btf
//
// Equality is decided on the bytes (SHA-256 to group, then a full compare),
// and leaders are chosen by index, so the result is a pure function of the
// sorted outputs.
//
// writeDedupTree() is the write phase of a run: leaders first (so no link
// ever dangles once the run is over), then the links; a kernel that failed
// keeps its previous output, as its bytes (see below).
//
//===----------------------------------------------------------------------===//

#ifndef BTFGEN_DRIVER_DEDUPTREE_H
#define BTFGEN_DRIVER_DEDUPTREE_H

#include "Archive.h"
#include "KernelPipeline.h"
#include "OutputTree.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <optional>
#include <string>
#include <vector>

namespace btfgen {

/// Outputs[I] is output I's bytes, or nullptr for a kernel that produced
/// none. Returns, per output, the index of its leader when it is a
/// duplicate of an earlier one, else std::nullopt (a leader, or no output).
std::vector<std::optional<size_t>>
findDuplicates(llvm::ArrayRef<const std::string *> Outputs);

/// The relative symlink text that makes '/'-separated path From (relative
/// to the tree root) point at To: relativeLinkTarget("a/b/x", "c/y") is
/// "../../c/y"; relativeLinkTarget("a/x", "a/y") is "y".
std::string relativeLinkTarget(llvm::StringRef From, llvm::StringRef To);

/// What writeDedupTree() wrote.
struct TreeWrite {
  /// Per kernel: the symlink text written, "" for a regular file or none.
  std::vector<std::string> LinkText;
  /// Per kernel: its leader when it was written as a symlink.
  std::vector<std::optional<size_t>> Leader;
  size_t Unique = 0;        ///< regular files written
  uint64_t UniqueBytes = 0; ///< their bytes
};

/// Write the outputs of the successful Slots into Tree, deduplicated. A
/// kernel whose write fails is reported and its slot marked failed.
TreeWrite writeDedupTree(const OutputTree &Tree,
                         llvm::ArrayRef<KernelJob> Jobs,
                         llvm::MutableArrayRef<KernelSlot> Slots);

} // namespace btfgen

#endif // BTFGEN_DRIVER_DEDUPTREE_H
