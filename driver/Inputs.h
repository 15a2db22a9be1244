//===- Inputs.h - Programs given to the driver --------------------*- C++ -*-===//
//
// A program input is a btfgen manifest (JSON, written by the clang plugin)
// or a BPF object (ELF with .BTF/.BTF.ext). Both become a Manifest; which
// one a file is, is decided by its content, never its name: first
// non-whitespace byte '{' -> manifest, ELF magic -> object.
//
//===----------------------------------------------------------------------===//

#ifndef BTFGEN_DRIVER_INPUTS_H
#define BTFGEN_DRIVER_INPUTS_H

#include "btfgen/Manifest.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <string>

namespace btfgen {

struct Program {
  std::string Path;
  bool IsObject = false;
  Manifest M;
};

/// Read and parse one program input, and check that every relocation's
/// local access string parses against its local types (so a broken program
/// is reported once, not once per kernel). Errors name Path.
llvm::Expected<Program> loadProgram(llvm::StringRef Path);

} // namespace btfgen

#endif // BTFGEN_DRIVER_INPUTS_H
