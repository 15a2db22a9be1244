//===- VectorsTest.cpp - The C library against the shared test vectors ----===//
//
// Runs every case of test/unit-runtime/vectors/*.txt through the C library:
// os-release parsing (also cross-checked with /bin/sh), arch aliases, the
// JSON index reader (entries, rejections and their byte offsets), the
// lookup rules over JSON and in-memory indexes built from the same data,
// and os-release reading inside a root (symlinks, "..", FIFOs, sizes). The
// Go package runs the same files (runtime/go/vectors_test.go), so both
// implementations give the same answers.
//
//===----------------------------------------------------------------------===//

#include "RuntimeTestUtil.h"
#include "Vectors.h"

#include "gtest/gtest.h"

#include <cerrno>
#include <cstring>
#include <map>
#include <string>
#include <sys/stat.h>
#include <vector>

using namespace btfgen_test;

namespace {

std::vector<VectorRecord> load(const std::string &Name, const char *Kind) {
  std::vector<VectorRecord> All, Out;
  std::string Error;
  EXPECT_TRUE(readVectors(std::string(BTFGEN_RUNTIME_VECTORS) + "/" + Name,
                          All, Error))
      << Error;
  for (VectorRecord &R : All)
    if (R.Kind == Kind)
      Out.push_back(std::move(R));
  EXPECT_FALSE(Out.empty()) << Name << " has no [" << Kind << "] records";
  return Out;
}

std::string unescaped(const VectorRecord &R, const std::string &V) {
  std::string Out;
  EXPECT_TRUE(unescapeVector(V, Out)) << R.where() << ": bad escape in " << V;
  return Out;
}

/// The text of an [os-release] or [json] record: line: and raw: fields.
std::string recordText(const VectorRecord &R) {
  std::string Text;
  for (const auto &F : R.Fields)
    if (F.first == "line")
      Text += F.second + "\n";
    else if (F.first == "raw")
      Text += unescaped(R, F.second);
  return Text;
}

const char *statusName(int Code) {
  switch (Code) {
  case 0: return "ok";
  case -ENOENT: return "no-os-release";
  case -ENOTDIR: return "not-dir";
  case -EISDIR: return "is-dir";
  case -ELOOP: return "loop";
  case -EFBIG: return "too-big";
  case BTFGEN_ETOOLONG: return "too-long";
  case BTFGEN_ENOTREG: return "not-regular";
  default: return "other";
  }
}

/// "KIND REST" of an expect: field (REST may be empty).
std::pair<std::string, std::string> expectOf(const VectorRecord &R) {
  std::string E = R.get("expect");
  size_t Sp = E.find(' ');
  if (Sp == std::string::npos)
    return {E, ""};
  return {E.substr(0, Sp), E.substr(Sp + 1)};
}

std::string lower(std::string S) {
  for (char &C : S)
    if (C >= 'A' && C <= 'Z')
      C = static_cast<char>(C - 'A' + 'a');
  return S;
}

TEST(VectorsTest, OsRelease) {
  for (const VectorRecord &R : load("os-release.txt", "os-release")) {
    SCOPED_TRACE(R.where());
    std::string Text = recordText(R);
    btfgen_kernel_id Id{};
    btfgen_error Err{};
    int Rc = btfgen_parse_os_release(Text.data(), Text.size(), &Id, &Err);
    EXPECT_STREQ(statusName(Rc), R.get("status", "ok").c_str());
    EXPECT_EQ(std::string(Id.distro), R.get("distro"));
    EXPECT_EQ(std::string(Id.version), R.get("version"));
  }
}

// os-release files are defined to be sourceable by a shell: for every case
// not marked "sh: no", `. file; echo "$ID"` must agree with the vector.
TEST(VectorsTest, OsReleaseAgreesWithShell) {
  if (access("/bin/sh", X_OK) != 0)
    GTEST_SKIP() << "no /bin/sh to cross-check with";
  TempDir T;
  ASSERT_TRUE(T.ok());
  int Checked = 0;
  for (const VectorRecord &R : load("os-release.txt", "os-release")) {
    if (R.get("sh") == "no")
      continue;
    SCOPED_TRACE(R.where());
    ASSERT_TRUE(T.write("os-release", recordText(R)));
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
    EXPECT_EQ(lower(Out.substr(0, NL)), R.get("distro"));
    EXPECT_EQ(Out.substr(NL + 1), R.get("version"));
    ++Checked;
  }
  EXPECT_GE(Checked, 15);
}

TEST(VectorsTest, Arch) {
  for (const VectorRecord &R : load("arch.txt", "arch"))
    for (const std::string &M : R.all("map")) {
      std::vector<std::string> F;
      ASSERT_TRUE(splitVector(M, 2, F)) << R.where() << ": " << M;
      char Buf[32];
      EXPECT_STREQ(btfgen_canonical_arch(F[0].c_str(), Buf, sizeof(Buf)),
                   F[1].c_str())
          << R.where() << ": " << F[0];
    }
}

/// "D V A R F" of an entry, each field escaped as in the vectors.
std::string escapeField(const char *S) {
  std::string Out;
  for (const char *P = S; *P; ++P) {
    unsigned char C = static_cast<unsigned char>(*P);
    if (C == '\\')
      Out += "\\\\";
    else if (C == '\n')
      Out += "\\n";
    else if (C == '\r')
      Out += "\\r";
    else if (C == '\t')
      Out += "\\t";
    else if (C < 0x20 || C == ' ') {
      char Hex[5];
      std::snprintf(Hex, sizeof(Hex), "\\x%02x", C);
      Out += Hex;
    } else
      Out += static_cast<char>(C);
  }
  return Out;
}

TEST(VectorsTest, JsonIndex) {
  for (const VectorRecord &R : load("json-index.txt", "json")) {
    SCOPED_TRACE(R.where());
    std::string Text = recordText(R);
    IndexPtr Idx;
    btfgen_error Err{};
    int Rc = btfgen_index_parse_json(Text.data(), Text.size(), "/base",
                                     nullptr, nullptr, &Idx, &Err);
    auto [Kind, Offset] = expectOf(R);
    if (Kind == "ok") {
      ASSERT_EQ(Rc, 0) << Err.message;
      std::vector<std::string> Want = R.all("entry"), Got;
      for (size_t I = 0; I < btfgen_index_size(Idx); ++I) {
        btfgen_result E;
        ASSERT_EQ(btfgen_index_at(Idx, I, &E), 0);
        ASSERT_EQ(std::strncmp(E.path, "/base/", 6), 0) << E.path;
        Got.push_back(escapeField(E.distro) + " " + escapeField(E.version) +
                      " " + escapeField(E.arch) + " " +
                      escapeField(E.release) + " " + escapeField(E.path + 6));
      }
      EXPECT_EQ(Got, Want);
      btfgen_result Past;
      EXPECT_EQ(btfgen_index_at(Idx, Got.size(), &Past), -EINVAL);
      continue;
    }
    ASSERT_EQ(Kind, "bad");
    EXPECT_EQ(Rc, BTFGEN_EBADINDEX) << Err.message;
    EXPECT_EQ(Idx.Idx, nullptr);
    EXPECT_EQ(std::string(Err.message).rfind("JSON index: ", 0), 0u)
        << Err.message;
    if (!Offset.empty())
      EXPECT_NE(std::string(Err.message)
                    .find("JSON index: offset " + Offset + ": "),
                std::string::npos)
          << Err.message;
    else
      EXPECT_EQ(std::string(Err.message).find("offset"), std::string::npos)
          << Err.message;
    EXPECT_NE(std::string(Err.message).find(R.get("error")), std::string::npos)
        << Err.message;
  }
}

/// An [index] record as files in a directory plus index.json.
struct VectorIndex {
  std::map<std::string, std::string> Files; // path -> bytes
  std::vector<std::vector<std::string>> Kernels;

