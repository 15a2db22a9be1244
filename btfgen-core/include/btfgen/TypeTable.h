//===- TypeTable.h - In-memory BTF ------------------------------*- C++ -*-===//
//
// A TypeTable is one BTF type graph held as flat arrays, in the spirit of
// libbpf's `struct btf` (type_offs + raw data) rather than a pointer graph:
//
//   Types[Id]    the 12-byte common record of type Id (Types[0] is void)
//   DataOff[Id]  index into Data of type Id's kind-specific words
//   Data         all kind-specific records, as little-endian u32 words
//   Strings      the string section ("\0" first), offsets are StrOffset
//
// The layout is the on-disk one, so reading is a bounds-checked copy
// (BTFReader) and writing is a copy (BTFWriter). Member and param lists are
// ArrayRefs into Data: they stay valid until the next addType() call.
//
// Tables are built once and then only read; all const methods are safe to
// call from several threads, except that buildNameIndex() must have been
// called (from one thread) before findByEssentialName(), and that a table
// with an access log (setAccessLog) belongs to the one thread that reads it.
//
//===----------------------------------------------------------------------===//

#ifndef BTFGEN_TYPETABLE_H
#define BTFGEN_TYPETABLE_H

#include "btfgen/BTFFormat.h"
#include "btfgen/TableAccessLog.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/BitVector.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringRef.h"

#include <cassert>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace btfgen {

/// What a type ID stored in a record is (TypeTable::forEachRef).
enum class RefRole : uint8_t {
  Pointee, ///< a PTR's target
  Type,    ///< type_id of TYPEDEF, CV modifiers, TYPE_TAG, FUNC, VAR, DECL_TAG
  Return,  ///< a FUNC_PROTO's return type
  Param,   ///< FUNC_PROTO parameter I
  Elem,    ///< an ARRAY's element type
  Index,   ///< an ARRAY's index type
  Member,  ///< STRUCT/UNION member I
  Var,     ///< DATASEC variable I
};

class TypeTable {
public:
  /// An empty table holding only void (id 0) and the empty string.
  TypeTable();

  /// Number of type IDs, including void: valid IDs are [0, size()).
  uint32_t size() const { return static_cast<uint32_t>(Types.size()); }
  bool isValid(TypeId Id) const { return Id < Types.size(); }

  const BTFType &type(TypeId Id) const {
    touch(Id);
    return Types[Id];
  }
  Kind kind(TypeId Id) const { return Id == 0 ? Kind::Unknown : type(Id).kind(); }
  uint32_t vlen(TypeId Id) const { return type(Id).vlen(); }
  bool kflag(TypeId Id) const { return type(Id).kflag(); }
  /// The name of type Id ("" when anonymous, and for void).
  llvm::StringRef name(TypeId Id) const { return str(type(Id).NameOff); }
  /// The string at offset Off, or "" if Off is out of range.
  llvm::StringRef str(StrOffset Off) const;

  /// Kind-specific views. Each asserts the kind matches.
  uint32_t intWord(TypeId Id) const;
  const BTFArray &array(TypeId Id) const;
  llvm::ArrayRef<BTFMember> members(TypeId Id) const;  // STRUCT, UNION
  llvm::ArrayRef<BTFEnum> enums(TypeId Id) const;      // ENUM
  llvm::ArrayRef<BTFEnum64> enums64(TypeId Id) const;  // ENUM64
  llvm::ArrayRef<BTFParam> params(TypeId Id) const;    // FUNC_PROTO
  uint32_t varLinkage(TypeId Id) const;                // VAR
  llvm::ArrayRef<BTFVarSecinfo> secinfos(TypeId Id) const; // DATASEC
  int32_t declTagComponent(TypeId Id) const;           // DECL_TAG
  /// The raw kind-specific words of type Id (any kind).
  llvm::ArrayRef<uint32_t> data(TypeId Id) const;

  /// Value of enumerator I of an ENUM or ENUM64, sign-extended from 32 bits
  /// for a signed ENUM (kflag set), as libbpf's btf_enum/btf_enum64 readers do.
  uint64_t enumValue(TypeId Id, uint32_t I) const;
  llvm::StringRef enumName(TypeId Id, uint32_t I) const;

