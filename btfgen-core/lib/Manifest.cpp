//===- Manifest.cpp - The btfgen JSON manifest ----------------------------===//
//
// Writes and reads the JSON manifest described in docs/manifest.md. The
// writer is canonical: fixed key order, one type and one relocation per line,
// optional keys only when they carry information, so write(read(write(M)))
// is byte-identical to write(M). The reader trusts nothing: every key is
// checked for presence, JSON type and range, every type reference must be in
// range, and errors name the input and the JSON path of the bad value
// ("'a.json': types[3].members[1].type_id: 77 out of range (types 12)").
//
//===----------------------------------------------------------------------===//

#include "btfgen/Manifest.h"
#include "btfgen/Errors.h"

#include "JSONDocument.h"
#include "ManifestReader.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/JSON.h"

#include <algorithm>
#include <limits>
#include <map>
#include <tuple>

using namespace llvm;

namespace btfgen {

static const char *const FormatTag = "btfgen-manifest";

//===----------------------------------------------------------------------===//
// Shared vocabulary
//===----------------------------------------------------------------------===//

static std::optional<uint32_t> parseIntEncoding(StringRef S) {
  for (uint32_t Enc : {0u, BTFIntSigned, BTFIntChar, BTFIntBool})
    if (S == intEncodingName(Enc))
      return Enc;
  return std::nullopt;
}

static std::optional<uint32_t> parseLinkage(StringRef S) {
  for (uint32_t L = 0; L < 3; ++L)
    if (S == linkageName(L))
      return L;
  return std::nullopt;
}

static std::optional<Kind> parseKind(StringRef S) {
  for (unsigned K = 1; K < NumKinds; ++K)
    if (S == kindName(static_cast<Kind>(K)))
      return static_cast<Kind>(K);
  return std::nullopt;
}

//===----------------------------------------------------------------------===//
// Writer
//===----------------------------------------------------------------------===//

/// Writes type Id of T as one compact JSON object.
static void writeType(const TypeTable &T, TypeId Id, json::OStream &J) {
  const BTFType &Ty = T.type(Id);
  Kind K = Ty.kind();
  bool KFlag = Ty.kflag();
  J.attribute("id", Id);
  J.attribute("kind", kindName(K));
  J.attribute("name", T.name(Id));
  if (KFlag)
    J.attribute("kflag", 1);
  switch (K) {
  case Kind::Int: {
    uint32_t W = T.intWord(Id);
    J.attribute("size", Ty.SizeOrType);
    J.attribute("bits_offset", intOffset(W));
    J.attribute("nr_bits", intBits(W));
    const char *Enc = intEncodingName(intEncoding(W));
    J.attribute("encoding", Enc ? Enc : "(invalid)");
    break;
  }
  case Kind::Ptr:
  case Kind::Typedef:
  case Kind::Volatile:
  case Kind::Const:
  case Kind::Restrict:
  case Kind::TypeTag:
    J.attribute("type_id", Ty.SizeOrType);
    break;
  case Kind::Fwd:
    break;
  case Kind::Array: {
    const BTFArray &A = T.array(Id);
    J.attribute("type_id", A.ElemType);
    J.attribute("index_type_id", A.IndexType);
    J.attribute("nr_elems", A.NElems);
    break;
  }
  case Kind::Struct:
  case Kind::Union:
    J.attribute("size", Ty.SizeOrType);
    J.attribute("vlen", Ty.vlen());
    J.attributeArray("members", [&] {
      for (const BTFMember &M : T.members(Id)) {
        J.object([&] {
          J.attribute("name", T.str(M.NameOff));
          J.attribute("type_id", M.Type);
          J.attribute("bits_offset", memberBitOffset(KFlag, M));
          if (uint32_t BS = memberBitfieldSize(KFlag, M))
            J.attribute("bitfield_size", BS);
        });
      }
    });
    break;
  case Kind::Enum:
    J.attribute("size", Ty.SizeOrType);
    J.attribute("vlen", Ty.vlen());
    J.attributeArray("values", [&] {
      for (const BTFEnum &E : T.enums(Id)) {
        J.object([&] {
          J.attribute("name", T.str(E.NameOff));
          if (KFlag)
            J.attribute("val", int64_t(E.Val));
          else
            J.attribute("val", int64_t(uint32_t(E.Val)));
        });
      }
    });
    break;
  case Kind::Enum64:
    J.attribute("size", Ty.SizeOrType);
    J.attribute("vlen", Ty.vlen());
    J.attributeArray("values", [&] {
      for (const BTFEnum64 &E : T.enums64(Id)) {
        uint64_t V = uint64_t(E.ValHi32) << 32 | E.ValLo32;
        J.object([&] {
          J.attribute("name", T.str(E.NameOff));
          if (KFlag)
            J.attribute("val", int64_t(V));
          else
            J.attribute("val", V);
        });
      }
    });
    break;
  case Kind::Func: {
    J.attribute("type_id", Ty.SizeOrType);
    const char *L = linkageName(Ty.vlen());
    J.attribute("linkage", L ? L : "(invalid)");
    break;
  }
  case Kind::FuncProto:
    J.attribute("ret_type_id", Ty.SizeOrType);
    J.attribute("vlen", Ty.vlen());
    J.attributeArray("params", [&] {
      for (const BTFParam &P : T.params(Id)) {
        J.object([&] {
          J.attribute("name", T.str(P.NameOff));
          J.attribute("type_id", P.Type);
        });
      }
    });
    break;
  case Kind::Var: {
    J.attribute("type_id", Ty.SizeOrType);
    const char *L = linkageName(T.varLinkage(Id));
    J.attribute("linkage", L ? L : "(invalid)");
    break;
  }
  case Kind::Datasec:
    J.attribute("size", Ty.SizeOrType);
    J.attribute("vlen", Ty.vlen());
    J.attributeArray("vars", [&] {
      for (const BTFVarSecinfo &V : T.secinfos(Id)) {
        J.object([&] {
          J.attribute("type_id", V.Type);
          J.attribute("offset", V.Offset);
          J.attribute("size", V.Size);
        });
      }
    });
    break;
  case Kind::Float:
    J.attribute("size", Ty.SizeOrType);
    break;
  case Kind::DeclTag:
    J.attribute("type_id", Ty.SizeOrType);
    J.attribute("component_idx", T.declTagComponent(Id));
    break;
  case Kind::Unknown:
    break;
  }
}

static void writeReloc(const Manifest &M, const CoreRelocation &R,
                       json::OStream &J) {
  J.attribute("kind", reloKindName(R.Kind));
  J.attribute("kind_id", static_cast<uint32_t>(R.Kind));
  J.attribute("type", R.LocalType);
  J.attribute("type_name",
              M.Types.isValid(R.LocalType) ? M.Types.name(R.LocalType) : "");
  J.attribute("access", R.Access);
  J.attributeArray("locations", [&] {
    for (const SourceLoc &L : R.Locs) {
      J.object([&] {
        J.attribute("file", L.File);
        J.attribute("line", L.Line);
        J.attribute("column", L.Column);
        J.attribute("function", L.Function);
      });
    }
  });
}

/// One JSON string literal, escaped as llvm::json does.
static void writeString(raw_ostream &OS, StringRef S) {
  json::OStream J(OS);
  J.value(S);
}

void writeManifest(const Manifest &M, raw_ostream &OS) {
  OS << "{\n";
  OS << "  \"format\": ";
  writeString(OS, FormatTag);
  OS << ",\n  \"version\": " << M.Version << ",\n";
  OS << "  \"source\": ";
  writeString(OS, M.Source);
  OS << ",\n  \"object\": ";
  writeString(OS, M.Object);
  OS << ",\n  \"types\": [";
  for (TypeId Id = 1; Id < M.Types.size(); ++Id) {
    OS << (Id == 1 ? "\n    " : ",\n    ");
    json::OStream J(OS);
    J.object([&] { writeType(M.Types, Id, J); });
  }
  OS << (M.Types.size() > 1 ? "\n  ],\n" : "],\n");
  OS << "  \"relocations\": [";
  for (size_t I = 0; I < M.Relocs.size(); ++I) {
    OS << (I == 0 ? "\n    " : ",\n    ");
    json::OStream J(OS);
    J.object([&] { writeReloc(M, M.Relocs[I], J); });
  }
  OS << (M.Relocs.empty() ? "]" : "\n  ]");
  if (M.Version >= 2) {
    if (M.Code) {
      OS << ",\n  \"code\": ";
      writeManifestCode(*M.Code, OS);
    } else {
      OS << ",\n  \"no_code\": ";
      writeString(OS, M.NoCode.empty() ? "not recorded" : M.NoCode);
    }
  }
  OS << "\n}\n";
}

void canonicalizeRelocs(Manifest &M) {
  auto Key = [](const CoreRelocation &R) {
    return std::make_tuple(static_cast<uint32_t>(R.Kind), R.LocalType,
                           StringRef(R.Access));
  };
  llvm::sort(M.Relocs, [&](const CoreRelocation &A,
                                  const CoreRelocation &B) {
    return Key(A) < Key(B);
  });
  std::vector<CoreRelocation> Out;
  for (CoreRelocation &R : M.Relocs) {
    if (!Out.empty() && Key(Out.back()) == Key(R)) {
      Out.back().Locs.insert(Out.back().Locs.end(), R.Locs.begin(),
                             R.Locs.end());
      continue;
    }
    Out.push_back(std::move(R));
  }
  for (CoreRelocation &R : Out) {
    llvm::sort(R.Locs);
    R.Locs.erase(std::unique(R.Locs.begin(), R.Locs.end()), R.Locs.end());
  }
  M.Relocs = std::move(Out);
}

//===----------------------------------------------------------------------===//
// Reader
//===----------------------------------------------------------------------===//

namespace {

/// Reads one element of "types" into a BTF record: the common keys, then
/// the kind's own (one method per shape). What JSON cannot get wrong but a
/// record can (INT shape, references in range, ...) is left to
/// validateManifest.
class TypeReader {
public:
  TypeReader(Reader &R, const JSONObject &O, std::string Path, TypeTable &T)
      : R(R), O(O), Path(std::move(Path)), T(T) {}

