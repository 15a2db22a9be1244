//===- OutputFile.cpp - Atomic writes into an output tree -----------------===//
//
// Temp files are named ".<name>.tmp-XXXXXX" next to the destination: hidden,
// and without the .btf suffix, so an archive walk never picks one up.
//
//===----------------------------------------------------------------------===//

#include "OutputFile.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <cerrno>
#include <unistd.h>

using namespace llvm;

namespace btfgen {

namespace {

Error pathError(const Twine &Path, const Twine &Msg) {
  return createStringError(inconvertibleErrorCode(), "'" + Path + "': " + Msg);
}

std::string tempModel(StringRef Path) {
  SmallString<256> Model(sys::path::parent_path(Path));
  if (Model.empty())
    Model = ".";
  sys::path::append(Model, "." + sys::path::filename(Path) + ".tmp-%%%%%%%%");
  return std::string(Model);
}

bool sameRegularFile(StringRef Path, StringRef Bytes) {
  sys::fs::file_status St;
  if (sys::fs::status(Path, St, /*Follow=*/false) ||
      St.type() != sys::fs::file_type::regular_file || St.getSize() != Bytes.size())
    return false;
  ErrorOr<std::unique_ptr<MemoryBuffer>> Buf = MemoryBuffer::getFile(
      Path, /*IsText=*/false, /*RequiresNullTerminator=*/false);
  return Buf && (*Buf)->getBuffer() == Bytes;
}

} // namespace

Error writeFileAtomic(StringRef Path, StringRef Bytes) {
  if (sameRegularFile(Path, Bytes))
    return Error::success();
  int FD;
  SmallString<256> TmpPath;
  if (std::error_code EC =
          sys::fs::createUniqueFile(tempModel(Path), FD, TmpPath))
    return pathError(Path, "cannot create temporary file: " + EC.message());
  {
    raw_fd_ostream OS(FD, /*shouldClose=*/true);
    OS << Bytes;
    OS.close();
    if (OS.has_error()) {
      std::error_code EC = OS.error();
      OS.clear_error();
      sys::fs::remove(TmpPath);
      return pathError(Path, "write failed: " + EC.message());
    }
  }
  if (std::error_code EC = sys::fs::rename(TmpPath, Path)) {
    sys::fs::remove(TmpPath);
    return pathError(Path, "cannot rename temporary file into place: " +
                               EC.message());
  }
  return Error::success();
}

Error writeSymlinkAtomic(StringRef Path, StringRef Target) {
  {
    // Compare the stored link text, not its resolution.
    char Buf[4096];
    SmallString<256> P(Path);
    ssize_t N = ::readlink(P.c_str(), Buf, sizeof(Buf));
    if (N >= 0 && StringRef(Buf, N) == Target)
      return Error::success();
  }
  SmallString<256> Tmp;
  std::string Model = tempModel(Path);
  SmallString<256> TargetZ(Target);
  for (unsigned Attempt = 0;; ++Attempt) {
    sys::fs::createUniquePath(Model, Tmp, /*MakeAbsolute=*/false);
    if (::symlink(TargetZ.c_str(), Tmp.c_str()) == 0)
      break;
    if (errno != EEXIST || Attempt > 100)
      return pathError(Path, "cannot create symlink: " +
                                 std::error_code(errno, std::generic_category())
                                     .message());
  }
  if (std::error_code EC = sys::fs::rename(Tmp, Path)) {
    sys::fs::remove(Tmp);
    return pathError(Path, "cannot rename symlink into place: " + EC.message());
  }
  return Error::success();
}

OutputTree::OutputTree(StringRef RootArg) : Root(RootArg.str()) {
  while (Root.size() > 1 && Root.back() == '/')
    Root.pop_back();
}

Error OutputTree::createRoot() {
  if (std::error_code EC = sys::fs::create_directories(Root))
    return pathError(Root, "cannot create output directory: " + EC.message());
  if (!sys::fs::is_directory(Root))
    return pathError(Root, "output path is not a directory");
  return Error::success();
}

std::string OutputTree::path(StringRef RelPath) const {
  return Root + "/" + RelPath.str();
}

Error OutputTree::createParents(StringRef RelPath) const {
  if (RelPath.empty() || RelPath.starts_with("/"))
    return pathError(RelPath, "output path must be relative");
  SmallVector<StringRef, 8> Parts;
  RelPath.split(Parts, '/');
  for (StringRef P : Parts)
    if (P == ".." || P == "." || P.empty())
      return pathError(RelPath, "output path must not contain '..', '.' or "
                                "empty components");
  std::string Dir = Root;
  for (StringRef P : ArrayRef<StringRef>(Parts).drop_back()) {
    Dir += "/";
    Dir += P.str();
    // lstat: a symlink here would take the write out of the tree.
    sys::fs::file_status St;
    std::error_code EC = sys::fs::status(Dir, St, /*Follow=*/false);
    if (EC == std::errc::no_such_file_or_directory) {
      EC = sys::fs::create_directory(Dir, /*IgnoreExisting=*/true);
      if (!EC)
        EC = sys::fs::status(Dir, St, /*Follow=*/false);
    }
    if (EC)
      return pathError(Dir, "cannot create directory: " + EC.message());
    if (St.type() == sys::fs::file_type::symlink_file)
      return pathError(Dir, "refusing to write through a symlinked directory "
                            "in the output tree");
    if (St.type() != sys::fs::file_type::directory_file)
      return pathError(Dir, "exists and is not a directory");
  }
  return Error::success();
}

Error OutputTree::writeFile(StringRef RelPath, StringRef Bytes) const {
  if (Error E = createParents(RelPath))
    return E;
  return writeFileAtomic(path(RelPath), Bytes);
}

Error OutputTree::writeSymlink(StringRef RelPath, StringRef Target) const {
  if (Error E = createParents(RelPath))
    return E;
  return writeSymlinkAtomic(path(RelPath), Target);
}

} // namespace btfgen
