//===- Archive.h - Kernel BTF archives as sorted job lists -------*- C++ -*-===//
//
// An archive is a directory in BTFHub layout,
//
//   <distro>/<version>/<arch>/<release>.btf.tar.xz   (BTFHub tarball)
//   <distro>/<version>/<arch>/<release>.btf          (raw BTF, also accepted)
//
// listArchive() walks it once and returns one KernelJob per kernel, sorted
// by relative path (byte order), so job I, its output path and its
// diagnostics are the same for every run and every -j. Directory symlinks
// are not followed (no cycles); file symlinks are, so a previous output
// tree can itself be used as an archive.
//
//===----------------------------------------------------------------------===//

#ifndef BTFGEN_DRIVER_ARCHIVE_H
#define BTFGEN_DRIVER_ARCHIVE_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/MemoryBuffer.h"

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
  /// Why this kernel is not processed, decided before the run (another
  /// file maps to the same output); "" for a normal job.
  std::string Conflict;
};

/// Walk Root. Errors only if Root itself cannot be read; unreadable
/// subdirectories are reported through the error as well (a partial list
/// would silently drop kernels).
llvm::Expected<std::vector<KernelJob>> listArchive(llvm::StringRef Root);

/// The kernels of an archive run: listArchive(ArchiveDir), minus the files
/// of an output tree OutDir lying inside the archive (`--archive .` with the
/// default ./custom-archive must not read its own outputs back as kernels),
/// with Conflict set on the later of two files mapping to the same output
/// ("x.btf" and "x.btf.tar.xz").
llvm::Expected<std::vector<KernelJob>> listKernels(llvm::StringRef ArchiveDir,
                                                   llvm::StringRef OutDir);

/// The raw BTF bytes of one kernel: the file itself, or the `<release>.btf`
/// entry of its tarball, read in memory. Errors name Job.Path.
llvm::Expected<std::string> loadKernelBTF(const KernelJob &Job);

/// Read a whole kernel BTF input file into memory, once (AnchoredDir.h,
/// readInputBytes). Errors name Path.
llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>>
readInputFile(const llvm::Twine &Path);

/// Load the BTF bytes of a single file given on the command line: a
/// `.btf.tar.xz` (detected by the xz magic; the entry is the file name minus
/// ".tar.xz") or anything else as-is.
llvm::Expected<std::string> loadBTFFile(llvm::StringRef Path);

} // namespace btfgen

#endif // BTFGEN_DRIVER_ARCHIVE_H
