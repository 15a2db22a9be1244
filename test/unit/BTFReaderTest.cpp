//===- BTFReaderTest.cpp - Tests of the validating BTF parser -------------===//
//
// Hand-built raw BTF (a word-level builder independent of BTFWriter) for the
// accepted layout and one test per kind of corruption, a robustness sweep
// (every truncation, every single-byte flip), and real kernels of the
// bundled archive. The corpus (type counts against its MANIFEST.tsv) is
// covered by BTFWriter.RoundTripsCorpus, which reads each file once.
//
//===----------------------------------------------------------------------===//

#include "btfgen/BTFReader.h"

#include "btfgen/BTFWriter.h"
#include "btfgen/Errors.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include "StreamInputs.h"
#include "TestUtil.h"
#include "gtest/gtest.h"

#include <cstdio>
#include <map>
#include <optional>
#include <string>
#include <vector>

using namespace llvm;
using namespace btfgen;
using namespace btfgen::testutil;

namespace {

/// Raw BTF assembled word by word. Header fields default to the canonical
/// layout and can be overridden to corrupt it.
struct RawBTF {
  std::vector<uint32_t> Words;
  std::string Strs = std::string(1, '\0');
  uint16_t Magic = 0xEB9F;
  uint8_t Version = 1;
  uint32_t HdrLen = 24;
  std::optional<uint32_t> TypeOff, TypeLen, StrOff, StrLen;

  uint32_t str(StringRef S) {
    uint32_t Off = Strs.size();
    Strs += S.str();
    Strs.push_back('\0');
    return Off;
  }
  /// Append a type; returns its ID.
  uint32_t type(uint32_t NameOff, Kind K, uint32_t Vlen, bool KFlag,
                uint32_t SizeOrType, std::vector<uint32_t> Data = {}) {
    Words.push_back(NameOff);
    Words.push_back((uint32_t(KFlag) << 31) | (uint32_t(K) << 24) | Vlen);
    Words.push_back(SizeOrType);
    Words.insert(Words.end(), Data.begin(), Data.end());
    return ++NumTypes;
  }
  uint32_t NumTypes = 0;

  std::string bytes() const {
    std::string Out;
    auto Put32 = [&](uint32_t V) {
      for (int I = 0; I < 4; ++I)
        Out.push_back(char((V >> (8 * I)) & 0xff));
    };
    uint32_t TL = Words.size() * 4;
    Out.push_back(char(Magic & 0xff));
    Out.push_back(char(Magic >> 8));
    Out.push_back(char(Version));
    Out.push_back(0);
    Put32(HdrLen);
    Put32(TypeOff.value_or(0));
    Put32(TypeLen.value_or(TL));
    Put32(StrOff.value_or(TL));
    Put32(StrLen.value_or(Strs.size()));
    Out.resize(HdrLen >= 24 && HdrLen < 4096 ? HdrLen : 24, '\0');
    for (uint32_t W : Words)
      Put32(W);
    Out += Strs;
    return Out;
  }
};

/// A small valid BTF with most kinds:
///   [1] INT int, [2] STRUCT s {a: int, b: ptr}, [3] PTR -> 2,
///   [4] ENUM e {X=1}, [5] FUNC_PROTO int(int x), [6] FUNC f, [7] TYPEDEF t,
///   [8] ARRAY int[4].
RawBTF sample() {
  RawBTF B;
  uint32_t Int = B.str("int");
  B.type(Int, Kind::Int, 0, false, 4, {(1u << 24) | 32}); // signed, 32 bits
  uint32_t S = B.str("s"), A = B.str("a"), Bn = B.str("b");
  B.type(S, Kind::Struct, 2, false, 16, {A, 1, 0, Bn, 3, 64});
  B.type(0, Kind::Ptr, 0, false, 2);
  uint32_t E = B.str("e"), X = B.str("X");
  B.type(E, Kind::Enum, 1, false, 4, {X, 1});
  uint32_t Xp = B.str("x");
  B.type(0, Kind::FuncProto, 1, false, 1, {Xp, 1});
  B.type(B.str("f"), Kind::Func, 1, false, 5);
  B.type(B.str("t"), Kind::Typedef, 0, false, 2);
  B.type(0, Kind::Array, 0, false, 0, {1, 1, 4});
  return B;
}

/// Parse Bytes under the name "test.btf".
Expected<TypeTable> parse(const std::string &Bytes) {
  return readBTF(MemoryBufferRef(Bytes, "test.btf"));
}

/// The MalformedInput detail of a failed parse; fails the test if it
/// succeeded or failed with another error class.
std::string malformedDetail(Expected<TypeTable> R) {
  if (R) {
    ADD_FAILURE() << "expected a MalformedInput error, parse succeeded";
    return "";
  }
  std::string Detail;
  bool IsMalformed = false;
  handleAllErrors(
      R.takeError(),
      [&](const MalformedInput &E) {
        IsMalformed = true;
        Detail = E.detail();
        EXPECT_EQ(E.input(), "test.btf");
      },
      [&](const ErrorInfoBase &E) { Detail = E.message(); });
  EXPECT_TRUE(IsMalformed) << Detail;
  return Detail;
}

#define EXPECT_MALFORMED(Bytes, Substr)                                        \
  do {                                                                         \
    std::string D = malformedDetail(parse(Bytes));                             \
    EXPECT_NE(D.find(Substr), std::string::npos) << "message: " << D;          \
  } while (0)

} // namespace

