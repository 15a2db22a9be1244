//===- BTFFormat.h - On-disk BTF structures ---------------------*- C++ -*-===//
//
// Mirrors include/uapi/linux/btf.h: the .BTF header, the common type record,
// and the kind-specific records that follow it. All records are arrays of
// little-endian 32-bit words; the structs here are exactly their layout.
//
//   +------------+  BTFHeader (HdrLen bytes, >= 24)
//   | header     |
//   +------------+  HdrLen + TypeOff
//   | type data  |  BTFType, then vlen/kind-specific records, repeated
//   +------------+  HdrLen + StrOff
//   | strings    |  NUL-terminated, offset 0 is ""
//   +------------+
//
//===----------------------------------------------------------------------===//

#ifndef BTFGEN_BTFFORMAT_H
#define BTFGEN_BTFFORMAT_H

#include <cstdint>

namespace btfgen {

/// A BTF type ID. 0 is void; IDs are positions in the type section, from 1.
using TypeId = uint32_t;
/// An offset into a BTF string section.
using StrOffset = uint32_t;

constexpr uint16_t BTFMagic = 0xEB9F;
constexpr uint8_t BTFVersion = 1;
/// The largest vlen of the classic format (16 bits), the one every loader
/// reads and the one btfgen writes.
constexpr uint32_t BTFMaxVlen = 0xffff;
/// The largest vlen the newest kernels and libbpf read (24 bits, uapi
/// btf.h BTF_MAX_VLEN since the layout section; libbpf f7081a6).
constexpr uint32_t BTFMaxVlen24 = 0x00ffffff;
constexpr uint32_t BTFMaxType = 0x000fffff;

struct BTFHeader {
  uint16_t Magic;
  uint8_t Version;
  uint8_t Flags;
  uint32_t HdrLen;
  uint32_t TypeOff;
  uint32_t TypeLen;
  uint32_t StrOff;
  uint32_t StrLen;
};
static_assert(sizeof(BTFHeader) == 24, "BTF header is 24 bytes");

enum class Kind : uint8_t {
  Unknown = 0,
  Int = 1,
  Ptr = 2,
  Array = 3,
  Struct = 4,
  Union = 5,
  Enum = 6,
  Fwd = 7,
  Typedef = 8,
  Volatile = 9,
  Const = 10,
  Restrict = 11,
  Func = 12,
  FuncProto = 13,
  Var = 14,
  Datasec = 15,
  Float = 16,
  DeclTag = 17,
  TypeTag = 18,
  Enum64 = 19,
};
constexpr unsigned NumKinds = 20;

/// The kernel's upper-case name of a kind ("STRUCT", "ENUM64"), as bpftool
/// prints it. "UNKNOWN" for anything out of range.
const char *kindName(Kind K);

/// Kind classes, as libbpf's btf_is_composite(), btf_is_mod() and
/// skip_mods_and_typedefs() use them.
inline bool isComposite(Kind K) {
  return K == Kind::Struct || K == Kind::Union;
}
inline bool isAnyEnum(Kind K) { return K == Kind::Enum || K == Kind::Enum64; }
/// CV modifiers and TYPE_TAG: what skip_mods_and_typedefs() skips besides
/// typedefs.
inline bool isModifier(Kind K) {
  return K == Kind::Volatile || K == Kind::Const || K == Kind::Restrict ||
         K == Kind::TypeTag;
}
inline bool isModOrTypedef(Kind K) {
  return isModifier(K) || K == Kind::Typedef;
}
/// Kinds whose SizeOrType word is a size (or unused, FWD), not a type
/// reference.
inline bool hasSizeWord(Kind K) {
  return K == Kind::Int || K == Kind::Enum || K == Kind::Enum64 ||
         K == Kind::Struct || K == Kind::Union || K == Kind::Float ||
         K == Kind::Datasec || K == Kind::Fwd;
}

/// Common record: `struct btf_type`.
struct BTFType {
  StrOffset NameOff;
  /// bits 0-23: vlen (0-15 in the classic format, where 16-23 must be 0),
  /// bits 24-30: kind (24-28 classic), bit 31: kind_flag. The wide fields
  /// are the newest uapi btf.h's (BTF_INFO_VLEN 0xffffff, BTF_INFO_KIND
  /// 0x7f); every classic file reads the same through them.
  uint32_t Info;
  /// size for INT, ENUM, STRUCT, UNION, FLOAT, DATASEC, ENUM64; type for the
  /// rest (PTR, TYPEDEF, CV, FUNC, FUNC_PROTO return, VAR, TAGs).
  uint32_t SizeOrType;

