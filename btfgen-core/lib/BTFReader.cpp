//===- BTFReader.cpp - Validating BTF parser ------------------------------===//
//
// Parses raw .BTF bytes into a TypeTable in one pass over the input, which
// may arrive in pieces (BTFStreamReader: a kernel decoded from its tarball
// is never held whole), then two linear passes over the table:
//
//   1. the header (libbpf src/btf.c btf_parse_hdr): magic, version, hdr_len,
//      section bounds, alignment and layout;
//   2. the type section (btf_parse_type_sec + btf_validate_type), record by
//      record as its bytes come in: bounds (kind, vlen, record size), then
//      the record's own checks (vlen rules, string offsets against the
//      string section's size), then it is appended to the table;
//   3. the string section (btf_parse_str_sec): non-empty, starts and ends
//      with NUL;
//   4. every referenced type ID, once the number of types is known.
//
// Errors rank as if each of these were a pass over the whole input, in the
// order header, strings, record bounds, record checks, references: the
// first error of the first kind that has one is reported, wherever the
// input was split. A record split between two pieces is copied once; every
// other record is read in place, and no per-type allocation happens.
//
// A last pass (checkLayoutCycles, LayoutCycles.h) rejects reference cycles
// that do not go through a pointer.
//
// Messages name the record: "type [12] STRUCT: member 3 type_id 99999 out of
// range (types 4321)". Member/param/value indices are 0-based.
//
//===----------------------------------------------------------------------===//

#include "btfgen/BTFReader.h"

#include "btfgen/Errors.h"

#include "LayoutCycles.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/Object/ELFObjectFile.h"
#include "llvm/Object/ObjectFile.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/FormatVariadic.h"

#include <algorithm>
#include <cstring>
#include <optional>
#include <vector>

using namespace llvm;

namespace btfgen {

bool isRawBTF(StringRef Bytes) {
  return Bytes.size() >= 2 && uint8_t(Bytes[0]) == (BTFMagic & 0xff) &&
         uint8_t(Bytes[1]) == (BTFMagic >> 8);
}

bool isELF(StringRef Bytes) {
  return Bytes.starts_with("\x7f"
                           "ELF");
}

namespace {

/// Upper bound of the FUNC linkage (BTF_FUNC_EXTERN) and the VAR linkage
/// (BTF_VAR_GLOBAL_EXTERN) in include/uapi/linux/btf.h.
constexpr uint32_t MaxLinkage = 2;
/// libbpf's BTF_MAX_STR_OFFSET.
constexpr uint64_t MaxStrOffset = 0x7fffffff;

class Reader {
public:
  /// Size: the whole input's size, known before its first byte; Records,
  /// TypeIds: BTFStreamReader's reservation hints (0: none).
  Reader(StringRef Name, uint64_t Size, uint32_t Records = 0,
         uint32_t TypeIds = 0)
      : Name(Name), Size(Size), HintRecords(Records), HintTypeIds(TypeIds) {}

  /// The next bytes of the input, in order (any split).
  void take(StringRef Chunk);
  /// After the last byte: the table, or the first error in the order of
  /// the file comment.
  Expected<TypeTable> finish();

private:
  bool headerBytesComplete() const;
  Error readHeader();
  Error readLayoutHeader();
  Error checkLayoutSection();
  Error checkStringBytes() const;
  void reserveTable(StringRef Rest);
  void takeTypeBytes(const char *P, uint64_t N);
  uint64_t takeRecords(const uint32_t *W, uint64_t Avail);
  void takeCarriedRecord(const char *&P, uint64_t &N);
  bool atRecordStart();
  bool checkRecordHeader(const BTFType &T, uint64_t &DataWords);
  void addRecord(const BTFType &T, const uint32_t *D, uint64_t DataWords);
  Error checkRecord(TypeId Id, const BTFType &T, ArrayRef<uint32_t> D);
  void findBadRef();
  Error refError(const TypeTable &T) const;

