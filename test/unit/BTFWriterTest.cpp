//===- BTFWriterTest.cpp - Tests of canonical BTF serialization -----------===//
//
// The writer's layout is checked field by field on a table built from
// scratch, and its output is shown to be the identity on real kernels:
// every raw BTF of the bundled archive and of the corpus (when present)
// re-serializes byte-identically after a read.
//
//===----------------------------------------------------------------------===//

#include "btfgen/BTFWriter.h"

#include "btfgen/BTFReader.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include "TestUtil.h"
#include "gtest/gtest.h"

#include <cstdio>
#include <optional>
#include <string>
#include <thread>
#include <vector>

using namespace llvm;
using namespace btfgen;
using namespace btfgen::testutil;

namespace {

uint32_t rd32(const std::string &S, size_t Off) {
  return support::endian::read32le(S.data() + Off);
}

/// Read Raw, write it back, and require identical bytes; reports the first
/// differing offset instead of dumping megabytes.
void expectRoundTrip(const std::string &Raw, const std::string &Name) {
  Expected<TypeTable> T = readBTF(MemoryBufferRef(Raw, Name));
  ASSERT_TRUE(bool(T)) << toString(T.takeError());
  std::string Out = writeBTFToString(*T);
  EXPECT_EQ(Out.size(), Raw.size()) << Name;
  size_t I = 0;
  while (I < Out.size() && I < Raw.size() && Out[I] == Raw[I])
    ++I;
  EXPECT_EQ(I, Raw.size()) << Name << ": first difference at byte " << I;
}

} // namespace

TEST(BTFWriter, CanonicalLayout) {
  TypeTable T;
  StrOffset IntName = T.addString("int");
  TypeId Int = T.addType({IntName, BTFType::makeInfo(Kind::Int, 0, false), 4},
                         {(BTFIntSigned << 24) | 32});
  StrOffset SName = T.addString("s"), AName = T.addString("a");
  T.addType({SName, BTFType::makeInfo(Kind::Struct, 1, false), 4},
            {AName, Int, 0});
  T.addType({0, BTFType::makeInfo(Kind::Ptr, 0, false), 2}, {});

  std::string B = writeBTFToString(T);
  const uint32_t TypeLen = 12 + 4 + 12 + 12 + 12;
  const std::string Strs("\0int\0s\0a\0", 9);
  ASSERT_EQ(B.size(), 24 + TypeLen + Strs.size());
  EXPECT_EQ(uint8_t(B[0]), 0x9f);
  EXPECT_EQ(uint8_t(B[1]), 0xeb);
  EXPECT_EQ(B[2], 1);         // version
  EXPECT_EQ(B[3], 0);         // flags
  EXPECT_EQ(rd32(B, 4), 24u); // hdr_len
  EXPECT_EQ(rd32(B, 8), 0u);  // type_off
  EXPECT_EQ(rd32(B, 12), TypeLen);
  EXPECT_EQ(rd32(B, 16), TypeLen); // str_off
  EXPECT_EQ(rd32(B, 20), uint32_t(Strs.size()));
  // [1] INT: name, info, size, int word.
  EXPECT_EQ(rd32(B, 24), 1u);
  EXPECT_EQ(rd32(B, 28), 0x01000000u);
  EXPECT_EQ(rd32(B, 32), 4u);
  EXPECT_EQ(rd32(B, 36), 0x01000020u);
  // [2] STRUCT with one member, [3] PTR -> 2.
  EXPECT_EQ(rd32(B, 44), 0x04000001u);
  EXPECT_EQ(rd32(B, 52), 7u); // member name "a"
  EXPECT_EQ(rd32(B, 56), 1u);
  EXPECT_EQ(rd32(B, 72), 2u);
  EXPECT_EQ(B.substr(24 + TypeLen), Strs);

  // writeBTF streams the same bytes.
  std::string Streamed;
  raw_string_ostream OS(Streamed);
  writeBTF(T, OS);
  OS.flush();
  EXPECT_EQ(Streamed, B);

  // And the reader accepts it back unchanged.
  Expected<TypeTable> R = readBTF(MemoryBufferRef(B, "w.btf"));
  ASSERT_TRUE(bool(R)) << toString(R.takeError());
  EXPECT_EQ(writeBTFToString(*R), B);
}

