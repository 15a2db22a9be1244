//===- TarXz.cpp - In-memory .tar.xz reading ------------------------------===//
//
// liblzma decoding into a growing buffer, then a single pass over the tar
// headers. The tar format (POSIX.1-1988 ustar, plus the GNU 'L'/'K' long
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

/// Check that Path stays inside the extraction directory.
Error checkPath(StringRef Path, StringRef Name) {
  if (Path.empty())
    return tarError(Name, "tar entry with an empty name");
  if (Path.starts_with("/"))
    return tarError(Name, "tar entry '" + Path + "': absolute path");
  SmallVector<StringRef, 8> Parts;
  Path.split(Parts, '/');
  for (StringRef P : Parts)
    if (P == "..")
      return tarError(Name, "tar entry '" + Path + "': path has a '..' component");
  return Error::success();
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

/// Resize Buf to exactly N bytes keeping its first Keep: std::string's own
/// growth doubles the capacity, which near the decode limit would allocate
/// up to twice the limit while the old buffer is still held.
void growExactly(std::string &Buf, uint64_t Keep, uint64_t N) {
  std::string New;
  New.reserve(N); // an empty string's reserve allocates exactly N
  New.append(Buf.data(), Keep);
  std::string().swap(Buf); // free the old buffer before faulting in the rest
  New.resize(N);
  Buf = std::move(New);
}

/// The size a tar stream's first header announces for a regular file
/// entry, checked against MaxEntrySize (findTarEntry checks every header
/// again once the stream is decoded).
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

} // namespace

bool isXz(StringRef Bytes) {
  return Bytes.starts_with(StringRef("\xFD" "7zXZ\0", 6));
}

Expected<size_t> decompressXzInto(StringRef Compressed, StringRef Name,
                                  std::string &Buf, uint64_t Limit) {
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

  // Buf only ever grows: a reused buffer is not zero-filled or faulted in
  // again for the next tarball.
  uint64_t Want = std::min<uint64_t>(
      std::max<uint64_t>(uint64_t(Compressed.size()) * 6, 1 << 20), Limit + 1);
  if (Buf.size() < Want)
    growExactly(Buf, 0, Want);
  bool HeaderChecked = false;
  Strm.next_in = reinterpret_cast<const uint8_t *>(Compressed.data());
  Strm.avail_in = Compressed.size();
  Strm.next_out = reinterpret_cast<uint8_t *>(Buf.data());
  Strm.avail_out = std::min<uint64_t>(Buf.size(), Limit + 1);
  while (true) {
    R = lzma_code(&Strm, LZMA_FINISH);
    if (R == LZMA_STREAM_END)
      break;
    if (R != LZMA_OK)
      return tarError(Name, lzmaMessage(R));
    if (Strm.avail_out == 0) {
      uint64_t Used = Strm.total_out;
      if (Used > Limit)
        return tarError(Name, formatv("decompressed size exceeds the limit "
                                      "of {0} bytes",
                                      Limit));
      // A bomb announces itself in its first tar header: refuse it before
      // the buffer grows towards the limit.
      if (!HeaderChecked && Used >= BlockSize) {
        HeaderChecked = true;
        if (Error E = checkFirstHeader(StringRef(Buf.data(), Used), Name))
          return std::move(E);
      }
      // Double while small (real kernels are at most a few tens of MB);
      // past 64 MiB go straight to the limit, so that a stream that keeps
      // going holds at most the limit plus one 64 MiB copy, never two
      // large buffers at once.
      uint64_t NewCap = Used * 2 <= (64u << 20) ? Used * 2 : Limit + 1;
      NewCap = std::min<uint64_t>(std::max<uint64_t>(NewCap, Buf.size()),
                                  Limit + 1);
      if (Buf.size() < NewCap)
        growExactly(Buf, Used, NewCap);
      Strm.next_out = reinterpret_cast<uint8_t *>(Buf.data()) + Used;
      Strm.avail_out = std::min<uint64_t>(Buf.size(), Limit + 1) - Used;
    }
  }
  if (Strm.total_out > Limit)
    return tarError(Name, formatv("decompressed size exceeds the limit of {0} "
                                  "bytes",
                                  Limit));
  return size_t(Strm.total_out);
}

Expected<std::string> decompressXz(StringRef Compressed, StringRef Name,
                                   uint64_t Limit) {
  std::string Out;
  Expected<size_t> N = decompressXzInto(Compressed, Name, Out, Limit);
  if (!N)
    return N.takeError();
  Out.resize(*N);
  return Out;
}

