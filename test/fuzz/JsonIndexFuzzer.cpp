//===- JsonIndexFuzzer.cpp - libFuzzer target for the JSON index reader ---===//
//
// Feeds arbitrary bytes to btfgen_index_parse_json (runtime/src/
// json_index.c), once with a resolver (embedded files) and once with a base
// directory (files on disk). Both must accept or reject alike. Whatever is
// accepted must be sorted, survive a write/read round trip with the same
// entries and files, and find every entry by its own names with the exact
// rule. Use with -dict=json-index.dict.
//
//===----------------------------------------------------------------------===//

#include "btfgen/btfgen_runtime.h"

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <string>
#include <vector>

namespace {

[[noreturn]] void fail(const char *What, const std::string &Detail) {
  std::fprintf(stderr, "JsonIndexFuzzer: %s\n%s\n", What, Detail.c_str());
  std::abort();
}

/// Resolves "file" to its own name as the content, so entries that share a
/// file share bytes. The copies live as long as the index.
int resolve(void *Ctx, const char *File, const void **Data, size_t *Size) {
  auto *Store = static_cast<std::deque<std::string> *>(Ctx);
  Store->emplace_back(File);
  *Data = Store->back().data();
  *Size = Store->back().size();
  return 0;
}

struct Entry {
  std::string Distro, Version, Arch, Release, File;
  bool operator==(const Entry &O) const {
    return Distro == O.Distro && Version == O.Version && Arch == O.Arch &&
           Release == O.Release && File == O.File;
  }
};

std::vector<Entry> entries(const btfgen_index *Idx) {
  std::vector<Entry> Out;
  for (size_t I = 0; I < btfgen_index_size(Idx); ++I) {
    btfgen_result R;
    if (btfgen_index_at(Idx, I, &R) != 0 || !R.data)
      fail("btfgen_index_at failed", std::to_string(I));
    Out.push_back({R.distro, R.version, R.arch, R.release,
                   std::string(static_cast<const char *>(R.data), R.size)});
  }
  return Out;
}

std::string quote(const std::string &S) {
  std::string Out = "\"";
  for (unsigned char C : S) {
    if (C == '"' || C == '\\') {
      Out += '\\';
      Out += static_cast<char>(C);
    } else if (C < 0x20) {
      char Buf[8];
      std::snprintf(Buf, sizeof(Buf), "\\u%04x", C);
      Out += Buf;
    } else {
      Out += static_cast<char>(C);
    }
  }
  return Out + "\"";
}

std::string write(const std::vector<Entry> &E) {
  std::string J = "{\"format\":\"btfgen-index\",\"version\":1,\"kernels\":[";
  for (size_t I = 0; I < E.size(); ++I)
    J += std::string(I ? ",\n" : "\n") + "{\"distro\":" + quote(E[I].Distro) +
         ",\"version\":" + quote(E[I].Version) + ",\"arch\":" +
         quote(E[I].Arch) + ",\"release\":" + quote(E[I].Release) +
         ",\"file\":" + quote(E[I].File) + "}";
  return J + "]}\n";
}

bool fits(const std::string &S, size_t Size) { return S.size() < Size; }

/// Every entry is found by its own names, exactly, as itself.
void checkLookups(const btfgen_index *Idx, const std::vector<Entry> &E) {
  for (const Entry &X : E) {
    btfgen_kernel_id Id{};
    if (!fits(X.Distro, sizeof(Id.distro)) || !fits(X.Version, sizeof(Id.version)) ||
        !fits(X.Arch, sizeof(Id.arch)) || !fits(X.Release, sizeof(Id.release)))
      continue;
    std::memcpy(Id.distro, X.Distro.c_str(), X.Distro.size() + 1);
    std::memcpy(Id.version, X.Version.c_str(), X.Version.size() + 1);
    std::memcpy(Id.arch, X.Arch.c_str(), X.Arch.size() + 1);
    std::memcpy(Id.release, X.Release.c_str(), X.Release.size() + 1);
    btfgen_result R;
    btfgen_error Err{};
    int Rc = btfgen_find_btf(Idx, &Id, 0, &R, &Err);
    if (Rc != 0 || R.match != BTFGEN_MATCH_EXACT || X.Distro != R.distro ||
        X.Version != R.version || X.Arch != R.arch || X.Release != R.release)
      fail("an entry is not found exactly by its own names",
           X.Distro + "/" + X.Version + "/" + X.Arch + "/" + X.Release + ": " +
               (Rc ? Err.message : "another entry"));
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size) {
  std::string Text(reinterpret_cast<const char *>(Data), Size);
  std::deque<std::string> Store;
  btfgen_index *Idx = nullptr;
  btfgen_error Err{};
  int Rc = btfgen_index_parse_json(Size ? Text.data() : nullptr, Size,
                                   nullptr, resolve, &Store, &Idx, &Err);
  if (Rc != 0 && (Rc != BTFGEN_EBADINDEX || Err.code != Rc || Idx))
    fail("unexpected failure", Err.message);

  btfgen_index *OnDisk = nullptr;
  btfgen_error DiskErr{};
  int DiskRc = btfgen_index_parse_json(Size ? Text.data() : nullptr, Size,
                                       "/base", nullptr, nullptr, &OnDisk,
                                       &DiskErr);
  btfgen_index_free(OnDisk);
  if (DiskRc != Rc && DiskRc != -ENAMETOOLONG)
    fail("the resolver and the base directory disagree",
         std::string(Err.message) + " | " + DiskErr.message);
  if (Rc != 0)
    return 0;

  std::vector<Entry> E = entries(Idx);
  for (size_t I = 1; I < E.size(); ++I) {
    const Entry &A = E[I - 1], &B = E[I];
    int C = A.Distro.compare(B.Distro);
    if (!C)
      C = A.Version.compare(B.Version);
    if (!C)
      C = A.Arch.compare(B.Arch);
    if (!C)
      C = A.Release.compare(B.Release);
    if (C >= 0)
      fail("entries are not sorted", A.Release + " / " + B.Release);
  }
  checkLookups(Idx, E);

  std::string J = write(E);
  std::deque<std::string> Store2;
  btfgen_index *Again = nullptr;
  if (btfgen_index_parse_json(J.data(), J.size(), nullptr, resolve, &Store2,
                              &Again, &Err) != 0)
    fail("the written-back index is rejected", std::string(Err.message) + "\n" + J);
  if (!(entries(Again) == E))
    fail("the written-back index has other entries", J);
  btfgen_index_free(Again);
  btfgen_index_free(Idx);
  return 0;
}
