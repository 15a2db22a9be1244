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

#include "llvm/Support/raw_ostream.h"

#include <string>

namespace btfgen {

void writeBTF(const TypeTable &T, llvm::raw_ostream &OS);
std::string writeBTFToString(const TypeTable &T);

} // namespace btfgen

#endif // BTFGEN_BTFWRITER_H