  void read(size_t Index);

private:
  void readKindWords(Kind K);
  void readInt();
  void readArray();
  void readMembers();
  void readEnum();
  void readEnum64();
  void readParams();
  void readVars();
  std::optional<uint32_t> readLinkage();
  /// vlen is stored explicitly for list kinds and must agree with the list.
  void readList(StringRef ListKey,
                function_ref<void(const JSONObject &, const Twine &)> Element);

  Reader &R;
  const JSONObject &O;
  std::string Path; ///< "types[3]"
  TypeTable &T;
  bool KFlag = false;
  BTFType Ty{0, 0, 0};
  SmallVector<uint32_t, 16> Data;
  uint32_t Vlen = 0;
  SmallVector<StringRef, 12> Keys = {"id", "kind", "name", "kflag"};
};

void TypeReader::read(size_t Index) {
  int64_t Id = R.integer(O, Path, "id", 0, std::numeric_limits<int64_t>::max());
  if (R.failed())
    return;
  if (Id != static_cast<int64_t>(Index) + 1)
    return R.fail(Path + ".id",
                  formatv("{0} but expected {1} (ids are positions)", Id,
                          Index + 1));
  std::string KindS = R.str(O, Path, "kind");
  if (R.failed())
    return;
  std::optional<Kind> K = parseKind(KindS);
  if (!K)
    return R.fail(Path + ".kind", "unknown kind " + quoteBounded(KindS));
  std::string Name = R.str(O, Path, "name");
  KFlag = R.optU32(O, Path, "kflag", 1, 0);
  if (R.failed())
    return;
  readKindWords(*K);
  if (R.failed())
    return;
  R.onlyKeys(O, Path, Keys);
  if (R.failed())
    return;
  Ty.NameOff = T.addString(Name);
  Ty.Info = BTFType::makeInfo(*K, Vlen, KFlag);
  assert(kindDataSize(Ty) == int64_t(Data.size() * 4) && "record shape");
  T.addType(Ty, Data);
}

void TypeReader::readKindWords(Kind K) {
  switch (K) {
  case Kind::Int:
    return readInt();
  case Kind::Ptr:
  case Kind::Typedef:
  case Kind::Volatile:
  case Kind::Const:
  case Kind::Restrict:
  case Kind::TypeTag:
    Keys.push_back("type_id");
    Ty.SizeOrType = R.typeRef(O, Path, "type_id");
    return;
  case Kind::Array:
    return readArray();
  case Kind::Struct:
  case Kind::Union:
    return readMembers();
  case Kind::Enum:
    return readEnum();
  case Kind::Enum64:
    return readEnum64();
  case Kind::Func:
    Keys.append({"type_id", "linkage"});
    Ty.SizeOrType = R.typeRef(O, Path, "type_id");
    if (std::optional<uint32_t> Linkage = readLinkage())
      Vlen = *Linkage;
    return;
  case Kind::FuncProto:
    return readParams();
  case Kind::Var:
    Keys.append({"type_id", "linkage"});
    Ty.SizeOrType = R.typeRef(O, Path, "type_id");
    if (std::optional<uint32_t> Linkage = readLinkage())
      Data.push_back(*Linkage);
    return;
  case Kind::Datasec:
    return readVars();
  case Kind::Float:
    Keys.push_back("size");
    Ty.SizeOrType = R.u32(O, Path, "size");
    return;
  case Kind::DeclTag:
    Keys.append({"type_id", "component_idx"});
    Ty.SizeOrType = R.typeRef(O, Path, "type_id");
    Data.push_back(static_cast<uint32_t>(
        R.integer(O, Path, "component_idx", INT32_MIN, INT32_MAX)));
    return;
  case Kind::Fwd:
  case Kind::Unknown:
    return;
  }
}

void TypeReader::readInt() {
  Keys.append({"size", "bits_offset", "nr_bits", "encoding"});
  Ty.SizeOrType = R.u32(O, Path, "size");
  uint32_t Off = R.integer(O, Path, "bits_offset", 0, 255);
  uint32_t Bits = R.integer(O, Path, "nr_bits", 0, 255);
  std::string EncS = R.str(O, Path, "encoding");
  if (R.failed())
    return;
  std::optional<uint32_t> Enc = parseIntEncoding(EncS);
  if (!Enc)
    return R.fail(Path + ".encoding",
                  "unknown encoding " + quoteBounded(EncS));
  Data.push_back(*Enc << 24 | Off << 16 | Bits);
}

void TypeReader::readArray() {
  Keys.append({"type_id", "index_type_id", "nr_elems"});
  TypeId Elem = R.typeRef(O, Path, "type_id");
  TypeId Index = R.typeRef(O, Path, "index_type_id");
  uint32_t N = R.u32(O, Path, "nr_elems");
  Data = {Elem, Index, N};
}

void TypeReader::readMembers() {
  Keys.push_back("size");
  Ty.SizeOrType = R.u32(O, Path, "size");
  readList("members", [&](const JSONObject &E, const Twine &EPath) {
    R.onlyKeys(E, EPath, {"name", "type_id", "bits_offset", "bitfield_size"});
    StrOffset NameOff = T.addString(R.str(E, EPath, "name"));
    TypeId Type = R.typeRef(E, EPath, "type_id");
    uint32_t Off = KFlag ? R.integer(E, EPath, "bits_offset", 0, 0xffffff)
                         : R.u32(E, EPath, "bits_offset");
    uint32_t BS = R.optU32(E, EPath, "bitfield_size", KFlag ? 255 : 0, 0);
    Data.append({NameOff, Type, BS << 24 | Off});
  });
}

void TypeReader::readEnum() {
  Keys.push_back("size");
  Ty.SizeOrType = R.u32(O, Path, "size");
  readList("values", [&](const JSONObject &E, const Twine &EPath) {
    R.onlyKeys(E, EPath, {"name", "val"});
    StrOffset NameOff = T.addString(R.str(E, EPath, "name"));
    int64_t Val = KFlag ? R.integer(E, EPath, "val", INT32_MIN, INT32_MAX)
                        : R.integer(E, EPath, "val", 0, UINT32_MAX);
    Data.append({NameOff, static_cast<uint32_t>(Val)});
  });
}

void TypeReader::readEnum64() {
  Keys.push_back("size");
  Ty.SizeOrType = R.u32(O, Path, "size");
  readList("values", [&](const JSONObject &E, const Twine &EPath) {
    R.onlyKeys(E, EPath, {"name", "val"});
    StrOffset NameOff = T.addString(R.str(E, EPath, "name"));
    std::optional<JSONValue> V = R.get(E, EPath, "val");
    if (!V)
      return;
    uint64_t Val = 0;
    if (KFlag) {
      std::optional<int64_t> I = V->getAsInteger();
      if (!I)
        return R.fail(EPath + ".val", "expected a signed 64-bit integer");
      Val = static_cast<uint64_t>(*I);
    } else {
      std::optional<uint64_t> U = V->getAsUINT64();
      if (!U)
        return R.fail(EPath + ".val", "expected an unsigned 64-bit integer");
      Val = *U;
    }
    Data.append({NameOff, static_cast<uint32_t>(Val),
                 static_cast<uint32_t>(Val >> 32)});
  });
}

void TypeReader::readParams() {
  Keys.push_back("ret_type_id");
  Ty.SizeOrType = R.typeRef(O, Path, "ret_type_id");
  readList("params", [&](const JSONObject &E, const Twine &EPath) {
    R.onlyKeys(E, EPath, {"name", "type_id"});
    StrOffset NameOff = T.addString(R.str(E, EPath, "name"));
    TypeId Type = R.typeRef(E, EPath, "type_id");
    Data.append({NameOff, Type});
  });
}

void TypeReader::readVars() {
  Keys.push_back("size");
  Ty.SizeOrType = R.u32(O, Path, "size");
  readList("vars", [&](const JSONObject &E, const Twine &EPath) {
    R.onlyKeys(E, EPath, {"type_id", "offset", "size"});
    TypeId Type = R.typeRef(E, EPath, "type_id");
    uint32_t Off = R.u32(E, EPath, "offset");
    uint32_t Size = R.u32(E, EPath, "size");
    Data.append({Type, Off, Size});
  });
}

std::optional<uint32_t> TypeReader::readLinkage() {
  // FUNC (in vlen) and VAR (in its data word) spell linkage the same way.
  std::string L = R.str(O, Path, "linkage");
  if (R.failed())
    return std::nullopt;
  std::optional<uint32_t> Linkage = parseLinkage(L);
  if (!Linkage)
    R.fail(Path + ".linkage", "unknown linkage " + quoteBounded(L));
  return Linkage;
}

void TypeReader::readList(
    StringRef ListKey,
    function_ref<void(const JSONObject &, const Twine &)> Element) {
  Keys.push_back("vlen");
  Keys.push_back(ListKey);
  Vlen = static_cast<uint32_t>(R.integer(O, Path, "vlen", 0, BTFMaxVlen));
  std::optional<JSONArray> A = R.array(O, Path, ListKey);
  if (R.failed())
    return;
  if (A->size() != Vlen)
    return R.fail(Path + ".vlen", formatv("{0} but {1} has {2} elements", Vlen,
                                          ListKey, A->size()));
  size_t I = 0;
  for (JSONValue V : *A) {
    std::string EPathS = formatv("{0}.{1}[{2}]", Path, ListKey, I++).str();
    if (std::optional<JSONObject> E = R.object(V, EPathS))
      Element(*E, EPathS);
    if (R.failed())
      return;
  }
}

} // namespace

/// Reads types[Index] into T.
static void readType(Reader &R, JSONValue V, size_t Index, TypeTable &T) {
  std::string PathS = formatv("types[{0}]", Index).str();
  if (std::optional<JSONObject> O = R.object(V, PathS))
    TypeReader(R, *O, PathS, T).read(Index);
}

static void readReloc(Reader &R, const Manifest &M, JSONValue V,
                      size_t Index, CoreRelocation &Out) {
  std::string PathS = formatv("relocations[{0}]", Index).str();
  Twine Path(PathS);
  std::optional<JSONObject> O = R.object(V, Path);
  if (!O)
    return;
  R.onlyKeys(*O, Path,
             {"kind", "kind_id", "type", "type_name", "access", "locations"});
  std::string KindS = R.str(*O, Path, "kind");
  uint32_t KindId = R.integer(*O, Path, "kind_id", 0, NumCoreReloKinds - 1);
  int64_t Type = R.integer(*O, Path, "type", 0, UINT32_MAX);
  std::string TypeName = R.str(*O, Path, "type_name");
  std::string Access = R.str(*O, Path, "access");
  std::optional<JSONArray> Locs = R.array(*O, Path, "locations");
  if (R.failed())
    return;
  std::optional<CoreReloKind> K = parseReloKindName(KindS);
  if (!K)
    return R.fail(Path + ".kind",
                  "unknown relocation kind " + quoteBounded(KindS));
  if (static_cast<uint32_t>(*K) != KindId)
    return R.fail(Path + ".kind_id",
                  formatv("{0} does not match kind {1} ({2})", KindId,
                          quoteBounded(KindS), static_cast<uint32_t>(*K)));
  // The type's range, and the access string, are validateManifest's.
  if (Type >= 1 && M.Types.isValid(Type) && M.Types.name(Type) != TypeName)
    return R.fail(Path + ".type_name",
                  formatv("{0} but type [{1}] is named {2}",
                          quoteBounded(TypeName), Type,
                          quoteBounded(M.Types.name(Type))));
  Out.Kind = *K;
  Out.LocalType = static_cast<TypeId>(Type);
  Out.Access = std::move(Access);
  size_t I = 0;
  for (JSONValue LV : *Locs) {
    std::string LPathS = formatv("{0}.locations[{1}]", PathS, I++).str();
    std::optional<JSONObject> L = R.object(LV, LPathS);
    if (!L)
      return;
    R.onlyKeys(*L, LPathS, {"file", "line", "column", "function"});
    SourceLoc S;
    S.File = R.str(*L, LPathS, "file");
    S.Line = R.u32(*L, LPathS, "line");
    S.Column = R.u32(*L, LPathS, "column");
    S.Function = R.str(*L, LPathS, "function");
    Out.Locs.push_back(std::move(S));
    if (R.failed())
      return;
  }
}

/// Deepest array/object nesting a manifest may have (it nests 5 levels).
/// The parser recurses once per level: this bounds its stack (a 40 KB file
/// of '[' overflowed an 8 MB stack in llvm::json::parse, found by
/// test/fuzz/ManifestFuzzer).
constexpr unsigned MaxJSONDepth = 64;

Expected<Manifest> readManifest(MemoryBufferRef Buf) {
  StringRef Input = Buf.getBufferIdentifier();
  Expected<JSONDocument> Doc =
      JSONDocument::parse(Buf.getBuffer(), MaxJSONDepth);
  if (!Doc)
    return malformed(Input, "invalid JSON: {0}", toString(Doc.takeError()));
  std::optional<JSONObject> Top = Doc->root().getAsObject();
  if (!Top)
    return malformed(Input, "top level: expected an object");

  std::optional<JSONValue> Types = Top->get("types");
  uint32_t NumTypes = 0;
  if (Types && Types->getAsArray()) {
    size_t N = Types->getAsArray()->size();
    if (N > BTFMaxType)
      return malformed(Input, "types: {0} types exceed the BTF limit {1}", N,
                       BTFMaxType);
    NumTypes = static_cast<uint32_t>(N);
  }

  Reader R(Input, NumTypes);
  if (std::optional<StringRef> Dup = Top->firstDuplicateKey())
    R.fail("manifest." + boundedText(*Dup), "duplicate key");
  std::string Format = R.str(*Top, "manifest", "format");
  if (R.failed())
    return R.takeError();
  if (Format != FormatTag)
    return malformed(Input, "format: {0} is not '{1}'", quoteBounded(Format),
                     FormatTag);
  int64_t Version = R.integer(*Top, "manifest", "version", 0, INT32_MAX);
  if (R.failed())
    return R.takeError();
  if (Version != 1 && Version != ManifestVersion)
    return malformed(Input, "version: {0} is not supported (expected 1 or {1})",
                     Version, ManifestVersion);
  if (Version == 1)
    R.onlyKeys(*Top, "manifest",
               {"format", "version", "source", "object", "types",
                "relocations"});
  else
    R.onlyKeys(*Top, "manifest",
               {"format", "version", "source", "object", "types",
                "relocations", "code", "no_code"});
  if (Version >= 2 && bool(Top->get("code")) == bool(Top->get("no_code")))
    R.fail("manifest", "a version 2 manifest has either 'code' or "
                       "'no_code'");
  if (R.failed())
    return R.takeError();

  Manifest M;
  M.Version = unsigned(Version);
  M.Source = R.str(*Top, "manifest", "source");
  M.Object = R.str(*Top, "manifest", "object");
  std::optional<JSONArray> TypeArr = R.array(*Top, "manifest", "types");
  std::optional<JSONArray> RelocArr = R.array(*Top, "manifest", "relocations");
  if (R.failed())
    return R.takeError();
  size_t I = 0;
  for (JSONValue V : *TypeArr) {
    readType(R, V, I++, M.Types);
    if (R.failed())
      return R.takeError();
  }
  M.Relocs.resize(RelocArr->size());
  I = 0;
  for (JSONValue V : *RelocArr) {
    readReloc(R, M, V, I, M.Relocs[I]);
    ++I;
    if (R.failed())
      return R.takeError();
  }
  if (Error E = validateManifest(M, Input))
    return std::move(E);
  size_t Unique = M.Relocs.size();
  std::vector<std::tuple<uint32_t, TypeId, std::string>> Order;
  for (const CoreRelocation &X : M.Relocs)
    Order.emplace_back(uint32_t(X.Kind), X.LocalType, X.Access);
  canonicalizeRelocs(M);
  if (std::optional<JSONValue> NoCode = Top->get("no_code")) {
    M.NoCode = R.str(*Top, "manifest", "no_code");
    if (!R.failed() && M.NoCode.empty())
      R.fail("manifest.no_code", "empty: say why there is no code");
  } else if (std::optional<JSONValue> Code = Top->get("code")) {
    // The code refers to relocations by index: they must be canonical
    // (sorted, unique) as written.
    if (M.Relocs.size() != Unique || !llvm::is_sorted(Order))
      return malformed(Input, "relocations: not sorted by (kind_id, type, "
                              "access) and unique, which 'code' needs (it "
                              "refers to them by index)");
    readManifestCode(R, *Code, M);
  }
  if (R.failed())
    return R.takeError();
  return M;
}

} // namespace btfgen