TEST(BTFReader, AcceptsSample) {
  std::string Bytes = sample().bytes();
  Expected<TypeTable> T = parse(Bytes);
  ASSERT_TRUE(bool(T)) << toString(T.takeError());
  ASSERT_EQ(T->size(), 9u);
  EXPECT_EQ(T->kind(1), Kind::Int);
  EXPECT_EQ(T->name(1), "int");
  EXPECT_EQ(intBits(T->intWord(1)), 32u);
  ASSERT_EQ(T->members(2).size(), 2u);
  EXPECT_EQ(T->str(T->members(2)[1].NameOff), "b");
  EXPECT_EQ(T->members(2)[1].Type, 3u);
  EXPECT_EQ(T->members(2)[1].Offset, 64u);
  EXPECT_EQ(T->type(3).SizeOrType, 2u);
  EXPECT_EQ(T->enumName(4, 0), "X");
  EXPECT_EQ(T->enumValue(4, 0), 1u);
  EXPECT_EQ(T->params(5)[0].Type, 1u);
  EXPECT_EQ(T->name(6), "f");
  EXPECT_EQ(T->vlen(6), 1u); // global linkage
  EXPECT_EQ(T->array(8).NElems, 4u);
  EXPECT_EQ(T->resolveSize(8), 16);
  EXPECT_EQ(T->strings(), sample().Strs);
}

TEST(BTFReader, AcceptsEmptyTypeSectionAndLongerHeader) {
  RawBTF B;
  B.HdrLen = 32; // a future header with zeroed extra fields
  Expected<TypeTable> T = parse(B.bytes());
  ASSERT_TRUE(bool(T)) << toString(T.takeError());
  EXPECT_EQ(T->size(), 1u);
}

TEST(BTFReader, AcceptsForwardReferencesAndPointerCycles) {
  // Forward references, and cycles through a pointer (a list node pointing
  // at itself; a typedef of a pointer to itself) are legal C.
  RawBTF B;
  B.type(B.str("a"), Kind::Typedef, 0, false, 2); // [1] a -> [2]
  B.type(0, Kind::Ptr, 0, false, 1);              // [2] a * -> [1]
  uint32_t Next = B.str("next");
  B.type(B.str("node"), Kind::Struct, 1, false, 8, {Next, 4, 0}); // [3]
  B.type(0, Kind::Ptr, 0, false, 3);              // [4] struct node *
  Expected<TypeTable> T = parse(B.bytes());
  ASSERT_TRUE(bool(T)) << toString(T.takeError());
  EXPECT_EQ(T->size(), 5u);
}

TEST(BTFReader, RejectsTypedefLoop) {
  RawBTF B;
  B.type(B.str("a"), Kind::Typedef, 0, false, 1);
  EXPECT_MALFORMED(B.bytes(), "type [1] TYPEDEF 'a': reference cycle not "
                              "through a pointer: [1] TYPEDEF -> [1]");
  RawBTF C;
  C.type(C.str("a"), Kind::Typedef, 0, false, 2);
  C.type(0, Kind::Const, 0, false, 1);
  EXPECT_MALFORMED(C.bytes(), "[1] TYPEDEF -> [2] CONST -> [1]");
}