TEST(BTFWriter, EmptyTable) {
  std::string B = writeBTFToString(TypeTable());
  ASSERT_EQ(B.size(), 25u);
  EXPECT_EQ(rd32(B, 12), 0u);
  EXPECT_EQ(rd32(B, 20), 1u);
  EXPECT_EQ(B[24], '\0');
}

TEST(BTFWriter, RoundTripsBundledArchive) {
  std::vector<std::string> Files = findTarballs(archiveDir());
  ASSERT_FALSE(Files.empty()) << "no kernels under " << archiveDir();
  for (const std::string &F : Files) {
    std::optional<std::string> Raw = readTarXz(F);
    ASSERT_TRUE(Raw.has_value()) << "cannot extract " << F;
    expectRoundTrip(*Raw, F);
  }
}

TEST(BTFWriter, RoundTripsHostKernel) {
  auto MB = MemoryBuffer::getFile("/sys/kernel/btf/vmlinux", false, false);
  if (!MB)
    GTEST_SKIP() << "/sys/kernel/btf/vmlinux not readable";
  expectRoundTrip((*MB)->getBuffer().str(), "/sys/kernel/btf/vmlinux");
}

// Every corpus file: raw size and number of types as its MANIFEST.tsv
// (written by the corpus builder, not by btfgen) records them, and a
// byte-identical round trip. Files are extracted a few at a time in
// parallel; xz dominates the run time.
TEST(BTFWriter, RoundTripsCorpus) {
  std::string Dir = BTFGEN_CORPUS_DIR;
  SmallString<256> ManifestPath(Dir);
  sys::path::append(ManifestPath, "MANIFEST.tsv");
  auto MB = MemoryBuffer::getFile(ManifestPath);
  if (Dir.empty() || !MB)
    GTEST_SKIP() << "corpus not available at '" << Dir << "'";
  struct Row {
    std::string Path, RawSize, NumTypes;
  };
  std::vector<Row> Rows;
  SmallVector<StringRef, 0> Lines;
  (*MB)->getBuffer().split(Lines, '\n', -1, false);
  for (StringRef Line : ArrayRef<StringRef>(Lines).drop_front()) {
    SmallVector<StringRef, 8> F;
    Line.split(F, '\t');
    ASSERT_GE(F.size(), 5u) << Line.str();
    SmallString<256> P(Dir);
    sys::path::append(P, F[0]);
    Rows.push_back({std::string(P), F[3].str(), F[4].str()});
  }
  ASSERT_FALSE(Rows.empty());
  EXPECT_EQ(Rows.size(), findTarballs(Dir).size());

  const size_t Batch = 8;
  for (size_t B = 0; B < Rows.size(); B += Batch) {
    size_t E = std::min(Rows.size(), B + Batch);
    std::vector<std::optional<std::string>> Raw(E - B);
    std::vector<std::thread> Workers;
    for (size_t I = B; I < E; ++I)
      Workers.emplace_back([&, I] { Raw[I - B] = readTarXz(Rows[I].Path); });
    for (std::thread &W : Workers)
      W.join();
    for (size_t I = B; I < E; ++I) {
      const Row &R = Rows[I];
      ASSERT_TRUE(Raw[I - B].has_value()) << "cannot extract " << R.Path;
      const std::string &Bytes = *Raw[I - B];
      EXPECT_EQ(std::to_string(Bytes.size()), R.RawSize) << R.Path;
      Expected<TypeTable> T = readBTF(MemoryBufferRef(Bytes, R.Path));
      ASSERT_TRUE(bool(T)) << toString(T.takeError());
      EXPECT_EQ(std::to_string(T->size() - 1), R.NumTypes) << R.Path;
      expectRoundTrip(Bytes, R.Path);
    }
  }
}
