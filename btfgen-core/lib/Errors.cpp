//===- Errors.cpp - Typed errors of the core ------------------------------===//

#include "btfgen/Errors.h"

#include "llvm/Support/raw_ostream.h"

namespace btfgen {

char MalformedInput::ID = 0;

void MalformedInput::log(llvm::raw_ostream &OS) const {
  OS << "'" << Input << "': " << Msg;
}

std::string boundedText(llvm::StringRef S, size_t Max) {
  if (S.size() <= Max)
    return S.str();
  size_t Cut = Max;
  while (Cut > 0 && (uint8_t(S[Cut]) & 0xc0) == 0x80)
    --Cut; // S[Cut] continues a UTF-8 character: cut before it
  return (S.take_front(Cut) + "... (" + llvm::Twine(S.size()) + " bytes)")
      .str();
}

std::string quoteBounded(llvm::StringRef S, size_t Max) {
  if (S.size() <= Max)
    return ("'" + S + "'").str();
  std::string B = boundedText(S, Max);
  size_t Dots = B.rfind("... (");
  return "'" + B.substr(0, Dots + 3) + "'" + B.substr(Dots + 3);
}

std::error_code MalformedInput::convertToErrorCode() const {
  return std::make_error_code(std::errc::invalid_argument);
}

} // namespace btfgen
