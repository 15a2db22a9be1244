//===- CacheSpace.cpp - What the cache holds, and keeping it under a cap --===//
//
// The cache must not fill a disk: a BTFHub arch decodes to tens of GB. After
// every run (and on `btfgen-driver cache prune`) entries go, least recently
// used first, until the cache holds at most its cap. "Used" is the entry's
// mtime: a store sets it, a hit refreshes it (Cache::lookup). Entries are
// unlinked whole, so a reader that already opened one still reads it all
// and a later lookup is a plain miss. Entries of an older format are
// removed first: this build no longer reads them.
//
// Sizes are file sizes (st_size) of entries and of writers' temporaries,
// so figures do not depend on the file system's block size.
//
//===----------------------------------------------------------------------===//

#include "Cache.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace llvm;

namespace btfgen {

namespace {

/// The formats before FormatDir, all removed on sight.
constexpr const char *OldFormatDirs[] = {"v1"};

/// One entry file of the cache.
struct EntryFile {
  int64_t MTimeNs;
  std::string Rel; ///< below the cache root, e.g. "btf/ab/ab12....btf"
  uint64_t Bytes;
};

/// A writer's temporary (Cache::store via AnchoredDir::writeFile).
bool isTempName(StringRef Name) {
  return Name.starts_with(".") && Name.contains(".tmp-");
}

/// Calls F(name, stat) for every directory entry of the directory open at
/// Fd ("." and ".." aside), not following symlinks. Reads through its own
/// descriptor, so the caller's (cached, shared) one keeps its offset.
template <typename Fn> void forEachEntry(int Fd, Fn F) {
  int Own = ::openat(Fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (Own < 0)
    return;
  DIR *D = ::fdopendir(Own);
  if (!D) {
    ::close(Own);
    return;
  }
  std::vector<std::string> Names;
  while (struct dirent *E = ::readdir(D)) {
    StringRef N(E->d_name);
    if (N != "." && N != "..")
      Names.push_back(N.str());
  }
  std::sort(Names.begin(), Names.end()); // deterministic order
  for (const std::string &N : Names) {
    struct stat St;
    if (::fstatat(Fd, N.c_str(), &St, AT_SYMLINK_NOFOLLOW) == 0)
      F(N, St);
  }
  ::closedir(D);
}

/// Bytes of the tree Name below ParentFd (not following symlinks); with
/// Remove, removes it as well. Missing: 0.
uint64_t walkTree(int ParentFd, const std::string &Name, bool Remove) {
  struct stat St;
  if (::fstatat(ParentFd, Name.c_str(), &St, AT_SYMLINK_NOFOLLOW) != 0)
    return 0;
  if (!S_ISDIR(St.st_mode)) {
    if (Remove)
      ::unlinkat(ParentFd, Name.c_str(), 0);
    return S_ISREG(St.st_mode) ? uint64_t(St.st_size) : 0;
  }
  int Fd = ::openat(ParentFd, Name.c_str(),
                    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (Fd < 0)
    return 0;
  uint64_t Bytes = 0;
  forEachEntry(Fd, [&](const std::string &N, const struct stat &) {
    Bytes += walkTree(Fd, N, Remove);
  });
  ::close(Fd);
  if (Remove)
    ::unlinkat(ParentFd, Name.c_str(), AT_REMOVEDIR);
  return Bytes;
}

/// Bytes of the older-format trees beside Root's format directory.
uint64_t oldFormats(const std::string &Parent, bool Remove) {
  int Fd = ::open(Parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (Fd < 0)
    return 0;
  uint64_t Bytes = 0;
  for (const char *Old : OldFormatDirs)
    Bytes += walkTree(Fd, Old, Remove);
  ::close(Fd);
  return Bytes;
}

} // namespace

std::optional<uint64_t> parseCacheSize(StringRef V) {
  if (V == "none")
    return NoCacheCap;
  StringRef Num = V;
  uint64_t Unit = 1;
  if (!Num.empty()) {
    switch (toUpper(Num.back())) {
    case 'K': Unit = 1ull << 10; break;
    case 'M': Unit = 1ull << 20; break;
    case 'G': Unit = 1ull << 30; break;
    case 'T': Unit = 1ull << 40; break;
    default: break;
    }
    if (Unit != 1)
      Num = Num.drop_back();
  }
  if (Num.empty() || !isDigit(Num.front()))
    return std::nullopt;
  double D;
  if (Num.getAsDouble(D) || !(D >= 0) || D * double(Unit) >= 1.8e19)
    return std::nullopt;
  return uint64_t(std::llround(D * double(Unit)));
}

std::string formatSize(uint64_t Bytes) {
  static const char *Units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double V = double(Bytes);
  unsigned U = 0;
  while (V >= 1024 && U + 1 < std::size(Units)) {
    V /= 1024;
    ++U;
  }
  std::string S;
  raw_string_ostream OS(S);
  if (U == 0)
    OS << Bytes << " B";
  else
    OS << format("%.1f", V) << " " << Units[U];
  return S;
}

/// Every entry (temporaries counted in U, not listed), by kind.
static std::vector<EntryFile> listEntries(const AnchoredDir &Dir,
                                          CacheUsage &U) {
  std::vector<EntryFile> Out;
  for (StringRef NS : EntryKinds) {
    for (unsigned B = 0; B < 256; ++B) {
      std::string Sub = NS.str() + "/" + toHex(ArrayRef<uint8_t>(uint8_t(B)),
                                               /*LowerCase=*/true);
      Expected<int> Fd = Dir.dirFd(Sub, /*Create=*/false);
      if (!Fd) {
        consumeError(Fd.takeError()); // absent: empty
        continue;
      }
      forEachEntry(*Fd, [&](const std::string &N, const struct stat &St) {
        if (!S_ISREG(St.st_mode))
          return; // not ours; lookups report and replace it
        uint64_t Size = uint64_t(St.st_size);
        if (isTempName(N)) {
          ++U.Temps;
          U.TempBytes += Size;
          return;
        }
        if (NS == "btf") {
          ++U.Kernels;
          U.KernelBytes += Size;
        } else if (NS == "out") {
          ++U.Results;
          U.ResultBytes += Size;
        } else if (NS == "vrd") {
          ++U.Verdicts;
          U.VerdictBytes += Size;
        } else {
          ++U.Bases;
          U.BaseBytes += Size;
        }
        Out.push_back({int64_t(St.st_mtim.tv_sec) * 1000000000 +
                           St.st_mtim.tv_nsec,
                       Sub + "/" + N, Size});
      });
    }
  }
  return Out;
}

Expected<CacheUsage> Cache::usage() const {
  CacheUsage U;
  if (!enabled())
    return U;
  listEntries(*Dir, U);
  U.OldBytes = oldFormats(Parent, /*Remove=*/false);
  return U;
}

Expected<CacheEviction> Cache::evictTo(uint64_t MaxBytes,
                                       int64_t FreshSinceNs) const {
  CacheEviction Ev;
  if (!enabled())
    return Ev;
  Ev.OldBytes = oldFormats(Parent, /*Remove=*/true);
  CacheUsage U;
  std::vector<EntryFile> Entries = listEntries(*Dir, U);
  uint64_t Total = U.total();
  if (Total > MaxBytes) {
    // Oldest first; equal times by name, so the choice is reproducible.
    std::sort(Entries.begin(), Entries.end(),
              [](const EntryFile &A, const EntryFile &B) {
                return std::tie(A.MTimeNs, A.Rel) < std::tie(B.MTimeNs, B.Rel);
              });
    for (const EntryFile &E : Entries) {
      if (Total <= MaxBytes)
        break;
      if (Error Err = Dir->remove(E.Rel))
        return std::move(Err);
      Total -= E.Bytes;
      ++Ev.Removed;
      Ev.RemovedBytes += E.Bytes;
      if (E.MTimeNs >= FreshSinceNs) {
        ++Ev.RemovedFresh;
        Ev.RemovedFreshBytes += E.Bytes;
      }
    }
  }
  listEntries(*Dir, Ev.After);
  return Ev;
}

} // namespace btfgen
