//===- TarXz.h - In-memory .tar.xz reading ------------------------*- C++ -*-===//
//
// BTFHub ships each kernel's BTF as `<release>.btf.tar.xz`: an xz stream
// holding a tar archive with one regular file `<release>.btf`. This reads
// such a tarball in memory (liblzma, no temp files, no external xz) as it
// decodes it, handing the entry's bytes to a sink piece by piece, with a
// small ustar/GNU/pax tar reader that is deliberately strict:
//
//   - decompressed size is bounded (MaxDecompressedSize), so an xz bomb
//     fails instead of running on (one whose first header announces a
//     huge entry fails at once);
//   - any entry that could not be extracted safely is an error for the whole
//     tarball: absolute paths, `..` components, symlinks, hard links,
//     devices and FIFOs, and entries larger than MaxEntrySize;
//   - only the regular file named exactly `<release>.btf` (or
//     `./<release>.btf`) is returned; it must appear exactly once.
//
// Errors name the tarball: "'a/b.btf.tar.xz': tar entry '../x.btf': path
// has a '..' component".
//
//===----------------------------------------------------------------------===//

#ifndef BTFGEN_DRIVER_TARXZ_H
#define BTFGEN_DRIVER_TARXZ_H

#include "ByteSink.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>

namespace btfgen {

/// Largest tar entry we accept (the biggest real kernel BTF is ~30 MiB).
constexpr uint64_t MaxEntrySize = 512ull << 20;
/// Largest decompressed tar stream we accept.
constexpr uint64_t MaxDecompressedSize = MaxEntrySize + (16ull << 20);

/// True if Bytes start with the xz stream magic (FD 37 7A 58 5A 00).
bool isXz(llvm::StringRef Bytes);

/// Decode a complete .xz file (concatenated streams allowed) window by
/// window, validating the tar stream in it as described above, and feed
/// the regular file Wanted (compared after stripping leading "./") to
/// Sink. Only a success means that Sink got the whole entry and that the
/// tarball is sound; the error names Name. Decoding fails past Limit bytes.
llvm::Error streamTarXzEntry(llvm::StringRef Compressed, llvm::StringRef Wanted,
                             llvm::StringRef Name, ByteSink &Sink,
                             uint64_t Limit = MaxDecompressedSize);

/// streamTarXzEntry into a string.
llvm::Error readTarXzEntry(llvm::StringRef Compressed, llvm::StringRef Wanted,
                           llvm::StringRef Name, std::string &Out);

/// The same tar checks over an uncompressed tar stream in memory: the
/// entry's bytes, pointing into Tar.
llvm::Expected<llvm::StringRef> findTarEntry(llvm::StringRef Tar,
                                             llvm::StringRef Wanted,
                                             llvm::StringRef Name);

} // namespace btfgen

#endif // BTFGEN_DRIVER_TARXZ_H
