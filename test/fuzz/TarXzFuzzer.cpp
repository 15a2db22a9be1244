//===- TarXzFuzzer.cpp - libFuzzer target for the driver's tar.xz reader --===//
//
// Feeds arbitrary bytes to streamTarXzEntry (with a 4 MiB output limit so
// xz bombs fail fast), checking that the sink gets at most the announced
// entry; plain (uncompressed) inputs go straight to findTarEntry so the tar
// parser is fuzzed without xz in the way. The wanted entry name is the one
// the seeds hold.
//
//===----------------------------------------------------------------------===//

#include "TarXz.h"

#include "llvm/Support/Error.h"

#include <cstdint>
#include <cstdlib>

using namespace llvm;
using namespace btfgen;

static void findEntry(StringRef Tar) {
  Expected<StringRef> E = findTarEntry(Tar, "fuzz.btf", "fuzz.btf.tar.xz");
  if (!E) {
    consumeError(E.takeError());
    return;
  }
  if (E->size() > Tar.size() || E->data() < Tar.data() ||
      E->data() + E->size() > Tar.data() + Tar.size())
    abort(); // the entry must point into the archive
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size) {
  StringRef In(reinterpret_cast<const char *>(Data), Size);
  if (!isXz(In)) {
    findEntry(In);
    return 0;
  }
  struct CountingSink final : ByteSink {
    uint64_t Announced = 0, Got = 0;
    int Begins = 0;
    void begin(uint64_t Size) override {
      Announced = Size;
      ++Begins;
    }
    void take(StringRef Bytes) override { Got += Bytes.size(); }
  } Sink;
  Error E = streamTarXzEntry(In, "fuzz.btf", "fuzz.btf.tar.xz", Sink,
                             4u << 20);
  if (Sink.Begins > 1 || Sink.Got > Sink.Announced)
    abort(); // one entry, never more bytes than its header announced
  if (!E && (Sink.Begins != 1 || Sink.Got != Sink.Announced))
    abort(); // a success delivered the whole entry
  consumeError(std::move(E));
  return 0;
}
