//===- PluginOptions.cpp - Command-line options of the plugin -------------===//
//
// Definitions of the plugin's cl::opts. They register when the shared
// object is loaded, so they must never collide with clang's or LLVM's: all
// start with -btfgen-.
//
//===----------------------------------------------------------------------===//

#include "PluginOptions.h"

#include "llvm/Support/CommandLine.h"

#include <cstdlib>

using namespace llvm;

static cl::opt<std::string> ManifestPath(
    "btfgen-manifest",
    cl::desc("Write the btfgen manifest to this path ('-' for stdout); "
             "overrides BTFGEN_MANIFEST and the <object>.btfgen.json default"),
    cl::value_desc("path"), cl::init(""));

const std::string &btfgen::manifestPathOption() { return ManifestPath; }

static cl::opt<bool> RecordCode(
    "btfgen-record-code",
    cl::desc("Compile a copy of the module with the BPF backend and record "
             "its programs' code in the manifest, for load verdicts "
             "(default on; BTFGEN_RECORD_CODE=0 also turns it off)"),
    cl::init(true));

bool btfgen::recordCodeOption() {
  if (const char *E = std::getenv("BTFGEN_RECORD_CODE"))
    if (StringRef(E) == "0")
      return false;
  return RecordCode;
}
