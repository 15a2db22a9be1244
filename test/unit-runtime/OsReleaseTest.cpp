//===- OsReleaseTest.cpp - os-release parsing and kernel probing ----------===//
//
// os-release(5) quoting (unquoted, double, single, backslash escapes), with
// /bin/sh as the independent oracle: os-release files are defined to be
// shell-sourceable, so for every case `. file; echo "$ID"` must agree with
// btfgen_parse_os_release(). Then btfgen_probe_kernel() on fake roots
// (fallback to usr/lib/os-release, absolute symlinks kept under the root,
// no os-release at all), uname overrides, btfgen_kernel_has_btf(), and the
// architecture aliases.
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

struct ParseCase {
  const char *Text;
  const char *Distro;
  const char *Version;
};

// Each case is also sourced by /bin/sh (see ShellAgrees).
const ParseCase ParseCases[] = {
    {"ID=ubuntu\nVERSION_ID=20.04\n", "ubuntu", "20.04"},
    {"ID=\"ubuntu\"\nVERSION_ID=\"20.04\"\n", "ubuntu", "20.04"},
    {"ID='centos'\nVERSION_ID='7'\n", "centos", "7"},
    {"NAME=\"Amazon Linux\"\nID=\"amzn\"\nID_LIKE=\"centos rhel fedora\"\n"
     "VERSION_ID=\"2\"\n",
     "amzn", "2"},
    // Backslash escapes inside double quotes: \" \\ \$ \` ...
    {"ID=\"my\\\"distro\"\nVERSION_ID=\"1\\\\2\\$3\\`4\"\n", "my\"distro",
     "1\\2$3`4"},
    // ... and before any other character the backslash is kept.
    {"ID=\"a\\qb\"\n", "a\\qb", ""},
    // Unquoted backslash escapes the next character.
    {"ID=deb\\ ian\nVERSION_ID=1\\'2\n", "deb ian", "1'2"},
    // Single quotes keep backslashes literally.
    {"VERSION_ID='1\\n2'\nID=x\n", "x", "1\\n2"},
    // Concatenated segments, as the shell does.
    {"ID=\"open\"'suse'-leap\nVERSION_ID=15.\"3\"\n", "opensuse-leap",
     "15.3"},
    // Comments, blank lines, indentation, a trailing comment, no final
    // newline; later assignments win.
    {"# comment\n\n  ID=old\nID=debian # trailing\nVERSION_ID=\"12\"", "debian",
     "12"},
    // Keys that merely start or end like ID must not count.
    {"ID_LIKE=debian\nVARIANT_ID=server\nXID=nope\nVERSION_ID=22.04\n", "",
     "22.04"},
    // IDs are matched lowercase (the spec requires lowercase anyway).
    {"ID=\"Ubuntu\"\n", "ubuntu", ""},
    {"", "", ""},
};

std::string lower(std::string S) {
  for (char &C : S)
    C = static_cast<char>(std::tolower(static_cast<unsigned char>(C)));
  return S;
}

TEST(OsReleaseTest, ParsesQuotingAsSpecified) {
  for (const ParseCase &C : ParseCases) {
    SCOPED_TRACE(C.Text);
    btfgen_kernel_id Id{};
    btfgen_error Err{};
    EXPECT_EQ(btfgen_parse_os_release(C.Text, std::strlen(C.Text), &Id, &Err),
              0);
    EXPECT_STREQ(Id.distro, C.Distro);
    EXPECT_STREQ(Id.version, C.Version);
  }
}

TEST(OsReleaseTest, ShellAgrees) {
  if (access("/bin/sh", X_OK) != 0)
    GTEST_SKIP() << "no /bin/sh to cross-check with";
  TempDir T;
  ASSERT_TRUE(T.ok());
  for (const ParseCase &C : ParseCases) {
    SCOPED_TRACE(C.Text);
    ASSERT_TRUE(T.write("os-release", C.Text));
    std::string Cmd = "/bin/sh -c '. \"$1\"; printf \"%s\\n%s\" \"$ID\" "
                      "\"$VERSION_ID\"' sh " +
                      (T / "os-release");
    FILE *P = popen(Cmd.c_str(), "r");
    ASSERT_NE(P, nullptr);
    std::string Out;
    char Buf[256];
    size_t N;
    while ((N = fread(Buf, 1, sizeof(Buf), P)) > 0)
      Out.append(Buf, N);
    ASSERT_EQ(pclose(P), 0);
    size_t NL = Out.find('\n');
    ASSERT_NE(NL, std::string::npos);
    btfgen_kernel_id Id{};
    btfgen_parse_os_release(C.Text, std::strlen(C.Text), &Id, nullptr);
    EXPECT_EQ(std::string(Id.distro), lower(Out.substr(0, NL)));
    EXPECT_EQ(std::string(Id.version), Out.substr(NL + 1));
  }
}