  Error checkStr(TypeId Id, const BTFType &T, const char *What, uint32_t Idx,
                 StrOffset Off) const {
    if (Off < StrLen)
      return Error::success();
    if (Idx == ~0u)
      return malformed(Name,
                       "type [{0}] {1}: {2} offset {3} out of range (strings "
                       "{4})",
                       Id, kindName(T.kind()), What, Off, StrLen);
    return malformed(Name,
                     "type [{0}] {1}: {2} {3} name offset {4} out of range "
                     "(strings {5})",
                     Id, kindName(T.kind()), What, Idx, Off, StrLen);
  }
  /// Keep E in Slot unless Slot already holds an earlier error.
  static void keepFirst(std::optional<Error> &Slot, Error E) {
    if (!Slot)
      Slot.emplace(std::move(E));
    else
      consumeError(std::move(E));
  }

  StringRef Name;
  const uint64_t Size;
  const uint32_t HintRecords, HintTypeIds;
  /// Input bytes taken so far.
  uint64_t Pos = 0;
  /// The first 24 (or 32, with a layout section) bytes, until parsed.
  std::string Head;
  bool HeaderRead = false;
  BTFHeader Hdr{};
  /// The newest header's layout section (0, 0 when absent).
  static constexpr uint32_t LayoutHdrEnd = 32;
  uint32_t LayoutOff = 0, LayoutLen = 0;
  uint64_t TypeBegin = 0, TypeEnd = 0, StrBegin = 0, StrEnd = 0;
  uint32_t StrLen = 0;
  std::string Strings;

  /// The type section: whole words taken (TW of NWords) and records
  /// counted; a record split between two takes waits in Carry.
  uint64_t NWords = 0, TW = 0;
  uint32_t Count = 0;
  std::string Carry;
  uint64_t CarryNeed = 0;
  bool TypesDone = false;
  TypeTable Table;

