//===- BTFReader.cpp - Validating BTF parser ------------------------------===//
//
// Parses raw .BTF bytes into a TypeTable in three passes, all linear:
//
//   1. the header (libbpf src/btf.c btf_parse_hdr): magic, version, hdr_len,
//      section bounds, alignment and layout;
//   2. the string section (btf_parse_str_sec): non-empty, starts and ends
//      with NUL;
//   3. the type section (btf_parse_type_sec + btf_validate_type): each
//      record's kind, size, vlen rules and string offsets while walking it,
//      then every referenced type ID once the number of types is known.
//
// The type section is walked twice in place: once for record boundaries
// (so the table is reserved to its exact size), once to check and append
// each record; no per-type allocation happens.
//
// A last linear pass (checkCycles) rejects reference cycles that do not go
// through a pointer: a typedef naming itself, `struct a { struct a x; }`, an
// array of itself. Such a type has no size and no end, the kernel's
// btf_resolve() refuses it ("Loop detected"), and every consumer that walks
// type chains (libbpf's skip_mods_and_typedefs, btf__resolve_size) would
// spin on it until a depth limit. Cycles through PTR are how C spells
// recursive data structures and are legal; FUNC and FUNC_PROTO edges are not
// followed either (a prototype is never part of a type's layout).
//
// Messages name the record: "type [12] STRUCT: member 3 type_id 99999 out of
// range (types 4321)". Member/param/value indices are 0-based.
//
//===----------------------------------------------------------------------===//

#include "btfgen/BTFReader.h"

#include "btfgen/Errors.h"

#include "llvm/Object/ELFObjectFile.h"
#include "llvm/Object/ObjectFile.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/FormatVariadic.h"

#include <cstring>
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
  Reader(MemoryBufferRef Buf)
      : Name(Buf.getBufferIdentifier()), Bytes(Buf.getBuffer()) {}

  Expected<TypeTable> read();

private:
  Error readHeader();
  Error readLayoutHeader();
  Error checkLayoutSection();
  Error readTypes(TypeTable &T);
  Error checkRecord(TypeId Id, const BTFType &T, ArrayRef<uint32_t> D);
  Error refError(const TypeTable &T) const;
  Error checkCycles(const TypeTable &T);

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

  StringRef Name;
  StringRef Bytes;
  BTFHeader Hdr{};
  /// The newest header's layout section (0, 0 when absent).
  static constexpr uint32_t LayoutHdrEnd = 32;
  uint32_t LayoutOff = 0, LayoutLen = 0;
  uint64_t TypeBegin = 0, StrBegin = 0;
  uint32_t StrLen = 0;
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
  LayoutOff = read32le(Bytes.data() + 24);
  LayoutLen = read32le(Bytes.data() + 28);
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

