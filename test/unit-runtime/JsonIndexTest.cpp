//===- JsonIndexTest.cpp - The btfgen-index JSON format -------------------===//
//
// Valid indexes (key order, whitespace, escapes, files relative to the
// index, embedded files through a resolver, entries sharing a "file"), and
// one rejection per malformation: the reader accepts only the documented
// shape and reports BTFGEN_EBADINDEX with a byte offset.
//
//===----------------------------------------------------------------------===//

#include "RuntimeTestUtil.h"

#include "gtest/gtest.h"

#include <cstring>
#include <map>
#include <string>
#include <sys/stat.h>

using namespace btfgen_test;

namespace {

const char ValidIndex[] = R"({
  "format": "btfgen-index",
  "version": 1,
  "kernels": [
    {"distro": "debian", "version": "12", "arch": "x86_64",
     "release": "6.1.0-48-amd64", "file": "debian/12/x86_64/6.1.0-48-amd64.btf"},
    {"release": "6.1.0-49-amd64", "file": "debian/12/x86_64/6.1.0-48-amd64.btf",
     "arch": "x86_64", "version": "12", "distro": "debian"},
    {"distro": "ubuntu", "version": "20.04", "arch": "x86_64",
     "release": "6.1.0-48-amd64", "file": "ubuntu\/20.04\/x86_64\/other.btf"},
    {"distro": "\u0061mzn", "version": "2", "arch": "arm64",
     "release": "4.14.0-1", "file": "amzn/2/arm64/4.14.0-1.btf"}
  ]
}
)";

int parse(const std::string &Json, IndexPtr &Idx, btfgen_error &Err,
          const char *Base = "/base") {
  return btfgen_index_parse_json(Json.data(), Json.size(), Base, nullptr,
                                 nullptr, &Idx, &Err);
}

TEST(JsonIndexTest, ParsesTheDocumentedShape) {
  TempDir T;
  ASSERT_TRUE(T.ok());
  ASSERT_TRUE(T.write("debian/12/x86_64/6.1.0-48-amd64.btf", "A"));
  ASSERT_TRUE(T.write("amzn/2/arm64/4.14.0-1.btf", "C"));
  IndexPtr Idx;
  btfgen_error Err{};
  ASSERT_EQ(parse(ValidIndex, Idx, Err, T.path().c_str()), 0) << Err.message;
  EXPECT_EQ(btfgen_index_size(Idx), 4u);
  btfgen_kernel_id Id = makeId("debian", "12", "x86_64", "6.1.0-49-amd64");
  btfgen_result Res;
  ASSERT_EQ(btfgen_find_btf(Idx, &Id, 0, &Res, &Err), 0) << Err.message;
  EXPECT_EQ(Res.match, BTFGEN_MATCH_EXACT);
  EXPECT_EQ(std::string(Res.path), T / "debian/12/x86_64/6.1.0-48-amd64.btf");
  // \u0061 is 'a'; arch aliases apply to JSON entries too.
  Id = makeId("amzn", "2", "aarch64", "4.14.0-1");
  ASSERT_EQ(btfgen_find_btf(Idx, &Id, 0, &Res, &Err), 0) << Err.message;
  EXPECT_EQ(std::string(Res.path), T / "amzn/2/arm64/4.14.0-1.btf");
}

TEST(JsonIndexTest, OpenJsonResolvesFilesNextToTheIndex) {
  TempDir T;
  ASSERT_TRUE(T.ok());
  ASSERT_TRUE(T.write("tree/index.json", ValidIndex));
  ASSERT_TRUE(T.write("tree/debian/12/x86_64/6.1.0-48-amd64.btf", "A"));
  ASSERT_TRUE(T.write("tree/ubuntu/20.04/x86_64/other.btf", "B"));
  IndexPtr Idx;
  btfgen_error Err{};
  std::string Path = T / "tree/index.json";
  ASSERT_EQ(btfgen_index_open_json(Path.c_str(), &Idx, &Err), 0)
      << Err.message;
  btfgen_kernel_id Id = makeId("", "", "x86_64", "6.1.0-49-amd64");
  btfgen_result Res;
  ASSERT_EQ(btfgen_find_btf(Idx, &Id, 0, &Res, &Err), 0) << Err.message;
  EXPECT_EQ(Res.match, BTFGEN_MATCH_RELEASE);
  EXPECT_EQ(readAll(Res.path), "A");
  // 6.1.0-48-amd64 is under debian and ubuntu with different files/bytes.
  Id = makeId("", "", "x86_64", "6.1.0-48-amd64");
  EXPECT_EQ(btfgen_find_btf(Idx, &Id, 0, &Res, &Err), BTFGEN_EAMBIGUOUS);
  // Same bytes in the two files: identical content, no ambiguity.
  ASSERT_TRUE(T.write("tree/ubuntu/20.04/x86_64/other.btf", "A"));
  ASSERT_EQ(btfgen_find_btf(Idx, &Id, 0, &Res, &Err), 0) << Err.message;
  // The amzn file is missing: a clear I/O error, not a wrong answer.
  Id = makeId("amzn", "2", "arm64", "4.14.0-1");
  EXPECT_EQ(btfgen_find_btf(Idx, &Id, 0, &Res, &Err), -ENOENT);
  EXPECT_NE(std::string(Err.message).find("amzn/2/arm64/4.14.0-1.btf"),
            std::string::npos)
      << Err.message;
  // Missing index file.
  std::string Missing = T / "nope.json";
  IndexPtr None;
  EXPECT_EQ(btfgen_index_open_json(Missing.c_str(), &None, &Err), -ENOENT);
  EXPECT_NE(std::string(Err.message).find("nope.json"), std::string::npos);
}