  /// Call F(Ref, Role, I) for every type ID stored in the record of Id
  /// (1 <= Id < size()), in record order: the type word first (PTR target,
  /// modifier/typedef/FUNC/VAR/tag type, FUNC_PROTO return), then params,
  /// element then index type, members, DATASEC vars. I is the position in
  /// the record's list (params, members, vars), 0 otherwise. IDs are passed
  /// as stored, unchecked (BTFReader checks them with this walk); 0 is void.
  /// Inline: the reader runs it over every record of every kernel.
  template <typename Fn> void forEachRef(TypeId Id, Fn &&F) const;
  /// Replace every type ID stored in the record of Id (the ones forEachRef
  /// passes, in place) by Map(ID). For builders that renumber a table.
  template <typename Fn> void remapRefs(TypeId Id, Fn &&Map);
  /// Move records 1.. to IDs Ids[1..] (Ids[0] = 0, strictly increasing,
  /// below NumTypes) and put Stub, a record without kind-specific words, at
  /// every other ID below NumTypes. References are left as they are.
  void spreadRecords(llvm::ArrayRef<TypeId> Ids, uint32_t NumTypes,
                     const BTFType &Stub);
  /// Put Stub, a record without kind-specific words, at every ID not in
  /// Keep, dropping those records' words (the rest move down in place;
  /// their storage is given back when that halves it). References are left
  /// as they are.
  void stubRecords(const llvm::BitVector &Keep, const BTFType &Stub);

  /// libbpf's skip_mods_and_typedefs() (libbpf.c, v1.1.2 and newest alike):
  /// follow CV modifiers (VOLATILE, CONST, RESTRICT), TYPE_TAG and typedefs
  /// from Id to the first other type (maybe void). libbpf's loop has no
  /// bound, and neither has this one on BTF without cycles: every step
  /// reaches a new type, so the walk ends within size() steps whatever the
  /// chain's length. std::nullopt where libbpf would read a NULL type (an
  /// ID out of range) or loop forever (a cycle; BTFReader rejects those,
  /// but not every table comes from it).
  std::optional<TypeId> trySkipModsAndTypedefs(TypeId Id) const;
  /// trySkipModsAndTypedefs(), or 0 (void) where it fails.
  TypeId skipModsAndTypedefs(TypeId Id) const {
    return trySkipModsAndTypedefs(Id).value_or(0);
  }

  /// What libbpf learns of the pointer size when it loads this BTF from the
  /// file it came from (btf.c): the ELF class for an ELF file, else
  /// guessPointerSize(); 0 when neither tells (libbpf then uses its own).
  /// Set by the readers, and by builders for the file they will write.
  uint32_t knownPointerSize() const { return KnownPointerSize; }
  void setKnownPointerSize(uint32_t Known) { KnownPointerSize = Known; }
  /// Pointer size in bytes for resolveSize() (libbpf's btf_ptr_sz()):
  /// knownPointerSize(), or a 64-bit loader's own 8 when that is 0.
  uint32_t pointerSize() const {
    return KnownPointerSize ? KnownPointerSize : 8;
  }

  /// libbpf's guess of the target's pointer size (btf.c
  /// determine_ptr_size()): the size of longType(); 0 if there is none.
  uint32_t guessPointerSize() const;
  /// The type that guess reads: the first INT of 4 or 8 bytes named
  /// isLongName(), or 0.
  TypeId longType() const;
  /// Names libbpf reads as C `long`: "long", "unsigned long", "long int",
  /// "long unsigned int" and the other orders of those words, one space
  /// apart.
  static bool isLongName(llvm::StringRef Name);

  /// Byte size of a type as libbpf's btf__resolve_size() computes it, or -1
  /// if it has none (void, FUNC_PROTO, FWD, ...) or the chain is too deep.
  int64_t resolveSize(TypeId Id) const;

  /// Builder interface. Strings are deduplicated; offsets are assigned in
  /// first-add order, which keeps output deterministic.
  StrOffset addString(llvm::StringRef S);
  /// Append a type with its kind-specific words; returns the new ID. Data
  /// must have exactly kindDataSize(T) / 4 words.
  TypeId addType(const BTFType &T, llvm::ArrayRef<uint32_t> Data);
  /// Make room for NumTypes more types holding NumWords kind-specific words
  /// in total, so a reader that knows both up front appends without
  /// regrowing (BTFReader).
  void reserve(uint32_t NumTypes, size_t NumWords);
  /// Replace the whole string section (used by BTFReader, which validates
  /// offsets afterwards). Does not fill the dedup map: call addString only
  /// on tables built from scratch or after indexStrings().
  void setStrings(std::string S);
  /// Build the string dedup map from the current string section.
  void indexStrings();
  const std::string &strings() const { return Strings; }

  /// Mutable access for in-place fix-ups by builders (ID remapping). Not for
  /// tables shared between threads.
  BTFType &mutableType(TypeId Id) { return Types[Id]; }
  llvm::MutableArrayRef<uint32_t> mutableData(TypeId Id);

  /// Candidate lookup by essential name (name with any "___flavor" suffix
  /// removed, see essentialName()). Returns IDs in increasing order; empty
  /// when none. buildNameIndex() must have run first.
  void buildNameIndex();
  bool hasNameIndex() const { return NameIndexBuilt; }
  llvm::ArrayRef<TypeId> findByEssentialName(llvm::StringRef Essential) const;

