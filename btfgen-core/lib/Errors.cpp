//===- Errors.cpp - Typed errors of the core ------------------------------===//

#include "btfgen/Errors.h"

#include "llvm/Support/raw_ostream.h"

namespace btfgen {

char MalformedInput::ID = 0;

void MalformedInput::log(llvm::raw_ostream &OS) const {
  OS << "'" << Input << "': " << Msg;
}

std::error_code MalformedInput::convertToErrorCode() const {
  return std::make_error_code(std::errc::invalid_argument);
}

} // namespace btfgen
