//===- TarXz.cpp - In-memory .tar.xz reading ------------------------------===//
//
// liblzma decoding into a fixed 256 KiB window, each window handed to a tar
// scanner (TarScanner) that walks the headers as they come and passes the
// wanted entry's bytes on: no decoded stream is ever held whole. The tar
// format (POSIX.1-1988 ustar, plus the GNU 'L'/'K' long
// name records and pax 'x'/'g' extended headers that GNU tar and Python's
// tarfile emit) is read from the 512-byte header blocks:
//
//   offset  size  field
//        0   100  name          (NUL-terminated unless exactly 100 bytes)
//      124    12  size          octal, or GNU base-256 when byte 0 & 0x80
//      148     8  chksum        sum of the header with this field as spaces
//      156     1  typeflag      '0'/'\0' file, '5' dir, '1' link, '2' symlink
//      257     6  magic         "ustar\0" (POSIX) or "ustar " (GNU)
//      345   155  prefix        POSIX only: name = prefix + "/" + name
//
// Entry data follows its header, padded to 512 bytes; two zero blocks (or
// the end of the stream) end the archive.
//
//===----------------------------------------------------------------------===//

#include "TarXz.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/FormatVariadic.h"

#include <lzma.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <optional>

using namespace llvm;

namespace btfgen {

namespace {

constexpr size_t BlockSize = 512;

Error tarError(StringRef Name, const Twine &Msg) {
  return createStringError(inconvertibleErrorCode(),
                           "'" + Name + "': " + Msg);
}

const char *lzmaMessage(lzma_ret R) {
  switch (R) {
  case LZMA_MEM_ERROR:
    return "out of memory";
  case LZMA_MEMLIMIT_ERROR:
    return "xz stream needs too much memory to decode";
  case LZMA_FORMAT_ERROR:
    return "not an xz stream";
  case LZMA_OPTIONS_ERROR:
    return "unsupported xz options";
  case LZMA_DATA_ERROR:
    return "corrupt xz data";
  case LZMA_BUF_ERROR:
    return "truncated xz stream";
  default:
    return "xz decoding failed";
  }
}

/// A NUL-terminated string from a fixed-size header field.
StringRef field(const char *Hdr, size_t Off, size_t Len) {
  StringRef F(Hdr + Off, Len);
  return F.substr(0, F.find('\0'));
}

/// Parse a numeric header field: octal digits (with optional leading spaces
/// and trailing NUL/space), or GNU base-256 for big values.
bool parseNumber(const char *Hdr, size_t Off, size_t Len, uint64_t &Out) {
  const unsigned char *P = reinterpret_cast<const unsigned char *>(Hdr + Off);
  Out = 0;
  if (P[0] & 0x80) {
    if (P[0] != 0x80) // 0xff: negative; anything else: not base-256
      return false;
    for (size_t I = 1; I < Len; ++I) {
      if (Out >> 56)
        return false;
      Out = (Out << 8) | P[I];
    }
    return true;
  }
  size_t I = 0;
  while (I < Len && P[I] == ' ')
    ++I;
  bool Any = false;
  for (; I < Len && P[I] >= '0' && P[I] <= '7'; ++I) {
    if (Out >> 60)
      return false;
    Out = Out * 8 + (P[I] - '0');
    Any = true;
  }
  for (; I < Len; ++I)
    if (P[I] != '\0' && P[I] != ' ')
      return false;
  return Any;
}

bool checksumOK(const char *Hdr) {
  uint64_t Stored;
  if (!parseNumber(Hdr, 148, 8, Stored))
    return false;
  uint64_t Unsigned = 0;
  int64_t Signed = 0;
  for (size_t I = 0; I < BlockSize; ++I) {
    bool InField = I >= 148 && I < 156;
    unsigned char C = InField ? ' ' : static_cast<unsigned char>(Hdr[I]);
    Unsigned += C;
    Signed += InField ? ' ' : static_cast<signed char>(Hdr[I]);
  }
  return Stored == Unsigned || static_cast<int64_t>(Stored) == Signed;
}

bool isZeroBlock(const char *Hdr) {
  return std::all_of(Hdr, Hdr + BlockSize, [](char C) { return C == 0; });
}

/// Why Path would leave the extraction directory ("" if it would not).
std::string pathProblem(StringRef Path) {
  if (Path.empty())
    return "tar entry with an empty name";
  if (Path.starts_with("/"))
    return "tar entry '" + Path.str() + "': absolute path";
  SmallVector<StringRef, 8> Parts;
  Path.split(Parts, '/');
  for (StringRef P : Parts)
    if (P == "..")
      return "tar entry '" + Path.str() + "': path has a '..' component";
  return "";
}

/// "./a/b" -> "a/b"; "././x" -> "x".
StringRef stripDotSlash(StringRef Path) {
  while (Path.consume_front("./"))
    while (Path.consume_front("/"))
      ;
  return Path;
}

/// Apply pax extended header records ("<len> key=value\n") to Path/Size.
Error applyPax(StringRef Data, StringRef Name, std::string &Path,
               std::optional<uint64_t> &Size) {
  while (!Data.empty()) {
    size_t Sp = Data.find(' ');
    uint64_t Len;
    if (Sp == StringRef::npos || Data.substr(0, Sp).getAsInteger(10, Len) ||
        Len <= Sp + 1 || Len > Data.size() || Data[Len - 1] != '\n')
      return tarError(Name, "malformed pax extended header");
    StringRef Rec = Data.substr(Sp + 1, Len - Sp - 2);
    Data = Data.drop_front(Len);
    auto [Key, Value] = Rec.split('=');
    if (Key == "path") {
      Path = Value.str();
    } else if (Key == "size") {
      uint64_t S;
      if (Value.getAsInteger(10, S))
        return tarError(Name, "malformed pax size '" + Value + "'");
      Size = S;
    } else if (Key.starts_with("GNU.sparse")) {
      // Sparse files cannot be read as a plain byte range.
      return tarError(Name, "sparse tar entries are not supported");
    }
  }
  return Error::success();
}

/// The size a tar stream's first header announces for a regular file
/// entry, checked against MaxEntrySize at once (TarScanner checks every
/// header again, but reports an entry's problem only once its data is
/// complete, which for a bomb means decoding up to the limit).
Error checkFirstHeader(StringRef Tar, StringRef Name) {
  const char *Hdr = Tar.data();
  uint64_t Size;
  if (isZeroBlock(Hdr) || !checksumOK(Hdr) || !parseNumber(Hdr, 124, 12, Size))
    return Error::success(); // not a header we can read early: decode on
  char Type = Hdr[156];
  if ((Type == '0' || Type == '\0' || Type == '7') && Size > MaxEntrySize) {
    std::string Path(Hdr, strnlen(Hdr, 100));
    return tarError(Name, formatv("tar entry '{0}': size {1} exceeds the "
                                  "limit of {2} bytes",
                                  Path, Size, MaxEntrySize));
  }
  return Error::success();
}

/// The tar walk of findTarEntry, over a stream fed in pieces. Errors come
/// in the order a walk over the whole stream would meet them: an entry's
/// own problems only once its data is complete (a cut-short entry is
/// "truncated" whatever else is wrong with it), the missing entry at the
/// end. The wanted entry's data goes to a ByteSink as it arrives.
class TarScanner {
public:
  TarScanner(StringRef Wanted, StringRef Name, ByteSink &Sink)
      : Wanted(Wanted), Name(Name), Sink(Sink) {}

