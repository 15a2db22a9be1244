//===- Errors.h - Typed errors of the core ------------------------*- C++ -*-===//
//
// Error classes the driver dispatches on with llvm::handleErrors:
//   MalformedInput  bad bytes in a BTF/.BTF.ext/ELF/manifest input
// Messages are lowercase, no trailing period, and start with the quoted
// input name: "'x.btf': type [12]: ...". Strings from the input are quoted
// with quoteBounded(), so a message stays short whatever the input holds.
//
//===----------------------------------------------------------------------===//

#ifndef BTFGEN_ERRORS_H
#define BTFGEN_ERRORS_H

#include "llvm/Support/Error.h"
#include "llvm/Support/FormatVariadic.h"

#include <string>

namespace btfgen {

class MalformedInput : public llvm::ErrorInfo<MalformedInput> {
public:
  static char ID;
  MalformedInput(std::string Input, std::string Msg)
      : Input(std::move(Input)), Msg(std::move(Msg)) {}
  void log(llvm::raw_ostream &OS) const override;
  std::error_code convertToErrorCode() const override;
  const std::string &input() const { return Input; }
  const std::string &detail() const { return Msg; }

private:
  std::string Input;
  std::string Msg;
};

/// Longest piece of an input string an error message quotes. A hostile
/// input can hold megabytes in one string (an access string, a key); its
/// message must not.
constexpr size_t MaxQuoted = 128;

/// S for an error message: S itself, or its first Max bytes (cut at a UTF-8
/// character boundary) followed by "... (N bytes)".
std::string boundedText(llvm::StringRef S, size_t Max = MaxQuoted);
/// boundedText(S) in single quotes: 'S', or 'prefix...' (N bytes).
std::string quoteBounded(llvm::StringRef S, size_t Max = MaxQuoted);

/// MalformedInput for Input with a formatv-style message.
template <typename... Ts>
llvm::Error malformed(llvm::StringRef Input, const char *Fmt, Ts &&...Vals) {
  return llvm::make_error<MalformedInput>(
      Input.str(), llvm::formatv(Fmt, std::forward<Ts>(Vals)...).str());
}

} // namespace btfgen

#endif // BTFGEN_ERRORS_H
