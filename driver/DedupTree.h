//===- DedupTree.h - Writing the outputs of a run, deduplicated ---*- C++ -*-===//
//
// Many kernels give byte-identical tailored BTF. The run writes each
// distinct content once, in one of two layouts:
//
// Tree layout (default): the archive's shape,
//   OUT/<distro>/<version>/<arch>/<release>.btf
// Among outputs with identical bytes in one link scope, the first in sorted
// output-path order stays a regular file ("leader") and every other one
// becomes a relative symlink to it:
//
//   debian/12/x86_64/6.1.0-49-amd64.btf -> 6.1.0-48-amd64.btf
//
// The scope (--link-scope) decides how far a link may reach: `dir` (the
// default) keeps every link inside its <distro>/<version>/<arch>
// directory, so any subtree can be packed or copied alone (per distro, per
// arch: `tar -C OUT -cf - debian` has no dangling link); `distro` inside
// one distro; `tree` anywhere (fewest files); `none` writes every kernel
// as a regular file. The archive's directory aliases (Archive.h) are
// mirrored as the same relative directory symlinks.
//
// Content layout (--layout content): no symlinks and no per-kernel paths,
// for go:embed (which drops symlinks), plain tar readers and zip:
//   OUT/blobs/<sha256>.btf   one regular file per distinct content
// and the JSON index (always written) maps every kernel, aliases
// included, to its blob.
//
// Equality is decided on the bytes (SHA-256 to group, then a full
// compare), and leaders are chosen by index, so the result is a pure
// function of the sorted outputs. A kernel that failed keeps its previous
// output, as its bytes (see writeOutputs()).
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

enum class TreeLayout { Tree, Content };
enum class LinkScope { Dir, Distro, Tree, None };

/// Parse "tree"/"content" and "dir"/"distro"/"tree"/"none".
std::optional<TreeLayout> parseTreeLayout(llvm::StringRef S);
std::optional<LinkScope> parseLinkScope(llvm::StringRef S);

/// Outputs[I] is output I's bytes, or nullptr for a kernel that produced
/// none; Groups[I] its link scope (outputs of different groups never
/// share a file; empty: one group). Returns, per output, the index of its
/// leader when it is a duplicate of an earlier one, else std::nullopt (a
/// leader, or no output).
std::vector<std::optional<size_t>>
findDuplicates(llvm::ArrayRef<const std::string *> Outputs,
               llvm::ArrayRef<std::string> Groups = {});

/// The relative symlink text that makes '/'-separated path From (relative
/// to the tree root) point at To: relativeLinkTarget("a/b/x", "c/y") is
/// "../../c/y"; relativeLinkTarget("a/x", "a/y") is "y".
std::string relativeLinkTarget(llvm::StringRef From, llvm::StringRef To);

/// "blobs/<sha256>.btf": the content layout's path for Bytes.
std::string contentPath(llvm::StringRef Bytes);

/// What writeOutputs() wrote.
struct TreeWrite {
  /// Per kernel: output-relative path of the regular file holding its
  /// bytes ("" when it has none).
  std::vector<std::string> File;
  /// Per kernel: the symlink text written, "" for a regular file or none.
  std::vector<std::string> LinkText;
  /// Per kernel: its leader when it was written as a symlink.
  std::vector<std::optional<size_t>> Leader;
  /// Every kernel name the tree answers to (aliases included) and its
  /// regular file, sorted by KernelId::key(); the JSON index and the
  /// record are written from these.
  std::vector<IndexRow> Rows;
  /// Every path this run wrote or keeps (kernel files and links, alias
  /// links, the old outputs of failed kernels), sorted.
  std::vector<std::string> Owned;
  size_t Unique = 0;        ///< regular files written
  uint64_t UniqueBytes = 0; ///< their bytes
};

/// Write the outputs of the successful Slots into Tree. A kernel whose
/// write fails is reported and its slot marked failed. OldOwned is the
/// sorted owned set of the previous run's record: a failed kernel's old
/// output stays owned only if it is in it.
TreeWrite writeOutputs(const OutputTree &Tree, llvm::ArrayRef<KernelJob> Jobs,
                       llvm::MutableArrayRef<KernelSlot> Slots,
                       llvm::ArrayRef<ArchiveAlias> Aliases,
                       llvm::ArrayRef<std::string> OldOwned, TreeLayout Layout,
                       LinkScope Scope);

} // namespace btfgen

#endif // BTFGEN_DRIVER_DEDUPTREE_H
