//===- ByteSink.cpp - Bytes handed on while they are decoded --------------===//

#include "ByteSink.h"

namespace btfgen {

ByteSink::~ByteSink() = default;

void StringSink::begin(uint64_t Size) {
  Out.clear();
  Out.reserve(Size);
}

void StringSink::take(llvm::StringRef Bytes) {
  Out.append(Bytes.data(), Bytes.size());
}

} // namespace btfgen
