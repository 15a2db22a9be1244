//===- WhichToolTest.cpp - btfgen-which exit codes and output -------------===//
//
// Runs the built btfgen-which on a temp tree and fake root: the chosen path
// on stdout with status 0, "not needed" (empty stdout, status 0) when the
// kernel has BTF, status 1 with the library's message on errors, 2 for
// usage errors.
//
//===----------------------------------------------------------------------===//

#include "RuntimeTestUtil.h"

#include "gtest/gtest.h"

#include <string>
#include <sys/stat.h>
#include <sys/wait.h>

using namespace btfgen_test;

namespace {

struct ToolRun {
  int Status = -1;
  std::string Out, Err;
};

ToolRun runWhich(const TempDir &T, const std::string &Args) {
  ToolRun R;
  std::string ErrFile = T / "stderr.txt";
  // timeout(1): a hang (e.g. a FIFO read without O_NONBLOCK) fails the
  // test with status 124 instead of stalling the suite.
  std::string Cmd = "timeout 60 " + std::string(BTFGEN_WHICH_PATH) + " " +
                    Args + " 2>" + ErrFile;
  FILE *P = popen(Cmd.c_str(), "r");
  if (!P)
    return R;
  char Buf[512];
  size_t N;
  while ((N = fread(Buf, 1, sizeof(Buf), P)) > 0)
    R.Out.append(Buf, N);
  int W = pclose(P);
  R.Status = WIFEXITED(W) ? WEXITSTATUS(W) : -1;
  R.Err = readAll(ErrFile);
  return R;
}

class WhichToolTest : public ::testing::Test {
protected:
  void SetUp() override {
    ASSERT_TRUE(T.ok());
    ASSERT_TRUE(T.write("out/ubuntu/20.04/x86_64/5.4.0-91-generic.btf", "A"));
    ASSERT_TRUE(T.symlink("out/ubuntu/20.04/x86_64/5.4.0-92-generic.btf",
                          "5.4.0-91-generic.btf"));
    ASSERT_TRUE(T.write("out/index.json",
                        R"({"format":"btfgen-index","version":1,"kernels":[)"
                        R"({"distro":"ubuntu","version":"20.04","arch":"x86_64",)"
                        R"("release":"5.4.0-92-generic",)"
                        R"("file":"ubuntu/20.04/x86_64/5.4.0-91-generic.btf"}]})"));
    ASSERT_TRUE(T.write("root/etc/os-release",
                        "ID=\"ubuntu\"\nVERSION_ID=\"20.04\"\n"));
    ASSERT_TRUE(T.write("vmlinux", "BTF"));
    Common = "--root " + (T / "root") + " --machine amd64 --kernel-btf " +
             (T / "no-vmlinux");
  }
  TempDir T;
  std::string Common;
};

TEST_F(WhichToolTest, PrintsChosenPath) {
  ToolRun R = runWhich(T, Common + " --release 5.4.0-92-generic -v --dir " +
                          (T / "out"));
  EXPECT_EQ(R.Status, 0) << R.Err;
  EXPECT_EQ(R.Out, (T / "out/ubuntu/20.04/x86_64/5.4.0-92-generic.btf") + "\n");
  EXPECT_NE(R.Err.find("match: exact"), std::string::npos) << R.Err;

  R = runWhich(T, Common + " --release 5.4.0-92-generic --index " +
                      (T / "out/index.json"));
  EXPECT_EQ(R.Status, 0) << R.Err;
  EXPECT_EQ(R.Out, (T / "out/ubuntu/20.04/x86_64/5.4.0-91-generic.btf") + "\n");
}

TEST_F(WhichToolTest, NotNeededWhenKernelHasBtf) {
  ToolRun R = runWhich(T, "--root " + (T / "root") + " --release 5.4.0-92-generic"
                      " --machine x86_64 --kernel-btf " + (T / "vmlinux") +
                      " --dir " + (T / "out"));
  EXPECT_EQ(R.Status, 0) << R.Err;
  EXPECT_EQ(R.Out, "");
  EXPECT_NE(R.Err.find("no tailored BTF needed"), std::string::npos) << R.Err;
}

TEST_F(WhichToolTest, ErrorsAndUsage) {
  ToolRun R = runWhich(T, Common + " --release 6.6.6 --dir " + (T / "out"));
  EXPECT_EQ(R.Status, 1);
  EXPECT_EQ(R.Out, "");
  EXPECT_EQ(R.Err.rfind("btfgen-which: error: no tailored BTF for kernel "
                        "release '6.6.6'",
                        0),
            0u)
      << R.Err;
  R = runWhich(T, Common + " --release 1 --dir " + (T / "missing"));
  EXPECT_EQ(R.Status, 1);
  EXPECT_NE(R.Err.find("no such file"), std::string::npos) << R.Err;
  R = runWhich(T, "--dir a --index b");
  EXPECT_EQ(R.Status, 2);
  R = runWhich(T, "--bogus");
  EXPECT_EQ(R.Status, 2);
  EXPECT_NE(R.Err.find("unknown argument --bogus"), std::string::npos);
}

// --root is a root: a relative symlink with more ".." than it is deep
// stays inside, as after chroot(2). (Before, etc/os-release ->
// ../../host-etc/os-release read the file next to the root.)
TEST_F(WhichToolTest, RootContainsRelativeSymlinks) {
  ASSERT_TRUE(T.write("jail/host-etc/os-release", "ID=ubuntu\nVERSION_ID=20.04\n"));
  ASSERT_TRUE(T.write("host-etc/os-release", "ID=debian\nVERSION_ID=12\n"));
  ASSERT_TRUE(T.symlink("jail/etc/os-release", "../../host-etc/os-release"));
  ASSERT_TRUE(T.write("out/debian/12/x86_64/5.4.0-92-generic.btf", "D"));
  ToolRun R = runWhich(T, "--root " + (T / "jail") +
                              " --machine x86_64 --release 5.4.0-92-generic"
                              " --kernel-btf " + (T / "no-vmlinux") +
                              " --strict -v --dir " + (T / "out"));
  EXPECT_EQ(R.Status, 0) << R.Err;
  EXPECT_NE(R.Err.find("distro 'ubuntu' version '20.04'"), std::string::npos)
      << R.Err;
  EXPECT_EQ(R.Out, (T / "out/ubuntu/20.04/x86_64/5.4.0-92-generic.btf") + "\n");
}

// A FIFO as os-release is refused at once (it would block until a writer
// came); the lookup goes on without os-release.
TEST_F(WhichToolTest, FifoOsReleaseDoesNotHang) {
  ASSERT_TRUE(T.mkdir("fifo-root/etc"));
  ASSERT_EQ(mkfifo((T / "fifo-root/etc/os-release").c_str(), 0600), 0);
  ToolRun R = runWhich(T, "--root " + (T / "fifo-root") +
                              " --machine x86_64 --release 5.4.0-92-generic"
                              " --kernel-btf " + (T / "no-vmlinux") +
                              " -v --dir " + (T / "out"));
  EXPECT_EQ(R.Status, 0) << R.Err;
  EXPECT_NE(R.Err.find("(os-release: not a regular file)"), std::string::npos)
      << R.Err;
  EXPECT_NE(R.Err.find("match: release"), std::string::npos) << R.Err;
}

} // namespace
