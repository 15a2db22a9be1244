//===- Cache.h - Content-addressed cache for archive runs ---------*- C++ -*-===//
//
// Warm reruns (the program changed, the kernels did not) should not pay for
// xz decoding again, and a rerun with unchanged inputs should do almost
// nothing. The cache has three kinds of entries, all content-addressed:
//
//   btf/<kk>/<V>.btf    V = BLAKE3(view version, K), K = BLAKE3(tarball
//                       bytes): the decoded BTF's view (KernelView.h)
//   out/<kk>/<O>.res    O = BLAKE3(tool identity, K, program-set key): the
//                       minimized BTF and the per-relocation results
//   vrd/<kk>/<Q>.vrd    Q = BLAKE3(tool identity, program input's bytes,
//                       verdict question): one input's load verdicts for
//                       one set of relocation results (Verdicts.h,
//                       VerdictMemo), shared by every kernel and program
//                       set that asks the same question
//   bas/<kk>/<B>.bas    B = BLAKE3(basis version, view version, tool
//                       identity, K): the part of the kernel's view the
//                       tailorings on that view read (KernelBasis.h)
//
// below "<cache dir>/v2". Payloads are zstd-compressed. The cache has a
// size cap (--cache-max, default 2 GiB): after a run, least recently used
// entries go first (a hit refreshes an entry's mtime); `btfgen-driver
// cache stats|prune|clear` manage it by hand (CacheSpace.cpp).
//
// Every entry starts with a 48-byte header (magic, stored length, xxh3 of
// the stored bytes, first 24 bytes of its own key), so a truncated, corrupt or
// misnamed entry is detected on read, reported, and replaced; it is never
// trusted. Entries are written to a unique temporary name in the same
// directory and renamed into place, so concurrent runs only ever see
// complete entries (the last rename wins; both writers wrote the same
// bytes). There is deliberately no (path, size, mtime) shortcut: hashing
// the tarballs with BLAKE3 costs well under the time of reading them once,
// and a content key cannot be fooled by a file rewritten within the mtime
// granularity. See docs/benchmarks.md ("cache design").
//
//===----------------------------------------------------------------------===//

#ifndef BTFGEN_DRIVER_CACHE_H
#define BTFGEN_DRIVER_CACHE_H

#include "AnchoredDir.h"
#include "ByteSink.h"
#include "TargetResult.h"

#include "btfgen/KernelBasis.h"
#include "btfgen/KernelView.h"

