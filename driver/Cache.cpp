//===- Cache.cpp - Content-addressed cache for archive runs ---------------===//
//
// Entry format (little-endian), directory "v2":
//
//   offset  size  field
//        0     8  magic "BTFGCAC2"
//        8     8  stored length
//       16     8  xxh3_64 of the stored bytes
//       24    24  first 24 bytes of the entry's key
//       48     8  payload length
//       56     *  the payload, zstd-compressed (one frame)
//
// The file must be exactly 48 + stored length bytes. A "btf" payload is the
// kernel's view in its stored form (btfgen/KernelView.h: the named types
// other than FUNC, VAR, DATASEC and DECL_TAG and all they refer to, as a
// bitmap of their IDs and their records as raw BTF; writeKernelView),
// keyed by the view's version and the tarball's content; an "out" payload is a
// TargetResult (see "Result payload" below), a "vrd" payload one input's
// verdicts ("Verdict payload"), a "bas" payload a kernel basis ("Basis
// payload"). zstd at a fast level keeps a
// kernel's view at about 0.71x of its tarball's bytes for a few
// milliseconds of CPU (docs/benchmarks.md, "Cache on disk"). xxh3 is an
// integrity check against truncation and bit rot, not against an adversary
// who can write the cache directory (such a user can replace the tool as
// well). Format 1 ("v1", uncompressed) is no longer
// read; CacheSpace.cpp removes it.
//
//===----------------------------------------------------------------------===//

#include "Cache.h"
#include "Commands.h"
#include "TarXz.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/BLAKE3.h"
#include "llvm/Support/Compression.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Support/xxhash.h"

#include <cstring>
#include <optional>
#include <vector>

#include <zstd.h>

using namespace llvm;

