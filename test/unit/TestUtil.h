//===- TestUtil.h - Shared helpers for the gtest units ----------*- C++ -*-===//
//
// Real-data plumbing the unit tests share: running a shell command and
// capturing its output, unpacking a BTFHub .btf.tar.xz with the system's xz
// and tar (independent of the driver's own reader), and finding the bundled
// archive's kernels.
//
//===----------------------------------------------------------------------===//

#ifndef BTFGEN_TEST_TESTUTIL_H
#define BTFGEN_TEST_TESTUTIL_H

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"

#include <cstdio>
#include <optional>
#include <string>
#include <vector>

namespace btfgen {
namespace testutil {

/// stdout of `sh -c Cmd`, or std::nullopt if it could not run or exited
/// non-zero.
inline std::optional<std::string> runCapture(const std::string &Cmd) {
  FILE *P = popen(Cmd.c_str(), "r");
  if (!P)
    return std::nullopt;
  std::string Out;
  char Buf[1 << 16];
  size_t N;
  while ((N = fread(Buf, 1, sizeof(Buf), P)) > 0)
    Out.append(Buf, N);
  if (pclose(P) != 0)
    return std::nullopt;
  return Out;
}

/// The installed bpftool (the referee of the dump tests), if any.
inline std::optional<std::string> findBpftool() {
  llvm::ErrorOr<std::string> P = llvm::sys::findProgramByName("bpftool");
  if (!P)
    P = llvm::sys::findProgramByName("bpftool", {"/usr/sbin", "/sbin"});
  if (!P)
    return std::nullopt;
  return *P;
}

/// The single member of a .tar.xz, unpacked by xz and tar.
inline std::optional<std::string> readTarXz(const std::string &Path) {
  return runCapture("xz -dc '" + Path + "' | tar -xO");
}

/// Every *.btf.tar.xz below Root, sorted.
inline std::vector<std::string> findTarballs(llvm::StringRef Root) {
  std::vector<std::string> Out;
  std::error_code EC;
  for (llvm::sys::fs::recursive_directory_iterator I(Root, EC), E;
       I != E && !EC; I.increment(EC))
    if (llvm::StringRef(I->path()).ends_with(".btf.tar.xz"))
      Out.push_back(I->path());
  llvm::sort(Out);
  return Out;
}

/// examples/archive: the bundled real kernels.
inline std::string archiveDir() {
  llvm::SmallString<256> P(BTFGEN_TEST_INPUTS);
  llvm::sys::path::append(P, "..", "..", "examples", "archive");
  return std::string(P);
}

} // namespace testutil
} // namespace btfgen

#endif // BTFGEN_TEST_TESTUTIL_H