Expected<StringRef> findTarEntry(StringRef Tar, StringRef Wanted,
                                 StringRef Name) {
  std::optional<StringRef> Found;
  std::string LongName;          // from a GNU 'L' record, for the next entry
  std::string PaxPath;           // from a pax 'x' record, for the next entry
  std::optional<uint64_t> PaxSize;
  bool HaveLongName = false, HavePax = false;
  size_t Pos = 0;
  while (true) {
    if (Tar.size() - Pos < BlockSize) {
      if (Pos == Tar.size())
        break; // no end-of-archive blocks; tolerated like GNU tar does
      return tarError(Name, formatv("truncated tar header at offset {0}", Pos));
    }
    const char *Hdr = Tar.data() + Pos;
    if (isZeroBlock(Hdr))
      break;
    if (!checksumOK(Hdr))
      return tarError(Name, formatv("bad tar header checksum at offset {0}",
                                    Pos));
    StringRef Magic(Hdr + 257, 6);
    bool Posix = Magic == StringRef("ustar\0", 6);
    uint64_t Size;
    if (!parseNumber(Hdr, 124, 12, Size))
      return tarError(Name, formatv("bad tar size field at offset {0}", Pos));
    char Type = Hdr[156];
    if (HavePax && PaxSize && (Type == '0' || Type == '\0' || Type == '7'))
      Size = *PaxSize;
    size_t DataPos = Pos + BlockSize;
    if (Size > Tar.size() - DataPos)
      return tarError(Name, formatv("truncated tar entry at offset {0} (size "
                                    "{1}, {2} bytes left)",
                                    Pos, Size, Tar.size() - DataPos));
    StringRef Data = Tar.substr(DataPos, Size);
    uint64_t Padded = (Size + BlockSize - 1) / BlockSize * BlockSize;
    Pos = DataPos + std::min<uint64_t>(Padded, Tar.size() - DataPos);

    // Metadata records describe the next header.
    if (Type == 'L') {
      if (Size > 65536)
        return tarError(Name, "GNU long name record too large");
      LongName = Data.substr(0, Data.find('\0')).str();
      HaveLongName = true;
      continue;
    }
    if (Type == 'K')
      continue; // long link target: only matters for links, rejected below
    if (Type == 'x' || Type == 'g') {
      if (Size > (1 << 20))
        return tarError(Name, "pax extended header too large");
      if (Type == 'g')
        continue; // global defaults: nothing we use
      PaxPath.clear();
      PaxSize.reset();
      if (Error E = applyPax(Data, Name, PaxPath, PaxSize))
        return E;
      HavePax = true;
      continue;
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

    if (Error E = checkPath(Path, Name))
      return E;
    switch (Type) {
    case '0':
    case '\0':
    case '7':
      break;
    case '5':
      continue; // directories are harmless; we never create them
    case '1':
      return tarError(Name, "tar entry '" + Path + "': hard links are not allowed");
    case '2':
      return tarError(Name, "tar entry '" + Path + "': symbolic links are not allowed");
    case '3':
    case '4':
    case '6':
      return tarError(Name, "tar entry '" + Path +
                                "': device and FIFO entries are not allowed");
    default:
      return tarError(Name, "tar entry '" + Path + "': unsupported entry type '" +
                                Twine(Type) + "'");
    }
    if (Size > MaxEntrySize)
      return tarError(Name, formatv("tar entry '{0}': size {1} exceeds the "
                                    "limit of {2} bytes",
                                    Path, Size, MaxEntrySize));
    if (stripDotSlash(Path) == Wanted) {
      if (Found)
        return tarError(Name, "tar entry '" + Path + "' appears more than once");
      Found = Data;
    }
  }
  if (!Found)
    return tarError(Name, "no regular file '" + Wanted + "' in the tarball");
  return *Found;
}

Error readTarXzEntry(StringRef Compressed, StringRef Wanted, StringRef Name,
                     std::string &Out) {
  Expected<std::string> Tar = decompressXz(Compressed, Name);
  if (!Tar)
    return Tar.takeError();
  Expected<StringRef> Entry = findTarEntry(*Tar, Wanted, Name);
  if (!Entry)
    return Entry.takeError();
  // Keep the entry, drop the rest of the stream without a second buffer.
  size_t Off = Entry->data() - Tar->data(), Len = Entry->size();
  std::memmove(Tar->data(), Tar->data() + Off, Len);
  Tar->resize(Len);
  Out = std::move(*Tar);
  return Error::success();
}

Expected<StringRef> readTarXzEntryInto(StringRef Compressed, StringRef Wanted,
                                       StringRef Name, std::string &Scratch) {
  Expected<size_t> N = decompressXzInto(Compressed, Name, Scratch);
  if (!N)
    return N.takeError();
  return findTarEntry(StringRef(Scratch.data(), *N), Wanted, Name);
}

} // namespace btfgen