TEST(BTFReader, RejectsStructContainingItself) {
  // struct s { struct s x[2]; }: a cycle through a member and an array.
  RawBTF B;
  uint32_t X = B.str("x");
  B.type(B.str("s"), Kind::Struct, 1, false, 8, {X, 2, 0});
  B.type(0, Kind::Array, 0, false, 0, {1, 3, 2});
  B.type(B.str("int"), Kind::Int, 0, false, 4, {32});
  EXPECT_MALFORMED(B.bytes(), "type [1] STRUCT 's': reference cycle not "
                              "through a pointer: [1] STRUCT -> [2] ARRAY -> "
                              "[1]");
}

TEST(BTFReader, LongTypedefChainIsNotACycle) {
  // 100,000 typedefs in a chain: the check must not recurse per link.
  RawBTF B;
  B.type(B.str("int"), Kind::Int, 0, false, 4, {32});
  uint32_t Name = B.str("t");
  for (uint32_t I = 2; I <= 100000; ++I)
    B.type(Name, Kind::Typedef, 0, false, I - 1);
  Expected<TypeTable> T = parse(B.bytes());
  ASSERT_TRUE(bool(T)) << toString(T.takeError());
  EXPECT_EQ(T->size(), 100001u);
}

TEST(BTFReader, RejectsBadMagic) {
  RawBTF B = sample();
  B.Magic = 0x1234;
  EXPECT_MALFORMED(B.bytes(), "bad magic 0x1234");
}

TEST(BTFReader, RejectsBigEndian) {
  RawBTF B = sample();
  B.Magic = 0x9FEB; // bytes eb 9f on disk
  EXPECT_MALFORMED(B.bytes(), "big-endian");
}

TEST(BTFReader, RejectsTruncatedHeader) {
  std::string Bytes = sample().bytes().substr(0, 10);
  EXPECT_MALFORMED(Bytes, "header: truncated: file size 10");
  EXPECT_MALFORMED(std::string(), "truncated");
}

TEST(BTFReader, RejectsBadVersion) {
  RawBTF B = sample();
  B.Version = 2;
  EXPECT_MALFORMED(B.bytes(), "unsupported version 2");
}

TEST(BTFReader, RejectsHdrLenTooBig) {
  RawBTF B = sample();
  std::string Bytes = B.bytes();
  Bytes[4] = char(0x00);
  Bytes[5] = char(0x10); // hdr_len 4096 > file size
  EXPECT_MALFORMED(Bytes, "hdr_len 4096 exceeds file size");
}

TEST(BTFReader, RejectsHdrLenTooSmall) {
  std::string Bytes = sample().bytes();
  Bytes[4] = 16;
  EXPECT_MALFORMED(Bytes, "hdr_len 16 is smaller than 24");
}

TEST(BTFReader, RejectsTypeSectionPastEnd) {
  RawBTF B = sample();
  uint32_t TL = B.Words.size() * 4;
  B.TypeLen = TL + 4000;
  B.StrOff = TL + 4000;
  std::string Bytes = B.bytes();
  EXPECT_MALFORMED(
      Bytes, "header: type section [24, " + std::to_string(24 + TL + 4000) +
                 ") exceeds file size " + std::to_string(Bytes.size()));
}

TEST(BTFReader, RejectsStringSectionPastEnd) {
  RawBTF B = sample();
  B.StrLen = 5000;
  EXPECT_MALFORMED(B.bytes(), "header: string section [");
  EXPECT_MALFORMED(B.bytes(), "exceeds file size");
}

TEST(BTFReader, RejectsUnalignedTypeOff) {
  RawBTF B = sample();
  B.TypeOff = 2;
  B.TypeLen = 4;
  EXPECT_MALFORMED(B.bytes(), "type_off 2 is not 4-byte aligned");
}

TEST(BTFReader, RejectsOverlappingSections) {
  RawBTF B = sample();
  B.StrOff = 8; // inside the type section
  B.StrLen = 1;
  EXPECT_MALFORMED(B.bytes(), "overlaps or follows string section");
}

TEST(BTFReader, RejectsEmptyStringSection) {
  RawBTF B;
  B.StrLen = 0;
  EXPECT_MALFORMED(B.bytes(), "string section is empty");
}

TEST(BTFReader, RejectsStringSectionNotStartingWithNul) {
  RawBTF B = sample();
  B.Strs[0] = 'x';
  EXPECT_MALFORMED(B.bytes(), "does not start with NUL");
}

