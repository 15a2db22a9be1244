//===- Manifest.h - The btfgen JSON manifest ----------------------*- C++ -*-===//
//
// A manifest is everything the driver needs from one BPF program to redo
// CO-RE matching without the object: the local types reachable from every
// relocation root (as BTF, in a TypeTable) and the unique relocations with
// their source places. The plugin writes one per compiled module; object
// mode builds the same structure from an ELF's .BTF/.BTF.ext. The format is
// documented in docs/manifest.md.
//
//===----------------------------------------------------------------------===//

#ifndef BTFGEN_MANIFEST_H
#define BTFGEN_MANIFEST_H

#include "btfgen/CoreRelo.h"
#include "btfgen/ProgramCode.h"
#include "btfgen/TypeTable.h"

#include "llvm/Support/Error.h"
#include "llvm/Support/MemoryBufferRef.h"
#include "llvm/Support/raw_ostream.h"

#include <optional>
#include <string>
#include <vector>

namespace btfgen {

/// Current manifest format version ("version" in the JSON). Readers also
/// accept version 1, which has no "code".
constexpr unsigned ManifestVersion = 2;

struct Manifest {
  /// Source file the module was compiled from (Module::getSourceFileName()).
  std::string Source;
  /// Object file path when known (from clang's -o), else "".
  std::string Object;
  /// Local type graph. Type IDs here are the manifest's own; they are not
  /// the IDs of the object's .BTF.
  TypeTable Types;
  /// Unique by (Kind, LocalType, Access); sorted by that key.
  std::vector<CoreRelocation> Relocs;
  /// The format version it was read as (written back the same way).
  unsigned Version = ManifestVersion;
  /// Version 2: the programs' code (ProgramCode.h), for load verdicts;
  /// absent when the plugin could not record it, NoCode then says why.
  std::optional<ProgramCode> Code;
  std::string NoCode;
};

/// Serialize M as JSON (stable key order, one type/relocation per line).
void writeManifest(const Manifest &M, llvm::raw_ostream &OS);

/// Parse and validate a manifest. Errors name Buf's identifier and say what
/// is wrong ("'a.json': types[3].members[1].type_id: 77 out of range").
llvm::Expected<Manifest> readManifest(llvm::MemoryBufferRef Buf);

/// Check what docs/manifest.md requires of M beyond JSON syntax (INT
/// shapes, encodings, linkages, references in range, relocation roots and
/// access strings), whatever M was built from. Errors are MalformedInput
/// for Input and name the JSON path of the bad value
/// ("types[3].nr_bits: 200 out of range [0, 128]"). readManifest runs it;
/// readBPFObject runs it on what it built from the object.
llvm::Error validateManifest(const Manifest &M, llvm::StringRef Input);

/// Sort M.Relocs by (Kind, LocalType, Access), merging duplicates' Locs.
void canonicalizeRelocs(Manifest &M);

} // namespace btfgen

#endif // BTFGEN_MANIFEST_H
