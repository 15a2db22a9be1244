//===- TarXzFuzzer.cpp - libFuzzer target for the driver's tar.xz reader --===//
//
// Feeds arbitrary bytes to decompressXz (with a 4 MiB output limit so xz
// bombs fail fast instead of hitting libFuzzer's memory limit) and then,
// when it succeeds, findTarEntry; plain (uncompressed) inputs go straight to
// findTarEntry so the tar parser is fuzzed without xz in the way. The
// wanted entry name is the one the seeds hold.
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
  Expected<std::string> Tar = decompressXz(In, "fuzz.btf.tar.xz", 4u << 20);
  if (!Tar) {
    consumeError(Tar.takeError());
    return 0;
  }
  findEntry(*Tar);
  return 0;
}
