//===- IndexTest.cpp - Lookup rules over in-memory and directory indexes --===//
//
// The fallback rules of btfgen_find_btf() (exact, distro, release-only),
// arch aliases in both directions, ambiguity unless the content is
// identical, clear no-match messages, directory trees laid out like
// btfgen-driver's (relative symlinks for duplicates), btfgen_select() with
// and without kernel BTF, and btfgen_result_to_file().
//
//===----------------------------------------------------------------------===//

#include "RuntimeTestUtil.h"

#include "gtest/gtest.h"

#include <atomic>
#include <cstring>
#include <string>
#include <sys/stat.h>
#include <thread>
#include <vector>

using namespace btfgen_test;

extern "C" int btfgenRuntimeCSmoke(void);

namespace {

// Distinct blobs; only identity/bytes matter to the runtime.
const std::string BlobA = "\x9f\xeb\x01\x00 kernel A", BlobB = "\x9f\xeb B";
const std::string BlobBCopy = BlobB; // same bytes, different pointer
const std::string BlobC = "\x9f\xeb C", BlobD = "\x9f\xeb D";

btfgen_entry entry(const char *Distro, const char *Version, const char *Arch,
                   const char *Release, const std::string &Blob) {
  return btfgen_entry{Distro, Version, Arch, Release, Blob.data(), Blob.size()};
}

class MemoryIndexTest : public ::testing::Test {
protected:
  void SetUp() override {
    std::vector<btfgen_entry> E = {
        entry("ubuntu", "20.04", "x86_64", "5.4.0-91-generic", BlobA),
        entry("ubuntu", "20.04", "arm64", "5.4.0-91-generic", BlobC),
        // 5.15.0-1 exists under two Ubuntu versions with identical bytes
        // (different pointers) and under debian with other bytes.
        entry("ubuntu", "20.04", "x86_64", "5.15.0-1-generic", BlobB),
        entry("ubuntu", "22.04", "x86_64", "5.15.0-1-generic", BlobBCopy),
        entry("debian", "12", "x86_64", "5.15.0-1-generic", BlobD),
        // rhel and centos are distinct distros with the same release.
        entry("rhel", "8", "x86_64", "4.18.0-305.el8.x86_64", BlobA),
        entry("centos", "8", "x86_64", "4.18.0-305.el8.x86_64", BlobB),
        // Only one kernel has 5.10.0-28; BTFHub spells arm64.
        entry("debian", "11", "arm64", "5.10.0-28-arm64", BlobD),
        // Identical pointer under two distros.
        entry("amzn", "2", "x86_64", "4.14.256-197", BlobC),
        entry("centos", "7", "x86_64", "4.14.256-197", BlobC),
    };
    btfgen_error Err{};
    ASSERT_EQ(btfgen_index_from_entries(E.data(), E.size(), &Idx, &Err), 0)
        << Err.message;
  }

  int find(const btfgen_kernel_id &Id, unsigned Flags = 0) {
    Err = btfgen_error{};
    return btfgen_find_btf(Idx, &Id, Flags, &Res, &Err);
  }