#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/MemoryBuffer.h"

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace btfgen {

/// The directory of the entry format this build reads and writes.
constexpr const char *FormatDir = "v2";
/// The entry namespaces below it: kernel views, results, verdicts, bases.
extern const char *const EntryKinds[4];

/// The default cap on the cache's size: a laptop's share, about 2,500
/// kernel views. --cache-max changes it.
constexpr uint64_t DefaultCacheMax = 2ull << 30;
/// No cap (--cache-max none).
constexpr uint64_t NoCacheCap = UINT64_MAX;

/// "512M", "2G", "1.5G", "100000" (bytes; K, M, G, T are powers of 1024),
/// "none" (NoCacheCap); std::nullopt if V is none of these.
std::optional<uint64_t> parseCacheSize(llvm::StringRef V);
/// Bytes as "1.4 GiB", "880 KiB", "12 B".
std::string formatSize(uint64_t Bytes);

/// What the cache holds (CacheSpace.cpp).
struct CacheUsage {
  uint64_t Kernels = 0, KernelBytes = 0; ///< btf/ entries
  uint64_t Results = 0, ResultBytes = 0; ///< out/ entries
  uint64_t Verdicts = 0, VerdictBytes = 0; ///< vrd/ entries
  uint64_t Bases = 0, BaseBytes = 0;     ///< bas/ entries
  uint64_t Temps = 0, TempBytes = 0;     ///< temporaries of running writers
  uint64_t OldBytes = 0; ///< entries of an older format, no longer read
  uint64_t total() const {
    return KernelBytes + ResultBytes + VerdictBytes + BaseBytes + TempBytes +
           OldBytes;
  }
};

/// What evictTo() removed.
struct CacheEviction {
  uint64_t Removed = 0, RemovedBytes = 0;
  /// Of those, the entries stored or hit since evictTo's FreshSinceNs.
  uint64_t RemovedFresh = 0, RemovedFreshBytes = 0;
  uint64_t OldBytes = 0; ///< older-format entries removed
  CacheUsage After;
};

/// A 32-byte BLAKE3 digest.
using CacheKey = std::array<uint8_t, 32>;

/// Lowercase hex of Key.
std::string keyHex(const CacheKey &Key);

/// BLAKE3 of Bytes.
CacheKey hashBytes(llvm::StringRef Bytes);

/// Incremental key builder: every part is length-prefixed, so ("ab","c")
/// and ("a","bc") give different keys.
class KeyBuilder {
public:
  KeyBuilder();
  ~KeyBuilder();
  KeyBuilder &add(llvm::StringRef Part);
  KeyBuilder &add(const CacheKey &Part);
  CacheKey final() const;

private:
  struct Impl;
  std::unique_ptr<Impl> P;
};

/// The identity of this build of the tool: BLAKE3 of the running
/// executable (falls back to the version string). Part of every output
/// key, so a rebuilt matcher/minimizer never reuses old results.
const CacheKey &toolIdentity();

/// The payload the cache stores for R ("Result payload" in Cache.cpp):
/// everything but what lookupResult() recounts.
std::string resultPayload(const TargetResult &R);

/// What a lookup found.
enum class CacheLookup { Hit, Miss, Corrupt };

/// A cache entry, read into memory (never mapped: an entry truncated by
/// another process while in use must not become a SIGBUS).
struct CacheEntry {
  std::string Bytes;
  llvm::StringRef Payload; ///< points into Bytes
};

/// Where a lookup went wrong, for -v notes.
struct CacheProblem {
  std::string Why;  ///< "checksum mismatch", "malformed result", ...
  std::string Path; ///< the entry
};

class Cache {
public:
  /// A disabled cache (all lookups miss, stores do nothing).
  Cache() = default;
  /// The cache rooted at Dir ("<Dir>/v1/..."), created if needed. Every
  /// access below it goes through directory descriptors (AnchoredDir.h),
  /// entries are read only if they are regular files, and temporaries are
  /// registered for signal cleanup and swept after kills (TempFiles.h).
  static llvm::Expected<Cache> open(llvm::StringRef Dir);

  bool enabled() const { return Dir != nullptr; }
  const std::string &root() const;
  /// The directory given to open() ("<it>/v2" is root()).
  const std::string &parent() const { return Parent; }
  /// Whether open() created the cache: the run says where it goes.
  bool firstUse() const { return FirstUse; }

  /// Entries and bytes on disk, by kind (CacheSpace.cpp).
  llvm::Expected<CacheUsage> usage() const;
  /// Remove older-format entries, then least recently used entries
  /// (oldest mtime first, then by name) until the cache holds at most
  /// MaxBytes. Entries are removed whole; readers never see a partial one.
  /// Removed entries whose mtime (set when stored, refreshed on a hit) is
  /// FreshSinceNs (ns since the epoch) or later are counted apart.
  llvm::Expected<CacheEviction>
  evictTo(uint64_t MaxBytes, int64_t FreshSinceNs = INT64_MAX) const;

  /// The default directory: $XDG_CACHE_HOME/btfgen, else ~/.cache/btfgen;
  /// "" if neither can be determined.
  static std::string defaultDir();

  /// The view (KernelView.h) of the kernel under key Key, into Sink in
  /// 256 KiB pieces as it is decompressed.
  CacheLookup lookupKernel(const CacheKey &Key, ByteSink &Sink,
                           CacheProblem &Problem) const;
  /// Store the view View writes, compressed as it is written.
  llvm::Error storeKernel(const CacheKey &Key,
                          const KernelViewWriter &View) const;

  /// The result stored under Key for Programs (Bytes, KeptTypes, Records;
  /// the counters are recounted with TargetName). A payload that does not
  /// decode, or whose record count does not fit Programs, is Corrupt.
  CacheLookup lookupResult(const CacheKey &Key,
                           llvm::ArrayRef<Program> Programs,
                           llvm::StringRef TargetName, TargetResult &Out,
                           CacheProblem &Problem) const;
  llvm::Error storeResult(const CacheKey &Key, const TargetResult &R) const;

  /// The verdicts stored under Key, with Input set as their input index
  /// (entries are independent of the input's place on the command line).
  /// A payload that does not decode is Corrupt.
  CacheLookup lookupVerdicts(const CacheKey &Key, uint32_t Input,
                             std::vector<VerdictRecord> &Out,
                             CacheProblem &Problem) const;
  llvm::Error storeVerdicts(const CacheKey &Key,
                            llvm::ArrayRef<VerdictRecord> Vs) const;

  /// The kernel basis stored under Key (KernelBasis.h), read as Name. A
  /// payload whose basis does not read is Corrupt.
  CacheLookup lookupBasis(const CacheKey &Key, llvm::StringRef Name,
                          KernelBasis &Out, CacheProblem &Problem) const;
  /// Store Basis (writeKernelBasis()).
  llvm::Error storeBasis(const CacheKey &Key, llvm::StringRef Basis) const;

  /// "btf/<kk>/<key>.btf", "out/<kk>/<key>.res", "vrd/<kk>/<key>.vrd" or
  /// "bas/<kk>/<key>.bas", below root().
  static std::string entryRelPath(llvm::StringRef NS, const CacheKey &Key);

private:
  /// Remove temporaries of dead writers in every entry directory (opening
  /// a directory through the AnchoredDir sweeps it).
  void sweepStaleTemps() const;
  /// Look up entry Key in namespace NS (one of EntryKinds): its
  /// header and checksum checked, its payload decompressed into Sink.
  CacheLookup lookup(llvm::StringRef NS, const CacheKey &Key,
                     ByteSink &Sink, CacheProblem &Problem) const;
  /// The same into memory.
  CacheLookup lookup(llvm::StringRef NS, const CacheKey &Key, CacheEntry &Out,
                     CacheProblem &Problem) const;
  /// Store Payload under Key (atomically). Errors are returned but callers
  /// treat them as warnings: a cache that cannot be written only costs
  /// time.
  llvm::Error store(llvm::StringRef NS, const CacheKey &Key,
                    llvm::StringRef Payload) const;
  /// The same for a payload of Size bytes that Write produces.
  llvm::Error store(llvm::StringRef NS, const CacheKey &Key, uint64_t Size,
                    llvm::function_ref<void(llvm::raw_ostream &)> Write) const;

  std::unique_ptr<AnchoredDir> Dir; // "<Parent>/v2"
  std::string Parent;
  bool FirstUse = false;
};

} // namespace btfgen

#endif // BTFGEN_DRIVER_CACHE_H
