//===- TypeTable.cpp - In-memory BTF --------------------------------------===//
//
// Accessors and the builder for TypeTable. Kind data sizes follow the kernel
// UAPI (include/uapi/linux/btf.h) and libbpf's btf_type_size().
//
//===----------------------------------------------------------------------===//

#include "btfgen/TypeTable.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/xxhash.h"

#include <cassert>
#include <cstring>

using namespace llvm;

namespace btfgen {

const char *kindName(Kind K) {
  static const char *const Names[NumKinds] = {
      "UNKNOWN", "INT",      "PTR",        "ARRAY", "STRUCT",   "UNION",
      "ENUM",    "FWD",      "TYPEDEF",    "VOLATILE", "CONST", "RESTRICT",
      "FUNC",    "FUNC_PROTO", "VAR",      "DATASEC", "FLOAT",  "DECL_TAG",
      "TYPE_TAG", "ENUM64"};
  unsigned I = static_cast<unsigned>(K);
  return I < NumKinds ? Names[I] : "UNKNOWN";
}

const char *intEncodingName(uint32_t Enc) {
  switch (Enc) {
  case 0:
    return "(none)";
  case BTFIntSigned:
    return "SIGNED";
  case BTFIntChar:
    return "CHAR";
  case BTFIntBool:
    return "BOOL";
  }
  return nullptr;
}

const char *linkageName(uint32_t Linkage) {
  // btf_func_linkage_str / btf_var_linkage_str in bpftool's btf.c.
  static const char *const Names[] = {"static", "global", "extern"};
  return Linkage < 3 ? Names[Linkage] : nullptr;
}

TypeTable::TypeTable() {
  Types.push_back(BTFType{0, 0, 0});
  DataOff.push_back(0);
  Strings.assign(1, '\0');
  StringIds[""] = 0;
}

MutableArrayRef<uint32_t> TypeTable::mutableData(TypeId Id) {
  uint32_t Begin = DataOff[Id];
  uint32_t End = Id + 1 < DataOff.size() ? DataOff[Id + 1] : Data.size();
  return MutableArrayRef<uint32_t>(Data.data() + Begin, End - Begin);
}

uint64_t TypeTable::enumValue(TypeId Id, uint32_t I) const {
  if (kind(Id) == Kind::Enum64) {
    const BTFEnum64 &E = enums64(Id)[I];
    return (uint64_t(E.ValHi32) << 32) | E.ValLo32;
  }
  int32_t V = enums(Id)[I].Val;
  // A signed ENUM (kflag) sign-extends; an unsigned one zero-extends.
  return kflag(Id) ? uint64_t(int64_t(V)) : uint64_t(uint32_t(V));
}

StringRef TypeTable::enumName(TypeId Id, uint32_t I) const {
  if (kind(Id) == Kind::Enum64)
    return str(enums64(Id)[I].NameOff);
  return str(enums(Id)[I].NameOff);
}

std::optional<TypeId> TypeTable::trySkipModsAndTypedefs(TypeId Id) const {
  // A chain without a cycle visits each type at most once: size() steps
  // reach its end (void included), so a longer walk has met a cycle.
  for (uint32_t Steps = 0; Steps < size(); ++Steps) {
    if (!isValid(Id))
      return std::nullopt;
    if (Id == 0 || !isModOrTypedef(kind(Id)))
      return Id;
    Id = type(Id).SizeOrType;
  }
  return std::nullopt;
}

bool TypeTable::isLongName(StringRef Name) {
  // libbpf lists the spellings (determine_ptr_size's long_aliases): every
  // order of "long" with optionally "int" and/or "unsigned", each word
  // once, single spaces.
  SmallVector<StringRef, 4> Words;
  Name.split(Words, ' ', /*MaxSplit=*/-1, /*KeepEmpty=*/true);
  if (Words.size() > 3)
    return false;
  unsigned Long = 0, Int = 0, Unsigned = 0;
  for (StringRef W : Words) {
    if (W == "long")
      ++Long;
    else if (W == "int")
      ++Int;
    else if (W == "unsigned")
      ++Unsigned;
    else
      return false;
  }
  return Long == 1 && Int <= 1 && Unsigned <= 1;
}

TypeId TypeTable::longType() const {
  for (TypeId Id = 1; Id < size(); ++Id) {
    const BTFType &T = type(Id);
    if (T.kind() == Kind::Int && (T.SizeOrType == 4 || T.SizeOrType == 8) &&
        isLongName(name(Id)))
      return Id;
  }
  return 0;
}

uint32_t TypeTable::guessPointerSize() const {
  TypeId Id = longType();
  return Id ? type(Id).SizeOrType : 0;
}

int64_t TypeTable::resolveSize(TypeId Id) const {
  // Like libbpf's btf__resolve_size(): multiply array dimensions, follow
  // modifiers/typedefs/vars, stop at a sized kind. MAX_RESOLVE_DEPTH is 32.
  uint64_t NElems = 1;
  for (unsigned Depth = 0; Depth < 32 && isValid(Id) && Id != 0; ++Depth) {
    const BTFType &T = type(Id);
    switch (T.kind()) {
    case Kind::Int:
    case Kind::Struct:
    case Kind::Union:
    case Kind::Enum:
    case Kind::Enum64:
    case Kind::Datasec:
    case Kind::Float: {
      uint64_t Size = uint64_t(T.SizeOrType) * NElems;
      return Size > UINT32_MAX ? -1 : int64_t(Size);
    }
    case Kind::Ptr:
      // Pointer size is not in BTF; libbpf uses btf_ptr_sz() (see
      // pointerSize()).
      return int64_t(pointerSize() * NElems);
    case Kind::Typedef:
    case Kind::Volatile:
    case Kind::Const:
    case Kind::Restrict:
    case Kind::Var:
    case Kind::DeclTag:
    case Kind::TypeTag:
      Id = T.SizeOrType;
      break;
    case Kind::Array: {
      const BTFArray &A = array(Id);
      if (NElems && A.NElems > UINT32_MAX / NElems)
        return -1;
      NElems *= A.NElems;
      Id = A.ElemType;
      break;
    }
    default:
      return -1;
    }
  }
  return -1;
}

StrOffset TypeTable::addString(StringRef S) {
  auto It = StringIds.find(S);
  if (It != StringIds.end())
    return It->second;
  StrOffset Off = static_cast<StrOffset>(Strings.size());
  Strings.append(S.data(), S.size());
  Strings.push_back('\0');
  StringIds[S] = Off;
  return Off;
}

void TypeTable::setStrings(std::string S) {
  Strings = std::move(S);
  StringIds.clear();
}

void TypeTable::indexStrings() {
  StringIds.clear();
  size_t Pos = 0;
  while (Pos < Strings.size()) {
    StringRef S(Strings.data() + Pos);
    StringIds.try_emplace(S, static_cast<StrOffset>(Pos));
    Pos += S.size() + 1;
  }
}

void TypeTable::spreadRecords(ArrayRef<TypeId> Ids, uint32_t NumTypes,
                              const BTFType &Stub) {
  assert(Ids.size() == Types.size() && Ids[0] == 0 && "one ID per record");
  assert(kindDataSize(Stub) == 0 && "a stub has no kind-specific words");
  // From the top down, every record moves up (Ids[I] >= I) into a slot no
  // record still to be moved occupies; kind-specific words stay where they
  // are, and a stub's DataOff is its successor's.
  uint32_t I = uint32_t(Types.size()) - 1;
  Types.resize(NumTypes);
  DataOff.resize(NumTypes);
  uint32_t NextOff = uint32_t(Data.size());
  for (TypeId Id = NumTypes - 1; Id > 0; --Id) {
    if (I > 0 && Ids[I] == Id) {
      Types[Id] = Types[I];
      DataOff[Id] = DataOff[I];
      --I;
    } else {
      Types[Id] = Stub;
      DataOff[Id] = NextOff;
    }
    NextOff = DataOff[Id];
  }
  assert(I == 0 && "every record placed");
  NameIndexBuilt = false;
}

void TypeTable::stubRecords(const BitVector &Keep, const BTFType &Stub) {
  assert(Keep.size() == Types.size() && "one bit per ID");
  assert(kindDataSize(Stub) == 0 && "a stub has no kind-specific words");
  // From the bottom up, a kept record's words move down (never past words
  // still to be read: Out <= the record's own offset).
  uint32_t Out = 0;
  const TypeId N = size();
  for (TypeId Id = 1; Id < N; ++Id) {
    ArrayRef<uint32_t> D = data(Id);
    uint32_t Begin = DataOff[Id];
    DataOff[Id] = Out;
    if (!Keep.test(Id)) {
      Types[Id] = Stub;
      continue;
    }
    if (Out != Begin)
      std::memmove(Data.data() + Out, D.data(), D.size() * 4);
    Out += uint32_t(D.size());
  }
  Data.resize(Out);
  if (Data.size() < Data.capacity() / 2)
    Data.shrink_to_fit();
  NameIndexBuilt = false;
}

void TypeTable::reserve(uint32_t NumTypes, size_t NumWords) {
  Types.reserve(Types.size() + NumTypes);
  DataOff.reserve(DataOff.size() + NumTypes);
  Data.reserve(Data.size() + NumWords);
}

static bool hasTripleUnderscore(StringRef S) {
  const size_t N = S.size();
  for (size_t I = 0; I < N; I += 3) {
    if (S[I] != '_')
      continue;
    size_t B = I, E = I + 1; // the run of '_' around I: [B, E)
    while (B > 0 && S[B - 1] == '_')
      --B;
    while (E < N && S[E] == '_')
      ++E;
    if (E - B >= 3)
      return true;
  }
  return false;
}

StringRef essentialName(StringRef Name) {
  // libbpf bpf_core_essential_name_len(): the rightmost "X___Y" where X and
  // Y are not '_' ends the essential name just after X. Most names have no
  // "___" at all: every run of three underscores covers a position that is
  // a multiple of 3, so looking at those positions (and around the few
  // underscores found there) tells.
  if (Name.size() < 5 || !hasTripleUnderscore(Name))
    return Name;
  for (int64_t I = int64_t(Name.size()) - 5; I >= 0; --I) {
    if (Name[I] != '_' && Name[I + 1] == '_' && Name[I + 2] == '_' &&
        Name[I + 3] == '_' && Name[I + 4] != '_')
      return Name.take_front(I + 1);
  }
  return Name;
}

void TypeTable::buildNameIndex() {
  struct Entry {
    uint64_t Hash;
    StrOffset Off;
    uint32_t Len;
    TypeId Id;
  };
  std::vector<Entry> Entries;
  Entries.reserve(Types.size());
  for (TypeId Id = 1; Id < Types.size(); ++Id) {
    StrOffset Off = Types[Id].NameOff;
    if (Off == 0 || Off >= Strings.size())
      continue;
    StringRef N = essentialName(str(Off));
    if (!N.empty())
      Entries.push_back({llvm::xxh3_64bits(N), Off,
                         static_cast<uint32_t>(N.size()), Id});
  }
  // Sort by (hash, name, id) in linear time: a counting sort on the top
  // bits of the hash (about one entry per bucket) keeps the entries of a
  // bucket in ID order, and the few buckets holding more than one are
  // finished by insertion sort under the full order. The arrays come out
  // exactly as a comparison sort would leave them.
  const char *Base = Strings.data();
  auto Less = [Base](const Entry &A, const Entry &B) {
    if (A.Hash != B.Hash)
      return A.Hash < B.Hash;
    if (A.Off != B.Off || A.Len != B.Len) {
      int C = StringRef(Base + A.Off, A.Len).compare(StringRef(Base + B.Off, B.Len));
      if (C != 0)
        return C < 0;
    }
    return A.Id < B.Id;
  };
  unsigned Bits = 1;
  while ((size_t(1) << Bits) < Entries.size() && Bits < 24)
    ++Bits;
  std::vector<uint32_t> Start((size_t(1) << Bits) + 1, 0);
  for (const Entry &E : Entries)
    ++Start[(E.Hash >> (64 - Bits)) + 1];
  for (size_t B = 1; B < Start.size(); ++B)
    Start[B] += Start[B - 1];
  std::vector<Entry> Sorted(Entries.size());
  {
    std::vector<uint32_t> Next(Start.begin(), Start.end() - 1);
    for (const Entry &E : Entries)
      Sorted[Next[E.Hash >> (64 - Bits)]++] = E;
  }
  for (size_t B = 0; B + 1 < Start.size(); ++B)
    if (Start[B + 1] - Start[B] > 1)
      std::sort(Sorted.begin() + Start[B], Sorted.begin() + Start[B + 1],
                Less);
  Entries = std::move(Sorted);
  NameIndexHashes.clear();
  NameIndexKeys.clear();
  NameIndexIds.clear();
  NameIndexHashes.reserve(Entries.size());
  NameIndexKeys.reserve(Entries.size());
  NameIndexIds.reserve(Entries.size());
  for (const Entry &E : Entries) {
    NameIndexHashes.push_back(E.Hash);
    NameIndexKeys.emplace_back(E.Off, E.Len);
    NameIndexIds.push_back(E.Id);
  }
  NameIndexBuilt = true;
}

ArrayRef<TypeId> TypeTable::findByEssentialName(StringRef Essential) const {
  assert(NameIndexBuilt && "buildNameIndex() first");
  if (Essential.empty())
    return {};
  uint64_t H = llvm::xxh3_64bits(Essential);
  auto Lo = std::lower_bound(NameIndexHashes.begin(), NameIndexHashes.end(), H);
  auto Hi = std::upper_bound(Lo, NameIndexHashes.end(), H);
  // Within one hash, entries are sorted by name: find Essential's slice.
  size_t B = Lo - NameIndexHashes.begin(), E = Hi - NameIndexHashes.begin();
  while (B < E && indexKey(B) != Essential)
    ++B;
  size_t End = B;
  while (End < E && indexKey(End) == Essential)
    ++End;
  ArrayRef<TypeId> Ids(NameIndexIds.data() + B, End - B);
  if (TableAccessLog *L = Log.P) {
    L->Names.insert(Essential);
    if (L->Within && !isListedName(L->WithinNames, Essential))
      L->Escaped = true;
    for (TypeId Id : Ids)
      touch(Id);
  }
  return Ids;
}

} // namespace btfgen