  static VectorIndex from(const VectorRecord &R) {
    VectorIndex X;
    for (const std::string &F : R.all("file")) {
      std::vector<std::string> P;
      EXPECT_TRUE(splitVector(F, 2, P)) << R.where();
      X.Files[P[0]] = unescaped(R, P[1]);
    }
    for (const std::string &K : R.all("kernel")) {
      std::vector<std::string> P;
      EXPECT_TRUE(splitVector(K, 5, P)) << R.where();
      X.Kernels.push_back(P);
    }
    return X;
  }

  std::string json() const {
    std::string J = "{\"format\":\"btfgen-index\",\"version\":1,\"kernels\":[";
    const char *Keys[] = {"distro", "version", "arch", "release", "file"};
    for (size_t I = 0; I < Kernels.size(); ++I) {
      J += I ? ",{" : "{";
      for (int K = 0; K < 5; ++K)
        J += std::string(K ? "," : "") + "\"" + Keys[K] + "\":\"" +
             Kernels[I][K] + "\"";
      J += "}";
    }
    return J + "]}\n";
  }
};

btfgen_kernel_id hostOf(const VectorRecord &R) {
  std::vector<std::string> H;
  EXPECT_TRUE(splitVector(R.get("host"), 4, H)) << R.where();
  H.resize(4);
  for (std::string &F : H)
    if (F == "-")
      F.clear();
  return makeId(H[0].c_str(), H[1].c_str(), H[2].c_str(), H[3].c_str());
}

const char *matchName(btfgen_match M) {
  switch (M) {
  case BTFGEN_MATCH_EXACT: return "exact";
  case BTFGEN_MATCH_DISTRO: return "distro";
  case BTFGEN_MATCH_RELEASE: return "release";
  default: return "none";
  }
}

/// Checks one lookup's outcome against the record, including the chosen
/// entry's bytes (read from its path, or its data).
void checkLookup(const VectorRecord &R, int Rc, const btfgen_result &Res,
                 const btfgen_error &Err) {
  auto [Kind, Names] = expectOf(R);
  if (Kind == "exact" || Kind == "distro" || Kind == "release") {
    ASSERT_EQ(Rc, 0) << Err.message;
    EXPECT_STREQ(matchName(Res.match), Kind.c_str());
    EXPECT_EQ(std::string(Res.distro) + "/" + Res.version + "/" + Res.arch +
                  "/" + Res.release,
              Names);
    if (R.has("content")) {
      std::string Got = Res.path ? readAll(Res.path)
                                 : std::string(static_cast<const char *>(
                                                   Res.data),
                                               Res.size);
      EXPECT_EQ(Got, unescaped(R, R.get("content")));
    }
    return;
  }
  int Want = Kind == "no-match"       ? BTFGEN_ENOMATCH
             : Kind == "ambiguous"    ? BTFGEN_EAMBIGUOUS
             : Kind == "invalid"      ? -EINVAL
             : Kind == "missing-file" ? -ENOENT
                                      : 1;
  ASSERT_NE(Want, 1) << "unknown expect " << Kind;
  EXPECT_EQ(Rc, Want) << Err.message;
  EXPECT_EQ(Err.code, Want);
  EXPECT_NE(std::string(Err.message).find(R.get("error")), std::string::npos)
      << Err.message;
}

TEST(VectorsTest, Lookup) {
  std::map<std::string, VectorRecord> Indexes;
  for (VectorRecord &R : load("lookup.txt", "index"))
    Indexes[R.Name] = R;
  int InMemory = 0;
  for (const VectorRecord &R : load("lookup.txt", "lookup")) {
    SCOPED_TRACE(R.where());
    ASSERT_TRUE(Indexes.count(R.get("index")));
    VectorIndex X = VectorIndex::from(Indexes[R.get("index")]);
    btfgen_kernel_id Id = hostOf(R);
    unsigned Flags =
        R.get("flags") == "strict" ? BTFGEN_FIND_NO_RELEASE_FALLBACK : 0;

    // The JSON index, files next to it.
    TempDir T;
    ASSERT_TRUE(T.ok());
    for (const auto &F : X.Files)
      ASSERT_TRUE(T.write(F.first, F.second));
    ASSERT_TRUE(T.write("index.json", X.json()));
    IndexPtr Json;
    btfgen_error Err{};
    std::string IndexPath = T / "index.json";
    ASSERT_EQ(btfgen_index_open_json(IndexPath.c_str(), &Json, &Err), 0)
        << Err.message;
    btfgen_result Res{};
    int Rc = btfgen_find_btf(Json, &Id, Flags, &Res, &Err);
    {
      SCOPED_TRACE("JSON index");
      checkLookup(R, Rc, Res, Err);
    }

    // The same kernels in memory (one array per file), unless a file is
    // missing, which only a file-backed index can have.
    std::vector<btfgen_entry> Entries;
    bool Complete = true;
    for (const std::vector<std::string> &K : X.Kernels) {
      auto F = X.Files.find(K[4]);
      if (F == X.Files.end()) {
        Complete = false;
        break;
      }
      Entries.push_back(btfgen_entry{K[0].c_str(), K[1].c_str(), K[2].c_str(),
                                     K[3].c_str(), F->second.data(),
                                     F->second.size()});
    }
    if (!Complete)
      continue;
    IndexPtr Mem;
    ASSERT_EQ(btfgen_index_from_entries(Entries.data(), Entries.size(), &Mem,
                                        &Err),
              0)
        << Err.message;
    Rc = btfgen_find_btf(Mem, &Id, Flags, &Res, &Err);
    SCOPED_TRACE("in-memory index");
    checkLookup(R, Rc, Res, Err);
    ++InMemory;
  }
  EXPECT_GE(InMemory, 20);
}

/// Builds a [root] record's scratch tree in T.
void buildRoot(const VectorRecord &R, const TempDir &T) {
  ASSERT_TRUE(T.mkdir("root"));
  for (const auto &F : R.Fields) {
    std::vector<std::string> P;
    if (F.first == "file" || F.first == "link" || F.first == "big") {
      ASSERT_TRUE(splitVector(F.second, 2, P)) << R.where();
    } else if (F.first == "dir" || F.first == "fifo") {
      P = {F.second};
    } else {
      continue;
    }
    if (F.first == "file")
      ASSERT_TRUE(T.write(P[0], unescaped(R, P[1]))) << P[0];
    else if (F.first == "big")
      ASSERT_TRUE(T.write(P[0], std::string(std::stoul(P[1]), '#'))) << P[0];
    else if (F.first == "link")
      ASSERT_TRUE(T.symlink(P[0], P[1])) << P[0];
    else if (F.first == "dir")
      ASSERT_TRUE(T.mkdir(P[0])) << P[0];
    else {
      size_t Slash = P[0].rfind('/');
      ASSERT_TRUE(T.mkdir(P[0].substr(0, Slash)));
      ASSERT_EQ(mkfifo((T / P[0]).c_str(), 0600), 0) << P[0];
    }
  }
}

TEST(VectorsTest, Roots) {
  for (const VectorRecord &R : load("roots.txt", "root")) {
    SCOPED_TRACE(R.where());
    TempDir T;
    ASSERT_TRUE(T.ok());
    buildRoot(R, T);
    std::string Root = T / "root";
    btfgen_probe_opts O{};
    O.root = Root.c_str();
    O.machine = "x86_64";
    O.release = "6.1.0-1-amd64";
    btfgen_kernel_id Id;
    btfgen_error Err{};
    ASSERT_EQ(btfgen_probe_kernel(&Id, &O, &Err), 0) << Err.message;
    EXPECT_STREQ(statusName(Id.os_release_status), R.get("status").c_str());
    EXPECT_EQ(std::string(Id.distro), R.get("distro"));
    EXPECT_EQ(std::string(Id.version), R.get("version"));
    EXPECT_STREQ(Id.arch, "x86_64");
  }
}

} // namespace