  IndexPtr Idx;
  btfgen_result Res{};
  btfgen_error Err{};
};

TEST_F(MemoryIndexTest, ExactMatch) {
  ASSERT_EQ(find(makeId("ubuntu", "20.04", "x86_64", "5.4.0-91-generic")), 0)
      << Err.message;
  EXPECT_EQ(Res.match, BTFGEN_MATCH_EXACT);
  EXPECT_EQ(Res.data, BlobA.data());
  EXPECT_EQ(Res.size, BlobA.size());
  EXPECT_EQ(Res.path, nullptr);
  EXPECT_STREQ(Res.distro, "ubuntu");
  EXPECT_STREQ(Res.arch, "x86_64");
}

TEST_F(MemoryIndexTest, ArchAliasesBothWays) {
  // Kernel says aarch64, index says arm64.
  ASSERT_EQ(find(makeId("ubuntu", "20.04", "aarch64", "5.4.0-91-generic")), 0)
      << Err.message;
  EXPECT_EQ(Res.match, BTFGEN_MATCH_EXACT);
  EXPECT_EQ(Res.data, BlobC.data());
  // Kernel says amd64 (e.g. filled from dpkg), index says x86_64.
  ASSERT_EQ(find(makeId("ubuntu", "20.04", "amd64", "5.4.0-91-generic")), 0)
      << Err.message;
  EXPECT_EQ(Res.data, BlobA.data());

  // The reversed pair: index spells aarch64 / amd64, kernel arm64 / x86_64.
  std::vector<btfgen_entry> E = {
      entry("kylin", "V10", "aarch64", "4.19.90-24.4.v2101.ky10.aarch64", BlobA),
      entry("debian", "12", "amd64", "6.1.0-48-amd64", BlobB)};
  IndexPtr Rev;
  ASSERT_EQ(btfgen_index_from_entries(E.data(), E.size(), &Rev, &Err), 0);
  btfgen_kernel_id K1 =
      makeId("kylin", "V10", "arm64", "4.19.90-24.4.v2101.ky10.aarch64");
  ASSERT_EQ(btfgen_find_btf(Rev, &K1, 0, &Res, &Err), 0) << Err.message;
  EXPECT_EQ(Res.match, BTFGEN_MATCH_EXACT);
  EXPECT_EQ(Res.data, BlobA.data());
  btfgen_kernel_id K2 = makeId("debian", "12", "x86_64", "6.1.0-48-amd64");
  ASSERT_EQ(btfgen_find_btf(Rev, &K2, 0, &Res, &Err), 0) << Err.message;
  EXPECT_EQ(Res.data, BlobB.data());
  // An alias never matches a different architecture.
  btfgen_kernel_id K3 = makeId("debian", "12", "aarch64", "6.1.0-48-amd64");
  EXPECT_EQ(btfgen_find_btf(Rev, &K3, 0, &Res, &Err), BTFGEN_ENOMATCH);
}

TEST_F(MemoryIndexTest, RhelAndCentosAreDistinct) {
  ASSERT_EQ(find(makeId("rhel", "8", "x86_64", "4.18.0-305.el8.x86_64")), 0);
  EXPECT_EQ(Res.data, BlobA.data());
  ASSERT_EQ(find(makeId("centos", "8", "x86_64", "4.18.0-305.el8.x86_64")), 0);
  EXPECT_EQ(Res.data, BlobB.data());
  // rhel 8.4 (os-release) vs rhel/8 (tree): the distro rule, not a merge
  // with centos.
  ASSERT_EQ(find(makeId("rhel", "8.4", "x86_64", "4.18.0-305.el8.x86_64")), 0)
      << Err.message;
  EXPECT_EQ(Res.match, BTFGEN_MATCH_DISTRO);
  EXPECT_EQ(Res.data, BlobA.data());
  EXPECT_STREQ(Res.version, "8");
}

TEST_F(MemoryIndexTest, DistroIdIsCaseInsensitive) {
  ASSERT_EQ(find(makeId("Ubuntu", "20.04", "x86_64", "5.4.0-91-generic")), 0);
  EXPECT_EQ(Res.match, BTFGEN_MATCH_EXACT);
}

TEST_F(MemoryIndexTest, NoOsReleaseFallsBackToUniqueRelease) {
  ASSERT_EQ(find(makeId("", "", "aarch64", "5.10.0-28-arm64")), 0)
      << Err.message;
  EXPECT_EQ(Res.match, BTFGEN_MATCH_RELEASE);
  EXPECT_EQ(Res.data, BlobD.data());
  EXPECT_STREQ(Res.distro, "debian");
  // A distro the index does not know (a container image, a derivative)
  // falls back the same way.
  ASSERT_EQ(find(makeId("linuxmint", "21", "aarch64", "5.10.0-28-arm64")), 0);
  EXPECT_EQ(Res.match, BTFGEN_MATCH_RELEASE);
}

TEST_F(MemoryIndexTest, ReleaseUnderTwoDistrosIsAmbiguous) {
  ASSERT_EQ(find(makeId("", "", "x86_64", "4.18.0-305.el8.x86_64")),
            BTFGEN_EAMBIGUOUS);
  EXPECT_EQ(Err.code, BTFGEN_EAMBIGUOUS);
  std::string M = Err.message;
  EXPECT_NE(M.find("centos/8/x86_64/4.18.0-305.el8.x86_64"), std::string::npos)
      << M;
  EXPECT_NE(M.find("rhel/8/x86_64/4.18.0-305.el8.x86_64"), std::string::npos)
      << M;
  EXPECT_EQ(Res.match, BTFGEN_MATCH_NONE);
}

TEST_F(MemoryIndexTest, IdenticalContentIsNotAmbiguous) {
  // Same pointer under amzn/2 and centos/7.
  ASSERT_EQ(find(makeId("", "", "x86_64", "4.14.256-197")), 0) << Err.message;
  EXPECT_EQ(Res.match, BTFGEN_MATCH_RELEASE);
  EXPECT_EQ(Res.data, BlobC.data());
  // Same bytes, different pointers, under two ubuntu versions: the distro
  // rule decides without ambiguity when the version is unknown to the index.
  ASSERT_EQ(find(makeId("ubuntu", "21.10", "x86_64", "5.15.0-1-generic")), 0)
      << Err.message;
  EXPECT_EQ(Res.match, BTFGEN_MATCH_DISTRO);
  EXPECT_EQ(Res.size, BlobB.size());
  // Across all distros, debian's different bytes make it ambiguous.
  EXPECT_EQ(find(makeId("", "", "x86_64", "5.15.0-1-generic")),
            BTFGEN_EAMBIGUOUS);
}

TEST_F(MemoryIndexTest, NoMatchExplainsWhatWasLookedFor) {
  ASSERT_EQ(find(makeId("ubuntu", "20.04", "aarch64", "9.9.9-1")),
            BTFGEN_ENOMATCH);
  std::string M = Err.message;
  for (const char *Part : {"'9.9.9-1'", "'aarch64'", "'arm64'", "'ubuntu'",
                           "'20.04'", "10 entries", "2 for this arch"})
    EXPECT_NE(M.find(Part), std::string::npos) << Part << " in " << M;
  EXPECT_EQ(Res.match, BTFGEN_MATCH_NONE);

  // A release known only for another arch says so.
  ASSERT_EQ(find(makeId("", "", "s390x", "5.4.0-91-generic")), BTFGEN_ENOMATCH);
  EXPECT_NE(std::string(Err.message).find("only for arch"), std::string::npos)
      << Err.message;
  EXPECT_NE(std::string(Err.message).find("no os-release"), std::string::npos)
      << Err.message;
}

TEST_F(MemoryIndexTest, StrictDisablesReleaseFallback) {
  ASSERT_EQ(find(makeId("", "", "arm64", "5.10.0-28-arm64"),
                 BTFGEN_FIND_NO_RELEASE_FALLBACK),
            BTFGEN_ENOMATCH);
  EXPECT_NE(std::string(Err.message).find("debian/11/arm64/5.10.0-28-arm64"),
            std::string::npos)
      << Err.message;
  // Exact matches still work.
  ASSERT_EQ(find(makeId("debian", "11", "arm64", "5.10.0-28-arm64"),
                 BTFGEN_FIND_NO_RELEASE_FALLBACK),
            0);
}

TEST_F(MemoryIndexTest, ConcurrentLookups) {
  std::atomic<int> Bad{0};
  std::vector<std::thread> Threads;
  for (int T = 0; T < 8; ++T)
    Threads.emplace_back([&, T] {
      for (int I = 0; I < 500; ++I) {
        btfgen_kernel_id Id =
            (T + I) % 2 ? makeId("rhel", "8", "x86_64", "4.18.0-305.el8.x86_64")
                        : makeId("", "", "x86_64", "4.18.0-305.el8.x86_64");
        btfgen_result R;
        btfgen_error E;
        int RC = btfgen_find_btf(Idx, &Id, 0, &R, &E);
        if ((T + I) % 2 ? (RC != 0 || R.data != BlobA.data())
                        : (RC != BTFGEN_EAMBIGUOUS ||
                           std::strstr(E.message, "ambiguous") == nullptr))
          ++Bad;
      }
    });
  for (auto &Th : Threads)
    Th.join();
  EXPECT_EQ(Bad.load(), 0);
}

TEST(MemoryIndexBuildTest, RejectsDuplicatesAndNulls) {
  btfgen_error Err{};
  IndexPtr Idx;
  // Same kernel under two spellings of one arch.
  std::vector<btfgen_entry> Dup = {entry("debian", "12", "x86_64", "6.1", BlobA),
                                   entry("Debian", "12", "amd64", "6.1", BlobB)};
  EXPECT_EQ(btfgen_index_from_entries(Dup.data(), Dup.size(), &Idx, &Err),
            BTFGEN_EBADINDEX);
  EXPECT_NE(std::string(Err.message).find("duplicate kernel"),
            std::string::npos);
  EXPECT_EQ(Idx.Idx, nullptr);
  btfgen_entry Null = entry("debian", "12", "x86_64", "6.1", BlobA);
  Null.data = nullptr;
  EXPECT_EQ(btfgen_index_from_entries(&Null, 1, &Idx, &Err), -EINVAL);
  // An empty index is valid and matches nothing.
  ASSERT_EQ(btfgen_index_from_entries(nullptr, 0, &Idx, &Err), 0);
  EXPECT_EQ(btfgen_index_size(Idx), 0u);
  btfgen_kernel_id Id = makeId("debian", "12", "x86_64", "6.1");
  btfgen_result Res;
  EXPECT_EQ(btfgen_find_btf(Idx, &Id, 0, &Res, &Err), BTFGEN_ENOMATCH);
}

TEST(MemoryIndexBuildTest, UsableFromC) {
  EXPECT_EQ(btfgenRuntimeCSmoke(), (int)BTFGEN_MATCH_RELEASE);
}

TEST(ResultToFileTest, WritesInMemoryBtfToTempFile) {
  TempDir T;
  ASSERT_TRUE(T.ok());
  btfgen_entry E = entry("debian", "12", "x86_64", "6.1.0-48-amd64", BlobA);
  IndexPtr Idx;
  btfgen_error Err{};
  ASSERT_EQ(btfgen_index_from_entries(&E, 1, &Idx, &Err), 0);
  btfgen_kernel_id Id = makeId("debian", "12", "x86_64", "6.1.0-48-amd64");
  btfgen_result Res;
  ASSERT_EQ(btfgen_find_btf(Idx, &Id, 0, &Res, &Err), 0);
  char Path[4096];
  ASSERT_EQ(btfgen_result_to_file(&Res, T.path().c_str(), Path, sizeof(Path),
                                  &Err),
            1)
      << Err.message;
  EXPECT_EQ(std::string(Path).rfind(T.path() + "/btfgen-6.1.0-48-amd64-", 0),
            0u)
      << Path;
  EXPECT_EQ(readAll(Path), BlobA);
  struct stat St;
  ASSERT_EQ(stat(Path, &St), 0);
  EXPECT_EQ(St.st_mode & 0777, 0600u);
  // A second call makes a second file.
  char Path2[4096];
  ASSERT_EQ(btfgen_result_to_file(&Res, T.path().c_str(), Path2, sizeof(Path2),
                                  &Err),
            1);
  EXPECT_STRNE(Path, Path2);
  // Too small a buffer.
  char Small[8];
  EXPECT_EQ(btfgen_result_to_file(&Res, T.path().c_str(), Small, sizeof(Small),
                                  &Err),
            -ENAMETOOLONG);
  // Unwritable directory.
  std::string Missing = T / "missing";
  EXPECT_EQ(btfgen_result_to_file(&Res, Missing.c_str(), Path, sizeof(Path),
                                  &Err),
            -ENOENT);
  EXPECT_NE(std::string(Err.message).find("cannot create temp file"),
            std::string::npos);
  // Nothing to write.
  btfgen_result None{};
  None.match = BTFGEN_MATCH_NOT_NEEDED;
  EXPECT_EQ(btfgen_result_to_file(&None, nullptr, Path, sizeof(Path), &Err),
            -EINVAL);
}

// A tree as btfgen-driver writes it: duplicates are relative symlinks to the
// first file with the same bytes.
class DirIndexTest : public ::testing::Test {
protected:
  void SetUp() override {
    ASSERT_TRUE(T.ok());
    ASSERT_TRUE(T.write("out/debian/12/x86_64/6.1.0-48-amd64.btf", BlobA));
    ASSERT_TRUE(T.symlink("out/debian/12/x86_64/6.1.0-49-amd64.btf",
                          "6.1.0-48-amd64.btf"));
    ASSERT_TRUE(T.write("out/ubuntu/22.04/x86_64/5.15.0-1-generic.btf", BlobB));
    ASSERT_TRUE(T.symlink("out/ubuntu/20.04/x86_64/5.15.0-1-generic.btf",
                          "../../22.04/x86_64/5.15.0-1-generic.btf"));
    // Same bytes as ubuntu's, but a separate file (e.g. an older tree).
    ASSERT_TRUE(T.write("out/centos/8/x86_64/5.15.0-1-generic.btf", BlobB));
    // Same release, different bytes, two distros.
    ASSERT_TRUE(T.write("out/amzn/2/x86_64/4.14.0-1.btf", BlobC));
    ASSERT_TRUE(T.write("out/ol/7/x86_64/4.14.0-1.btf", BlobD));
    ASSERT_TRUE(T.write("out/kylin/V10/aarch64/4.19.90-ky10.btf", BlobC));
    ASSERT_TRUE(T.symlink("out/android/a12/arm64/5.10-a12.btf",
                          "../../../kylin/V10/aarch64/gone.btf"));
    // Noise the scan must ignore.
    ASSERT_TRUE(T.write("out/index.json", "{}"));
    ASSERT_TRUE(T.write("out/debian/README", "x"));
    ASSERT_TRUE(T.write("out/debian/12/stray.btf", BlobD));
    ASSERT_TRUE(T.write("out/debian/12/x86_64/.6.1.0-50-amd64.btf.tmp", BlobD));
    ASSERT_TRUE(T.write("out/debian/12/x86_64/6.1.0-50-amd64.btf.tar.xz", "x"));
    ASSERT_TRUE(T.mkdir("out/debian/12/x86_64/subdir.btf"));
    Dir = T / "out";
    btfgen_error Err{};
    ASSERT_EQ(btfgen_index_open_dir(Dir.c_str(), &Idx, &Err), 0)
        << Err.message;
  }