TEST(BTFReader, RejectsMissingNulTerminator) {
  RawBTF B = sample();
  B.Strs += "tail"; // no terminating NUL
  EXPECT_MALFORMED(B.bytes(), "not NUL-terminated");
}

TEST(BTFReader, RejectsTypeNameOffsetOutOfRange) {
  RawBTF B = sample();
  B.Words[0] = 9999; // [1] INT name
  EXPECT_MALFORMED(B.bytes(), "type [1] INT: name offset 9999 out of range");
}

TEST(BTFReader, RejectsMemberNameOffsetOutOfRange) {
  RawBTF B = sample();
  B.Words[4 + 3 + 3] = 9999; // [2] STRUCT member 1 name
  EXPECT_MALFORMED(B.bytes(),
                   "type [2] STRUCT: member 1 name offset 9999 out of range");
}

TEST(BTFReader, RejectsUnknownKind) {
  RawBTF B = sample();
  B.type(0, static_cast<Kind>(25), 0, false, 0);
  EXPECT_MALFORMED(B.bytes(), "type [9]: unknown kind 25");
  RawBTF Z = sample();
  Z.type(0, Kind::Unknown, 0, false, 0);
  EXPECT_MALFORMED(Z.bytes(), "type [9]: unknown kind 0");
}

TEST(BTFReader, RejectsMemberTypeIdOutOfRange) {
  RawBTF B = sample();
  B.Words[4 + 3 + 4] = 99999; // [2] STRUCT member 1 type
  EXPECT_MALFORMED(B.bytes(),
                   "type [2] STRUCT: member 1 type_id 99999 out of range "
                   "(types 9)");
}

TEST(BTFReader, RejectsOtherReferencesOutOfRange) {
  {
    RawBTF B = sample();
    B.type(B.str("u"), Kind::Typedef, 0, false, 10);
    EXPECT_MALFORMED(B.bytes(), "type [9] TYPEDEF: type_id 10 out of range");
  }
  {
    RawBTF B = sample();
    B.type(0, Kind::Array, 0, false, 0, {1, 77, 2});
    EXPECT_MALFORMED(B.bytes(), "type [9] ARRAY: index_type_id 77");
  }
  {
    RawBTF B = sample();
    B.type(0, Kind::FuncProto, 1, false, 1, {0, 12});
    EXPECT_MALFORMED(B.bytes(), "type [9] FUNC_PROTO: param 0 type_id 12");
  }
  {
    RawBTF B = sample();
    B.type(B.str(".data"), Kind::Datasec, 1, false, 4, {40, 0, 4});
    EXPECT_MALFORMED(B.bytes(), "type [9] DATASEC: var 0 type_id 40");
  }
}

TEST(BTFReader, RejectsVlenRecordOverflowingSection) {
  RawBTF B = sample();
  B.type(B.str("big"), Kind::Struct, 5, false, 8, {0, 1, 0}); // 1 of 5
  EXPECT_MALFORMED(B.bytes(), "type [9] STRUCT: vlen 5 record (60 bytes) "
                              "overflows the type section (12 bytes left)");
}

TEST(BTFReader, RejectsTruncatedCommonRecord) {
  RawBTF B = sample();
  B.Words.push_back(0);
  B.Words.push_back(0);
  EXPECT_MALFORMED(B.bytes(), "type [9]: truncated record");
}

TEST(BTFReader, RejectsTrailingBytes) {
  RawBTF B = sample();
  // type_len 2 bytes past the last record; the strings move 4 bytes on.
  uint32_t TL = B.Words.size() * 4;
  B.TypeLen = TL + 2;
  B.StrOff = TL + 4;
  B.Words.push_back(0); // 4 padding bytes, 2 of them in the type section
  EXPECT_MALFORMED(B.bytes(), "type section: 2 trailing bytes after type [8]");
}

TEST(BTFReader, RejectsNonZeroVlen) {
  RawBTF B = sample();
  B.type(0, Kind::Ptr, 3, false, 1);
  EXPECT_MALFORMED(B.bytes(), "type [9] PTR: vlen 3 must be 0");
}

