//===- Cache.h - Content-addressed cache for archive runs ---------*- C++ -*-===//
//
// Warm reruns (the program changed, the kernels did not) should not pay for
// xz decoding again, and a rerun with unchanged inputs should do almost
// nothing. The cache has two kinds of entries, both content-addressed:
//
//   btf/<kk>/<K>.btf    K = BLAKE3(tarball bytes): the decoded raw BTF
//   out/<kk>/<O>.res    O = BLAKE3(tool identity, K, program-set key): the
//                       minimized BTF and the per-relocation results
//
// Every entry starts with a 48-byte header (magic, payload length, xxh3 of
// the payload, first 24 bytes of its own key), so a truncated, corrupt or
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
#include "TargetResult.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/MemoryBuffer.h"

#include <array>
#include <cstdint>
#include <memory>
#include <string>

namespace btfgen {

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

  /// The default directory: $XDG_CACHE_HOME/btfgen, else ~/.cache/btfgen;
  /// "" if neither can be determined.
  static std::string defaultDir();

  /// The decoded raw BTF of the kernel whose tarball has content key Key.
  CacheLookup lookupKernel(const CacheKey &Key, CacheEntry &Out,
                           CacheProblem &Problem) const;
  llvm::Error storeKernel(const CacheKey &Key, llvm::StringRef BTF) const;

  /// The result stored under Key for Programs (Bytes, KeptTypes, Records;
  /// the counters are recounted with TargetName). A payload that does not
  /// decode, or whose record count does not fit Programs, is Corrupt.
  CacheLookup lookupResult(const CacheKey &Key,
                           llvm::ArrayRef<Program> Programs,
                           llvm::StringRef TargetName, TargetResult &Out,
                           CacheProblem &Problem) const;
  llvm::Error storeResult(const CacheKey &Key, const TargetResult &R) const;

  /// "btf/<kk>/<key>.btf" or "out/<kk>/<key>.res", below root().
  static std::string entryRelPath(llvm::StringRef NS, const CacheKey &Key);

private:
  /// Remove temporaries of dead writers in every entry directory (opening
  /// a directory through the AnchoredDir sweeps it).
  void sweepStaleTemps() const;
  /// Look up entry Key in namespace NS ("btf" or "out").
  CacheLookup lookup(llvm::StringRef NS, const CacheKey &Key, CacheEntry &Out,
                     CacheProblem &Problem) const;
  /// Store Payload under Key (atomically). Errors are returned but callers
  /// treat them as warnings: a cache that cannot be written only costs
  /// time.
  llvm::Error store(llvm::StringRef NS, const CacheKey &Key,
                    llvm::StringRef Payload) const;

  std::unique_ptr<AnchoredDir> Dir; // "<Dir>/v1"
};

} // namespace btfgen

#endif // BTFGEN_DRIVER_CACHE_H