  /// The next bytes. After an error, feed no more.
  Error feed(StringRef Bytes);
  /// The stream ended.
  Error finish();
  /// Where the wanted entry's data starts in the stream, and its size.
  uint64_t foundAt() const { return FoundAt; }
  uint64_t foundSize() const { return FoundSize; }

private:
  enum class State { Header, Data, Padding, End };
  enum class Use { Skip, Collect, ToSink };

  Error startEntry();
  Error endEntry();

  StringRef Wanted, Name;
  ByteSink &Sink;
  State St = State::Header;
  /// Stream bytes fed so far.
  uint64_t Offset = 0;
  char Hdr[BlockSize];
  size_t HdrHave = 0;

  // The entry being read: its header at HdrPos, Left data bytes to come
  // (then Pad bytes of padding), and what becomes of them.
  uint64_t HdrPos = 0, Size = 0, Left = 0, Pad = 0;
  char Type = 0;
  Use U = Use::Skip;
  std::string Meta;
  /// The entry's own problem, reported once its data is complete.
  std::optional<std::string> Problem;

  // What metadata records say of the next header.
  std::string LongName, PaxPath;
  std::optional<uint64_t> PaxSize;
  bool HaveLongName = false, HavePax = false;

  bool Found = false;
  uint64_t FoundAt = 0, FoundSize = 0;
};

Error TarScanner::feed(StringRef Bytes) {
  while (!Bytes.empty()) {
    size_t N = 0;
    switch (St) {
    case State::End:
      Offset += Bytes.size(); // after the end-of-archive block: ignored
      return Error::success();
    case State::Header:
      N = std::min(Bytes.size(), BlockSize - HdrHave);
      std::memcpy(Hdr + HdrHave, Bytes.data(), N);
      HdrHave += N;
      break;
    case State::Data:
      N = std::min<uint64_t>(Bytes.size(), Left);
      if (U == Use::Collect)
        Meta.append(Bytes.data(), N);
      else if (U == Use::ToSink)
        Sink.take(Bytes.take_front(N));
      Left -= N;
      break;
    case State::Padding:
      N = std::min<uint64_t>(Bytes.size(), Pad);
      Pad -= N;
      if (!Pad)
        St = State::Header;
      break;
    }
    Offset += N;
    Bytes = Bytes.drop_front(N);
    if (St == State::Header && HdrHave == BlockSize) {
      HdrPos = Offset - BlockSize;
      HdrHave = 0;
      if (Error E = startEntry())
        return E;
    }
    if (St == State::Data && !Left)
      if (Error E = endEntry())
        return E;
  }
  return Error::success();
}

/// A complete header: check it, and decide what becomes of its data.
Error TarScanner::startEntry() {
  if (isZeroBlock(Hdr)) {
    St = State::End;
    return Error::success();
  }
  if (!checksumOK(Hdr))
    return tarError(Name, formatv("bad tar header checksum at offset {0}",
                                  HdrPos));
  StringRef Magic(Hdr + 257, 6);
  bool Posix = Magic == StringRef("ustar\0", 6);
  if (!parseNumber(Hdr, 124, 12, Size))
    return tarError(Name, formatv("bad tar size field at offset {0}", HdrPos));
  Type = Hdr[156];
  if (HavePax && PaxSize && (Type == '0' || Type == '\0' || Type == '7'))
    Size = *PaxSize;
  Left = Size;
  Pad = (BlockSize - Size % BlockSize) % BlockSize;
  St = State::Data;
  U = Use::Skip;
  Meta.clear();
  Problem.reset();

  // Metadata records describe the next header.
  if (Type == 'L') {
    if (Size > 65536)
      Problem = "GNU long name record too large";
    else
      U = Use::Collect;
    return Error::success();
  }
  if (Type == 'K')
    return Error::success(); // long link target: only matters for links
  if (Type == 'x' || Type == 'g') {
    if (Size > (1 << 20))
      Problem = "pax extended header too large";
    else if (Type == 'x')
      U = Use::Collect; // 'g', global defaults: nothing we use
    return Error::success();
  }

  std::string Path;
  if (HavePax && !PaxPath.empty())
    Path = PaxPath;
  else if (HaveLongName)
    Path = LongName;
  else if (Posix && Hdr[345] != '\0')
    Path = (field(Hdr, 345, 155) + "/" + field(Hdr, 0, 100)).str();
  else
    Path = field(Hdr, 0, 100).str();
  HaveLongName = HavePax = false;
  PaxSize.reset();

  if (std::string Why = pathProblem(Path); !Why.empty()) {
    Problem = std::move(Why);
    return Error::success();
  }
  switch (Type) {
  case '0':
  case '\0':
  case '7':
    break;
  case '5':
    return Error::success(); // directories are harmless; never created
  case '1':
    Problem = "tar entry '" + Path + "': hard links are not allowed";
    return Error::success();
  case '2':
    Problem = "tar entry '" + Path + "': symbolic links are not allowed";
    return Error::success();
  case '3':
  case '4':
  case '6':
    Problem =
        "tar entry '" + Path + "': device and FIFO entries are not allowed";
    return Error::success();
  default:
    Problem = "tar entry '" + Path + "': unsupported entry type '" +
              std::string(1, Type) + "'";
    return Error::success();
  }
  if (Size > MaxEntrySize) {
    Problem = formatv("tar entry '{0}': size {1} exceeds the limit of {2} "
                      "bytes",
                      Path, Size, MaxEntrySize)
                  .str();
    return Error::success();
  }
  if (stripDotSlash(Path) == Wanted) {
    if (Found) {
      Problem = "tar entry '" + Path + "' appears more than once";
      return Error::success();
    }
    Found = true;
    FoundAt = Offset;
    FoundSize = Size;
    U = Use::ToSink;
    Sink.begin(Size);
  }
  return Error::success();
}

/// An entry's data is complete: its problem, if any, or its metadata.
Error TarScanner::endEntry() {
  St = Pad ? State::Padding : State::Header;
  if (Problem)
    return tarError(Name, *Problem);
  if (U != Use::Collect)
    return Error::success();
  if (Type == 'L') {
    LongName = StringRef(Meta).substr(0, Meta.find('\0')).str();
    HaveLongName = true;
    return Error::success();
  }
  PaxPath.clear();
  PaxSize.reset();
  if (Error E = applyPax(Meta, Name, PaxPath, PaxSize))
    return E;
  HavePax = true;
  return Error::success();
}

Error TarScanner::finish() {
  if (St == State::Header && HdrHave)
    return tarError(Name, formatv("truncated tar header at offset {0}",
                                  Offset - HdrHave));
  if (St == State::Data)
    return tarError(Name, formatv("truncated tar entry at offset {0} (size "
                                  "{1}, {2} bytes left)",
                                  HdrPos, Size, Size - Left));
  if (!Found)
    return tarError(Name, "no regular file '" + Wanted + "' in the tarball");
  return Error::success();
}

/// A sink that keeps nothing (findTarEntry points into its input).
class NoSink final : public ByteSink {
  void begin(uint64_t) override {}
  void take(StringRef) override {}
};

} // namespace

bool isXz(StringRef Bytes) {
  return Bytes.starts_with(StringRef("\xFD" "7zXZ\0", 6));
}

Error streamTarXzEntry(StringRef Compressed, StringRef Wanted, StringRef Name,
                       ByteSink &Sink, uint64_t Limit) {
  if (!isXz(Compressed))
    return tarError(Name, "not an xz file (bad magic)");
  lzma_stream Strm = LZMA_STREAM_INIT;
  // Memory limit for the decoder's dictionary; BTFHub uses xz -9 (64 MiB).
  lzma_ret R = lzma_stream_decoder(&Strm, 1ull << 30, LZMA_CONCATENATED);
  if (R != LZMA_OK)
    return tarError(Name, lzmaMessage(R));
  struct EndGuard {
    lzma_stream *S;
    ~EndGuard() { lzma_end(S); }
  } Guard{&Strm};

  // One window, small enough to stay in cache between the decoder writing
  // it and the tar scanner and sink reading it.
  constexpr size_t Window = 256u << 10;
  std::unique_ptr<char[]> Out(new char[Window]);
  TarScanner Tar(Wanted, Name, Sink);
  // A tar error waits for the end of the stream: an xz error, met later in
  // the same stream, is the one to report (the tar bytes before it may be
  // garbage the decoder had not yet caught).
  std::optional<Error> TarErr;
  Strm.next_in = reinterpret_cast<const uint8_t *>(Compressed.data());
  Strm.avail_in = Compressed.size();
  while (true) {
    Strm.next_out = reinterpret_cast<uint8_t *>(Out.get());
    Strm.avail_out = Window;
    R = lzma_code(&Strm, LZMA_FINISH);
    if (R != LZMA_OK && R != LZMA_STREAM_END) {
      if (TarErr)
        consumeError(std::move(*TarErr));
      return tarError(Name, lzmaMessage(R));
    }
    if (Strm.total_out > Limit) {
      if (TarErr)
        consumeError(std::move(*TarErr));
      return tarError(Name, formatv("decompressed size exceeds the limit "
                                    "of {0} bytes",
                                    Limit));
    }
    StringRef Got(Out.get(), Window - Strm.avail_out);
    // A bomb announces itself in its first tar header: refuse it at once
    // rather than decode towards the limit (when the first window holds
    // the whole header: it starts the stream).
    if (Strm.total_out == Got.size() && Got.size() >= BlockSize)
      if (Error E = checkFirstHeader(Got, Name))
        return E;
    if (!TarErr && !Got.empty())
      if (Error E = Tar.feed(Got))
        TarErr.emplace(std::move(E));
    if (R == LZMA_STREAM_END)
      break;
  }
  if (TarErr)
    return std::move(*TarErr);
  return Tar.finish();
}

Error readTarXzEntry(StringRef Compressed, StringRef Wanted, StringRef Name,
                     std::string &Out) {
  StringSink Sink(Out);
  return streamTarXzEntry(Compressed, Wanted, Name, Sink);
}

Expected<StringRef> findTarEntry(StringRef Tar, StringRef Wanted,
                                 StringRef Name) {
  NoSink Sink;
  TarScanner Scan(Wanted, Name, Sink);
  if (Error E = Scan.feed(Tar))
    return std::move(E);
  if (Error E = Scan.finish())
    return std::move(E);
  return Tar.substr(Scan.foundAt(), Scan.foundSize());
}

} // namespace btfgen