namespace btfgen {

namespace {

constexpr char Magic[8] = {'B', 'T', 'F', 'G', 'C', 'A', 'C', '2'};
constexpr size_t HeaderSize = 48;
constexpr size_t KeyPrefix = 24;
constexpr size_t SizePrefix = 8;
/// zstd level: fast to write on the cold path, ~3x smaller than raw BTF.
constexpr int CompressionLevel = 1;

} // namespace

const char *const EntryKinds[4] = {"btf", "out", "vrd", "bas"};

std::string keyHex(const CacheKey &Key) {
  static const char Digits[] = "0123456789abcdef";
  std::string S;
  S.reserve(64);
  for (uint8_t B : Key) {
    S += Digits[B >> 4];
    S += Digits[B & 15];
  }
  return S;
}

CacheKey hashBytes(StringRef Bytes) {
  BLAKE3 H;
  H.update(Bytes);
  return H.final();
}

struct KeyBuilder::Impl {
  BLAKE3 H;
};

KeyBuilder::KeyBuilder() : P(std::make_unique<Impl>()) {}
KeyBuilder::~KeyBuilder() = default;

KeyBuilder &KeyBuilder::add(StringRef Part) {
  uint8_t Len[8];
  support::endian::write64le(Len, Part.size());
  P->H.update(ArrayRef<uint8_t>(Len, 8));
  P->H.update(Part);
  return *this;
}

KeyBuilder &KeyBuilder::add(const CacheKey &Part) {
  return add(StringRef(reinterpret_cast<const char *>(Part.data()),
                       Part.size()));
}

CacheKey KeyBuilder::final() const { return P->H.final(); }

namespace {

/// BLAKE3 of the file at Path, read in 1 MiB pieces: the executable is
/// 50 MB with debug information, and mapping or reading it whole showed
/// in every run's peak RSS.
std::optional<CacheKey> hashFile(StringRef Path) {
  Expected<sys::fs::file_t> F = sys::fs::openNativeFileForRead(Path);
  if (!F) {
    consumeError(F.takeError());
    return std::nullopt;
  }
  BLAKE3 H;
  std::vector<char> Buf(1 << 20);
  bool OK = true;
  for (;;) {
    Expected<size_t> N = sys::fs::readNativeFile(*F, Buf);
    if (!N) {
      consumeError(N.takeError());
      OK = false;
      break;
    }
    if (*N == 0)
      break;
    H.update(StringRef(Buf.data(), *N));
  }
  sys::fs::closeFile(*F);
  if (!OK)
    return std::nullopt;
  return H.final();
}

} // namespace

const CacheKey &toolIdentity() {
  static const CacheKey Id = [] {
    KeyBuilder B;
    std::string Version;
    raw_string_ostream OS(Version);
    printVersion(OS);
    B.add(Version);
    // The running binary (the core is linked in statically).
    std::string Exe = sys::fs::getMainExecutable(nullptr, nullptr);
    if (!Exe.empty())
      if (std::optional<CacheKey> K = hashFile(Exe))
        B.add(*K);
    return B.final();
  }();
  return Id;
}

Expected<Cache> Cache::open(StringRef DirPath) {
  if (!compression::zstd::isAvailable())
    return createStringError(inconvertibleErrorCode(),
                             "cache: this LLVM was built without zstd");
  SmallString<256> P(DirPath);
  sys::path::append(P, FormatDir);
  bool Existed = sys::fs::is_directory(P);
  Expected<std::unique_ptr<AnchoredDir>> D =
      AnchoredDir::open(P, /*Create=*/true, "cache");
  if (!D)
    return D.takeError();
  Cache C;
  C.Dir = std::move(*D);
  C.Parent = DirPath.str();
  C.FirstUse = !Existed;
  C.sweepStaleTemps();
  return C;
}

void Cache::sweepStaleTemps() const {
  // Every entry directory once per run, not only those this run touches:
  // a run killed with SIGKILL leaves temporaries (up to a decoded kernel
  // each) wherever it was writing.
  for (StringRef NS : EntryKinds) {
    Expected<int> NSFd = Dir->dirFd(NS, /*Create=*/false);
    if (!NSFd) {
      consumeError(NSFd.takeError());
      continue;
    }
    for (unsigned B = 0; B < 256; ++B) {
      std::string Rel = NS.str() + "/" + toHex(ArrayRef<uint8_t>(uint8_t(B)),
                                               /*LowerCase=*/true);
      Expected<int> Sub = Dir->dirFd(Rel, /*Create=*/false);
      if (!Sub)
        consumeError(Sub.takeError()); // absent: nothing to sweep
    }
  }
}

const std::string &Cache::root() const {
  static const std::string None;
  return Dir ? Dir->root() : None;
}

std::string Cache::defaultDir() {
  if (std::optional<std::string> X = sys::Process::GetEnv("XDG_CACHE_HOME"))
    if (!X->empty() && sys::path::is_absolute(*X))
      return (*X + "/btfgen");
  if (std::optional<std::string> H = sys::Process::GetEnv("HOME"))
    if (!H->empty())
      return (*H + "/.cache/btfgen");
  return "";
}

std::string Cache::entryRelPath(StringRef NS, const CacheKey &Key) {
  std::string Hex = keyHex(Key);
  // The extension is the namespace's name, but ".res" for results.
  return (NS + "/" + Hex.substr(0, 2) + "/" + Hex + "." +
          (NS == "out" ? StringRef("res") : NS))
      .str();
}

namespace {

/// A frame's payload decompressed window by window into Sink; Size bytes
/// and no more must come out of it.
Error decompressInto(StringRef Frame, uint64_t Size, ByteSink &Sink) {
  std::unique_ptr<ZSTD_DCtx, size_t (*)(ZSTD_DCtx *)> D(ZSTD_createDCtx(),
                                                       ZSTD_freeDCtx);
  if (!D)
    return createStringError(inconvertibleErrorCode(),
                             "cannot allocate a decompression context");
  std::vector<char> Window(256 << 10);
  ZSTD_inBuffer In{Frame.data(), Frame.size(), 0};
  uint64_t Got = 0;
  size_t Left = 1; // 0 once the frame is complete
  Sink.begin(Size);
  while (Left != 0) {
    ZSTD_outBuffer Out{Window.data(), Window.size(), 0};
    Left = ZSTD_decompressStream(D.get(), &Out, &In);
    if (ZSTD_isError(Left))
      return createStringError(inconvertibleErrorCode(),
                               ZSTD_getErrorName(Left));
    Got += Out.pos;
    if (Got > Size)
      return createStringError(inconvertibleErrorCode(),
                               "more than the recorded length");
    Sink.take(StringRef(Window.data(), Out.pos));
    if (Left != 0 && Out.pos == 0 && In.pos == In.size)
      return createStringError(inconvertibleErrorCode(), "frame cut short");
  }
  if (In.pos != In.size)
    return createStringError(inconvertibleErrorCode(),
                             "bytes after the frame");
  if (Got != Size)
    return createStringError(inconvertibleErrorCode(),
                             "decompressed length mismatch");
  return Error::success();
}

} // namespace

CacheLookup Cache::lookup(StringRef NS, const CacheKey &Key, CacheEntry &Out,
                          CacheProblem &Problem) const {
  std::string Payload;
  StringSink Sink(Payload);
  CacheLookup L = lookup(NS, Key, Sink, Problem);
  if (L == CacheLookup::Hit) {
    Out.Bytes = std::move(Payload);
    Out.Payload = Out.Bytes;
  }
  return L;
}

CacheLookup Cache::lookup(StringRef NS, const CacheKey &Key, ByteSink &Sink,
                          CacheProblem &Problem) const {
  if (!enabled())
    return CacheLookup::Miss;
  std::string Rel = entryRelPath(NS, Key);
  auto Corrupt = [&](const std::string &Msg) {
    Problem = {Msg, Dir->path(Rel)};
    return CacheLookup::Corrupt;
  };
  // Only regular files, read into memory, at most the largest payload any
  // run stores (a decoded kernel is bounded by the tar reader).
  Expected<std::string> Bytes = Dir->readFile(
      Rel, HeaderSize + SizePrefix + MaxEntrySize + MaxEntrySize / 64);
  if (!Bytes) {
    // Absent is a miss; anything else at the entry's name (a FIFO, a
    // device, a symlink, too big, unreadable) is not an entry of ours.
    std::error_code EC;
    std::string Msg;
    handleAllErrors(Bytes.takeError(), [&](const ErrorInfoBase &E) {
      EC = E.convertToErrorCode();
      Msg = E.message();
    });
    if (EC == std::errc::no_such_file_or_directory)
      return CacheLookup::Miss;
    return Corrupt("unusable: " + Msg);
  }
  StringRef B = *Bytes;
  if (B.size() < HeaderSize)
    return Corrupt("shorter than its header");
  if (std::memcmp(B.data(), Magic, sizeof(Magic)) != 0)
    return Corrupt("bad magic");
  uint64_t Len = support::endian::read64le(B.data() + 8);
  uint64_t Sum = support::endian::read64le(B.data() + 16);
  if (std::memcmp(B.data() + 24, Key.data(), KeyPrefix) != 0)
    return Corrupt("key mismatch");
  if (Len != B.size() - HeaderSize)
    return Corrupt("length mismatch (truncated?)");
  if (xxh3_64bits(B.drop_front(HeaderSize)) != Sum)
    return Corrupt("checksum mismatch");
  if (Len < SizePrefix)
    return Corrupt("no payload length");
  uint64_t RawLen = support::endian::read64le(B.data() + HeaderSize);
  if (RawLen > MaxEntrySize)
    return Corrupt("payload length " + std::to_string(RawLen) +
                   " over the bound");
  StringRef Frame = B.drop_front(HeaderSize + SizePrefix);
  // BTF compresses about 3x; a claimed length far beyond what the frame
  // can hold is a crafted entry, refused before allocating for it.
  if (RawLen > 64 * uint64_t(Frame.size()) + (1u << 20))
    return Corrupt("implausible payload length " + std::to_string(RawLen) +
                   " for a " + std::to_string(Frame.size()) + "-byte frame");
  if (Error E = decompressInto(Frame, RawLen, Sink))
    return Corrupt("does not decompress: " + toString(std::move(E)));
  // Least recently used goes first when the cache is over its cap
  // (CacheSpace.cpp): a hit makes the entry young again.
  Dir->touch(Rel);
  return CacheLookup::Hit;
}

namespace {

/// A stream that compresses what is written to it into one zstd frame at
/// CompressionLevel, appended to Out as it goes: a payload is never held
/// whole next to its compressed form (the CentOS 8 kernel's view is 25 MB
/// stored, 8 MB compressed). Size is the payload's exact length, written
/// into the frame header as a one-shot compression would.
class ZstdFrameStream : public raw_ostream {
public:
  ZstdFrameStream(std::string &Out, uint64_t Size) : Out(Out) {
    C = ZSTD_createCCtx();
    if (!C) {
      Err = "cannot allocate a compression context";
      return;
    }
    check(ZSTD_CCtx_setParameter(C, ZSTD_c_compressionLevel, CompressionLevel));
    check(ZSTD_CCtx_setPledgedSrcSize(C, Size));
    // Views and results compress 2.5x or better: one reservation nearly
    // always suffices.
    Out.reserve(Out.size() + Size / 3 + (64 << 10));
    SetBufferSize(256 << 10);
  }
  ~ZstdFrameStream() override {
    flush();
    ZSTD_freeCCtx(C);
  }
  /// End the frame; the first error met, if any.
  Error finish() {
    flush();
    if (Err.empty())
      drive(nullptr, 0, ZSTD_e_end);
    if (!Err.empty())
      return createStringError(inconvertibleErrorCode(), "cache: zstd: " + Err);
    return Error::success();
  }

private:
  void write_impl(const char *Ptr, size_t Size) override {
    Pos += Size;
    if (Err.empty())
      drive(Ptr, Size, ZSTD_e_continue);
  }
  uint64_t current_pos() const override { return Pos; }
  bool check(size_t R) {
    if (ZSTD_isError(R) && Err.empty())
      Err = ZSTD_getErrorName(R);
    return Err.empty();
  }
  void drive(const char *Ptr, size_t Size, ZSTD_EndDirective Mode) {
    ZSTD_inBuffer In{Ptr, Size, 0};
    Chunk.resize(ZSTD_CStreamOutSize());
    for (;;) {
      ZSTD_outBuffer O{Chunk.data(), Chunk.size(), 0};
      size_t Left = ZSTD_compressStream2(C, &O, &In, Mode);
      Out.append(Chunk.data(), O.pos);
      if (!check(Left))
        return;
      if (Mode == ZSTD_e_end ? Left == 0 : In.pos == In.size)
        return;
    }
  }

