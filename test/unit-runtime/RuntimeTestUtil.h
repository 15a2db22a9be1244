//===- RuntimeTestUtil.h - Temp trees for btfgen_runtime tests --*- C++ -*-===//
//
// A self-deleting temporary directory with helpers to write files and the
// relative symlinks btfgen-driver produces, so every test builds its own
// fake root or BTF tree and never depends on this machine's os-release.
//
//===----------------------------------------------------------------------===//

#ifndef BTFGEN_TEST_UNIT_RUNTIME_RUNTIMETESTUTIL_H
#define BTFGEN_TEST_UNIT_RUNTIME_RUNTIMETESTUTIL_H

#include "btfgen/btfgen_runtime.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>
#include <unistd.h>

namespace btfgen_test {

class TempDir {
public:
  TempDir() {
    const char *Base = std::getenv("TMPDIR");
    std::string Template =
        std::string(Base && *Base ? Base : "/tmp") + "/btfgen-rt-test-XXXXXX";
    if (char *P = mkdtemp(Template.data()))
      Path = P;
  }
  ~TempDir() {
    std::error_code EC;
    if (!Path.empty())
      std::filesystem::remove_all(Path, EC);
  }
  TempDir(const TempDir &) = delete;
  TempDir &operator=(const TempDir &) = delete;

  bool ok() const { return !Path.empty(); }
  const std::string &path() const { return Path; }
  std::string operator/(const std::string &Rel) const {
    return Path + "/" + Rel;
  }

  /// Writes Rel (creating parent directories) with Content.
  bool write(const std::string &Rel, const std::string &Content) const {
    std::filesystem::path P(*this / Rel);
    std::error_code EC;
    std::filesystem::create_directories(P.parent_path(), EC);
    std::ofstream OS(P, std::ios::binary);
    OS << Content;
    return static_cast<bool>(OS);
  }

  /// Creates symlink Rel whose text is Target (relative, as the driver
  /// writes it), creating parent directories.
  bool symlink(const std::string &Rel, const std::string &Target) const {
    std::filesystem::path P(*this / Rel);
    std::error_code EC;
    std::filesystem::create_directories(P.parent_path(), EC);
    return ::symlink(Target.c_str(), P.c_str()) == 0;
  }

  bool mkdir(const std::string &Rel) const {
    std::error_code EC;
    return std::filesystem::create_directories(*this / Rel, EC) || !EC;
  }

private:
  std::string Path;
};

inline std::string readAll(const std::string &Path) {
  std::ifstream IS(Path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(IS),
                     std::istreambuf_iterator<char>());
}

/// A kernel id with explicit fields (distro/version may be empty).
inline btfgen_kernel_id makeId(const char *Distro, const char *Version,
                               const char *Arch, const char *Release) {
  btfgen_kernel_id Id{};
  std::snprintf(Id.distro, sizeof(Id.distro), "%s", Distro);
  std::snprintf(Id.version, sizeof(Id.version), "%s", Version);
  std::snprintf(Id.arch, sizeof(Id.arch), "%s", Arch);
  std::snprintf(Id.release, sizeof(Id.release), "%s", Release);
  return Id;
}

/// Owns a btfgen_index. Taking its address (to pass it to a constructor)
/// frees the index held so far.
struct IndexPtr {
  btfgen_index *Idx = nullptr;
  ~IndexPtr() { btfgen_index_free(Idx); }
  btfgen_index **operator&() {
    btfgen_index_free(Idx);
    Idx = nullptr;
    return &Idx;
  }
  operator const btfgen_index *() const { return Idx; }
};

} // namespace btfgen_test

#endif // BTFGEN_TEST_UNIT_RUNTIME_RUNTIMETESTUTIL_H
