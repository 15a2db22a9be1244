//===- RegressionTest.cpp - Inputs that once crashed a reader -------------===//
//
// Replays test/Inputs/regress/<reader>/* (reproducers found by the fuzzers
// in test/fuzz, see docs/testing.md) through the matching reader:
//
//   btf/       readBTFAny
//   btfext/    readBTFExt; file = u32 LE N | N bytes .BTF | .BTF.ext bytes
//              (BTFExtFuzzer's input format)
//   object/    readBPFObject
//   manifest/  readManifest
//   tarxz/     not replayed here (the tar.xz reader lives in the driver,
//              which the unit tests do not link); run TarXzFuzzer FILE
//
// A file whose name contains ".ok." must be accepted; every other file must
// be rejected with a MalformedInput error that names the input. A crash,
// sanitizer report or hang fails the whole binary, which is the point. Each
// file is also fed to the other readers, where only "no crash" is checked.
//
//===----------------------------------------------------------------------===//

#include "btfgen/BTFExt.h"
#include "btfgen/BTFReader.h"
#include "btfgen/Errors.h"
#include "btfgen/Manifest.h"
#include "btfgen/ObjectReader.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include "gtest/gtest.h"

#include <algorithm>
#include <functional>
#include <string>
#include <vector>

using namespace llvm;
using namespace btfgen;

namespace {

/// Accepted (Error::success()) or the error, flattened to one Error.
using ReaderFn = std::function<Error(MemoryBufferRef)>;

template <typename T> Error drop(Expected<T> R) {
  return R ? Error::success() : R.takeError();
}

Error readSplitBTFExt(MemoryBufferRef Buf) {
  StringRef B = Buf.getBuffer();
  if (B.size() < 4)
    return malformed(Buf.getBufferIdentifier(), "regress: no length prefix");
  uint32_t N = uint8_t(B[0]) | uint8_t(B[1]) << 8 | uint8_t(B[2]) << 16 |
               uint32_t(uint8_t(B[3])) << 24;
  if (N > B.size() - 4)
    return malformed(Buf.getBufferIdentifier(), "regress: bad length prefix");
  Expected<TypeTable> BTF =
      readBTF(MemoryBufferRef(B.substr(4, N), Buf.getBufferIdentifier()));
  if (!BTF)
    return BTF.takeError();
  return drop(readBTFExt(B.substr(4 + N), *BTF, Buf.getBufferIdentifier()));
}

struct Reader {
  const char *Dir;
  ReaderFn Read;
};

const std::vector<Reader> &readers() {
  static const std::vector<Reader> R = {
      {"btf", [](MemoryBufferRef B) { return drop(readBTFAny(B)); }},
      {"btfext", readSplitBTFExt},
      {"object", [](MemoryBufferRef B) { return drop(readBPFObject(B)); }},
      {"manifest", [](MemoryBufferRef B) { return drop(readManifest(B)); }},
  };
  return R;
}

std::string regressDir() {
  SmallString<256> P(BTFGEN_TEST_INPUTS);
  sys::path::append(P, "regress");
  return std::string(P);
}

/// Regular files directly in Dir, sorted.
std::vector<std::string> filesIn(const std::string &Dir) {
  std::vector<std::string> Out;
  std::error_code EC;
  for (sys::fs::directory_iterator I(Dir, EC), E; I != E && !EC;
       I.increment(EC))
    if (I->type() == sys::fs::file_type::regular_file &&
        sys::path::filename(I->path()) != "README.md")
      Out.push_back(I->path());
  std::sort(Out.begin(), Out.end());
  return Out;
}

TEST(RegressionTest, DirectoryExists) {
  ASSERT_TRUE(sys::fs::is_directory(regressDir())) << regressDir();
}

TEST(RegressionTest, MatchingReaderRejectsCleanlyOrAccepts) {
  unsigned Files = 0;
  for (const Reader &R : readers()) {
    for (const std::string &Path : filesIn(regressDir() + "/" + R.Dir)) {
      ++Files;
      ErrorOr<std::unique_ptr<MemoryBuffer>> Buf =
          MemoryBuffer::getFile(Path, /*IsText=*/false,
                                /*RequiresNullTerminator=*/false);
      ASSERT_TRUE(bool(Buf)) << Path;
      std::string Id = std::string(sys::path::filename(Path));
      MemoryBufferRef Ref((*Buf)->getBuffer(), Id);
      bool WantOk = Id.find(".ok.") != std::string::npos;
      // The other readers must not crash on it either.
      for (const Reader &Other : readers())
        if (&Other != &R)
          consumeError(Other.Read(Ref));
      Error E = R.Read(Ref);
      if (WantOk) {
        EXPECT_FALSE(bool(E)) << R.Dir << "/" << Id << ": " << toString(std::move(E));
        continue;
      }
      ASSERT_TRUE(bool(E)) << R.Dir << "/" << Id << ": accepted";
      bool Typed = false;
      handleAllErrors(
          std::move(E),
          [&](const MalformedInput &M) {
            Typed = true;
            EXPECT_EQ(M.input(), Id) << R.Dir << "/" << Id;
            EXPECT_FALSE(M.detail().empty()) << R.Dir << "/" << Id;
          },
          [&](const ErrorInfoBase &Other) {
            ADD_FAILURE() << R.Dir << "/" << Id
                          << ": not a MalformedInput: " << Other.message();
          });
      EXPECT_TRUE(Typed) << R.Dir << "/" << Id;
    }
  }
  RecordProperty("files", Files);
}

} // namespace