  std::string &Out;
  std::vector<char> Chunk; ///< zstd's output, before it joins Out
  ZSTD_CCtx *C = nullptr;
  std::string Err;
  uint64_t Pos = 0;
};

} // namespace

Error Cache::store(StringRef NS, const CacheKey &Key, uint64_t Size,
                   function_ref<void(raw_ostream &)> Write) const {
  if (!enabled())
    return Error::success();
  // header | u64 payload length | zstd frame; the header's length and
  // checksum cover everything after it.
  std::string Entry(HeaderSize + SizePrefix, '\0');
  support::endian::write64le(Entry.data() + HeaderSize, Size);
  {
    ZstdFrameStream Z(Entry, Size);
    Write(Z);
    if (Z.tell() != Size)
      return createStringError(inconvertibleErrorCode(),
                               "cache: payload of " + Twine(Z.tell()) +
                                   " bytes, " + Twine(Size) + " announced");
    if (Error E = Z.finish())
      return E;
  }
  StringRef Stored = StringRef(Entry).drop_front(HeaderSize);
  char *Header = Entry.data();
  std::memcpy(Header, Magic, sizeof(Magic));
  support::endian::write64le(Header + 8, Stored.size());
  support::endian::write64le(Header + 16, xxh3_64bits(Stored));
  std::memcpy(Header + 24, Key.data(), KeyPrefix);
  if (Error E = Dir->writeFile(entryRelPath(NS, Key), Entry))
    return createStringError(inconvertibleErrorCode(),
                             "cache: " + toString(std::move(E)));
  return Error::success();
}

Error Cache::store(StringRef NS, const CacheKey &Key, StringRef Payload) const {
  return store(NS, Key, Payload.size(),
               [&](raw_ostream &OS) { OS << Payload; });
}

//===----------------------------------------------------------------------===//
// Result payload (little-endian; strings are a u64 length + bytes):
//
//   u32 format (1)   u32 kept types   str minimized BTF
//   u64 record count, then per record:
//     u8 outcome   u64 value   u32 target kind   str target name   str message
//   u64 verdict count, then per verdict (Verdicts.h):
//     u32 input   str program   u8 kind   u8 hard error
//     u64 n, n x str reason
//     u64 n, n x poison (reachable), u64 n, n x poison (guarded), where
//     poison = str spec, str function, str file, u32 line, u32 column
//===----------------------------------------------------------------------===//

namespace {

constexpr uint32_t ResultFormat = 2;

class PayloadWriter {
public:
  void u8(uint8_t V) { S.push_back(char(V)); }
  void u32(uint32_t V) {
    char B[4];
    support::endian::write32le(B, V);
    S.append(B, 4);
  }
  void u64(uint64_t V) {
    char B[8];
    support::endian::write64le(B, V);
    S.append(B, 8);
  }
  void str(StringRef V) {
    u64(V.size());
    S.append(V.data(), V.size());
  }
  std::string S;
};

class PayloadReader {
public:
  explicit PayloadReader(StringRef S) : S(S) {}
  bool u8(uint8_t &V) {
    if (S.size() < 1)
      return false;
    V = uint8_t(S[0]);
    S = S.drop_front(1);
    return true;
  }
  bool u32(uint32_t &V) {
    if (S.size() < 4)
      return false;
    V = support::endian::read32le(S.data());
    S = S.drop_front(4);
    return true;
  }
  bool u64(uint64_t &V) {
    if (S.size() < 8)
      return false;
    V = support::endian::read64le(S.data());
    S = S.drop_front(8);
    return true;
  }
  bool str(std::string &V) {
    uint64_t N;
    if (!u64(N) || N > S.size())
      return false;
    V.assign(S.data(), N);
    S = S.drop_front(N);
    return true;
  }
  bool done() const { return S.empty(); }
  /// Everything not yet read.
  StringRef rest() const { return S; }

private:
  StringRef S;
};

void encodePoisons(PayloadWriter &W, ArrayRef<PoisonRecord> Ps) {
  W.u64(Ps.size());
  for (const PoisonRecord &P : Ps) {
    W.str(P.Spec);
    W.str(P.Function);
    W.str(P.File);
    W.u32(P.Line);
    W.u32(P.Column);
  }
}

bool decodePoisons(PayloadReader &Rd, std::vector<PoisonRecord> &Ps) {
  uint64_t N;
  if (!Rd.u64(N) || N > (1u << 24))
    return false;
  Ps.resize(N);
  for (PoisonRecord &P : Ps)
    if (!Rd.str(P.Spec) || !Rd.str(P.Function) || !Rd.str(P.File) ||
        !Rd.u32(P.Line) || !Rd.u32(P.Column))
      return false;
  return true;
}

void encodeVerdicts(PayloadWriter &W, ArrayRef<VerdictRecord> Vs) {
  W.u64(Vs.size());
  for (const VerdictRecord &V : Vs) {
    W.u32(V.Input);
    W.str(V.Program);
    W.u8(static_cast<uint8_t>(V.Kind));
    W.u8(V.HardError);
    W.u64(V.Reasons.size());
    for (const std::string &S : V.Reasons)
      W.str(S);
    encodePoisons(W, V.Reachable);
    encodePoisons(W, V.Guarded);
  }
}

bool decodeVerdicts(PayloadReader &Rd, size_t NumInputs,
                    std::vector<VerdictRecord> &Vs) {
  uint64_t N;
  if (!Rd.u64(N) || N > (1u << 24))
    return false;
  Vs.resize(N);
  for (VerdictRecord &V : Vs) {
    uint8_t Kind, Hard;
    uint64_t NR;
    if (!Rd.u32(V.Input) || V.Input >= NumInputs || !Rd.str(V.Program) ||
        !Rd.u8(Kind) || Kind > uint8_t(VerdictKind::Unknown) || !Rd.u8(Hard) ||
        Hard > 1 || !Rd.u64(NR) || NR > (1u << 24))
      return false;
    V.Kind = static_cast<VerdictKind>(Kind);
    V.HardError = Hard;
    V.Reasons.resize(NR);
    for (std::string &S : V.Reasons)
      if (!Rd.str(S))
        return false;
    if (!decodePoisons(Rd, V.Reachable) || !decodePoisons(Rd, V.Guarded))
      return false;
  }
  return true;
}

std::string encodeResult(const TargetResult &R) {
  PayloadWriter W;
  W.u32(ResultFormat);
  W.u32(R.KeptTypes);
  W.str(R.Bytes);
  W.u64(R.Records.size());
  for (const RelocRecord &Rec : R.Records) {
    W.u8(static_cast<uint8_t>(Rec.Outcome));
    W.u64(Rec.Value);
    W.u32(Rec.TargetKind);
    W.str(Rec.TargetName);
    W.str(Rec.Message);
  }
  encodeVerdicts(W, R.Verdicts);
  return std::move(W.S);
}

/// False on any inconsistency, including a record count other than
/// NumRecords.
bool decodeResult(StringRef Payload, size_t NumRecords, size_t NumInputs,
                  TargetResult &R) {
  PayloadReader Rd(Payload);
  uint32_t Format, Kept;
  uint64_t N;
  if (!Rd.u32(Format) || Format != ResultFormat || !Rd.u32(Kept) ||
      !Rd.str(R.Bytes) || !Rd.u64(N) || N != NumRecords)
    return false;
  R.KeptTypes = Kept;
  R.Records.resize(N);
  for (RelocRecord &Rec : R.Records) {
    uint8_t O;
    if (!Rd.u8(O) || O > static_cast<uint8_t>(RelocOutcome::Error) ||
        !Rd.u64(Rec.Value) || !Rd.u32(Rec.TargetKind) ||
        !Rd.str(Rec.TargetName) || !Rd.str(Rec.Message))
      return false;
    Rec.Outcome = static_cast<RelocOutcome>(O);
  }
  return decodeVerdicts(Rd, NumInputs, R.Verdicts) && Rd.done();
}

} // namespace

CacheLookup Cache::lookupKernel(const CacheKey &Key, ByteSink &Sink,
                                CacheProblem &Problem) const {
  return lookup("btf", Key, Sink, Problem);
}

Error Cache::storeKernel(const CacheKey &Key,
                         const KernelViewWriter &View) const {
  return store("btf", Key, View.size(),
               [&](raw_ostream &OS) { View.write(OS); });
}

CacheLookup Cache::lookupResult(const CacheKey &Key, ArrayRef<Program> Programs,
                                StringRef TargetName, TargetResult &Out,
                                CacheProblem &Problem) const {
  CacheEntry E;
  CacheLookup L = lookup("out", Key, E, Problem);
  if (L != CacheLookup::Hit)
    return L;
  TargetResult R;
  if (!decodeResult(E.Payload, countRelocs(Programs), Programs.size(), R)) {
    Problem = {"malformed result", Dir->path(entryRelPath("out", Key))};
    return CacheLookup::Corrupt;
  }
  recountResult(R, Programs, TargetName);
  Out = std::move(R);
  return CacheLookup::Hit;
}

Error Cache::storeResult(const CacheKey &Key, const TargetResult &R) const {
  return store("out", Key, encodeResult(R));
}

//===----------------------------------------------------------------------===//
// Verdict payload: u32 format (1), then the verdicts as in a result
// payload, every input index 0.
//===----------------------------------------------------------------------===//

namespace {
constexpr uint32_t VerdictFormat = 1;
} // namespace

CacheLookup Cache::lookupVerdicts(const CacheKey &Key, uint32_t Input,
                                  std::vector<VerdictRecord> &Out,
                                  CacheProblem &Problem) const {
  CacheEntry E;
  CacheLookup L = lookup("vrd", Key, E, Problem);
  if (L != CacheLookup::Hit)
    return L;
  PayloadReader Rd(E.Payload);
  uint32_t Format;
  std::vector<VerdictRecord> Vs;
  if (!Rd.u32(Format) || Format != VerdictFormat ||
      !decodeVerdicts(Rd, /*NumInputs=*/1, Vs) || !Rd.done() || Vs.empty()) {
    Problem = {"malformed verdicts", Dir->path(entryRelPath("vrd", Key))};
    return CacheLookup::Corrupt;
  }
  for (VerdictRecord &V : Vs)
    V.Input = Input;
  Out = std::move(Vs);
  return CacheLookup::Hit;
}

Error Cache::storeVerdicts(const CacheKey &Key,
                           ArrayRef<VerdictRecord> Vs) const {
  PayloadWriter W;
  W.u32(VerdictFormat);
  std::vector<VerdictRecord> Copy(Vs.begin(), Vs.end());
  for (VerdictRecord &V : Copy)
    V.Input = 0;
  encodeVerdicts(W, Copy);
  return store("vrd", Key, W.S);
}

//===----------------------------------------------------------------------===//
// Basis payload: u32 format (1), then the basis (KernelBasis.h).
//===----------------------------------------------------------------------===//

namespace {
constexpr uint32_t BasisFormat = 1;
} // namespace

CacheLookup Cache::lookupBasis(const CacheKey &Key, StringRef Name,
                               KernelBasis &Out, CacheProblem &Problem) const {
  CacheEntry E;
  CacheLookup L = lookup("bas", Key, E, Problem);
  if (L != CacheLookup::Hit)
    return L;
  auto Corrupt = [&](const Twine &Why) {
    Problem = {Why.str(), Dir->path(entryRelPath("bas", Key))};
    return CacheLookup::Corrupt;
  };
  PayloadReader Rd(E.Payload);
  uint32_t Format;
  if (!Rd.u32(Format) || Format != BasisFormat)
    return Corrupt("malformed basis");
  Expected<KernelBasis> B =
      readKernelBasis(MemoryBufferRef(Rd.rest(), Name));
  if (!B)
    return Corrupt(toString(B.takeError()));
  Out = std::move(*B);
  return CacheLookup::Hit;
}

Error Cache::storeBasis(const CacheKey &Key, StringRef Basis) const {
  PayloadWriter W;
  W.u32(BasisFormat);
  W.S.append(Basis.data(), Basis.size());
  return store("bas", Key, W.S);
}

std::string resultPayload(const TargetResult &R) { return encodeResult(R); }

} // namespace btfgen
