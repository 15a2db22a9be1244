//===- BTFWriter.h - Canonical BTF serialization ------------------*- C++ -*-===//
//
// Writes a TypeTable as raw little-endian .BTF: a 24-byte header, the type
// section, then the string section, with no padding or slack. The bytes are a
// pure function of the table.
//
//===----------------------------------------------------------------------===//

#ifndef BTFGEN_BTFWRITER_H
#define BTFGEN_BTFWRITER_H

#include "btfgen/TypeTable.h"

#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

#include <string>

namespace btfgen {

/// Whether T fits the classic format writeBTF emits (the one libbpf 1.1.2
/// and cilium/ebpf read): an error naming the first type whose vlen needs
/// the newest 24-bit field, else success. A table read from a classic file
/// always fits.
llvm::Error checkClassicBTF(const TypeTable &T);

void writeBTF(const TypeTable &T, llvm::raw_ostream &OS);
std::string writeBTFToString(const TypeTable &T);

} // namespace btfgen

#endif // BTFGEN_BTFWRITER_H