// Embedded files: the application maps "file" names to bytes it carries.
struct Embedded {
  std::map<std::string, std::string> Files;
  int Calls = 0;
};

int resolveEmbedded(void *Ctx, const char *File, const void **Data,
                    size_t *Size) {
  auto *E = static_cast<Embedded *>(Ctx);
  ++E->Calls;
  auto It = E->Files.find(File);
  if (It == E->Files.end())
    return -ENOENT;
  *Data = It->second.data();
  *Size = It->second.size();
  return 0;
}

TEST(JsonIndexTest, ResolverGivesInMemoryResults) {
  Embedded E;
  E.Files["debian/12/x86_64/6.1.0-48-amd64.btf"] = "AAAA";
  E.Files["ubuntu/20.04/x86_64/other.btf"] = "BBBB";
  E.Files["amzn/2/arm64/4.14.0-1.btf"] = "CCCC";
  IndexPtr Idx;
  btfgen_error Err{};
  ASSERT_EQ(btfgen_index_parse_json(ValidIndex, sizeof(ValidIndex) - 1,
                                    nullptr, resolveEmbedded, &E, &Idx, &Err),
            0)
      << Err.message;
  EXPECT_EQ(E.Calls, 4);
  btfgen_kernel_id Id = makeId("", "", "x86_64", "6.1.0-49-amd64");
  btfgen_result Res;
  ASSERT_EQ(btfgen_find_btf(Idx, &Id, 0, &Res, &Err), 0) << Err.message;
  EXPECT_EQ(Res.path, nullptr);
  ASSERT_NE(Res.data, nullptr);
  EXPECT_EQ(std::string(static_cast<const char *>(Res.data), Res.size),
            "AAAA");
  // A resolver failure fails the parse and names the file.
  E.Files.erase("amzn/2/arm64/4.14.0-1.btf");
  IndexPtr Idx2;
  EXPECT_EQ(btfgen_index_parse_json(ValidIndex, sizeof(ValidIndex) - 1,
                                    nullptr, resolveEmbedded, &E, &Idx2, &Err),
            -ENOENT);
  EXPECT_NE(std::string(Err.message).find("amzn/2/arm64/4.14.0-1.btf"),
            std::string::npos);
  EXPECT_EQ(Idx2.Idx, nullptr);
}

TEST(JsonIndexTest, SharedFileMeansIdenticalContent) {
  // Two distros pointing at one "file": identical without reading it (the
  // file does not even exist here), so the release fallback succeeds.
  const std::string Json =
      R"({"format":"btfgen-index","version":1,"kernels":[)"
      R"({"distro":"amzn","version":"2","arch":"x86_64","release":"r","file":"x/r.btf"},)"
      R"({"distro":"centos","version":"7","arch":"x86_64","release":"r","file":"x/r.btf"}]})";
  IndexPtr Idx;
  btfgen_error Err{};
  ASSERT_EQ(parse(Json, Idx, Err, "/nonexistent"), 0) << Err.message;
  btfgen_kernel_id Id = makeId("", "", "x86_64", "r");
  btfgen_result Res;
  EXPECT_EQ(btfgen_find_btf(Idx, &Id, 0, &Res, &Err), -ENOENT)
      << "identical, then the chosen file is checked: " << Err.message;
  EXPECT_EQ(std::string(Err.message).find("ambiguous"), std::string::npos);
}

TEST(JsonIndexTest, EmptyKernelListIsValid) {
  IndexPtr Idx;
  btfgen_error Err{};
  ASSERT_EQ(parse(R"( {"kernels":[],"version":1,"format":"btfgen-index"} )",
                  Idx, Err),
            0)
      << Err.message;
  EXPECT_EQ(btfgen_index_size(Idx), 0u);
}

// Every rejection, with its byte offset, is in vectors/json-index.txt
// (VectorsTest.cpp).

// No text at all: NULL with length 0 is an empty document, rejected like
// "" (NULL + 0 is undefined in C, which UBSan reports); NULL with a length
// is a usage error.
TEST(JsonIndexTest, NullTextWithZeroLength) {
  IndexPtr Idx;
  btfgen_error Err{};
  EXPECT_EQ(btfgen_index_parse_json(nullptr, 0, "/base", nullptr, nullptr,
                                    &Idx, &Err),
            BTFGEN_EBADINDEX);
  EXPECT_NE(std::string(Err.message).find("offset 0: expected '{'"),
            std::string::npos)
      << Err.message;
  EXPECT_EQ(btfgen_index_parse_json(nullptr, 3, "/base", nullptr, nullptr,
                                    &Idx, &Err),
            -EINVAL);
  EXPECT_EQ(Idx.Idx, nullptr);
}

// An index file must be a regular file: a FIFO would block the reader.
TEST(JsonIndexTest, FifoIndexIsRefused) {
  TempDir T;
  ASSERT_TRUE(T.ok());
  std::string Fifo = T / "index.json";
  ASSERT_EQ(mkfifo(Fifo.c_str(), 0600), 0);
  IndexPtr Idx;
  btfgen_error Err{};
  EXPECT_EQ(btfgen_index_open_json(Fifo.c_str(), &Idx, &Err), BTFGEN_ENOTREG);
  EXPECT_EQ(std::string(Err.message), "'" + Fifo + "': not a regular file");
  EXPECT_EQ(btfgen_index_open_json(T.path().c_str(), &Idx, &Err), -EISDIR);
}

} // namespace
