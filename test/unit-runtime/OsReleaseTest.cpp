//===- OsReleaseTest.cpp - os-release parsing and kernel probing ----------===//
//
// What the shared vectors (VectorsTest.cpp) do not cover: NULL text,
// the message of an oversized value, btfgen_probe_kernel()'s root and
// uname handling, btfgen_kernel_has_btf(), arch truncation and the error
// names.
//
//===----------------------------------------------------------------------===//

#include "RuntimeTestUtil.h"

#include "gtest/gtest.h"

#include <cctype>
#include <cstring>
#include <string>
#include <sys/utsname.h>

using namespace btfgen_test;

namespace {

// The quoting cases, checked against /bin/sh too, are in
// vectors/os-release.txt (VectorsTest.cpp).

// No text at all: NULL with length 0 is valid (NULL + 0 is undefined in
// C, which UBSan reports under scripts/sanitize.sh); NULL with a length is
// not.
TEST(OsReleaseTest, NullTextWithZeroLength) {
  btfgen_kernel_id Id{};
  std::strcpy(Id.distro, "stale");
  std::strcpy(Id.version, "stale");
  btfgen_error Err{};
  EXPECT_EQ(btfgen_parse_os_release(nullptr, 0, &Id, &Err), 0);
  EXPECT_STREQ(Id.distro, "");
  EXPECT_STREQ(Id.version, "");
  EXPECT_EQ(btfgen_parse_os_release(nullptr, 1, &Id, &Err), -EINVAL);
  EXPECT_EQ(Err.code, -EINVAL);
}

TEST(OsReleaseTest, TooLongValueIsReportedAndLeftEmpty) {
  std::string Text = "ID=" + std::string(100, 'a') + "\nVERSION_ID=1\n";
  btfgen_kernel_id Id{};
  btfgen_error Err{};
  EXPECT_EQ(btfgen_parse_os_release(Text.data(), Text.size(), &Id, &Err),
            BTFGEN_ETOOLONG);
  EXPECT_EQ(Err.code, BTFGEN_ETOOLONG);
  EXPECT_NE(std::strstr(Err.message, "ID value longer than 63"), nullptr)
      << Err.message;
  EXPECT_STREQ(Id.distro, "");
  EXPECT_STREQ(Id.version, "1");
}

btfgen_probe_opts fakeOpts(const TempDir &Root) {
  btfgen_probe_opts O{};
  O.root = Root.path().c_str();
  O.machine = "aarch64";
  O.release = "5.10.0-28-arm64";
  O.kernel_btf_path = "/nonexistent/vmlinux";
  return O;
}

// Reading os-release inside a root (fallback, symlinks, "..", FIFOs,
// sizes) is in vectors/roots.txt (VectorsTest.cpp).

TEST(ProbeTest, RootWithTrailingSlash) {
  TempDir Root;
  ASSERT_TRUE(Root.ok());
  ASSERT_TRUE(Root.write("etc/os-release", "ID=\"debian\"\nVERSION_ID='11'\n"));
  btfgen_probe_opts O = fakeOpts(Root);
  std::string Slash = Root.path() + "//";
  O.root = Slash.c_str();
  btfgen_kernel_id Id;
  btfgen_error Err{};
  ASSERT_EQ(btfgen_probe_kernel(&Id, &O, &Err), 0) << Err.message;
  EXPECT_STREQ(Id.distro, "debian");
  EXPECT_STREQ(Id.version, "11");
  EXPECT_STREQ(Id.arch, "aarch64");
  EXPECT_STREQ(Id.release, "5.10.0-28-arm64");
  EXPECT_EQ(Id.os_release_status, 0);
}

TEST(ProbeTest, MissingRoot) {
  btfgen_probe_opts O{};
  O.root = "/nonexistent-btfgen-root";
  O.machine = "x86_64";
  O.release = "6.1.0-1-amd64";
  btfgen_kernel_id Id;
  ASSERT_EQ(btfgen_probe_kernel(&Id, &O, nullptr), 0);
  EXPECT_EQ(Id.os_release_status, -ENOENT);
  EXPECT_STREQ(Id.distro, "");
}

TEST(ProbeTest, DefaultsComeFromUname) {
  TempDir Root;
  ASSERT_TRUE(Root.ok());
  btfgen_probe_opts O{};
  O.root = Root.path().c_str();
  btfgen_kernel_id Id;
  ASSERT_EQ(btfgen_probe_kernel(&Id, &O, nullptr), 0);
  struct utsname U;
  ASSERT_EQ(uname(&U), 0);
  EXPECT_STREQ(Id.arch, U.machine);
  EXPECT_STREQ(Id.release, U.release);
}

TEST(ProbeTest, OverlongReleaseFails) {
  std::string Long(300, '5');
  btfgen_probe_opts O{};
  O.root = "/nonexistent-root";
  O.machine = "x86_64";
  O.release = Long.c_str();
  btfgen_kernel_id Id;
  btfgen_error Err{};
  EXPECT_EQ(btfgen_probe_kernel(&Id, &O, &Err), BTFGEN_ETOOLONG);
  EXPECT_NE(std::strstr(Err.message, "kernel release"), nullptr);
}

TEST(KernelBtfTest, PresenceDecides) {
  TempDir T;
  ASSERT_TRUE(T.ok());
  ASSERT_TRUE(T.write("sys/kernel/btf/vmlinux", "BTF"));
  btfgen_probe_opts O{};
  std::string Present = T / "sys/kernel/btf/vmlinux";
  O.kernel_btf_path = Present.c_str();
  EXPECT_EQ(btfgen_kernel_has_btf(&O, nullptr), 1);
  std::string Absent = T / "sys/kernel/btf/missing";
  O.kernel_btf_path = Absent.c_str();
  EXPECT_EQ(btfgen_kernel_has_btf(&O, nullptr), 0);
  // A path through a regular file (ENOTDIR) also means "no BTF".
  std::string ThroughFile = Present + "/x";
  O.kernel_btf_path = ThroughFile.c_str();
  EXPECT_EQ(btfgen_kernel_has_btf(&O, nullptr), 0);
}

TEST(ArchTest, TruncatesToTheBuffer) {
  // The aliases themselves are in vectors/arch.txt.
  char Buf[4];
  EXPECT_STREQ(btfgen_canonical_arch("AARCH64", Buf, sizeof(Buf)), "aar");
  EXPECT_EQ(btfgen_canonical_arch("x", nullptr, 0), nullptr);
}

TEST(ErrorTest, EveryCodeHasAName) {
  for (int Code : {0, (int)BTFGEN_ENOMATCH, (int)BTFGEN_EAMBIGUOUS,
                   (int)BTFGEN_EBADINDEX, (int)BTFGEN_ETOOLONG,
                   (int)BTFGEN_ENOTREG, -ENOENT,
                   -EACCES, -12345})
    EXPECT_GT(std::strlen(btfgen_strerror(Code)), 0u) << Code;
  EXPECT_STRNE(btfgen_strerror(BTFGEN_ENOMATCH),
               btfgen_strerror(BTFGEN_EAMBIGUOUS));
}

} // namespace
