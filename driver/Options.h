//===- Options.h - One option parser for every verb ---------------*- C++ -*-===//
//
// Every verb describes its options as a small table (like bpftool's
// `struct option` arrays or LLVM's OptTable, without the generator) and
// hands it to parseOptions(), which owns the spelling rules:
//
//   --long VALUE   --long=VALUE   -s VALUE   -sVALUE   (value options)
//   --long         -s                                  (flags)
//   --             ends options; every later argument is an operand
//   -              is an operand (stdin/stdout by convention)
//
// Options and operands may be interleaved; operands keep their order. An
// argument that starts with '-' and matches no row is a usage error naming
// the verb, so a typo never becomes an input file.
//
//===----------------------------------------------------------------------===//

#ifndef BTFGEN_DRIVER_OPTIONS_H
#define BTFGEN_DRIVER_OPTIONS_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <functional>
#include <string>
#include <vector>

namespace btfgen {

/// One row of a verb's option table.
struct OptionSpec {
  llvm::StringRef Long;  ///< "--output"
  llvm::StringRef Short; ///< "-o", or "" when there is none
  bool TakesValue;
  /// Called once per occurrence with its value ("" for a flag). A returned
  /// error (normally a UsageError) stops parsing.
  std::function<llvm::Error(llvm::StringRef Value)> Set;
};

/// Parse Args against Table and return the operands in order. Verb prefixes
/// the messages ("embed: unknown option '-x'"); "" for the default verb.
llvm::Expected<std::vector<std::string>>
parseOptions(llvm::StringRef Verb, llvm::ArrayRef<OptionSpec> Table,
             llvm::ArrayRef<llvm::StringRef> Args);

/// Setters for the common rows.
std::function<llvm::Error(llvm::StringRef)> setFlag(bool &Dst,
                                                    bool Value = true);
std::function<llvm::Error(llvm::StringRef)> setString(std::string &Dst);
/// Like setString, but a second occurrence is a usage error naming Opt.
std::function<llvm::Error(llvm::StringRef)>
setStringOnce(std::string &Dst, llvm::StringRef Opt);

/// True for "-h"/"--help" anywhere before "--".
bool wantsHelp(llvm::ArrayRef<llvm::StringRef> Args);

} // namespace btfgen

#endif // BTFGEN_DRIVER_OPTIONS_H
