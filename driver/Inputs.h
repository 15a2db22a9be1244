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

#include "btfgen/BPFObject.h"
#include "btfgen/Manifest.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace btfgen {

struct Program {
  std::string Path;
  bool IsObject = false;
  Manifest M;
  /// The programs as libbpf links them, for load verdicts (Verdicts.h):
  /// from the object, or from a version 2 manifest's code. Null for a
  /// manifest without code (M.Version and M.NoCode say why), or when the
  /// object's programs could not be linked (ObjectError says why; M is
  /// still usable).
  std::shared_ptr<const BPFObject> Object;
  std::string ObjectError;
  /// BLAKE3 of the exact bytes that were parsed into M (read once; the
  /// file is never reopened), for output-cache keys.
  std::array<uint8_t, 32> Digest{};
};

/// Read (once, into memory: pipes and process substitutions work) and
/// parse one program input, and check that every relocation's local access
/// string parses against its local types (so a broken program is reported
/// once, not once per kernel). Errors name Path.
llvm::Expected<Program> loadProgram(llvm::StringRef Path);

/// Load all program inputs (on up to Jobs threads); every failure is
/// printed, in argument order. Returns FailuresReported if any failed.
/// With Tailoring, a run whose inputs have no CO-RE relocation at all is
/// refused (nothing to tailor for); one such input among others gets a
/// warning and adds nothing. Objects without BTF are refused by the parse,
/// as bpftool gen min_core_btf refuses them.
llvm::Expected<std::vector<Program>>
loadPrograms(llvm::ArrayRef<std::string> Paths, unsigned Jobs = 1,
             bool Tailoring = true);

/// Total number of relocations over Programs.
size_t countRelocs(llvm::ArrayRef<Program> Programs);

} // namespace btfgen

#endif // BTFGEN_DRIVER_INPUTS_H