TEST(BTFReader, RejectsBadInt) {
  {
    RawBTF B;
    B.type(B.str("huge"), Kind::Int, 0, false, 32, {200});
    EXPECT_MALFORMED(B.bytes(), "type [1] INT: nr_bits 200 exceeds 128");
  }
  {
    RawBTF B;
    B.type(B.str("i"), Kind::Int, 0, false, 4, {(8u << 16) | 32});
    EXPECT_MALFORMED(B.bytes(),
                     "type [1] INT: bits_offset 8 + nr_bits 32 exceeds size 4");
  }
}

TEST(BTFReader, RejectsBadLinkageAndComponent) {
  {
    RawBTF B = sample();
    B.type(B.str("g"), Kind::Func, 3, false, 5);
    EXPECT_MALFORMED(B.bytes(), "type [9] FUNC: linkage 3");
  }
  {
    RawBTF B = sample();
    B.type(B.str("v"), Kind::Var, 0, false, 1, {7});
    EXPECT_MALFORMED(B.bytes(), "type [9] VAR: linkage 7");
  }
  {
    RawBTF B = sample();
    B.type(B.str("tag"), Kind::DeclTag, 0, false, 2, {uint32_t(-2)});
    EXPECT_MALFORMED(B.bytes(), "type [9] DECL_TAG: component_idx -2");
  }
}

TEST(BTFReader, RejectsTooManyTypes) {
  RawBTF B;
  for (uint32_t I = 0; I <= BTFMaxType; ++I)
    B.type(0, Kind::Ptr, 0, false, 0);
  EXPECT_MALFORMED(B.bytes(), "too many types");
}

// Every prefix and every single-byte corruption must give a table or an
// error, never a crash or hang (run under ASan/UBSan for full value).
TEST(BTFReader, SurvivesTruncationAndByteFlips) {
  const std::string Good = sample().bytes();
  for (size_t Len = 0; Len < Good.size(); ++Len) {
    Expected<TypeTable> T = parse(Good.substr(0, Len));
    EXPECT_FALSE(bool(T)) << "prefix of " << Len << " bytes accepted";
    consumeError(T.takeError());
  }
  size_t Accepted = 0;
  for (size_t I = 0; I < Good.size(); ++I) {
    for (uint8_t Flip : {0x01, 0x80, 0xff}) {
      std::string Bad = Good;
      Bad[I] = char(uint8_t(Bad[I]) ^ Flip);
      Expected<TypeTable> T = parse(Bad);
      if (T) {
        ++Accepted;
        // Whatever was accepted must be internally consistent.
        for (TypeId Id = 1; Id < T->size(); ++Id)
          EXPECT_GE(kindDataSize(T->type(Id)), 0);
      } else {
        consumeError(T.takeError());
      }
    }
  }
  EXPECT_LT(Accepted, Good.size() * 3);
}

/// The outcome of reading Bytes, as one comparable string: the table
/// written back (BTFWriter), or the error's message.
std::string outcome(Expected<TypeTable> T) {
  if (!T)
    return "error: " + toString(T.takeError());
  return "table: " + writeBTFToString(*T);
}

/// BTFStreamReader over Bytes in pieces of Piece bytes (the last shorter).
std::string streamed(const std::string &Bytes, size_t Piece) {
  return outcome(
      readPieces<BTFStreamReader>("test.btf", piecesOf(Bytes, Piece)));
}

// A kernel decoded from its tarball is read piece by piece as it is
// decoded (KernelDecode.h): the table, or the error reported, must not
// depend on where the pieces end. Every truncation and single-byte flip of
// the sample, in pieces of 1 to 13 bytes, against readBTF over the whole.
TEST(BTFStreamReader, PiecesChangeNothing) {
  const std::string Good = sample().bytes();
  const std::vector<std::string> Inputs = prefixesAndByteFlips(Good);
  size_t Tables = 0;
  for (const std::string &In : Inputs) {
    std::string Whole = outcome(parse(In));
    Tables += StringRef(Whole).starts_with("table: ");
    for (size_t Piece : {1, 2, 3, 5, 7, 13})
      ASSERT_EQ(streamed(In, Piece), Whole)
          << "input of " << In.size() << " bytes in pieces of " << Piece;
  }
  // Both outcomes were exercised, many times.
  EXPECT_GT(Tables, 20u);
  EXPECT_GT(Inputs.size() - Tables, 200u);
  // Two pieces, split anywhere.
  for (size_t Cut = 0; Cut <= Good.size(); ++Cut)
    EXPECT_EQ(outcome(readPieces<BTFStreamReader>(
                  "test.btf", {StringRef(Good).take_front(Cut),
                               StringRef(Good).drop_front(Cut)})),
              outcome(parse(Good)))
        << "cut at " << Cut;
}