  /// Log every record read through the accessors above (and every name
  /// looked up) into Log, until called again with null. Log->Records must
  /// have size() bits. Reading through mutableType()/mutableData() or a
  /// builder is not logged, nor is a copy of the table (copies and moves
  /// start without a log).
  void setAccessLog(TableAccessLog *L) const { Log.P = L; }
  /// Whether a read crossed the access log's bounds (TableAccessLog::Within).
  bool readPastBounds() const { return Log.P && Log.P->Escaped; }

  /// Total bytes of the type section if written out.
  uint64_t typeSectionSize() const { return (Types.size() - 1) * sizeof(BTFType) + Data.size() * 4; }

private:
  void touch(TypeId Id) const {
    if (LLVM_UNLIKELY(Log.P != nullptr))
      logRead(Id);
  }
  void logRead(TypeId Id) const {
    Log.P->Records.set(Id);
    if (Log.P->Within && !Log.P->Within->test(Id))
      Log.P->Escaped = true;
  }
  /// The log of this table object only: a copy or a move of the table
  /// starts without one, so that no table outlives the log it writes to.
  struct LogSlot {
    TableAccessLog *P = nullptr;
    LogSlot() = default;
    LogSlot(const LogSlot &) {}
    LogSlot &operator=(const LogSlot &) {
      P = nullptr;
      return *this;
    }
  };

  /// Words as an array of word-shaped records.
  template <typename T>
  static llvm::ArrayRef<T> viewAs(llvm::ArrayRef<uint32_t> Words);
  mutable LogSlot Log;
  /// The one stored pointer size; pointerSize() derives from it.
  uint32_t KnownPointerSize = 0;
  std::vector<BTFType> Types;
  std::vector<uint32_t> DataOff;
  std::vector<uint32_t> Data;
  std::string Strings;
  llvm::StringMap<StrOffset> StringIds;

  bool NameIndexBuilt = false;
  /// Parallel arrays sorted by (hash of essential name, essential name,
  /// id): integer compares do almost all of the sorting, and names that
  /// share a hash stay contiguous, so each name's IDs are one ascending
  /// slice. Keys are (offset, length) into Strings rather than StringRefs
  /// so that moving the table (std::string's small-buffer case) cannot
  /// leave them dangling.
  std::vector<uint64_t> NameIndexHashes;
  std::vector<std::pair<StrOffset, uint32_t>> NameIndexKeys;
  std::vector<TypeId> NameIndexIds;
  llvm::StringRef indexKey(size_t I) const {
    return llvm::StringRef(Strings.data() + NameIndexKeys[I].first,
                           NameIndexKeys[I].second);
  }
};

/// Replace every type ID stored in a record (its common part T and
/// kind-specific words D, as TypeTable::forEachRef lists them) by Map(ID).
template <typename Fn>
void remapRecordRefs(BTFType &T, llvm::MutableArrayRef<uint32_t> D, Fn &&Map);

/// libbpf's bpf_core_essential_name_len(): the name up to the last "___"
/// (triple underscore) suffix, if any. "task_struct___old" -> "task_struct".
llvm::StringRef essentialName(llvm::StringRef Name);

// The accessors every walk over a table calls: inline, so that matching,
// minimization and the reader pay no call per record.

inline llvm::StringRef TypeTable::str(StrOffset Off) const {
  if (Off >= Strings.size())
    return llvm::StringRef();
  return llvm::StringRef(Strings.data() + Off); // NUL-terminated by construction
}

inline llvm::ArrayRef<uint32_t> TypeTable::data(TypeId Id) const {
  touch(Id);
  uint32_t Begin = DataOff[Id];
  uint32_t End = Id + 1 < DataOff.size() ? DataOff[Id + 1] : Data.size();
  return llvm::ArrayRef<uint32_t>(Data.data() + Begin, End - Begin);
}

template <typename T>
llvm::ArrayRef<T> TypeTable::viewAs(llvm::ArrayRef<uint32_t> Words) {
  static_assert(sizeof(T) % 4 == 0 && alignof(T) <= 4, "word-shaped record");
  return llvm::ArrayRef<T>(reinterpret_cast<const T *>(Words.data()),
                           Words.size() * 4 / sizeof(T));
}

inline TypeId TypeTable::addType(const BTFType &T,
                                 llvm::ArrayRef<uint32_t> Words) {
  assert(int64_t(Words.size() * 4) == kindDataSize(T) &&
         "kind data size mismatch");
  TypeId Id = static_cast<TypeId>(Types.size());
  Types.push_back(T);
  DataOff.push_back(static_cast<uint32_t>(Data.size()));
  if (!Words.empty())
    Data.insert(Data.end(), Words.begin(), Words.end());
  NameIndexBuilt = false;
  return Id;
}

