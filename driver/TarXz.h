//===- TarXz.h - In-memory .tar.xz reading ------------------------*- C++ -*-===//
//
// BTFHub ships each kernel's BTF as `<release>.btf.tar.xz`: an xz stream
// holding a tar archive with one regular file `<release>.btf`. This reads
// such a tarball entirely in memory (liblzma, no temp files, no external xz)
// with a small ustar/GNU/pax tar reader that is deliberately strict:
//
//   - decompressed size is bounded (MaxDecompressedSize), so an xz bomb
//     fails instead of exhausting memory;
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

/// Decompress a complete .xz file (concatenated streams allowed) into
/// memory. Fails if the output would exceed Limit bytes. Name is used in
/// errors.
llvm::Expected<std::string> decompressXz(llvm::StringRef Compressed,
                                         llvm::StringRef Name,
                                         uint64_t Limit = MaxDecompressedSize);

/// Like decompressXz, into a caller-owned buffer that is reused across
/// calls: Buf is grown as needed and never shrunk, and the decoded stream
/// is Buf[0, result). Bytes past the result are unspecified.
llvm::Expected<size_t> decompressXzInto(llvm::StringRef Compressed,
                                        llvm::StringRef Name, std::string &Buf,
                                        uint64_t Limit = MaxDecompressedSize);

/// Find the regular file Wanted (compared after stripping leading "./") in
/// the tar archive Tar, validating every entry as described above. The
/// result points into Tar.
llvm::Expected<llvm::StringRef> findTarEntry(llvm::StringRef Tar,
                                             llvm::StringRef Wanted,
                                             llvm::StringRef Name);

/// decompressXz + findTarEntry. The entry's bytes are moved into Out (the
/// rest of the decompressed stream is released).
llvm::Error readTarXzEntry(llvm::StringRef Compressed, llvm::StringRef Wanted,
                           llvm::StringRef Name, std::string &Out);

/// decompressXzInto(Scratch) + findTarEntry: the entry's bytes, pointing
/// into Scratch (valid until Scratch is next modified).
llvm::Expected<llvm::StringRef> readTarXzEntryInto(llvm::StringRef Compressed,
                                                   llvm::StringRef Wanted,
                                                   llvm::StringRef Name,
                                                   std::string &Scratch);

} // namespace btfgen

#endif // BTFGEN_DRIVER_TARXZ_H