  Kind kind() const { return static_cast<Kind>((Info >> 24) & 0x7f); }
  uint32_t vlen() const { return Info & BTFMaxVlen24; }
  bool kflag() const { return Info >> 31; }
  static uint32_t makeInfo(Kind K, uint32_t Vlen, bool KFlag) {
    return (uint32_t(KFlag) << 31) | (uint32_t(K) << 24) |
           (Vlen & BTFMaxVlen24);
  }
};
static_assert(sizeof(BTFType) == 12, "btf_type is 12 bytes");

/// INT trailing word: encoding (bits 24-27), offset (16-23), bits (0-7).
constexpr uint32_t BTFIntSigned = 1 << 0;
constexpr uint32_t BTFIntChar = 1 << 1;
constexpr uint32_t BTFIntBool = 1 << 2;
inline uint32_t intEncoding(uint32_t W) { return (W & 0x0f000000) >> 24; }
inline uint32_t intOffset(uint32_t W) { return (W & 0x00ff0000) >> 16; }
inline uint32_t intBits(uint32_t W) { return W & 0x000000ff; }
/// bpftool's spelling of an INT encoding: "(none)", "SIGNED", "CHAR",
/// "BOOL"; nullptr for any other value.
const char *intEncodingName(uint32_t Enc);
/// bpftool's spelling of a FUNC (vlen) or VAR linkage: "static", "global",
/// "extern"; nullptr for any other value.
const char *linkageName(uint32_t Linkage);

struct BTFArray {
  TypeId ElemType;
  TypeId IndexType;
  uint32_t NElems;
};
static_assert(sizeof(BTFArray) == 12, "btf_array is 12 bytes");

struct BTFMember {
  StrOffset NameOff;
  TypeId Type;
  /// Bit offset; with the parent's kind_flag set, bits 24-31 are the
  /// bitfield size and bits 0-23 the bit offset.
  uint32_t Offset;
};
static_assert(sizeof(BTFMember) == 12, "btf_member is 12 bytes");

/// Bit offset / bitfield size of a member, honouring the parent's kind_flag.
inline uint32_t memberBitOffset(bool KFlag, const BTFMember &M) {
  return KFlag ? (M.Offset & 0xffffff) : M.Offset;
}
inline uint32_t memberBitfieldSize(bool KFlag, const BTFMember &M) {
  return KFlag ? (M.Offset >> 24) : 0;
}

struct BTFEnum {
  StrOffset NameOff;
  int32_t Val;
};
static_assert(sizeof(BTFEnum) == 8, "btf_enum is 8 bytes");

struct BTFEnum64 {
  StrOffset NameOff;
  uint32_t ValLo32;
  uint32_t ValHi32;
};
static_assert(sizeof(BTFEnum64) == 12, "btf_enum64 is 12 bytes");

struct BTFParam {
  StrOffset NameOff;
  TypeId Type;
};
static_assert(sizeof(BTFParam) == 8, "btf_param is 8 bytes");

/// VAR trailing word: linkage.
struct BTFVar {
  uint32_t Linkage;
};

struct BTFVarSecinfo {
  TypeId Type;
  uint32_t Offset;
  uint32_t Size;
};
static_assert(sizeof(BTFVarSecinfo) == 12, "btf_var_secinfo is 12 bytes");

/// DECL_TAG trailing word: component index (-1 for the whole type).
struct BTFDeclTag {
  int32_t ComponentIdx;
};

/// Size in bytes of the kind-specific data that follows a BTFType, or -1 for
/// an unknown kind. This is libbpf's btf_type_size() minus the common part.
inline int64_t kindDataSize(const BTFType &T) {
  uint64_t V = T.vlen();
  switch (T.kind()) {
  case Kind::Fwd:
  case Kind::Const:
  case Kind::Volatile:
  case Kind::Restrict:
  case Kind::Ptr:
  case Kind::Typedef:
  case Kind::Func:
  case Kind::Float:
  case Kind::TypeTag:
    return 0;
  case Kind::Int:
    return 4;
  case Kind::Enum:
    return V * sizeof(BTFEnum);
  case Kind::Enum64:
    return V * sizeof(BTFEnum64);
  case Kind::Array:
    return sizeof(BTFArray);
  case Kind::Struct:
  case Kind::Union:
    return V * sizeof(BTFMember);
  case Kind::FuncProto:
    return V * sizeof(BTFParam);
  case Kind::Var:
    return sizeof(BTFVar);
  case Kind::Datasec:
    return V * sizeof(BTFVarSecinfo);
  case Kind::DeclTag:
    return sizeof(BTFDeclTag);
  case Kind::Unknown:
    break;
  }
  return -1;
}

} // namespace btfgen

#endif // BTFGEN_BTFFORMAT_H