inline uint32_t TypeTable::intWord(TypeId Id) const {
  assert(kind(Id) == Kind::Int && "not an INT");
  return data(Id)[0];
}

inline const BTFArray &TypeTable::array(TypeId Id) const {
  assert(kind(Id) == Kind::Array && "not an ARRAY");
  return viewAs<BTFArray>(data(Id))[0];
}

inline llvm::ArrayRef<BTFMember> TypeTable::members(TypeId Id) const {
  assert((kind(Id) == Kind::Struct || kind(Id) == Kind::Union) &&
         "not a STRUCT/UNION");
  return viewAs<BTFMember>(data(Id));
}

inline llvm::ArrayRef<BTFEnum> TypeTable::enums(TypeId Id) const {
  assert(kind(Id) == Kind::Enum && "not an ENUM");
  return viewAs<BTFEnum>(data(Id));
}

inline llvm::ArrayRef<BTFEnum64> TypeTable::enums64(TypeId Id) const {
  assert(kind(Id) == Kind::Enum64 && "not an ENUM64");
  return viewAs<BTFEnum64>(data(Id));
}

inline llvm::ArrayRef<BTFParam> TypeTable::params(TypeId Id) const {
  assert(kind(Id) == Kind::FuncProto && "not a FUNC_PROTO");
  return viewAs<BTFParam>(data(Id));
}

inline uint32_t TypeTable::varLinkage(TypeId Id) const {
  assert(kind(Id) == Kind::Var && "not a VAR");
  return data(Id)[0];
}

inline llvm::ArrayRef<BTFVarSecinfo> TypeTable::secinfos(TypeId Id) const {
  assert(kind(Id) == Kind::Datasec && "not a DATASEC");
  return viewAs<BTFVarSecinfo>(data(Id));
}

inline int32_t TypeTable::declTagComponent(TypeId Id) const {
  assert(kind(Id) == Kind::DeclTag && "not a DECL_TAG");
  return static_cast<int32_t>(data(Id)[0]);
}

/// The one list of where a record stores type IDs: call F(Slot, Role, I)
/// with a reference to each such word of the record (its common part T and
/// kind-specific words D, an ArrayRef or a MutableArrayRef), in record
/// order; const or not as T and D are. forEachRef reads through it,
/// remapRecordRefs writes.
template <typename TypeT, typename WordsT, typename Fn>
void visitRefSlots(TypeT &T, WordsT D, Fn &&F) {
  // Kind-specific words are lists of fixed-size entries; the ID is word
  // First of each Stride-word entry.
  auto List = [&](uint32_t First, uint32_t Stride, RefRole Role) {
    for (uint32_t I = 0; size_t(I) * Stride + First < D.size(); ++I)
      F(D[size_t(I) * Stride + First], Role, I);
  };
  switch (T.kind()) {
  case Kind::Ptr:
    F(T.SizeOrType, RefRole::Pointee, 0);
    break;
  case Kind::Typedef:
  case Kind::Volatile:
  case Kind::Const:
  case Kind::Restrict:
  case Kind::TypeTag:
  case Kind::Func:
  case Kind::Var:
  case Kind::DeclTag:
    F(T.SizeOrType, RefRole::Type, 0);
    break;
  case Kind::FuncProto:
    F(T.SizeOrType, RefRole::Return, 0);
    List(1, sizeof(BTFParam) / 4, RefRole::Param); // name, type
    break;
  case Kind::Array:
    F(D[0], RefRole::Elem, 0);  // BTFArray::ElemType
    F(D[1], RefRole::Index, 0); // BTFArray::IndexType
    break;
  case Kind::Struct:
  case Kind::Union:
    List(1, sizeof(BTFMember) / 4, RefRole::Member); // name, type, offset
    break;
  case Kind::Datasec:
    List(0, sizeof(BTFVarSecinfo) / 4, RefRole::Var); // type, offset, size
    break;
  default: // INT, ENUM, ENUM64, FLOAT, FWD: no references
    break;
  }
}

template <typename Fn>
void TypeTable::forEachRef(TypeId Id, Fn &&F) const {
  visitRefSlots(type(Id), data(Id),
                [&](const uint32_t &Slot, RefRole Role, uint32_t I) {
                  F(TypeId(Slot), Role, I);
                });
}

template <typename Fn>
void remapRecordRefs(BTFType &T, llvm::MutableArrayRef<uint32_t> D, Fn &&Map) {
  visitRefSlots(T, D, [&](uint32_t &Slot, RefRole, uint32_t) {
    Slot = Map(Slot);
  });
}

template <typename Fn> void TypeTable::remapRefs(TypeId Id, Fn &&Map) {
  remapRecordRefs(Types[Id], mutableData(Id), std::forward<Fn>(Map));
}

} // namespace btfgen

#endif // BTFGEN_TYPETABLE_H
