//===- Archive.cpp - Kernel BTF archives as sorted job lists --------------===//
//
// Directory walk and per-kernel loading. The walk only collects names; all
// reading happens in loadKernelBTF(), which runs in the worker threads.
//
//===----------------------------------------------------------------------===//

#include "Archive.h"
#include "TarXz.h"
#include "OutputTree.h"
#include "AnchoredDir.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <fnmatch.h>

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

namespace {

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

bool KernelSelection::selects(StringRef Path, const KernelId &Id) const {
  if (!Arch.empty() && canonicalArch(Id.Arch) != canonicalArch(Arch))
    return false;
  // Path and each of its leading directories.
  auto Matches = [&](const std::vector<std::string> &Globs) {
    for (const std::string &G : Globs)
      for (size_t End = Path.size();;) {
        if (::fnmatch(G.c_str(), Path.take_front(End).str().c_str(), 0) == 0)
          return true;
        End = Path.take_front(End).rfind('/');
        if (End == StringRef::npos)
          break;
      }
    return false;
  };
  if (!Include.empty() && !Matches(Include))
    return false;
  return !Matches(Exclude);
}

namespace {

/// Number of '/'-separated components of Rel ("" has none).
unsigned depthOf(StringRef Rel) {
  return Rel.empty() ? 0 : unsigned(Rel.count('/') + 1);
}

/// The one walk of listArchive().
class ArchiveWalker {
public:
  ArchiveWalker(std::string Root, const KernelSelection &Sel)
      : Root(std::move(Root)), Sel(Sel) {}

  Expected<ArchiveListing> run(StringRef OutDir) {
    SmallString<256> Real;
    if (std::error_code EC = sys::fs::real_path(Root, Real))
      return fileError(Root, "cannot open the archive: " + EC.message());
    if (!sys::fs::is_directory(Real))
      return fileError(Root, "the archive is not a directory");
    RealRoot = Real.str().str();
    if (!OutDir.empty() && !sys::fs::real_path(OutDir, Real))
      RealOut = Real.str().str();
    std::vector<std::string> Ancestors{RealRoot};
    if (Error E = walk(Root, "", Ancestors))
      return std::move(E);
    if (Error E = checkDepths())
      return std::move(E);
    finish();
    return std::move(L);
  }

private:
  Error walk(const std::string &Dir, const std::string &Rel,
             std::vector<std::string> &Ancestors) {
    std::error_code EC;
    std::vector<std::string> Names;
    for (sys::fs::directory_iterator It(Dir, EC, /*FollowSymlinks=*/false), End;
         It != End && !EC; It.increment(EC))
      Names.push_back(sys::path::filename(It->path()).str());
    if (EC)
      return fileError(Dir, "cannot read archive directory: " + EC.message());
    llvm::sort(Names);
    for (const std::string &Name : Names) {
      if (StringRef(Name).starts_with("."))
        continue; // btfhub's .hasbtf/.failed markers, temporaries, hidden
      std::string Path = Dir + "/" + Name;
      std::string RelPath = Rel.empty() ? Name : Rel + "/" + Name;
      sys::fs::file_status St;
      if (std::error_code SEC = sys::fs::status(Path, St, /*Follow=*/false))
        return fileError(Path, SEC.message());
      if (St.type() == sys::fs::file_type::directory_file) {
        if (Error E = enterDirectory(Path, RelPath, Ancestors))
          return E;
        continue;
      }
      if (!isKernelName(Name)) {
        if (St.type() == sys::fs::file_type::symlink_file)
          aliasOrNote(Path, RelPath, Ancestors);
        continue;
      }
      if (Error E = addKernel(Path, RelPath, Name))
        return E;
    }
    return Error::success();
  }

  static bool isKernelName(StringRef Name) {
    return Name.ends_with(TarballSuffix) || Name.ends_with(RawSuffix);
  }

  Error enterDirectory(const std::string &Path, const std::string &RelPath,
                       std::vector<std::string> &Ancestors) {
    SmallString<256> Real;
    if (std::error_code EC = sys::fs::real_path(Path, Real))
      return fileError(Path, EC.message());
    if (!RealOut.empty() && Real == RealOut) {
      L.Notes.push_back("'" + Path + "': the output tree of this run lies "
                        "inside the archive; not read as kernels");
      return Error::success();
    }
    if (sys::fs::exists(Path + "/" + TreeRecordName)) {
      L.Notes.push_back("'" + Path + "': a btfgen output tree inside the "
                        "archive; not read as kernels");
      return Error::success();
    }
    Ancestors.push_back(Real.str().str());
    Error E = walk(Path, RelPath, Ancestors);
    Ancestors.pop_back();
    return E;
  }

  /// A symlink that is not named like a kernel: an alias directory if it
  /// resolves to a directory inside the root that is not one of its own
  /// ancestors; otherwise a note (or nothing, if it is no directory).
  void aliasOrNote(const std::string &Path, const std::string &RelPath,
                   const std::vector<std::string> &Ancestors) {
    SmallString<256> Real;
    if (sys::fs::real_path(Path, Real) || !sys::fs::is_directory(Real))
      return; // dangling, or a symlink to something else: not a kernel
    StringRef R = Real;
    std::string Why;
    if (!R.starts_with(RealRoot + "/"))
      Why = "resolves outside the archive";
    else if (llvm::is_contained(Ancestors, R.str()))
      Why = "points at a directory that contains it (a cycle)";
    else if (!RealOut.empty() && (R == RealOut || R.starts_with(RealOut + "/")))
      Why = "points into the output tree";
    if (!Why.empty()) {
      L.Notes.push_back("'" + Path + "': directory symlink " + Why +
                        "; skipped");
      return;
    }
    L.Aliases.push_back({RelPath, R.drop_front(RealRoot.size() + 1).str()});
  }

