//===- PluginOptions.h - Command-line options of the plugin -----*- C++ -*-===//
//
// Every -btfgen-* option of libBTFGenPass.so, in one place. They are
// cl::opts, so they work with `opt -load-pass-plugin=... -btfgen-manifest=-`
// and with clang when the plugin is also loaded early through
// `-fplugin=libBTFGenPass.so -mllvm -btfgen-manifest=...` (plain
// -fpass-plugin loads too late for -mllvm, see docs/manifest.md).
//
//===----------------------------------------------------------------------===//

#ifndef BTFGEN_LLVMPASS_PLUGINOPTIONS_H
#define BTFGEN_LLVMPASS_PLUGINOPTIONS_H

#include <string>

namespace btfgen {

/// Value of -btfgen-manifest: "" (unset), "-" (stdout) or a path. It wins
/// over the BTFGEN_MANIFEST environment variable.
const std::string &manifestPathOption();

/// Record the programs' code (manifest "code"): -btfgen-record-code,
/// default on; the environment BTFGEN_RECORD_CODE=0 turns it off too.
bool recordCodeOption();

} // namespace btfgen

#endif // BTFGEN_LLVMPASS_PLUGINOPTIONS_H
