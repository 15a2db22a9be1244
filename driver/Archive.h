//===- Archive.h - Kernel BTF archives as sorted job lists -------*- C++ -*-===//
//
// An archive is a directory in BTFHub layout,
//
//   <distro>/<version>/<arch>/<release>.btf.tar.xz   (BTFHub tarball)
//   <distro>/<version>/<arch>/<release>.btf          (raw BTF, also accepted)
//
// listArchive() walks it once and returns one KernelJob per kernel, sorted
// by relative path (byte order), so job I, its output path and its
// diagnostics are the same for every run and every -j. As BTFHub's archive
// really is:
//
//   - Directory symlinks are aliases (`ubuntu/focal -> 20.04`, Debian
//     codenames): one that resolves inside the archive root is recorded as
//     an ArchiveAlias, its kernels are the target's (walked once, under
//     their real path), and the output tree mirrors it as the same relative
//     symlink, so every alias name resolves there too. A symlink that
//     leaves the root, dangles, or points at one of its own ancestors (a
//     cycle) is skipped with a note.
//   - File symlinks to kernels are followed (a tree of dedup links can be
//     an archive).
//   - Hidden entries (".hasbtf", ".failed" markers of btfhub, temporaries)
//     and files without a kernel suffix are skipped quietly.
//   - Kernels must sit exactly at <distro>/<version>/<arch>/<release>: a
//     kernel file at another depth is an error naming the expected shape
//     (an archive given one level too deep would otherwise shift distro,
//     version and arch, and the runtime would find nothing).
//   - A btfgen output tree inside the archive (recognized by its record
//     file, OutputTree.h) is skipped with a note.
//   - A KernelSelection (--arch, --include, --exclude) picks kernels.
//
//===----------------------------------------------------------------------===//

#ifndef BTFGEN_DRIVER_ARCHIVE_H
#define BTFGEN_DRIVER_ARCHIVE_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/MemoryBuffer.h"

#include <cstdint>
#include <memory>

#include <string>
#include <tuple>
#include <vector>

namespace btfgen {

/// The (distro, version, arch, release) of a kernel, from its archive path
/// <distro>/<version>/<arch>/<release>.btf[.tar.xz]. Missing levels are "";
/// deeper paths put the extra leading components into Distro.
struct KernelId {
  std::string Distro, Version, Arch, Release;

  auto key() const { return std::tie(Distro, Version, Arch, Release); }
  /// All four are valid components of the JSON index and of the runtime's
  /// directory walk (docs/runtime.md): not empty, not "." or "..", no '/'
  /// and no NUL.
  bool indexable() const;
};

/// The KernelId of RelPath ('/'-separated, relative to the archive root);
/// Release is the file name without ".btf.tar.xz" / ".btf".
KernelId kernelIdOf(llvm::StringRef RelPath);

/// The arch spelling btfgen_canonical_arch() (runtime/src/probe.c) matches
/// on: lowercase, amd64 and x86-64 are x86_64, aarch64 is arm64.
std::string canonicalArch(llvm::StringRef Arch);

/// One index/directory name component as KernelId::indexable() wants it.
bool validComponent(llvm::StringRef S);

struct KernelJob {
  /// Path of the input file as the user can open it (archive root joined
  /// with RelPath); used in every diagnostic about this kernel.
  std::string Path;
  /// Path relative to the archive root, '/'-separated.
  std::string RelPath;
  /// Kernel release: the file name without ".btf.tar.xz" / ".btf".
  std::string Release;
  /// Output path relative to the output root: "<dir>/<release>.btf".
  std::string OutRelPath;
  KernelId Id;
  bool IsTarball = false;
  /// The file's size when the archive was listed: only the order in which
  /// workers take the jobs depends on it (CmdRun.cpp, largestFirst).
  uint64_t ListedBytes = 0;
  /// Why this kernel is not processed, decided before the run (another
  /// file maps to the same output); "" for a normal job.
  std::string Conflict;
};

/// A directory symlink of the archive: Path names the same directory as
/// Target (both relative to the root, '/'-separated; Target is the real
/// location, itself free of symlinks).
struct ArchiveAlias {
  std::string Path;
  std::string Target;
};

/// Which kernels a run takes (BTFHub's btfgen.sh -a ARCH, the make
/// `-iregex $(ARCH)` filters, tracee's `centos/7*` excludes).
struct KernelSelection {
  /// "" for every arch; else compared after canonicalArch() (amd64 is
  /// x86_64, aarch64 is arm64).
  std::string Arch;
  /// Shell globs (fnmatch(3), '*' also matches '/') over the kernel's
  /// "<distro>/<version>/<arch>/<release>" or any leading directories of
  /// it ("centos/7*" and "centos/7" both take all of centos/7/). With
  /// Include, a kernel must match one of them; a kernel matching an
  /// Exclude is left out.
  std::vector<std::string> Include, Exclude;

  bool empty() const { return Arch.empty() && Include.empty() && Exclude.empty(); }
  /// Does the kernel at Path ("<distro>/<version>/<arch>/<release>") with
  /// Id go into the run?
  bool selects(llvm::StringRef Path, const KernelId &Id) const;
};

struct ArchiveListing {
  std::vector<KernelJob> Jobs;        ///< sorted by RelPath
  std::vector<ArchiveAlias> Aliases;  ///< sorted by Path
  /// Things skipped that a user should hear of (printed as notes).
  std::vector<std::string> Notes;
};

/// Walk Root (see the file comment), leaving out the output tree at OutDir
/// if it lies inside, and with Conflict set on the later of two files
/// mapping to the same output ("x.btf" and "x.btf.tar.xz"). Errors for an
/// unreadable root or directory (a partial list would silently drop
/// kernels) and for kernels at the wrong depth.
llvm::Expected<ArchiveListing> listArchive(llvm::StringRef Root,
                                           llvm::StringRef OutDir,
                                           const KernelSelection &Sel);

/// Every path under which the kernel at RelDir/<file> is reachable through
/// Aliases (transitively), as alias directories; RelDir itself excluded.
/// Sorted.
std::vector<std::string> aliasDirsOf(llvm::StringRef RelDir,
                                     llvm::ArrayRef<ArchiveAlias> Aliases);

/// Read a whole kernel BTF input file into memory, once (AnchoredDir.h,
/// readInputBytes). Errors name Path.
llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>>
readInputFile(const llvm::Twine &Path);

/// Load the BTF bytes of a single file given on the command line: a
/// `.btf.tar.xz` (detected by the xz magic; the entry is the file name minus
/// ".tar.xz") or anything else as-is. Role names the file in errors
/// ("cannot read the <Role>: ...").
llvm::Expected<std::string> loadBTFFile(llvm::StringRef Path,
                                        llvm::StringRef Role);

} // namespace btfgen

#endif // BTFGEN_DRIVER_ARCHIVE_H