  Error addKernel(const std::string &Path, const std::string &RelPath,
                  StringRef FileName) {
    // Only regular files (possibly behind a file symlink) are kernels.
    sys::fs::file_status St;
    if (std::error_code SEC = sys::fs::status(Path, St, /*Follow=*/true))
      return fileError(Path, SEC.message());
    if (!sys::fs::is_regular_file(St))
      return Error::success();
    KernelJob Job;
    Job.IsTarball = FileName.ends_with(TarballSuffix);
    Job.Release = FileName
                      .drop_back(Job.IsTarball ? TarballSuffix.size()
                                               : RawSuffix.size())
                      .str();
    if (Job.Release.empty())
      return Error::success(); // a file named just ".btf"
    Job.Path = Path;
    Job.RelPath = RelPath;
    Job.ListedBytes = St.getSize();
    StringRef Dir = sys::path::parent_path(RelPath, sys::path::Style::posix);
    Job.OutRelPath = (Dir.empty() ? "" : Dir.str() + "/") + Job.Release + ".btf";
    Job.Id = kernelIdOf(RelPath);
    if (depthOf(RelPath) != 4) {
      WrongDepth.push_back(RelPath);
      return Error::success();
    }
    if (!Sel.selects((Dir + "/" + Job.Release).str(), Job.Id))
      return Error::success();
    L.Jobs.push_back(std::move(Job));
    return Error::success();
  }

  /// Kernels at another depth than <distro>/<version>/<arch>/<release>.
  Error checkDepths() const {
    if (WrongDepth.empty())
      return Error::success();
    unsigned D = depthOf(WrongDepth.front());
    std::string Msg = "kernel BTF files must be at "
                      "<distro>/<version>/<arch>/<release>.btf.tar.xz below "
                      "the archive root, but '" +
                      WrongDepth.front() + "' is " + std::to_string(D) +
                      " level(s) deep";
    if (WrongDepth.size() > 1)
      Msg += " (and " + std::to_string(WrongDepth.size() - 1) + " more)";
    bool Same = llvm::all_of(WrongDepth, [&](const std::string &P) {
      return depthOf(P) == D;
    });
    if (Same && D < 4) {
      // --archive names a directory inside an archive: name the root.
      StringRef Up = RealRoot;
      for (unsigned I = D; I < 4; ++I)
        Up = sys::path::parent_path(Up);
      Msg += "; --archive seems to name a directory " + std::to_string(4 - D) +
             " level(s) inside an archive, whose root would be '" + Up.str() +
             "'";
    }
    return fileError(Root, Msg);
  }

  /// Sorted jobs with their conflicts; the aliases that lead to a selected
  /// kernel and are not excluded themselves, sorted.
  void finish() {
    llvm::sort(L.Jobs, [](const KernelJob &A, const KernelJob &B) {
      return A.RelPath < B.RelPath;
    });
    markSameOutputs(L.Jobs);
    KernelSelection DirsOnly;
    DirsOnly.Exclude = Sel.Exclude;
    std::vector<ArchiveAlias> All = std::move(L.Aliases);
    L.Aliases.clear();
    for (const ArchiveAlias &A : All) {
      if (!DirsOnly.selects(A.Path, KernelId()))
        continue;
      bool Used = llvm::any_of(L.Jobs, [&](const KernelJob &J) {
        StringRef Dir = sys::path::parent_path(J.RelPath, sys::path::Style::posix);
        std::string Prefix = A.Path + "/";
        if ((Dir + "/").str().rfind(A.Target + "/", 0) == 0)
          return true;
        return llvm::any_of(aliasDirsOf(Dir, All), [&](const std::string &D) {
          return (D + "/").rfind(Prefix, 0) == 0;
        });
      });
      if (Used)
        L.Aliases.push_back(A);
    }
    llvm::sort(L.Aliases, [](const ArchiveAlias &A, const ArchiveAlias &B) {
      return A.Path < B.Path;
    });
  }

  std::string Root, RealRoot, RealOut;
  const KernelSelection &Sel;
  ArchiveListing L;
  std::vector<std::string> WrongDepth;
};

} // namespace

Expected<ArchiveListing> listArchive(StringRef RootArg, StringRef OutDir,
                                     const KernelSelection &Sel) {
  std::string Root = RootArg.str();
  while (Root.size() > 1 && Root.back() == '/')
    Root.pop_back();
  return ArchiveWalker(std::move(Root), Sel).run(OutDir);
}

std::vector<std::string> aliasDirsOf(StringRef RelDir,
                                     ArrayRef<ArchiveAlias> Aliases) {
  std::vector<std::string> Out;
  std::vector<std::string> Work{RelDir.str()};
  // Each round maps the directories found last round through every alias;
  // the set only grows and is finite (no alias points at an ancestor), and
  // a chain is at most as long as the number of aliases.
  for (size_t Round = 0; Round <= Aliases.size() && !Work.empty(); ++Round) {
    std::vector<std::string> Next;
    for (const std::string &D : Work)
      for (const ArchiveAlias &A : Aliases) {
        StringRef Rest(D);
        std::string Mapped;
        if (Rest == A.Target)
          Mapped = A.Path;
        else if (Rest.consume_front(A.Target + "/"))
          Mapped = A.Path + "/" + Rest.str();
        else
          continue;
        if (Mapped != RelDir && !llvm::is_contained(Out, Mapped)) {
          Out.push_back(Mapped);
          Next.push_back(Mapped);
        }
      }
    Work = std::move(Next);
  }
  llvm::sort(Out);
  return Out;
}

Expected<std::string> loadBTFFile(StringRef Path, StringRef Role) {
  Expected<std::unique_ptr<MemoryBuffer>> Buf = readInputBytes(Path, Role);
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
