//===- BTFReader.h - Validating BTF parser ------------------------*- C++ -*-===//
//
// Parses raw .BTF bytes into a TypeTable. Every field is checked before use
// (as libbpf's btf_parse_hdr/btf_parse_type_sec/btf_sanity_check do): header
// size and magic, section bounds and overlap, string section termination,
// kind, vlen and per-kind record sizes, string offsets, referenced type IDs.
// No input can make it crash, loop or allocate more than a small multiple of
// the input size.
//
// Errors are MalformedBTF (Errors.h) and name the buffer identifier:
// "'x.btf': type [12]: member 3 name offset 99999 out of range (strings 4096)".
//
//===----------------------------------------------------------------------===//

#ifndef BTFGEN_BTFREADER_H
#define BTFGEN_BTFREADER_H

#include "btfgen/TypeTable.h"

#include "llvm/Support/Error.h"
#include "llvm/Support/MemoryBufferRef.h"

#include <memory>

namespace btfgen {

/// Parse raw BTF (magic 0xEB9F, little-endian). Big-endian BTF is rejected
/// with a clear error.
llvm::Expected<TypeTable> readBTF(llvm::MemoryBufferRef Buf);

/// readBTF over an input that arrives in pieces (a kernel decoded from its
/// tarball): each piece is read as it comes and need not outlive take(),
/// so the whole input is never held. finish() gives what readBTF would
/// over the concatenation, table or error, however the input was split.
class BTFStreamReader {
public:
  /// Size: the input's total size, known up front (a tar entry's size).
  /// Records and TypeIds, when the caller knows them (a stored kernel
  /// view's header gives both, KernelView.cpp): how many records the type
  /// section holds, and how many type IDs the table will have once the
  /// caller spreads it, so that the table is reserved for exactly that
  /// instead of for as many records as the section could hold. Hints only:
  /// a wrong one costs memory (bounded by the section and BTFMaxType),
  /// never a different table or error.
  BTFStreamReader(llvm::StringRef Name, uint64_t Size, uint32_t Records = 0,
                  uint32_t TypeIds = 0);
  ~BTFStreamReader();
  BTFStreamReader(const BTFStreamReader &) = delete;
  BTFStreamReader &operator=(const BTFStreamReader &) = delete;

  void take(llvm::StringRef Bytes);
  /// After the last piece. Fails if fewer than Size bytes were taken.
  llvm::Expected<TypeTable> finish();

private:
  struct Impl;
  std::unique_ptr<Impl> P;
};

/// Parse raw BTF, or the .BTF section of an ELF file (BPF object, vmlinux),
/// detected by content.
llvm::Expected<TypeTable> readBTFAny(llvm::MemoryBufferRef Buf);

/// True if Buf starts with the raw BTF magic.
bool isRawBTF(llvm::StringRef Bytes);
/// True if Buf starts with the ELF magic.
bool isELF(llvm::StringRef Bytes);

} // namespace btfgen

#endif // BTFGEN_BTFREADER_H
