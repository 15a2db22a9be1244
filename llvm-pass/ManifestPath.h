//===- ManifestPath.h - Where the plugin writes its manifest ----*- C++ -*-===//
//
// The output path rules (docs/manifest.md, "Where the manifest goes"):
//   1. -btfgen-manifest=PATH ("-" is stdout)
//   2. environment BTFGEN_MANIFEST=PATH; if PATH is an existing directory
//      or ends in '/', the file is PATH/<basename of object>.btfgen.json
//   3. <object>.btfgen.json, the object from `-o` in /proc/self/cmdline
//      (clang driver argv with the integrated cc1, cc1 argv otherwise)
//   4. without -o: clang's default object name, <source stem>.o in the
//      current directory, so <stem>.o.btfgen.json
//
//===----------------------------------------------------------------------===//

#ifndef BTFGEN_LLVMPASS_MANIFESTPATH_H
#define BTFGEN_LLVMPASS_MANIFESTPATH_H

#include "llvm/ADT/StringRef.h"

#include <string>
#include <vector>

namespace btfgen {

struct ManifestTarget {
  /// Object path as known ("" if not derivable).
  std::string Object;
  /// Where to write the manifest ("-" for stdout).
  std::string Path;
};

/// The value of `-o` in Args ("-o X", "-oX", "--output X", "--output=X"),
/// last one wins; "" if absent. Args[0] is the program and is skipped.
std::string findOutputArg(const std::vector<std::string> &Args);

/// Reads /proc/self/cmdline; empty on failure.
std::vector<std::string> readSelfCmdline();

/// Applies the rules above for a module compiled from Source.
ManifestTarget chooseManifestTarget(llvm::StringRef Source);

} // namespace btfgen

#endif // BTFGEN_LLVMPASS_MANIFESTPATH_H
