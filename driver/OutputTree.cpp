//===- OutputTree.cpp - The output tree of a run, locked ------------------===//
//
// The lock is taken on a descriptor of the directory opened for it alone: a
// flock belongs to an open file description, so it is released when this
// one is closed, whatever else keeps the directory open.
//
//===----------------------------------------------------------------------===//

#include "OutputTree.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <cerrno>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

using namespace llvm;

namespace btfgen {

Expected<std::unique_ptr<DirLock>>
DirLock::acquire(const AnchoredDir &Dir, StringRef Role, bool Wait) {
  auto Fail = [&](const Twine &Msg, int E) {
    return createStringError(
        inconvertibleErrorCode(),
        "'" + Dir.root() + "': " + Msg +
            std::error_code(E, std::generic_category()).message());
  };
  int FD = ::openat(Dir.rootFd(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (FD < 0)
    return Fail("cannot open the " + Role + " to lock it: ", errno);
  while (::flock(FD, LOCK_EX | (Wait ? 0 : LOCK_NB)) != 0) {
    if (errno == EINTR)
      continue;
    int E = errno;
    ::close(FD);
    if (E != EWOULDBLOCK)
      return Fail("cannot lock the " + Role + ": ", E);
    return createStringError(inconvertibleErrorCode(),
                             "'" + Dir.root() + "': the " + Role +
                                 " is in use by another btfgen-driver run; "
                                 "wait for it to finish or pass --wait-lock");
  }
  return std::unique_ptr<DirLock>(new DirLock(FD));
}

DirLock::~DirLock() { ::close(FD); }

Expected<std::unique_ptr<OutputTree>> OutputTree::open(StringRef Root,
                                                       bool WaitLock) {
  Expected<std::unique_ptr<AnchoredDir>> Dir =
      AnchoredDir::open(Root, /*Create=*/true, "output tree");
  if (!Dir)
    return Dir.takeError();
  Expected<std::unique_ptr<DirLock>> Lock =
      DirLock::acquire(**Dir, "output tree", WaitLock);
  if (!Lock)
    return Lock.takeError();
  return std::unique_ptr<OutputTree>(
      new OutputTree(std::move(*Dir), std::move(*Lock)));
}

void writeIndexRows(raw_ostream &OS, ArrayRef<IndexRow> Rows,
                    StringRef FilePrefix) {
  OS << "[";
  for (size_t R = 0; R < Rows.size(); ++R) {
    OS << (R ? ",\n" : "\n");
    const KernelId &Id = Rows[R].Id;
    json::OStream J(OS);
    J.object([&] {
      J.attribute("distro", Id.Distro);
      J.attribute("version", Id.Version);
      J.attribute("arch", Id.Arch);
      J.attribute("release", Id.Release);
      J.attribute("file", (FilePrefix + Rows[R].File).str());
    });
  }
  OS << "\n]";
}

namespace {

constexpr uint64_t MaxRecordSize = 256u << 20;

Error recordError(const OutputTree &T, const Twine &Msg) {
  return createStringError(inconvertibleErrorCode(),
                           "'" + T.path(TreeRecordName) +
                               "': the output tree's record " + Msg);
}

} // namespace

Expected<TreeRecord> OutputTree::readRecord() const {
  TreeRecord R;
  Expected<std::string> Text = Dir->readFile(TreeRecordName, MaxRecordSize);
  if (!Text) {
    std::error_code EC;
    std::string Msg;
    handleAllErrors(Text.takeError(), [&](const ErrorInfoBase &E) {
      EC = E.convertToErrorCode();
      Msg = E.message();
    });
    if (EC == std::errc::no_such_file_or_directory)
      return R; // a new tree, or one from before records
    return createStringError(inconvertibleErrorCode(), Msg);
  }
  Expected<json::Value> Doc = json::parse(*Text);
  if (!Doc)
    return recordError(*this, "is not JSON: " + toString(Doc.takeError()));
  const json::Object *O = Doc->getAsObject();
  if (!O || O->getString("format") != StringRef("btfgen-tree") ||
      O->getInteger("version") != int64_t(1))
    return recordError(*this, "is not a btfgen-tree version 1 record");
  if (std::optional<StringRef> L = O->getString("layout"))
    R.Layout = L->str();
  const json::Array *Kernels = O->getArray("kernels");
  const json::Array *Owned = O->getArray("owned");
  if (!Kernels || !Owned)
    return recordError(*this, "lacks \"kernels\" or \"owned\"");
  for (const json::Value &V : *Kernels) {
    const json::Object *K = V.getAsObject();
    IndexRow Row;
    std::pair<const char *, std::string *> Fields[] = {
        {"distro", &Row.Id.Distro}, {"version", &Row.Id.Version},
        {"arch", &Row.Id.Arch},     {"release", &Row.Id.Release},
        {"file", &Row.File}};
    for (auto &[Key, Dst] : Fields) {
      std::optional<StringRef> S = K ? K->getString(Key) : std::nullopt;
      if (!S)
        return recordError(*this, "has a kernel without \"" + Twine(Key) +
                                      "\"");
      *Dst = S->str();
    }
    if (Error E = AnchoredDir::checkRelPath(Row.File))
      return recordError(*this, "names a bad file: " + toString(std::move(E)));
    R.Kernels.push_back(std::move(Row));
  }
  for (const json::Value &V : *Owned) {
    std::optional<StringRef> S = V.getAsString();
    if (!S)
      return recordError(*this, "has an \"owned\" entry that is no string");
    if (Error E = AnchoredDir::checkRelPath(*S))
      return recordError(*this, "owns a bad path: " + toString(std::move(E)));
    R.Owned.push_back(S->str());
  }
  llvm::sort(R.Owned);
  return R;
}

Error OutputTree::writeRecord(const TreeRecord &R) const {
  std::string Text;
  raw_string_ostream OS(Text);
  OS << "{\"format\":\"btfgen-tree\",\"version\":1,\"layout\":";
  {
    json::OStream J(OS);
    J.value(R.Layout);
  }
  OS << ",\n\"kernels\":";
  writeIndexRows(OS, R.Kernels, "");
  OS << ",\n\"owned\":[";
  for (size_t I = 0; I < R.Owned.size(); ++I) {
    OS << (I ? ",\n" : "\n");
    json::OStream J(OS);
    J.value(R.Owned[I]);
  }
  OS << "\n]}\n";
  return Dir->writeFile(TreeRecordName, Text);
}

std::vector<std::string> OutputTree::prune(ArrayRef<std::string> OldOwned,
                                           ArrayRef<std::string> NewOwned) const {
  std::vector<std::string> Removed;
  for (const std::string &P : OldOwned) {
    if (std::binary_search(NewOwned.begin(), NewOwned.end(), P))
      continue;
    if (Error E = Dir->remove(P)) {
      consumeError(std::move(E)); // a directory now, or gone: not ours
      continue;
    }
    Removed.push_back(P);
  }
  // Directories the removals left empty, deepest first; a directory with
  // anything else in it (a foreign file) stays.
  std::vector<std::string> Dirs;
  for (const std::string &P : Removed)
    for (StringRef D = sys::path::parent_path(P, sys::path::Style::posix);
         !D.empty(); D = sys::path::parent_path(D, sys::path::Style::posix))
      Dirs.push_back(D.str());
  llvm::sort(Dirs, [](const std::string &A, const std::string &B) {
    size_t DA = llvm::count(A, '/'), DB = llvm::count(B, '/');
    return DA != DB ? DA > DB : A < B;
  });
  Dirs.erase(std::unique(Dirs.begin(), Dirs.end()), Dirs.end());
  for (const std::string &D : Dirs)
    Dir->removeDirIfEmpty(D);
  return Removed;
}

} // namespace btfgen