TEST(BTFStreamReader, RefusesAnInputCutShort) {
  const std::string Good = sample().bytes();
  BTFStreamReader R("test.btf", Good.size());
  R.take(StringRef(Good).drop_back(5));
  std::string D = malformedDetail(R.finish());
  EXPECT_NE(D.find("input ended after " + std::to_string(Good.size() - 5) +
                   " of " + std::to_string(Good.size()) + " bytes"),
            std::string::npos)
      << D;
}

// A real kernel, in pieces that split records at every alignment.
TEST(BTFStreamReader, ReadsBundledKernelsInPieces) {
  std::vector<std::string> Files = findTarballs(archiveDir());
  ASSERT_FALSE(Files.empty()) << "no kernels under " << archiveDir();
  std::optional<std::string> Raw = readTarXz(Files.front());
  ASSERT_TRUE(Raw.has_value()) << "cannot extract " << Files.front();
  std::string Whole = outcome(parse(*Raw));
  ASSERT_TRUE(StringRef(Whole).starts_with("table: ")) << Whole;
  for (size_t Piece : {size_t(4093), size_t(65536), size_t(262147)})
    EXPECT_TRUE(streamed(*Raw, Piece) == Whole) << "pieces of " << Piece;
}

TEST(BTFReader, ReadBTFAnyRejectsGarbage) {
  std::string Junk = "definitely not BTF";
  Expected<TypeTable> T = readBTFAny(MemoryBufferRef(Junk, "test.btf"));
  std::string D = malformedDetail(std::move(T));
  EXPECT_NE(D.find("bad magic"), std::string::npos) << D;
  std::string BadELF = "\x7f"
                       "ELF garbage";
  std::string D2 =
      malformedDetail(readBTFAny(MemoryBufferRef(BadELF, "test.btf")));
  EXPECT_NE(D2.find("invalid ELF file"), std::string::npos) << D2;
  EXPECT_TRUE(isRawBTF(sample().bytes()));
  EXPECT_FALSE(isRawBTF(BadELF));
  EXPECT_TRUE(isELF(BadELF));
}

TEST(BTFReader, ReadsBundledArchive) {
  std::vector<std::string> Files = findTarballs(archiveDir());
  ASSERT_FALSE(Files.empty()) << "no kernels under " << archiveDir();
  for (const std::string &F : Files) {
    std::optional<std::string> Raw = readTarXz(F);
    ASSERT_TRUE(Raw.has_value()) << "cannot extract " << F;
    Expected<TypeTable> T = readBTFAny(MemoryBufferRef(*Raw, F));
    ASSERT_TRUE(bool(T)) << toString(T.takeError());
    EXPECT_GT(T->size(), 10000u) << F;
    // Ends of the type graph are as expected for a kernel.
    T->buildNameIndex();
    EXPECT_FALSE(T->findByEssentialName("task_struct").empty()) << F;
  }
}

// Parse time of the largest corpus kernel and a typical one; printed for
// the notes, asserted only against a generous bound.
// The largest (27 MB, non-deduplicated CentOS 8) and a typical kernel parse,
// with the type count the corpus MANIFEST.tsv records (an independent
// count, made by the corpus tooling). Parse speed is measured by
// bench/run.sh, not asserted here.
TEST(BTFReader, ParsesLargeKernelsWithManifestTypeCounts) {
  std::string Dir = BTFGEN_CORPUS_DIR;
  std::vector<std::string> Files =
      findTarballs(Dir.empty() ? "/nonexistent" : Dir);
  std::vector<std::string> Picked;
  for (const std::string &F : Files)
    if (StringRef(F).contains("centos/8/aarch64") ||
        StringRef(F).contains("debian/12/x86_64/6.1.0-47-cloud-amd64"))
      Picked.push_back(F);
  if (Picked.empty())
    GTEST_SKIP() << "corpus not available at '" << Dir << "'";
  std::optional<std::string> Manifest = runCapture("cat '" + Dir + "/MANIFEST.tsv'");
  ASSERT_TRUE(Manifest.has_value());
  for (const std::string &F : Picked) {
    std::optional<std::string> Raw = readTarXz(F);
    ASSERT_TRUE(Raw.has_value());
    Expected<TypeTable> T = readBTF(MemoryBufferRef(*Raw, F));
    ASSERT_TRUE(bool(T)) << toString(T.takeError());
    // MANIFEST.tsv: path, release, arch, raw size, number of types, ...
    StringRef Rel = StringRef(F).drop_front(Dir.size()).ltrim('/');
    bool Found = false;
    SmallVector<StringRef, 0> Lines;
    StringRef(*Manifest).split(Lines, '\n');
    for (StringRef Line : Lines) {
      SmallVector<StringRef, 8> Cols;
      Line.split(Cols, '\t');
      if (Cols.size() < 5 || Cols[0] != Rel)
        continue;
      Found = true;
      EXPECT_EQ(Cols[3], std::to_string(Raw->size())) << Rel.str();
      EXPECT_EQ(Cols[4], std::to_string(T->size() - 1)) << Rel.str();
    }
    EXPECT_TRUE(Found) << Rel.str() << " not in MANIFEST.tsv";
  }
}

