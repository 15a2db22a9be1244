//===- AnchoredDir.cpp - A directory tree reached by descriptors ----------===//
//
// The descriptor walk, atomic writes and bounded reads of AnchoredDir.h.
//
//===----------------------------------------------------------------------===//

#include "AnchoredDir.h"
#include "TempFiles.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <cerrno>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace llvm;

namespace btfgen {

namespace {

Error pathError(const Twine &Path, const Twine &Msg) {
  return createStringError(inconvertibleErrorCode(), "'" + Path + "': " + Msg);
}

/// A path error that also carries errno E (so callers can tell "absent").
Error errnoError(const Twine &Path, const Twine &What, int E = errno) {
  std::error_code EC(E, std::generic_category());
  return createStringError(EC, "'" + Path + "': " + What + EC.message());
}

std::string errnoText(int E = errno) {
  return std::error_code(E, std::generic_category()).message();
}

/// Write all of Bytes to FD.
std::error_code writeAll(int FD, StringRef Bytes) {
  for (size_t Off = 0; Off < Bytes.size();) {
    ssize_t W = ::write(FD, Bytes.data() + Off, Bytes.size() - Off);
    if (W < 0) {
      if (errno == EINTR)
        continue;
      return {errno, std::generic_category()};
    }
    Off += size_t(W);
  }
  return {};
}

/// Read FD to its end, at most Max bytes (then EFBIG).
std::error_code readAll(int FD, uint64_t Max, std::string &Out) {
  char Buf[65536];
  for (;;) {
    ssize_t R = ::read(FD, Buf, sizeof(Buf));
    if (R < 0) {
      if (errno == EINTR)
        continue;
      return {errno, std::generic_category()};
    }
    if (R == 0)
      return {};
    if (Out.size() + size_t(R) > Max)
      return std::make_error_code(std::errc::file_too_large);
    Out.append(Buf, size_t(R));
  }
}

/// Open Name in DirFd as a regular file for reading, refusing symlinks,
/// FIFOs and devices without blocking on them. -1 with errno set (EINVAL
/// for "not a regular file").
int openRegular(int DirFd, const char *Name, struct stat &St) {
  int FD = ::openat(DirFd, Name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (FD < 0)
    return -1;
  if (::fstat(FD, &St) != 0 || !S_ISREG(St.st_mode)) {
    int E = S_ISREG(St.st_mode) ? errno : EINVAL;
    ::close(FD);
    errno = E;
    return -1;
  }
  return FD;
}

/// Is Name in DirFd a regular file holding exactly Bytes?
bool sameRegularFile(int DirFd, const char *Name, StringRef Bytes) {
  struct stat St;
  int FD = openRegular(DirFd, Name, St);
  if (FD < 0)
    return false;
  std::string Have;
  bool Same = uint64_t(St.st_size) == Bytes.size() &&
              !readAll(FD, Bytes.size(), Have) && Have == Bytes;
  ::close(FD);
  return Same;
}

Error writeFileIn(int DirFd, StringRef Name, StringRef Bytes,
                  const Twine &Shown) {
  std::string NameZ = Name.str();
  if (sameRegularFile(DirFd, NameZ.c_str(), Bytes))
    return Error::success();
  Expected<TempFile> T = TempFile::createFile(DirFd, Name);
  if (!T)
    return pathError(Shown, "cannot create temporary file: " +
                                toString(T.takeError()));
  std::error_code EC = writeAll(T->fd(), Bytes);
  if (!EC)
    EC = T->closeFile();
  if (EC) {
    T->discard();
    return pathError(Shown, "write failed: " + EC.message());
  }
  if (std::error_code EC = T->commit())
    return pathError(Shown, "cannot rename temporary file into place: " +
                                EC.message());
  return Error::success();
}

std::optional<std::string> readLinkIn(int DirFd, const char *Name) {
  char Buf[4096];
  ssize_t N = ::readlinkat(DirFd, Name, Buf, sizeof(Buf));
  if (N < 0 || size_t(N) >= sizeof(Buf))
    return std::nullopt;
  return std::string(Buf, size_t(N));
}

} // namespace

Expected<std::unique_ptr<AnchoredDir>>
AnchoredDir::open(StringRef PathArg, bool Create, StringRef Role) {
  std::string Path = PathArg.str();
  while (Path.size() > 1 && Path.back() == '/')
    Path.pop_back();
  if (Create)
    if (std::error_code EC = sys::fs::create_directories(Path))
      return pathError(Path, "cannot create the " + Role + ": " + EC.message());
  int FD = ::open(Path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (FD < 0) {
    if (errno == ENOTDIR)
      return pathError(Path, "the " + Role + " is not a directory");
    return pathError(Path, "cannot open the " + Role + ": " + errnoText());
  }
  // The root too, like every directory below it (dirFd): a run killed
  // while writing a file at the top (the tree's record, a top-level
  // output) leaves its temporary here.
  removeStaleTemps(FD);
  return std::unique_ptr<AnchoredDir>(new AnchoredDir(Path, Role.str(), FD));
}

AnchoredDir::~AnchoredDir() {
  for (auto &[Rel, FD] : Dirs)
    ::close(FD);
  ::close(RootFd);
}

std::string AnchoredDir::path(StringRef RelPath) const {
  return RelPath.empty() ? Root : Root + "/" + RelPath.str();
}

Error AnchoredDir::checkRelPath(StringRef RelPath) {
  if (RelPath.empty() || RelPath.starts_with("/"))
    return pathError(RelPath, "output path must be relative");
  SmallVector<StringRef, 8> Parts;
  RelPath.split(Parts, '/');
  for (StringRef P : Parts)
    if (P == ".." || P == "." || P.empty())
      return pathError(RelPath, "output path must not contain '..', '.' or "
                                "empty components");
  return Error::success();
}

Expected<int> AnchoredDir::dirFd(StringRef RelDir, bool Create) const {
  if (RelDir.empty())
    return RootFd;
  std::lock_guard<std::mutex> L(Mu);
  auto It = Dirs.find(RelDir.str());
  if (It != Dirs.end())
    return It->second;
  // Walk from the deepest ancestor already open.
  SmallVector<StringRef, 8> Parts;
  RelDir.split(Parts, '/');
  int Parent = RootFd;
  std::string Rel;
  for (StringRef P : Parts) {
    std::string Next = Rel.empty() ? P.str() : Rel + "/" + P.str();
    auto Known = Dirs.find(Next);
    if (Known != Dirs.end()) {
      Parent = Known->second;
      Rel = std::move(Next);
      continue;
    }
    std::string PZ = P.str();
    int FD = ::openat(Parent, PZ.c_str(),
                      O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (FD < 0 && errno == ENOENT && Create) {
      if (::mkdirat(Parent, PZ.c_str(), 0777) != 0 && errno != EEXIST)
        return pathError(path(Next), "cannot create directory: " + errnoText());
      FD = ::openat(Parent, PZ.c_str(),
                    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    }
    if (FD < 0) {
      int E = errno;
      struct stat St;
      if ((E == ELOOP || E == ENOTDIR) &&
          ::fstatat(Parent, PZ.c_str(), &St, AT_SYMLINK_NOFOLLOW) == 0) {
        if (S_ISLNK(St.st_mode))
          return pathError(path(Next), "refusing to write through a "
                                       "symlinked directory in the " +
                                           Role);
        return pathError(path(Next), "exists and is not a directory");
      }
      return errnoError(path(Next), "cannot open directory: ", E);
    }
    Dirs.emplace(Next, FD);
    // Once per directory and run: temporaries left by a killed earlier run.
    removeStaleTemps(FD);
    Parent = FD;
    Rel = std::move(Next);
  }
  return Parent;
}

Expected<int> AnchoredDir::parentFd(StringRef RelPath, bool Create,
                                    StringRef &Name) const {
  if (Error E = checkRelPath(RelPath))
    return E;
  size_t Slash = RelPath.rfind('/');
  Name = Slash == StringRef::npos ? RelPath : RelPath.drop_front(Slash + 1);
  return dirFd(Slash == StringRef::npos ? "" : RelPath.take_front(Slash),
               Create);
}

Error AnchoredDir::writeFile(StringRef RelPath, StringRef Bytes) const {
  StringRef Name;
  Expected<int> Dir = parentFd(RelPath, /*Create=*/true, Name);
  if (!Dir)
    return Dir.takeError();
  return writeFileIn(*Dir, Name, Bytes, path(RelPath));
}

Error AnchoredDir::writeSymlink(StringRef RelPath, StringRef Target) const {
  StringRef Name;
  Expected<int> Dir = parentFd(RelPath, /*Create=*/true, Name);
  if (!Dir)
    return Dir.takeError();
  std::string NameZ = Name.str();
  // Compare the stored link text, not its resolution.
  if (std::optional<std::string> Old = readLinkIn(*Dir, NameZ.c_str()))
    if (*Old == Target)
      return Error::success();
  Expected<TempFile> T = TempFile::createSymlink(*Dir, Name, Target);
  if (!T)
    return pathError(path(RelPath),
                     "cannot create symlink: " + toString(T.takeError()));
  if (std::error_code EC = T->commit())
    return pathError(path(RelPath),
                     "cannot rename symlink into place: " + EC.message());
  return Error::success();
}

std::optional<std::string> AnchoredDir::readLink(StringRef RelPath) const {
  StringRef Name;
  Expected<int> Dir = parentFd(RelPath, /*Create=*/false, Name);
  if (!Dir) {
    consumeError(Dir.takeError());
    return std::nullopt;
  }
  return readLinkIn(*Dir, Name.str().c_str());
}

Expected<std::string> AnchoredDir::readFile(StringRef RelPath,
                                            uint64_t MaxSize) const {
  StringRef Name;
  Expected<int> Dir = parentFd(RelPath, /*Create=*/false, Name);
  if (!Dir)
    return Dir.takeError();
  struct stat St;
  int FD = openRegular(*Dir, Name.str().c_str(), St);
  if (FD < 0)
    return errno == EINVAL ? pathError(path(RelPath), "not a regular file")
                           : errnoError(path(RelPath), "");
  std::string Out;
  std::error_code EC;
  if (uint64_t(St.st_size) > MaxSize)
    EC = std::make_error_code(std::errc::file_too_large);
  else
    EC = readAll(FD, MaxSize, Out);
  ::close(FD);
  if (EC)
    return pathError(path(RelPath), EC.message());
  return Out;
}

Error AnchoredDir::remove(StringRef RelPath) const {
  StringRef Name;
  Expected<int> Dir = parentFd(RelPath, /*Create=*/false, Name);
  if (!Dir)
    return Dir.takeError();
  if (::unlinkat(*Dir, Name.str().c_str(), 0) != 0 && errno != ENOENT)
    return pathError(path(RelPath), "cannot remove: " + errnoText());
  return Error::success();
}

void AnchoredDir::touch(StringRef RelPath) const {
  StringRef Name;
  Expected<int> Dir = parentFd(RelPath, /*Create=*/false, Name);
  if (!Dir) {
    consumeError(Dir.takeError());
    return;
  }
  (void)::utimensat(*Dir, Name.str().c_str(), nullptr, AT_SYMLINK_NOFOLLOW);
}

bool AnchoredDir::removeDirIfEmpty(StringRef RelDir) const {
  StringRef Name;
  Expected<int> Dir = parentFd(RelDir, /*Create=*/false, Name);
  if (!Dir) {
    consumeError(Dir.takeError());
    return false;
  }
  {
    // Forget the cached descriptor first: the directory is about to go.
    std::lock_guard<std::mutex> L(Mu);
    for (auto It = Dirs.begin(); It != Dirs.end();) {
      StringRef K = It->first;
      if (K == RelDir || K.starts_with((RelDir + "/").str())) {
        ::close(It->second);
        It = Dirs.erase(It);
      } else {
        ++It;
      }
    }
  }
  return ::unlinkat(*Dir, Name.str().c_str(), AT_REMOVEDIR) == 0;
}

Error writeFileAtomic(StringRef Path, StringRef Bytes, StringRef Role) {
  SmallString<256> DirPath(sys::path::parent_path(Path));
  if (DirPath.empty())
    DirPath = ".";
  StringRef Name = sys::path::filename(Path);
  int DirFd = ::open(DirPath.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (DirFd < 0 && errno == ENOENT)
    return pathError(Path, "cannot write the " + Role + ": its directory '" +
                               DirPath + "' does not exist");
  if (DirFd < 0)
    return pathError(Path, "cannot open the " + Role + "'s directory '" +
                               DirPath + "': " + errnoText());
  removeStaleTemps(DirFd, Name);
  Error E = writeFileIn(DirFd, Name, Bytes, Path);
  ::close(DirFd);
  return E;
}

namespace {

/// A MemoryBuffer that owns the string it was read into: handing the bytes
/// over costs no second allocation and copy (a tarball of an archive run,
/// read once per kernel). std::string keeps a NUL after its last byte, as
/// MemoryBuffer users may expect.
class StringBuffer : public MemoryBuffer {
public:
  StringBuffer(std::string Bytes, std::string Name)
      : Bytes(std::move(Bytes)), Name(std::move(Name)) {
    init(this->Bytes.data(), this->Bytes.data() + this->Bytes.size(),
         /*RequiresNullTerminator=*/true);
  }
  StringRef getBufferIdentifier() const override { return Name; }
  BufferKind getBufferKind() const override { return MemoryBuffer_Malloc; }

private:
  std::string Bytes;
  std::string Name;
};

} // namespace

Expected<std::unique_ptr<MemoryBuffer>>
readInputBytes(const Twine &PathT, StringRef Role, uint64_t MaxStream) {
  std::string Path = PathT.str();
  int FD = ::open(Path.c_str(), O_RDONLY | O_CLOEXEC);
  if (FD < 0)
    return pathError(Path, "cannot read the " + Role + ": " + errnoText());
  struct stat St;
  if (::fstat(FD, &St) != 0) {
    int E = errno;
    ::close(FD);
    return pathError(Path, "cannot read the " + Role + ": " + errnoText(E));
  }
  if (S_ISDIR(St.st_mode)) {
    ::close(FD);
    return pathError(Path, "is a directory, not a " + Role);
  }
  std::string Bytes;
  uint64_t Max = MaxStream;
  if (S_ISREG(St.st_mode)) {
    // A regular file is read to its end; the size only sizes the buffer
    // (a file growing while it is read is still read in one pass).
    Bytes.reserve(size_t(St.st_size));
    Max = UINT64_MAX;
  }
  std::error_code EC = readAll(FD, Max, Bytes);
  ::close(FD);
  if (EC)
    return pathError(Path, EC == std::errc::file_too_large
                               ? Role + " stream is larger than " +
                                     Twine(MaxStream) + " bytes"
                               : "cannot read the " + Role + ": " +
                                     EC.message());
  return std::make_unique<StringBuffer>(std::move(Bytes), std::move(Path));
}

} // namespace btfgen
