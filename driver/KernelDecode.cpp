//===- KernelDecode.cpp - A kernel's table straight from its tarball -------===//
//
// A ByteSink that decides from the entry's first four bytes whether it
// can be read as it arrives (anything but ELF: raw BTF, or bytes that
// readBTF will refuse with the same message either way) or must be
// gathered (ELF, whose .BTF section may lie anywhere in the file).
//
//===----------------------------------------------------------------------===//

#include "KernelDecode.h"
#include "TarXz.h"

#include "btfgen/BTFReader.h"

#include "llvm/Support/MemoryBufferRef.h"

#include <memory>
#include <optional>

using namespace llvm;

namespace btfgen {

namespace {

class TableSink final : public ByteSink {
public:
  explicit TableSink(StringRef Name) : Name(Name) {}

  void begin(uint64_t EntrySize) override { Size = EntrySize; }

  void take(StringRef Bytes) override {
    if (Stream) {
      Stream->take(Bytes);
      return;
    }
    if (Gather) {
      Whole.append(Bytes.data(), Bytes.size());
      return;
    }
    // Undecided: the first bytes wait until there are four of them.
    size_t N = std::min<size_t>(Bytes.size(), 4 - Whole.size());
    Whole.append(Bytes.data(), N);
    if (Whole.size() == 4)
      decide();
    if (N < Bytes.size())
      take(Bytes.drop_front(N));
  }

  /// After the tarball decoded without error.
  Expected<TypeTable> finish() {
    if (!Stream && !Gather)
      decide(); // fewer than four bytes
    if (Stream)
      return Stream->finish();
    return readBTFAny(MemoryBufferRef(Whole, Name));
  }

private:
  void decide() {
    if (isELF(Whole)) {
      Gather = true;
      Whole.reserve(Size);
      return;
    }
    Stream.emplace(Name, Size);
    Stream->take(Whole);
    std::string().swap(Whole);
  }

  StringRef Name;
  uint64_t Size = 0;
  std::optional<BTFStreamReader> Stream;
  bool Gather = false;
  /// The first bytes until decided; the whole entry when gathering.
  std::string Whole;
};

} // namespace

Expected<TypeTable> decodeKernelTable(StringRef Compressed, StringRef Wanted,
                                      StringRef Name) {
  TableSink Sink(Name);
  if (Error E = streamTarXzEntry(Compressed, Wanted, Name, Sink))
    return std::move(E);
  return Sink.finish();
}

} // namespace btfgen