//===----------------------------------------------------------------------===//
// The newest format (uapi btf.h and src/btf.c of libbpf f7081a6): a 32-byte
// header with layout_off/layout_len, a layout section of 4-byte
// `struct btf_layout` {info_sz, elem_sz, flags} per kind between the type
// and the string sections, and 24-bit vlen. No real kernel ships it yet, so
// these files are built by hand as btf.c lays them out (btf_new_empty with
// add_layout: header | types | layout | strings).
//===----------------------------------------------------------------------===//

namespace {

/// Raw BTF in the newest layout. Layout: one record per kind (UNKN..ENUM64,
/// 20 kinds) as libbpf's layouts[] describes them; LayoutOff/LayoutLen
/// override the header fields to corrupt it.
struct NewRawBTF {
  RawBTF Base = sample();
  std::vector<uint32_t> Layout;
  std::optional<uint32_t> LayoutOff, LayoutLen;

  NewRawBTF() {
    // {info_sz, elem_sz} per kind: INT 4/0, ARRAY 12/0, STRUCT/UNION 0/12,
    // ENUM 0/8, FUNC_PROTO 0/8, VAR 4/0, DATASEC 0/12, DECL_TAG 4/0,
    // ENUM64 0/12, others 0/0.
    const uint8_t Info[20] = {0, 4, 0, 12, 0, 0, 0, 0, 0, 0,
                              0, 0, 0, 0, 4, 0, 0, 4, 0, 0};
    const uint8_t Elem[20] = {0, 0, 0, 0, 12, 12, 8, 0, 0, 0,
                              0, 0, 0, 8, 0, 12, 0, 0, 0, 12};
    for (int K = 0; K < 20; ++K)
      Layout.push_back(uint32_t(Info[K]) | uint32_t(Elem[K]) << 8);
  }

  std::string bytes() const {
    std::string Out;
    auto Put32 = [&](uint32_t V) {
      for (int I = 0; I < 4; ++I)
        Out.push_back(char((V >> (8 * I)) & 0xff));
    };
    uint32_t TL = Base.Words.size() * 4, LL = Layout.size() * 4;
    Out += "\x9f\xeb\x01";
    Out.push_back(0);
    Put32(32);
    Put32(0);
    Put32(TL);
    Put32(TL + LL);
    Put32(Base.Strs.size());
    Put32(LayoutOff.value_or(TL));
    Put32(LayoutLen.value_or(LL));
    for (uint32_t W : Base.Words)
      Put32(W);
    for (uint32_t W : Layout)
      Put32(W);
    Out += Base.Strs;
    return Out;
  }
};

} // namespace

TEST(BTFReaderNewFormat, ReadsTheLayoutSectionHeader) {
  NewRawBTF B;
  std::string Bytes = B.bytes();
  ASSERT_EQ(Bytes.size(), 32 + B.Base.Words.size() * 4 + 80 + B.Base.Strs.size());
  Expected<TypeTable> T = parse(Bytes);
  ASSERT_TRUE(bool(T)) << toString(T.takeError());
  // The same types as the classic sample: the layout section is skipped.
  Expected<TypeTable> Classic = parse(sample().bytes());
  ASSERT_TRUE(bool(Classic));
  ASSERT_EQ(T->size(), Classic->size());
  for (TypeId Id = 1; Id < T->size(); ++Id) {
    EXPECT_EQ(T->kind(Id), Classic->kind(Id)) << Id;
    EXPECT_EQ(T->name(Id), Classic->name(Id)) << Id;
    EXPECT_EQ(T->data(Id), Classic->data(Id)) << Id;
  }
  EXPECT_EQ(T->strings(), Classic->strings());
}