TEST(OsReleaseTest, CrlfAndUnterminatedQuotes) {
  // Windows line ends are tolerated; a line with an unterminated quote is
  // ignored (an earlier valid assignment stays).
  const char Text[] = "ID=rhel\r\nVERSION_ID=\"8.4\"\r\nID=\"broken\n";
  btfgen_kernel_id Id{};
  EXPECT_EQ(btfgen_parse_os_release(Text, sizeof(Text) - 1, &Id, nullptr), 0);
  EXPECT_STREQ(Id.distro, "rhel");
  EXPECT_STREQ(Id.version, "8.4");
}

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

TEST(ProbeTest, ReadsEtcOsReleaseUnderRoot) {
  TempDir Root;
  ASSERT_TRUE(Root.ok());
  ASSERT_TRUE(Root.write("etc/os-release", "ID=\"debian\"\nVERSION_ID='11'\n"));
  ASSERT_TRUE(Root.write("usr/lib/os-release", "ID=wrong\nVERSION_ID=0\n"));
  btfgen_probe_opts O = fakeOpts(Root);
  btfgen_kernel_id Id;
  btfgen_error Err{};
  ASSERT_EQ(btfgen_probe_kernel(&Id, &O, &Err), 0) << Err.message;
  EXPECT_STREQ(Id.distro, "debian");
  EXPECT_STREQ(Id.version, "11");
  EXPECT_STREQ(Id.arch, "aarch64");
  EXPECT_STREQ(Id.release, "5.10.0-28-arm64");
  EXPECT_EQ(Id.os_release_status, 0);

  // A trailing slash on the root changes nothing.
  std::string Slash = Root.path() + "/";
  O.root = Slash.c_str();
  ASSERT_EQ(btfgen_probe_kernel(&Id, &O, &Err), 0) << Err.message;
  EXPECT_STREQ(Id.distro, "debian");
}

TEST(ProbeTest, FallsBackToUsrLibOsRelease) {
  TempDir Root;
  ASSERT_TRUE(Root.ok());
  ASSERT_TRUE(Root.write("usr/lib/os-release", "ID=fedora\nVERSION_ID=34\n"));
  btfgen_probe_opts O = fakeOpts(Root);
  btfgen_kernel_id Id;
  ASSERT_EQ(btfgen_probe_kernel(&Id, &O, nullptr), 0);
  EXPECT_STREQ(Id.distro, "fedora");
  EXPECT_STREQ(Id.version, "34");
  EXPECT_EQ(Id.os_release_status, 0);
}

TEST(ProbeTest, AbsoluteSymlinkStaysUnderRoot) {
  // etc/os-release -> /usr/lib/os-release must read <root>/usr/lib/...,
  // not this machine's file.
  TempDir Root;
  ASSERT_TRUE(Root.ok());
  ASSERT_TRUE(Root.write("usr/lib/os-release", "ID=ol\nVERSION_ID=\"8.6\"\n"));
  ASSERT_TRUE(Root.symlink("etc/os-release", "/usr/lib/os-release"));
  btfgen_probe_opts O = fakeOpts(Root);
  btfgen_kernel_id Id;
  ASSERT_EQ(btfgen_probe_kernel(&Id, &O, nullptr), 0);
  EXPECT_STREQ(Id.distro, "ol");
  EXPECT_STREQ(Id.version, "8.6");
}

TEST(ProbeTest, RelativeSymlink) {
  TempDir Root;
  ASSERT_TRUE(Root.ok());
  ASSERT_TRUE(Root.write("usr/lib/os-release", "ID=sles\nVERSION_ID=15.4\n"));
  ASSERT_TRUE(Root.symlink("etc/os-release", "../usr/lib/os-release"));
  btfgen_probe_opts O = fakeOpts(Root);
  btfgen_kernel_id Id;
  ASSERT_EQ(btfgen_probe_kernel(&Id, &O, nullptr), 0);
  EXPECT_STREQ(Id.distro, "sles");
  EXPECT_STREQ(Id.version, "15.4");
}

TEST(ProbeTest, NoOsReleaseIsNotAnError) {
  // Minimal containers (distroless, scratch) have no os-release.
  TempDir Root;
  ASSERT_TRUE(Root.ok());
  ASSERT_TRUE(Root.mkdir("etc"));
  btfgen_probe_opts O = fakeOpts(Root);
  btfgen_kernel_id Id;
  ASSERT_EQ(btfgen_probe_kernel(&Id, &O, nullptr), 0);
  EXPECT_STREQ(Id.distro, "");
  EXPECT_STREQ(Id.version, "");
  EXPECT_EQ(Id.os_release_status, -ENOENT);
  EXPECT_STREQ(Id.release, "5.10.0-28-arm64");
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

TEST(ArchTest, AliasesCanonicalizeBothWays) {
  struct {
    const char *In, *Out;
  } Cases[] = {
      {"x86_64", "x86_64"}, {"amd64", "x86_64"},   {"AMD64", "x86_64"},
      {"aarch64", "arm64"}, {"arm64", "arm64"},     {"ppc64le", "ppc64le"},
      {"s390x", "s390x"},   {"riscv64", "riscv64"},
  };
  for (const auto &C : Cases) {
    char Buf[32];
    EXPECT_STREQ(btfgen_canonical_arch(C.In, Buf, sizeof(Buf)), C.Out) << C.In;
  }
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