  /// Errors found on the way, kept until finish() ranks them: the header
  /// and string section first, then record boundaries (what the old first
  /// pass found), then a record's own checks; the first of each kind.
  std::optional<Error> HeaderErr, BoundsErr, RecordErr;
  /// Records whose largest referenced ID exceeds every earlier record's:
  /// once the number of types is known, the first of them with a reference
  /// out of range is the first record with one.
  std::vector<std::pair<TypeId, TypeId>> RefPeaks;
  TypeId MaxRef = 0;
  /// The first reference to a type ID out of range (Id 0: none).
  struct BadRef {
    TypeId Id = 0, Ref = 0;
    RefRole Role = RefRole::Type;
    uint32_t Idx = 0;
  } Bad;
};

} // namespace

// The newest header (uapi btf.h of the newest kernels and libbpf, libbpf
// f7081a6 src/btf.c btf_parse_hdr, btf_parse_layout_sec:
// https://github.com/libbpf/libbpf/blob/f7081a6b/src/btf.c) adds layout_off
// and layout_len after str_len (hdr_len 32): an optional section of one
// 4-byte `struct btf_layout` {info_sz, elem_sz, flags} per kind the encoder
// knew, between the type and the string sections, so that a reader can
// step over kinds it does not know. btfgen knows every kind it accepts and
// still refuses unknown ones (it could not write them back), so it checks
// where the section lies, as libbpf does, and otherwise ignores it; a
// header shorter than 32 bytes has no layout section. Outputs are always
// written in the classic 24-byte form (BTFWriter).
Error Reader::readLayoutHeader() {
  using support::endian::read32le;
  if (Hdr.HdrLen < LayoutHdrEnd)
    return Error::success();
  LayoutOff = read32le(Head.data() + 24);
  LayoutLen = read32le(Head.data() + 28);
  return Error::success();
}

Error Reader::checkLayoutSection() {
  if (LayoutLen == 0)
    return Error::success();
  uint64_t TypeEnd = uint64_t(Hdr.TypeOff) + Hdr.TypeLen;
  uint64_t LayoutEnd = uint64_t(LayoutOff) + LayoutLen;
  if (LayoutOff % 4)
    return malformed(Name, "header: layout_off {0} is not 4-byte aligned",
                     LayoutOff);
  if (LayoutOff < TypeEnd)
    return malformed(Name,
                     "header: layout section at {0} + {1} overlaps the type "
                     "section at {2} + {3}",
                     LayoutOff, LayoutLen, Hdr.TypeOff, Hdr.TypeLen);
  if (LayoutEnd > Hdr.StrOff)
    return malformed(Name,
                     "header: layout section at {0} + {1} overlaps or "
                     "follows the string section at {2}",
                     LayoutOff, LayoutLen, Hdr.StrOff);
  if (LayoutLen % 4)
    return malformed(Name,
                     "header: layout_len {0} is not a multiple of the "
                     "4-byte kind layout record",
                     LayoutLen);
  return Error::success();
}

/// Whether Head holds all the header bytes readHeader() looks at: the
/// 24-byte header (or the whole input, if shorter), and the layout fields
/// when hdr_len says they are there.
bool Reader::headerBytesComplete() const {
  if (Head.size() < std::min<uint64_t>(Size, sizeof(BTFHeader)))
    return false;
  if (Head.size() >= LayoutHdrEnd || Head.size() < sizeof(BTFHeader))
    return true;
  uint32_t HdrLen = support::endian::read32le(Head.data() + 4);
  return HdrLen < LayoutHdrEnd || HdrLen > Size;
}

Error Reader::readHeader() {
  using support::endian::read16le;
  using support::endian::read32le;
  if (Size >= 2) {
    uint16_t Magic = read16le(Head.data());
    if (Magic == 0x9FEB)
      return malformed(Name, "header: big-endian BTF (magic bytes eb 9f) is "
                             "not supported");
    if (Magic != BTFMagic)
      return malformed(
          Name, "header: bad magic {0:x4} (expected 0xeb9f, raw BTF)", Magic);
  }
  if (Size < sizeof(BTFHeader))
    return malformed(Name,
                     "header: truncated: file size {0} is smaller than "
                     "the 24-byte BTF header",
                     Size);
  const char *P = Head.data();
  Hdr.Magic = read16le(P);
  Hdr.Version = uint8_t(P[2]);
  Hdr.Flags = uint8_t(P[3]);
  Hdr.HdrLen = read32le(P + 4);
  Hdr.TypeOff = read32le(P + 8);
  Hdr.TypeLen = read32le(P + 12);
  Hdr.StrOff = read32le(P + 16);
  Hdr.StrLen = read32le(P + 20);

  if (Hdr.Version != BTFVersion)
    return malformed(Name, "header: unsupported version {0} (expected 1)",
                     unsigned(Hdr.Version));
  if (Hdr.HdrLen < sizeof(BTFHeader))
    return malformed(Name, "header: hdr_len {0} is smaller than 24",
                     Hdr.HdrLen);
  if (Hdr.HdrLen > Size)
    return malformed(Name, "header: hdr_len {0} exceeds file size {1}",
                     Hdr.HdrLen, Size);
  if (Error E = readLayoutHeader())
    return E;

  TypeBegin = uint64_t(Hdr.HdrLen) + Hdr.TypeOff;
  TypeEnd = TypeBegin + Hdr.TypeLen;
  StrBegin = uint64_t(Hdr.HdrLen) + Hdr.StrOff;
  StrEnd = StrBegin + Hdr.StrLen;
  if (TypeEnd > Size)
    return malformed(Name,
                     "header: type section [{0}, {1}) exceeds file size "
                     "{2}",
                     TypeBegin, TypeEnd, Size);
  if (StrEnd > Size)
    return malformed(Name,
                     "header: string section [{0}, {1}) exceeds file "
                     "size {2}",
                     StrBegin, StrEnd, Size);
  if (Hdr.TypeOff % 4)
    return malformed(Name, "header: type_off {0} is not 4-byte aligned",
                     Hdr.TypeOff);
  // libbpf (btf_parse_hdr) requires the type section to end before the
  // string section starts; this also rules out any overlap.
  if (TypeEnd > StrBegin)
    return malformed(Name,
                     "header: type section [{0}, {1}) overlaps or "
                     "follows string section [{2}, {3})",
                     TypeBegin, TypeEnd, StrBegin, StrEnd);

  if (Error E = checkLayoutSection())
    return E;

  // btf_parse_str_sec; the bytes are checked once they are in
  // (checkStringBytes).
  if (Hdr.StrLen == 0)
    return malformed(Name, "strings: string section is empty");
  if (Hdr.StrLen - 1 > MaxStrOffset)
    return malformed(Name, "strings: string section size {0} is too large",
                     Hdr.StrLen);
  StrLen = Hdr.StrLen;
  NWords = Hdr.TypeLen / 4;
  return Error::success();
}

/// The rest of btf_parse_str_sec: NUL first and last.
Error Reader::checkStringBytes() const {
  if (Strings.front() != '\0')
    return malformed(Name, "strings: string section does not start with NUL");
  if (Strings.back() != '\0')
    return malformed(Name,
                     "strings: string section is not NUL-terminated "
                     "(last byte at offset {0})",
                     StrEnd - 1);
  return Error::success();
}

/// Checks of one record that need nothing but the record and the string
/// section size (kernel btf_*_check_meta, reduced to what libbpf and the
/// rest of btfgen rely on).
Error Reader::checkRecord(TypeId Id, const BTFType &T, ArrayRef<uint32_t> D) {
  const Kind K = T.kind();
  const uint32_t Vlen = T.vlen();
  if (Error E = checkStr(Id, T, "name", ~0u, T.NameOff))
    return E;

  switch (K) {
  case Kind::Int:
  case Kind::Ptr:
  case Kind::Array:
  case Kind::Fwd:
  case Kind::Typedef:
  case Kind::Volatile:
  case Kind::Const:
  case Kind::Restrict:
  case Kind::Var:
  case Kind::Float:
  case Kind::DeclTag:
  case Kind::TypeTag:
    if (Vlen != 0)
      return malformed(Name, "type [{0}] {1}: vlen {2} must be 0", Id,
                       kindName(K), Vlen);
    break;
  default:
    break;
  }

  switch (K) {
  case Kind::Int: {
    uint32_t W = D[0];
    uint32_t Bits = intBits(W), Off = intOffset(W);
    if (Bits > 128)
      return malformed(Name, "type [{0}] INT: nr_bits {1} exceeds 128", Id,
                       Bits);
    if (uint64_t(Off) + Bits > uint64_t(T.SizeOrType) * 8)
      return malformed(Name,
                       "type [{0}] INT: bits_offset {1} + nr_bits {2} exceeds "
                       "size {3} bytes",
                       Id, Off, Bits, T.SizeOrType);
    break;
  }
  case Kind::Func:
    if (Vlen > MaxLinkage)
      return malformed(Name,
                       "type [{0}] FUNC: linkage {1} is not static, "
                       "global or extern",
                       Id, Vlen);
    break;
  case Kind::Var:
    if (D[0] > MaxLinkage)
      return malformed(Name,
                       "type [{0}] VAR: linkage {1} is not static, "
                       "global or extern",
                       Id, D[0]);
    break;
  case Kind::DeclTag:
    if (int32_t(D[0]) < -1)
      return malformed(Name,
                       "type [{0}] DECL_TAG: component_idx {1} is less "
                       "than -1",
                       Id, int32_t(D[0]));
    break;
  case Kind::Struct:
  case Kind::Union:
    // btf_member: name, type, offset.
    for (uint32_t I = 0; I < Vlen; ++I)
      if (Error E = checkStr(Id, T, "member", I, D[I * 3]))
        return E;
    break;
  case Kind::Enum:
    for (uint32_t I = 0; I < Vlen; ++I)
      if (Error E = checkStr(Id, T, "value", I, D[I * 2]))
        return E;
    break;
  case Kind::Enum64:
    for (uint32_t I = 0; I < Vlen; ++I)
      if (Error E = checkStr(Id, T, "value", I, D[I * 3]))
        return E;
    break;
  case Kind::FuncProto:
    for (uint32_t I = 0; I < Vlen; ++I)
      if (Error E = checkStr(Id, T, "param", I, D[I * 2]))
        return E;
    break;
  default:
    break;
  }
  return Error::success();
}

void Reader::take(StringRef Chunk) {
  while (!Chunk.empty()) {
    if (!HeaderRead) {
      size_t Want = Head.size() < sizeof(BTFHeader) ? sizeof(BTFHeader)
                                                     : LayoutHdrEnd;
      size_t N = std::min(Chunk.size(), Want - Head.size());
      Head.append(Chunk.data(), N);
      Pos += N;
      Chunk = Chunk.drop_front(N);
      if (!headerBytesComplete())
        continue;
      HeaderRead = true;
      if (Error E = readHeader())
        HeaderErr.emplace(std::move(E));
      else
        reserveTable(Chunk);
      continue;
    }
    if (HeaderErr) { // nothing else counts
      Pos += Chunk.size();
      return;
    }
    // Route the bytes at Pos: type section, string section, or neither
    // (the rest of the header, the layout section, gaps).
    uint64_t N = Chunk.size();
    if (Pos >= TypeBegin && Pos < TypeEnd) {
      N = std::min(N, TypeEnd - Pos);
      takeTypeBytes(Chunk.data(), N);
    } else if (Pos >= StrBegin && Pos < StrEnd) {
      N = std::min(N, StrEnd - Pos);
      Strings.append(Chunk.data(), N);
    } else if (Pos < TypeBegin) {
      N = std::min(N, TypeBegin - Pos);
    } else if (Pos < StrBegin) {
      N = std::min(N, StrBegin - Pos);
    }
    Pos += N;
    Chunk = Chunk.drop_front(N);
  }
}

/// Reserve the table: exactly, when Rest (the input from Pos on) holds
/// the whole type section, by counting its records as the checks will
/// (up to the first that would fail them); else for as many records and
/// words as the section could hold, which costs address space, not
/// memory, until records fill it (up to 64 MiB of section, four times
/// the largest kernel's; a bigger one grows as it goes).
void Reader::reserveTable(StringRef Rest) {
  using support::endian::read32le;
  Strings.reserve(StrLen);
  if (HintRecords) {
    // The caller's count, held to what the section can hold; room for the
    // IDs the table will be spread to, up to the most a table may have.
    uint64_t Records = std::min<uint64_t>(HintRecords, NWords / 3);
    uint64_t Ids = std::max<uint64_t>(
        Records + 1, std::min<uint64_t>(HintTypeIds, uint64_t(BTFMaxType) + 1));
    Table.reserve(uint32_t(Ids - 1), NWords - 3 * Records);
    return;
  }
  if (Pos > TypeBegin || TypeEnd - Pos > Rest.size()) {
    uint64_t Words = std::min<uint64_t>(NWords, (64u << 20) / 4);
    Table.reserve(uint32_t(Words / 3), Words);
    return;
  }
  const char *Sec = Rest.data() + (TypeBegin - Pos);
  uint64_t W = 0;
  uint32_t C = 0;
  while (NWords - W >= 3 && C < BTFMaxType) {
    const char *R = Sec + W * 4;
    BTFType T{read32le(R), read32le(R + 4), read32le(R + 8)};
    int64_t DataSize = kindDataSize(T);
    if (T.kind() == Kind::Unknown || DataSize < 0 ||
        uint64_t(DataSize) / 4 > NWords - W - 3)
      break;
    W += 3 + uint64_t(DataSize) / 4;
    ++C;
  }
  Table.reserve(C, W - 3 * uint64_t(C));
}

/// N bytes of the type section, from section offset TW * 4 + Carry.size().
/// Whole records are read in place when they lie 4-byte aligned in memory
/// on a little-endian host (the usual case: buffers are aligned, and
/// type_off is a multiple of 4); a record split between takes, or out of
/// alignment, is copied into Carry first.
void Reader::takeTypeBytes(const char *P, uint64_t N) {
  while (N && !TypesDone) {
    if (Carry.empty() && sys::IsLittleEndianHost &&
        reinterpret_cast<uintptr_t>(P) % alignof(uint32_t) == 0) {
      uint64_t Used =
          takeRecords(reinterpret_cast<const uint32_t *>(P), N / 4) * 4;
      P += Used;
      N -= Used;
      if (!N || TypesDone)
        return;
    }
    takeCarriedRecord(P, N);
  }
}

/// Whole records from W (Avail words); returns the words used. Stops at a
/// record that does not fit, or at the end of the section.
uint64_t Reader::takeRecords(const uint32_t *W, uint64_t Avail) {
  uint64_t Used = 0;
  while (atRecordStart() && Avail - Used >= 3) {
    BTFType T{W[Used], W[Used + 1], W[Used + 2]};
    uint64_t DataWords;
    if (!checkRecordHeader(T, DataWords) || Avail - Used - 3 < DataWords)
      break;
    addRecord(T, W + Used + 3, DataWords);
    Used += 3 + DataWords;
  }
  return Used;
}

/// Bytes into Carry up to the end of the record they begin (its 12-byte
/// header first, then its data); a complete record is taken from there.
void Reader::takeCarriedRecord(const char *&P, uint64_t &N) {
  using support::endian::read32le;
  if (Carry.empty()) {
    if (!atRecordStart())
      return;
    CarryNeed = 12;
  }
  uint64_t Copy = std::min<uint64_t>(N, CarryNeed - Carry.size());
  Carry.append(P, Copy);
  P += Copy;
  N -= Copy;
  if (Carry.size() < CarryNeed)
    return;
  BTFType T{read32le(Carry.data()), read32le(Carry.data() + 4),
            read32le(Carry.data() + 8)};
  uint64_t DataWords;
  if (CarryNeed == 12) {
    if (!checkRecordHeader(T, DataWords))
      return;
    CarryNeed += DataWords * 4;
    if (Carry.size() < CarryNeed)
      return;
  }
  DataWords = (CarryNeed - 12) / 4;
  SmallVector<uint32_t, 64> D(DataWords);
  for (uint64_t I = 0; I < DataWords; ++I)
    D[I] = read32le(Carry.data() + 12 + I * 4);
  Carry.clear();
  addRecord(T, D.data(), DataWords);
}

/// Whether another record starts at TW: the section is not over, and the
/// record's bounds checks that need no bytes of it pass.
bool Reader::atRecordStart() {
  if (TypesDone || TW == NWords) {
    TypesDone = true;
    return false;
  }
  TypeId Id = Count + 1;
  if (Id > BTFMaxType) {
    BoundsErr.emplace(malformed(Name,
                                "type [{0}]: too many types (at most {1})", Id,
                                BTFMaxType));
    TypesDone = true;
    return false;
  }
  if (NWords - TW < 3) {
    BoundsErr.emplace(malformed(Name,
                                "type [{0}]: truncated record at type section "
                                "offset {1} ({2} bytes left, need 12)",
                                Id, TW * 4, (Hdr.TypeLen - TW * 4)));
    TypesDone = true;
    return false;
  }
  return true;
}

/// The bounds checks of the record at TW that need its header: a known
/// kind whose data fits in the section.
bool Reader::checkRecordHeader(const BTFType &T, uint64_t &DataWords) {
  TypeId Id = Count + 1;
  Kind K = T.kind();
  int64_t DataSize = kindDataSize(T);
  if (K == Kind::Unknown || DataSize < 0) {
    BoundsErr.emplace(malformed(
        Name,
        "type [{0}]: unknown kind {1} at type section "
        "offset {2}{3}",
        Id, unsigned(K), TW * 4,
        LayoutLen ? " (the layout section describes its size, "
                    "but btfgen cannot represent the kind)"
                  : ""));
    TypesDone = true;
    return false;
  }
  uint64_t Left = Hdr.TypeLen - (TW + 3) * 4;
  if (uint64_t(DataSize) > Left) {
    BoundsErr.emplace(malformed(Name,
                                "type [{0}] {1}: vlen {2} record ({3} bytes) "
                                "overflows the type section ({4} bytes left)",
                                Id, kindName(K), T.vlen(), DataSize, Left));
    TypesDone = true;
    return false;
  }
  DataWords = uint64_t(DataSize) / 4;
  return true;
}

/// A record whose bounds are checked: count it, and unless an earlier
/// record failed its own checks, check it and append it. An anonymous
/// `const void` (the stub a kernel view puts in place of each record it
/// drops, KernelView.h; 9 in 10 of a view's records) is valid as it stands
/// and refers to nothing: it is appended without the general checks.
void Reader::addRecord(const BTFType &T, const uint32_t *D,
                       uint64_t DataWords) {
  TW += 3 + DataWords;
  TypeId Id = ++Count;
  if (RecordErr)
    return;
  static const uint32_t ConstInfo = BTFType::makeInfo(Kind::Const, 0, false);
  if (T.NameOff == 0 && T.Info == ConstInfo && T.SizeOrType == 0) {
    Table.addType(T, {});
    return;
  }
  ArrayRef<uint32_t> Data(D, DataWords);
  if (Error E = checkRecord(Id, T, Data)) {
    RecordErr.emplace(std::move(E));
    return;
  }
  Table.addType(T, Data);
  TypeId Max = 0;
  Table.forEachRef(Id, [&](TypeId Ref, RefRole, uint32_t) {
    Max = std::max(Max, Ref);
  });
  if (Max > MaxRef) {
    MaxRef = Max;
    RefPeaks.push_back({Id, Max});
  }
}

/// Every type ID a record refers to must exist (btf_validate_id). The
/// first record with a reference out of range is the first of RefPeaks
/// with one; its first such reference is the one reported.
void Reader::findBadRef() {
  const uint32_t N = Count + 1;
  for (auto [Id, Max] : RefPeaks) {
    if (Max < N)
      continue;
    Table.forEachRef(Id, [&](TypeId Ref, RefRole Role, uint32_t I) {
      if (Ref >= N && !Bad.Id)
        Bad = {Id, Ref, Role, I};
    });
    return;
  }
}

/// The message for Bad, the first reference out of range.
Error Reader::refError(const TypeTable &T) const {
  const uint32_t N = T.size();
  TypeId Id = Bad.Id, BadRef = Bad.Ref;
  uint32_t BadIdx = Bad.Idx;
  {
    // The kernel verifier's words for each field (btf_check_*).
    const char *What = "type_id";
    bool Indexed = false;
    switch (Bad.Role) {
    case RefRole::Pointee:
    case RefRole::Type:
      break;
    case RefRole::Return:
      What = "ret_type_id";
      break;
    case RefRole::Elem:
      What = "elem type_id";
      break;
    case RefRole::Index:
      What = "index_type_id";
      break;
    case RefRole::Param:
      What = "param";
      Indexed = true;
      break;
    case RefRole::Member:
      What = "member";
      Indexed = true;
      break;
    case RefRole::Var:
      What = "var";
      Indexed = true;
      break;
    }
    if (!Indexed)
      return malformed(Name, "type [{0}] {1}: {2} {3} out of range (types {4})",
                       Id, kindName(T.kind(Id)), What, BadRef, N);
    return malformed(Name,
                     "type [{0}] {1}: {2} {3} type_id {4} out of range (types "
                     "{5})",
                     Id, kindName(T.kind(Id)), What, BadIdx, BadRef, N);
  }
}

Expected<TypeTable> Reader::finish() {
  // An input shorter than a header never completed one (take() saw no byte
  // of an empty input).
  if (!HeaderRead && Pos == Size && headerBytesComplete()) {
    HeaderRead = true;
    if (Error E = readHeader())
      HeaderErr.emplace(std::move(E));
  }
  // Errors in rank order; the ones not reported are dropped.
  std::optional<Error> Stream;
  if (Pos != Size || !HeaderRead)
    Stream.emplace(malformed(Name, "input ended after {0} of {1} bytes", Pos,
                             Size));
  else if (!HeaderErr)
    if (Error E = checkStringBytes())
      HeaderErr.emplace(std::move(E));
  if (!HeaderErr && !BoundsErr && Hdr.TypeLen % 4)
    BoundsErr.emplace(malformed(Name,
                                "type section: {0} trailing bytes after type "
                                "[{1}]",
                                Hdr.TypeLen % 4, Count));
  std::optional<Error> First;
  for (std::optional<Error> *Slot : {&Stream, &HeaderErr, &BoundsErr,
                                     &RecordErr})
    if (*Slot)
      keepFirst(First, std::move(**Slot));
  if (First)
    return std::move(*First);

  Table.setStrings(std::move(Strings));
  findBadRef();
  if (Bad.Id)
    return refError(Table);
  if (Error E = checkLayoutCycles(Table, Name))
    return E;
  Table.setKnownPointerSize(Table.guessPointerSize());
  return std::move(Table);
}

Expected<TypeTable> readBTF(MemoryBufferRef Buf) {
  Reader R(Buf.getBufferIdentifier(), Buf.getBufferSize());
  R.take(Buf.getBuffer());
  return R.finish();
}

struct BTFStreamReader::Impl {
  std::string Name;
  Reader R;
  Impl(StringRef Name, uint64_t Size, uint32_t Records, uint32_t TypeIds)
      : Name(Name.str()), R(this->Name, Size, Records, TypeIds) {}
};

BTFStreamReader::BTFStreamReader(StringRef Name, uint64_t Size,
                                 uint32_t Records, uint32_t TypeIds)
    : P(std::make_unique<Impl>(Name, Size, Records, TypeIds)) {}
BTFStreamReader::~BTFStreamReader() = default;
void BTFStreamReader::take(StringRef Bytes) { P->R.take(Bytes); }
Expected<TypeTable> BTFStreamReader::finish() { return P->R.finish(); }

Expected<TypeTable> readBTFAny(MemoryBufferRef Buf) {
  StringRef Name = Buf.getBufferIdentifier();
  if (!isELF(Buf.getBuffer()))
    return readBTF(Buf);

  Expected<std::unique_ptr<object::ObjectFile>> Obj =
      object::ObjectFile::createELFObjectFile(Buf);
  if (!Obj)
    return malformed(Name, "invalid ELF file: {0}", toString(Obj.takeError()));
  for (const object::SectionRef &S : (*Obj)->sections()) {
    Expected<StringRef> SecName = S.getName();
    if (!SecName) {
      consumeError(SecName.takeError());
      continue;
    }
    if (*SecName != ".BTF")
      continue;
    Expected<StringRef> Contents = S.getContents();
    if (!Contents)
      return malformed(Name, "ELF section .BTF: {0}",
                       toString(Contents.takeError()));
    Expected<TypeTable> T = readBTF(MemoryBufferRef(*Contents, Name));
    if (T) {
      // libbpf's btf_parse_elf(): the ELF class says, not the guess.
      T->setKnownPointerSize((*Obj)->getBytesInAddress());
    }
    return T;
  }
  return malformed(Name, "ELF file has no .BTF section");
}

} // namespace btfgen