TEST(BTFReaderNewFormat, AnEmptyLayoutSectionIsNoSection) {
  NewRawBTF B;
  B.Layout.clear();
  Expected<TypeTable> T = parse(B.bytes());
  ASSERT_TRUE(bool(T)) << toString(T.takeError());
  EXPECT_EQ(T->size(), 9u);
}

TEST(BTFReaderNewFormat, RejectsMisplacedLayoutSections) {
  uint32_t TL = sample().Words.size() * 4;
  NewRawBTF Unaligned;
  Unaligned.LayoutOff = TL + 2;
  Unaligned.LayoutLen = 76;
  EXPECT_MALFORMED(Unaligned.bytes(), "layout_off " + std::to_string(TL + 2) +
                                          " is not 4-byte aligned");
  NewRawBTF InTypes;
  InTypes.LayoutOff = TL - 4;
  EXPECT_MALFORMED(InTypes.bytes(), "overlaps the type section");
  NewRawBTF IntoStrings;
  IntoStrings.LayoutLen = 84;
  EXPECT_MALFORMED(IntoStrings.bytes(),
                   "overlaps or follows the string section");
  NewRawBTF Odd;
  Odd.LayoutLen = 78;
  EXPECT_MALFORMED(Odd.bytes(), "layout_len 78 is not a multiple");
}

TEST(BTFReaderNewFormat, RefusesKindsItCannotRepresent) {
  // The layout section tells libbpf how to step over kind 25; btfgen
  // could not write it back, so it refuses it by name.
  NewRawBTF B;
  B.Base.type(0, static_cast<Kind>(25), 0, false, 0);
  B.Layout.resize(26, 0);
  EXPECT_MALFORMED(B.bytes(),
                   "type [9]: unknown kind 25 at type section offset");
  EXPECT_MALFORMED(B.bytes(), "btfgen cannot represent the kind");
}

TEST(BTFReaderNewFormat, Reads24BitVlen) {
  // 70000 members (vlen 0x11170) and 70000 enumerators: bits 16-23 of
  // info are vlen in the newest format.
  constexpr uint32_t N = 70000;
  RawBTF B;
  uint32_t Int = B.str("int");
  B.type(Int, Kind::Int, 0, false, 4, {(1u << 24) | 32});
  uint32_t M = B.str("m"), E = B.str("E");
  std::vector<uint32_t> Ms, Es;
  for (uint32_t I = 0; I < N; ++I) {
    Ms.insert(Ms.end(), {M, 1, 32 * I});
    Es.insert(Es.end(), {E, I});
  }
  B.type(B.str("big"), Kind::Struct, N, false, 4 * N, Ms);
  B.type(B.str("many"), Kind::Enum, N, false, 4, Es);
  NewRawBTF New;
  New.Base = B;
  for (const std::string &Bytes : {B.bytes(), New.bytes()}) {
    Expected<TypeTable> T = parse(Bytes);
    ASSERT_TRUE(bool(T)) << toString(T.takeError());
    ASSERT_EQ(T->size(), 4u);
    EXPECT_EQ(T->kind(2), Kind::Struct);
    EXPECT_EQ(T->vlen(2), N);
    EXPECT_EQ(T->members(2).size(), N);
    EXPECT_EQ(T->members(2)[N - 1].Offset, 32 * (N - 1));
    EXPECT_EQ(T->kind(3), Kind::Enum);
    EXPECT_EQ(T->enums(3).size(), N);
    EXPECT_EQ(T->enumValue(3, N - 1), N - 1);
    // btfgen writes only the classic format: such a table is refused by
    // name instead of being written with a truncated vlen.
    Error Err = checkClassicBTF(*T);
    ASSERT_TRUE(bool(Err));
    std::string Msg = toString(std::move(Err));
    EXPECT_NE(Msg.find("type [2] STRUCT 'big': vlen 70000 does not fit the "
                       "classic BTF format"),
              std::string::npos)
        << Msg;
  }
  Expected<TypeTable> Small = parse(sample().bytes());
  ASSERT_TRUE(bool(Small));
  EXPECT_FALSE(bool(checkClassicBTF(*Small)));
}
