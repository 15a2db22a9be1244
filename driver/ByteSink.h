//===- ByteSink.h - Bytes handed on while they are decoded ------*- C++ -*-===//
//
// The driver decodes two kinds of input window by window instead of into
// one buffer: a kernel's tarball (TarXz.h: the wanted tar entry) and a
// kernel cache entry (Cache.h: its zstd payload). Both hand the bytes to a
// ByteSink as they come, so that a reader can consume them at once
// (KernelDecode.h, KernelViewStreamReader) and nothing is held whole;
// StringSink is the sink for a caller that does want the bytes in memory.
//
//===----------------------------------------------------------------------===//

#ifndef BTFGEN_DRIVER_BYTESINK_H
#define BTFGEN_DRIVER_BYTESINK_H

#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <string>

namespace btfgen {

/// Receives a byte sequence of known length in pieces. Only the producer's
/// success means the sink got all of it.
class ByteSink {
public:
  virtual ~ByteSink();
  /// The sequence will be Size bytes (a tar header's or a cache entry's
  /// recorded length; fewer arrive if the input is cut short, which the
  /// producer reports).
  virtual void begin(uint64_t Size) = 0;
  /// The next bytes, valid only during the call.
  virtual void take(llvm::StringRef Bytes) = 0;
};

/// Keeps the bytes in Out (emptied by begin()).
class StringSink final : public ByteSink {
public:
  explicit StringSink(std::string &Out) : Out(Out) {}
  void begin(uint64_t Size) override;
  void take(llvm::StringRef Bytes) override;

private:
  std::string &Out;
};

} // namespace btfgen

#endif // BTFGEN_DRIVER_BYTESINK_H
