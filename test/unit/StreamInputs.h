//===- StreamInputs.h - Inputs for the streaming readers' tests -*- C++ -*-===//
//
// BTFStreamReader and KernelViewStreamReader must answer as their
// whole-buffer readers do, however their input is cut. Their tests share
// the inputs (every prefix and single-byte corruption of a good one) and
// the way of feeding a reader pieces.
//
//===----------------------------------------------------------------------===//

#ifndef BTFGEN_TEST_STREAMINPUTS_H
#define BTFGEN_TEST_STREAMINPUTS_H

#include "btfgen/TypeTable.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>
#include <vector>

namespace btfgen {
namespace testutil {

/// Every prefix of Good (the empty one and Good itself included), then
/// every single-byte corruption of it: each byte XORed with 0x01, 0x80 and
/// 0xff in turn.
inline std::vector<std::string> prefixesAndByteFlips(const std::string &Good) {
  std::vector<std::string> Inputs;
  for (size_t Len = 0; Len <= Good.size(); ++Len)
    Inputs.push_back(Good.substr(0, Len));
  for (size_t I = 0; I < Good.size(); ++I)
    for (uint8_t Flip : {0x01, 0x80, 0xff}) {
      std::string Bad = Good;
      Bad[I] = char(uint8_t(Bad[I]) ^ Flip);
      Inputs.push_back(Bad);
    }
  return Inputs;
}

/// Bytes cut into pieces of Piece bytes (the last shorter).
inline std::vector<llvm::StringRef> piecesOf(llvm::StringRef Bytes,
                                             size_t Piece) {
  std::vector<llvm::StringRef> Pieces;
  for (size_t I = 0; I < Bytes.size(); I += Piece)
    Pieces.push_back(Bytes.substr(I, Piece));
  return Pieces;
}

/// A stream reader (BTFStreamReader, KernelViewStreamReader) told the
/// pieces' total size, given them in turn, then finished.
template <class StreamReader>
llvm::Expected<TypeTable> readPieces(llvm::StringRef Name,
                                     llvm::ArrayRef<llvm::StringRef> Pieces) {
  uint64_t Size = 0;
  for (llvm::StringRef P : Pieces)
    Size += P.size();
  StreamReader R(Name, Size);
  for (llvm::StringRef P : Pieces)
    R.take(P);
  return R.finish();
}

} // namespace testutil
} // namespace btfgen

#endif // BTFGEN_TEST_STREAMINPUTS_H
