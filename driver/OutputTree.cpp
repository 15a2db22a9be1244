//===- OutputTree.cpp - The output tree of a run, locked ------------------===//
//
// The lock is taken on a descriptor of the directory opened for it alone: a
// flock belongs to an open file description, so it is released when this
// one is closed, whatever else keeps the directory open.
//
//===----------------------------------------------------------------------===//

#include "OutputTree.h"

#include "llvm/ADT/Twine.h"

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

} // namespace btfgen
