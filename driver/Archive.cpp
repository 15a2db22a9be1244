//===- Archive.cpp - Kernel BTF archives as sorted job lists --------------===//
//
// Directory walk and per-kernel loading. The walk only collects names; all
// reading happens in loadKernelBTF(), which runs in the worker threads.
//
//===----------------------------------------------------------------------===//

#include "Archive.h"
#include "TarXz.h"
#include "AnchoredDir.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

using namespace llvm;

namespace btfgen {

namespace {

constexpr StringLiteral TarballSuffix = ".btf.tar.xz";
constexpr StringLiteral RawSuffix = ".btf";

Error fileError(const Twine &Path, const Twine &Msg) {
  return createStringError(inconvertibleErrorCode(), "'" + Path + "': " + Msg);
}

} // namespace

Expected<std::unique_ptr<MemoryBuffer>> readInputFile(const Twine &Path) {
  return readInputBytes(Path, "kernel BTF");
}

bool validComponent(StringRef S) {
  return !S.empty() && S != "." && S != ".." && !S.contains('/') &&
         !S.contains('\0');
}

bool KernelId::indexable() const {
  return validComponent(Distro) && validComponent(Version) &&
         validComponent(Arch) && validComponent(Release);
}

KernelId kernelIdOf(StringRef RelPath) {
  KernelId Id;
  SmallVector<StringRef, 8> Parts;
  RelPath.split(Parts, '/');
  StringRef File = Parts.pop_back_val();
  if (!File.consume_back(TarballSuffix))
    File.consume_back(RawSuffix);
  Id.Release = File.str();
  size_t N = Parts.size();
  if (N >= 1)
    Id.Arch = Parts[N - 1].str();
  if (N >= 2)
    Id.Version = Parts[N - 2].str();
  if (N >= 3)
    Id.Distro = join(ArrayRef<StringRef>(Parts).take_front(N - 2), "/");
  return Id;
}

std::string canonicalArch(StringRef Arch) {
  std::string A = Arch.lower();
  if (A == "amd64" || A == "x86-64")
    return "x86_64";
  if (A == "aarch64")
    return "arm64";
  return A;
}

Expected<std::vector<KernelJob>> listArchive(StringRef RootArg) {
  std::string Root = RootArg.str();
  while (Root.size() > 1 && Root.back() == '/')
    Root.pop_back();
  sys::fs::file_status RootStatus;
  if (std::error_code EC = sys::fs::status(Root, RootStatus))
    return fileError(Root, EC.message());
  if (!sys::fs::is_directory(RootStatus))
    return fileError(Root, "not a directory");

  std::vector<KernelJob> Jobs;
  std::error_code EC;
  for (sys::fs::recursive_directory_iterator It(Root, EC, /*follow=*/false),
       End;
       It != End; It.increment(EC)) {
    if (EC)
      return fileError(It->path(), EC.message());
    StringRef Path = It->path();
    StringRef FileName = sys::path::filename(Path);
    bool IsTarball = FileName.ends_with(TarballSuffix);
    if (!IsTarball && !FileName.ends_with(RawSuffix))
      continue;
    // Only regular files (possibly behind a file symlink) are kernels.
    sys::fs::file_status St;
    if (std::error_code SEC = sys::fs::status(Path, St, /*Follow=*/true))
      return fileError(Path, SEC.message());
    if (!sys::fs::is_regular_file(St))
      continue;
    KernelJob Job;
    Job.Path = Path.str();
    StringRef Rel = Path;
    Rel.consume_front(Root);
    Rel.consume_front("/");
    Job.RelPath = Rel.str();
    Job.IsTarball = IsTarball;
    StringRef Release = FileName.drop_back(
        IsTarball ? TarballSuffix.size() : RawSuffix.size());
    Job.Release = Release.str();
    StringRef Dir = sys::path::parent_path(Rel);
    Job.OutRelPath = (Dir.empty() ? "" : Dir.str() + "/") + Job.Release + ".btf";
    if (Job.Release.empty())
      continue; // a file named just ".btf"
    Job.Id = kernelIdOf(Job.RelPath);
    Jobs.push_back(std::move(Job));
  }
  if (EC)
    return fileError(Root, EC.message());
  llvm::sort(Jobs, [](const KernelJob &A, const KernelJob &B) {
    return A.RelPath < B.RelPath;
  });
  return Jobs;
}

namespace {

/// Remove the jobs under OutDir when OutDir is inside the archive Root.
void dropOutputTree(std::vector<KernelJob> &Jobs, StringRef Root,
                    StringRef OutDir) {
  SmallString<256> RealRoot, RealOut;
  if (sys::fs::real_path(Root, RealRoot) || sys::fs::real_path(OutDir, RealOut))
    return;
  std::string RootSlash = (RealRoot + "/").str();
  if (!StringRef(RealOut).starts_with(RootSlash))
    return;
  std::string Prefix = StringRef(RealOut).drop_front(RootSlash.size()).str() + "/";
  llvm::erase_if(Jobs, [&](const KernelJob &J) {
    return StringRef(J.RelPath).starts_with(Prefix);
  });
}

/// Two files mapping to the same output: the later one in sorted order is
/// refused.
void markSameOutputs(std::vector<KernelJob> &Jobs) {
  std::vector<size_t> Order(Jobs.size());
  for (size_t I = 0; I < Jobs.size(); ++I)
    Order[I] = I;
  llvm::stable_sort(Order, [&](size_t A, size_t B) {
    return Jobs[A].OutRelPath < Jobs[B].OutRelPath;
  });
  for (size_t K = 1; K < Order.size(); ++K) {
    if (Jobs[Order[K]].OutRelPath != Jobs[Order[K - 1]].OutRelPath)
      continue;
    size_t Later = std::max(Order[K], Order[K - 1]);
    size_t Earlier = std::min(Order[K], Order[K - 1]);
    Jobs[Later].Conflict = "'" + Jobs[Later].Path + "': same output '" +
                           Jobs[Later].OutRelPath + "' as '" +
                           Jobs[Earlier].Path + "'";
  }
}

} // namespace

Expected<std::vector<KernelJob>> listKernels(StringRef ArchiveDir,
                                             StringRef OutDir) {
  Expected<std::vector<KernelJob>> Jobs = listArchive(ArchiveDir);
  if (!Jobs)
    return Jobs.takeError();
  dropOutputTree(*Jobs, ArchiveDir, OutDir);
  markSameOutputs(*Jobs);
  return Jobs;
}

Expected<std::string> loadKernelBTF(const KernelJob &Job) {
  Expected<std::unique_ptr<MemoryBuffer>> Buf = readInputFile(Job.Path);
  if (!Buf)
    return Buf.takeError();
  StringRef Bytes = (*Buf)->getBuffer();
  if (!Job.IsTarball)
    return Bytes.str();
  std::string Out;
  if (Error E = readTarXzEntry(Bytes, Job.Release + ".btf", Job.Path, Out))
    return E;
  return Out;
}

Expected<std::string> loadBTFFile(StringRef Path) {
  Expected<std::unique_ptr<MemoryBuffer>> Buf = readInputFile(Path);
  if (!Buf)
    return Buf.takeError();
  StringRef Bytes = (*Buf)->getBuffer();
  if (!isXz(Bytes))
    return Bytes.str();
  StringRef FileName = sys::path::filename(Path);
  if (!FileName.consume_back(".tar.xz") && !FileName.consume_back(".txz"))
    return fileError(Path, "xz file is not named '<release>.btf.tar.xz': "
                           "cannot tell which tar entry holds the BTF");
  std::string Wanted = FileName.str();
  if (!FileName.ends_with(RawSuffix))
    Wanted += RawSuffix;
  std::string Out;
  if (Error E = readTarXzEntry(Bytes, Wanted, Path, Out))
    return E;
  return Out;
}

} // namespace btfgen