Error Reader::readHeader() {
  using support::endian::read16le;
  using support::endian::read32le;
  const uint64_t Size = Bytes.size();
  if (Size >= 2) {
    uint16_t Magic = read16le(Bytes.data());
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
  const char *P = Bytes.data();
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
  uint64_t TypeEnd = TypeBegin + Hdr.TypeLen;
  StrBegin = uint64_t(Hdr.HdrLen) + Hdr.StrOff;
  uint64_t StrEnd = StrBegin + Hdr.StrLen;
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

  // btf_parse_str_sec.
  if (Hdr.StrLen == 0)
    return malformed(Name, "strings: string section is empty");
  if (Hdr.StrLen - 1 > MaxStrOffset)
    return malformed(Name, "strings: string section size {0} is too large",
                     Hdr.StrLen);
  if (Bytes[StrBegin] != '\0')
    return malformed(Name, "strings: string section does not start with NUL");
  if (Bytes[StrEnd - 1] != '\0')
    return malformed(Name,
                     "strings: string section is not NUL-terminated "
                     "(last byte at offset {0})",
                     StrEnd - 1);
  StrLen = Hdr.StrLen;
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

Error Reader::readTypes(TypeTable &Table) {
  // Records are read in place when the section is 4-byte aligned in memory
  // on a little-endian host (the usual case: MemoryBuffers are page or
  // 16-byte aligned and type_off is checked to be a multiple of 4), else
  // from one aligned, byte-swapped copy.
  const uint64_t NWords = Hdr.TypeLen / 4;
  const char *Src = Bytes.data() + TypeBegin;
  std::vector<uint32_t> Copy;
  const uint32_t *Words = reinterpret_cast<const uint32_t *>(Src);
  if (!sys::IsLittleEndianHost ||
      reinterpret_cast<uintptr_t>(Src) % alignof(uint32_t) != 0) {
    Copy.resize(NWords);
    for (uint64_t I = 0; I < NWords; ++I)
      Copy[I] = support::endian::read32le(Src + I * 4);
    Words = Copy.data();
  }

  // Pass 1: record boundaries and kinds only, to size the table exactly.
  uint64_t Pos = 0;
  uint32_t Count = 0;
  while (Pos < NWords) {
    TypeId Id = Count + 1;
    if (Id > BTFMaxType)
      return malformed(Name, "type [{0}]: too many types (at most {1})", Id,
                       BTFMaxType);
    if (NWords - Pos < 3)
      return malformed(Name,
                       "type [{0}]: truncated record at type section "
                       "offset {1} ({2} bytes left, need 12)",
                       Id, Pos * 4, (Hdr.TypeLen - Pos * 4));
    BTFType T{Words[Pos], Words[Pos + 1], Words[Pos + 2]};
    Kind K = T.kind();
    int64_t DataSize = kindDataSize(T);
    if (K == Kind::Unknown || DataSize < 0)
      return malformed(Name,
                       "type [{0}]: unknown kind {1} at type section "
                       "offset {2}{3}",
                       Id, unsigned(K), Pos * 4,
                       LayoutLen ? " (the layout section describes its size, "
                                   "but btfgen cannot represent the kind)"
                                 : "");
    uint64_t Left = Hdr.TypeLen - (Pos + 3) * 4;
    if (uint64_t(DataSize) > Left)
      return malformed(Name,
                       "type [{0}] {1}: vlen {2} record ({3} bytes) "
                       "overflows the type section ({4} bytes left)",
                       Id, kindName(K), T.vlen(), DataSize, Left);
    Pos += 3 + DataSize / 4;
    ++Count;
  }
  if (Hdr.TypeLen % 4)
    return malformed(Name, "type section: {0} trailing bytes after type [{1}]",
                     Hdr.TypeLen % 4, Count);

  // Pass 2: per-record checks and the copy into the table. An anonymous
  // `const void` (the stub a kernel view puts in place of each record it
  // drops, KernelView.h; 9 in 10 of a view's records) is valid as it
  // stands and refers to nothing: it is appended without the general
  // checks. Every type ID a
  // record refers to must exist (btf_validate_id); pass 1 counted the
  // types, so references, which may point forward, are checked here too,
  // and the first bad one is reported once every record has passed its own
  // checks (as if in a pass of their own).
  Table.reserve(Count, NWords - 3 * uint64_t(Count));
  const uint32_t N = Count + 1;
  Pos = 0;
  const uint32_t ConstInfo = BTFType::makeInfo(Kind::Const, 0, false);
  for (TypeId Id = 1; Id <= Count; ++Id) {
    BTFType T{Words[Pos], Words[Pos + 1], Words[Pos + 2]};
    if (T.NameOff == 0 && T.Info == ConstInfo && T.SizeOrType == 0) {
      Table.addType(T, {});
      Pos += 3;
      continue;
    }
    uint64_t DataWords = uint64_t(kindDataSize(T)) / 4;
    ArrayRef<uint32_t> D(Words + Pos + 3, DataWords);
    if (Error E = checkRecord(Id, T, D))
      return E;
    Table.addType(T, D);
    if (!Bad.Id)
      Table.forEachRef(Id, [&](TypeId Ref, RefRole Role, uint32_t I) {
        if (Ref >= N && !Bad.Id)
          Bad = {Id, Ref, Role, I};
      });
    Pos += 3 + DataWords;
  }
  return Error::success();
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

/// The layout edges of a type (see the file comment): what it is made of,
/// as opposed to what it points to. The IDs are At[0], At[Stride], ...,
/// At[(Count - 1) * Stride], in record order.
struct LayoutEdges {
  const uint32_t *At = nullptr;
  uint32_t Count = 0;
  uint32_t Stride = 0;
  TypeId operator[](uint32_t I) const { return At[I * Stride]; }
};

static LayoutEdges layoutEdges(const TypeTable &T, TypeId Id) {
  constexpr uint32_t MemberWords = sizeof(BTFMember) / 4;
  constexpr uint32_t SecinfoWords = sizeof(BTFVarSecinfo) / 4;
  switch (T.kind(Id)) {
  case Kind::Typedef:
  case Kind::Volatile:
  case Kind::Const:
  case Kind::Restrict:
  case Kind::TypeTag:
  case Kind::Var:
  case Kind::DeclTag:
    return {&T.type(Id).SizeOrType, 1, 1};
  case Kind::Array:
    return {&T.array(Id).ElemType, 1, 1};
  case Kind::Struct:
  case Kind::Union: {
    ArrayRef<BTFMember> Ms = T.members(Id);
    return {Ms.empty() ? nullptr : &Ms[0].Type, uint32_t(Ms.size()),
            MemberWords};
  }
  case Kind::Datasec: {
    ArrayRef<BTFVarSecinfo> Vs = T.secinfos(Id);
    return {Vs.empty() ? nullptr : &Vs[0].Type, uint32_t(Vs.size()),
            SecinfoWords};
  }
  default:
    return {};
  }
}

/// Iterative depth-first search over layout edges with the usual three
/// colours; a grey successor closes a cycle. Linear in types + edges, no
/// recursion (a chain of 100K typedefs is legal and must not overflow the
/// stack). The message spells the cycle, at most 8 steps of it.
Error Reader::checkCycles(const TypeTable &T) {
  enum : uint8_t { White, Grey, Black };
  const uint32_t N = T.size();
  std::vector<uint8_t> Colour(N, White);
  struct Frame {
    TypeId Id;
    uint32_t Next;
    LayoutEdges Edges;
  };
  std::vector<Frame> Stack;
  // Whether every layout edge of Id leads to void or to a type already
  // proven acyclic: then Id is too, and needs no stack frame. That is most
  // types (leaves, and records after what they are made of), and most of
  // the time of a read.
  auto Settled = [&](const LayoutEdges &Es) {
    for (uint32_t I = 0; I < Es.Count; ++I) {
      TypeId To = Es[I];
      if (To != 0 && Colour[To] != Black)
        return false;
    }
    return true;
  };
  for (TypeId Root = 1; Root < N; ++Root) {
    if (Colour[Root] != White)
      continue;
    LayoutEdges RootEdges = layoutEdges(T, Root);
    if (Settled(RootEdges)) {
      Colour[Root] = Black;
      continue;
    }
    Colour[Root] = Grey;
    Stack.push_back({Root, 0, RootEdges});
    while (!Stack.empty()) {
      Frame &F = Stack.back();
      if (F.Next == F.Edges.Count) {
        Colour[F.Id] = Black;
        Stack.pop_back();
        continue;
      }
      TypeId To = F.Edges[F.Next++];
      if (To == 0 || Colour[To] == Black)
        continue;
      if (Colour[To] == White) {
        Colour[To] = Grey;
        Stack.push_back({To, 0, layoutEdges(T, To)});
        continue;
      }
      // Grey: To is on the stack; the cycle is To -> ... -> F.Id -> To.
      size_t Start = Stack.size() - 1;
      while (Stack[Start].Id != To)
        --Start;
      std::string Path;
      size_t Len = Stack.size() - Start;
      for (size_t I = 0; I < Len && I < 8; ++I)
        Path += formatv("[{0}] {1} -> ", Stack[Start + I].Id,
                        kindName(T.kind(Stack[Start + I].Id)));
      if (Len > 8)
        Path += "... -> ";
      Path += formatv("[{0}]", To);
      return malformed(Name,
                       "type [{0}] {1} {2}: reference cycle not through a "
                       "pointer: {3}",
                       To, kindName(T.kind(To)), quoteBounded(T.name(To)),
                       Path);
    }
  }
  return Error::success();
}

Expected<TypeTable> Reader::read() {
  if (Error E = readHeader())
    return E;
  TypeTable T;
  T.setStrings(std::string(Bytes.substr(StrBegin, StrLen)));
  if (Error E = readTypes(T))
    return E;
  if (Bad.Id)
    return refError(T);
  if (Error E = checkCycles(T))
    return E;
  T.setKnownPointerSize(T.guessPointerSize());
  return T;
}

Expected<TypeTable> readBTF(MemoryBufferRef Buf) { return Reader(Buf).read(); }

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