  int find(const btfgen_kernel_id &Id) {
    Err = btfgen_error{};
    return btfgen_find_btf(Idx, &Id, 0, &Res, &Err);
  }

  TempDir T;
  std::string Dir;
  IndexPtr Idx;
  btfgen_result Res{};
  btfgen_error Err{};
};

TEST_F(DirIndexTest, ScansOnlyTheBtfLayout) {
  EXPECT_EQ(btfgen_index_size(Idx), 9u);
}

TEST_F(DirIndexTest, ExactMatchThroughSymlink) {
  ASSERT_EQ(find(makeId("debian", "12", "x86_64", "6.1.0-49-amd64")), 0)
      << Err.message;
  EXPECT_EQ(Res.match, BTFGEN_MATCH_EXACT);
  EXPECT_EQ(std::string(Res.path), Dir + "/debian/12/x86_64/6.1.0-49-amd64.btf");
  EXPECT_EQ(Res.data, nullptr);
  EXPECT_EQ(readAll(Res.path), BlobA);
  char Path[4096];
  EXPECT_EQ(btfgen_result_to_file(&Res, nullptr, Path, sizeof(Path), &Err), 0);
  EXPECT_STREQ(Path, Res.path);
}

TEST_F(DirIndexTest, ArchAliasAgainstTreeSpelling) {
  ASSERT_EQ(find(makeId("kylin", "V10", "arm64", "4.19.90-ky10")), 0)
      << Err.message;
  EXPECT_EQ(Res.match, BTFGEN_MATCH_EXACT);
  EXPECT_STREQ(Res.arch, "aarch64");
}

TEST_F(DirIndexTest, ReleaseFallbackWithIdenticalContent) {
  // Three entries: a symlink to the ubuntu file, and centos' separate copy
  // with the same bytes. All identical, so not ambiguous.
  ASSERT_EQ(find(makeId("", "", "x86_64", "5.15.0-1-generic")), 0)
      << Err.message;
  EXPECT_EQ(Res.match, BTFGEN_MATCH_RELEASE);
  EXPECT_EQ(readAll(Res.path), BlobB);
}

TEST_F(DirIndexTest, DifferentContentIsAmbiguous) {
  ASSERT_EQ(find(makeId("", "", "x86_64", "4.14.0-1")), BTFGEN_EAMBIGUOUS);
  EXPECT_NE(std::string(Err.message).find("amzn/2/x86_64/4.14.0-1"),
            std::string::npos)
      << Err.message;
  // os-release resolves it.
  ASSERT_EQ(find(makeId("ol", "7", "x86_64", "4.14.0-1")), 0);
  EXPECT_EQ(readAll(Res.path), BlobD);
}

TEST_F(DirIndexTest, DanglingSymlinkIsAClearError) {
  ASSERT_EQ(find(makeId("android", "a12", "arm64", "5.10-a12")), -ENOENT);
  EXPECT_NE(std::string(Err.message).find("dangling symlink"),
            std::string::npos)
      << Err.message;
}

TEST_F(DirIndexTest, SelectHonoursKernelBtf) {
  TempDir Root;
  ASSERT_TRUE(Root.ok());
  ASSERT_TRUE(Root.write("etc/os-release", "ID=debian\nVERSION_ID=\"12\"\n"));
  ASSERT_TRUE(Root.write("vmlinux", "BTF"));
  std::string Vmlinux = Root / "vmlinux", NoVmlinux = Root / "none";
  btfgen_probe_opts O{};
  O.root = Root.path().c_str();
  O.machine = "x86_64";
  O.release = "6.1.0-48-amd64";
  O.kernel_btf_path = Vmlinux.c_str();
  btfgen_kernel_id Kid;
  // The kernel has BTF: nothing needed.
  ASSERT_EQ(btfgen_select(Idx, &O, 0, &Res, &Kid, &Err), 0) << Err.message;
  EXPECT_EQ(Res.match, BTFGEN_MATCH_NOT_NEEDED);
  EXPECT_EQ(Res.path, nullptr);
  EXPECT_EQ(Res.data, nullptr);
  // ... unless forced.
  ASSERT_EQ(btfgen_select(Idx, &O, BTFGEN_FIND_IGNORE_KERNEL_BTF, &Res, &Kid,
                          &Err),
            0)
      << Err.message;
  EXPECT_EQ(Res.match, BTFGEN_MATCH_EXACT);
  // No kernel BTF: the probed id is used.
  O.kernel_btf_path = NoVmlinux.c_str();
  ASSERT_EQ(btfgen_select(Idx, &O, 0, &Res, &Kid, &Err), 0) << Err.message;
  EXPECT_EQ(Res.match, BTFGEN_MATCH_EXACT);
  EXPECT_EQ(readAll(Res.path), BlobA);
  EXPECT_STREQ(Kid.distro, "debian");
  EXPECT_STREQ(Kid.version, "12");
}

TEST(DirIndexOpenTest, Errors) {
  TempDir T;
  ASSERT_TRUE(T.ok());
  IndexPtr Idx;
  btfgen_error Err{};
  std::string Missing = T / "missing";
  EXPECT_EQ(btfgen_index_open_dir(Missing.c_str(), &Idx, &Err), -ENOENT);
  EXPECT_NE(std::string(Err.message).find(Missing), std::string::npos);
  ASSERT_TRUE(T.write("file", "x"));
  std::string File = T / "file";
  EXPECT_EQ(btfgen_index_open_dir(File.c_str(), &Idx, &Err), -ENOTDIR);
  ASSERT_EQ(btfgen_index_open_dir(T.path().c_str(), &Idx, &Err), 0);
  EXPECT_EQ(btfgen_index_size(Idx), 0u);
}

} // namespace
