//===- ManifestTest.cpp - Tests of the JSON manifest reader/writer --------===//
//
// Round trips: real kernel BTF (the bundled archive, and this machine's
// /sys/kernel/btf/vmlinux when readable, which has DECL_TAG/TYPE_TAG/ENUM64)
// goes through writeManifest/readManifest with every record preserved, and
// write(read(write(M))) is byte-identical. Then one test per kind of
// malformed input, each asserting the JSON path in the message.
//
//===----------------------------------------------------------------------===//

#include "btfgen/Manifest.h"

#include "btfgen/BTFReader.h"
#include "btfgen/Errors.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include "TestUtil.h"
#include "gtest/gtest.h"

#include <cstdio>
#include <functional>
#include <optional>
#include <string>

using namespace llvm;
using namespace btfgen;
using namespace btfgen::testutil;

namespace {

std::string toJSON(const Manifest &M) {
  std::string S;
  raw_string_ostream OS(S);
  writeManifest(M, OS);
  return S;
}

Expected<Manifest> fromJSON(StringRef S, StringRef Name = "a.json") {
  return readManifest(MemoryBufferRef(S, Name));
}

std::string errorOf(StringRef S) {
  Expected<Manifest> M = fromJSON(S);
  if (M)
    return "(no error)";
  return toString(M.takeError());
}

/// Every record of A equals B's, names compared as strings (string offsets
/// differ: the manifest adds strings in its own order).
void expectSameTypes(const TypeTable &A, const TypeTable &B) {
  ASSERT_EQ(A.size(), B.size());
  for (TypeId Id = 1; Id < A.size(); ++Id) {
    const BTFType &TA = A.type(Id), &TB = B.type(Id);
    ASSERT_EQ(TA.Info, TB.Info) << "type " << Id;
    ASSERT_EQ(TA.SizeOrType, TB.SizeOrType) << "type " << Id;
    ASSERT_EQ(A.name(Id), B.name(Id)) << "type " << Id;
    ArrayRef<uint32_t> DA = A.data(Id), DB = B.data(Id);
    ASSERT_EQ(DA.size(), DB.size()) << "type " << Id;
    // Name offsets inside members/enums/params are compared as strings.
    Kind K = A.kind(Id);
    unsigned Stride = 0;
    if (K == Kind::Struct || K == Kind::Union || K == Kind::Enum64)
      Stride = 3;
    else if (K == Kind::Enum || K == Kind::FuncProto)
      Stride = 2;
    for (size_t I = 0; I < DA.size(); ++I) {
      if (Stride && I % Stride == 0)
        ASSERT_EQ(A.str(DA[I]), B.str(DB[I])) << "type " << Id << " word " << I;
      else
        ASSERT_EQ(DA[I], DB[I]) << "type " << Id << " word " << I;
    }
  }
}

void expectRoundTrip(const Manifest &M) {
  std::string S1 = toJSON(M);
  Expected<Manifest> R = fromJSON(S1);
  ASSERT_TRUE(bool(R)) << toString(R.takeError());
  expectSameTypes(M.Types, R->Types);
  EXPECT_EQ(R->Source, M.Source);
  EXPECT_EQ(R->Object, M.Object);
  ASSERT_EQ(R->Relocs.size(), M.Relocs.size());
  std::string S2 = toJSON(*R);
  EXPECT_TRUE(S1 == S2) << "second write differs";
}

std::optional<std::string> firstBundledKernel() {
  SmallString<256> Root(BTFGEN_TEST_INPUTS);
  sys::path::append(Root, "..", "..", "examples", "archive");
  std::vector<std::string> Found;
  std::error_code EC;
  for (sys::fs::recursive_directory_iterator I(Root, EC), E; I != E && !EC;
       I.increment(EC))
    if (StringRef(I->path()).ends_with(".btf.tar.xz"))
      Found.push_back(I->path());
  if (Found.empty())
    return std::nullopt;
  llvm::sort(Found);
  return readTarXz(Found.front());
}

/// A sample of a kernel table small enough for LLVM's JSON parser, which
/// allocates a DenseMap per object (a whole vmlinux, 17 MB of JSON, takes
/// ~13 s): the first 3000 types plus every 20th of the rest, plus all types
/// of the rarer kinds. References to types left out become 0; the result is
/// a valid table with every kind the kernel has.
TypeTable sampleKernel(const TypeTable &T) {
  std::vector<TypeId> NewId(T.size(), 0);
  std::vector<TypeId> Keep;
  for (TypeId Id = 1; Id < T.size(); ++Id) {
    Kind K = T.kind(Id);
    bool Rare = K == Kind::Enum64 || K == Kind::DeclTag || K == Kind::TypeTag ||
                K == Kind::Float || K == Kind::Var || K == Kind::Datasec ||
                K == Kind::Restrict || K == Kind::Volatile;
    if (Id <= 3000 || Id % 20 == 0 || Rare) {
      Keep.push_back(Id);
      NewId[Id] = Keep.size();
    }
  }
  auto Map = [&](uint32_t Ref) { return Ref < NewId.size() ? NewId[Ref] : 0; };
  TypeTable Out;
  for (TypeId Id : Keep) {
    BTFType Ty = T.type(Id);
    Ty.NameOff = Out.addString(T.name(Id));
    std::vector<uint32_t> D(T.data(Id).begin(), T.data(Id).end());
    switch (T.kind(Id)) {
    case Kind::Ptr: case Kind::Typedef: case Kind::Volatile: case Kind::Const:
    case Kind::Restrict: case Kind::Func: case Kind::Var: case Kind::DeclTag:
    case Kind::TypeTag:
      Ty.SizeOrType = Map(Ty.SizeOrType);
      break;
    case Kind::Array:
      D[0] = Map(D[0]);
      D[1] = Map(D[1]);
      break;
    case Kind::Struct: case Kind::Union: case Kind::Enum64:
      for (size_t I = 0; I < D.size(); I += 3) {
        D[I] = Out.addString(T.str(D[I]));
        if (T.kind(Id) != Kind::Enum64)
          D[I + 1] = Map(D[I + 1]);
      }
      break;
    case Kind::Enum:
      for (size_t I = 0; I < D.size(); I += 2)
        D[I] = Out.addString(T.str(D[I]));
      break;
    case Kind::FuncProto:
      Ty.SizeOrType = Map(Ty.SizeOrType);
      for (size_t I = 0; I < D.size(); I += 2) {
        D[I] = Out.addString(T.str(D[I]));
        D[I + 1] = Map(D[I + 1]);
      }
      break;
    case Kind::Datasec:
      for (size_t I = 0; I < D.size(); I += 3)
        D[I] = Map(D[I]);
      break;
    default:
      break;
    }
    Out.addType(Ty, D);
  }
  return Out;
}

TEST(ManifestTest, RoundTripBundledKernel) {
  std::optional<std::string> Raw = firstBundledKernel();
  if (!Raw)
    GTEST_SKIP() << "no bundled kernel BTF under examples/archive";
  Expected<TypeTable> T = readBTF(MemoryBufferRef(*Raw, "kernel.btf"));
  ASSERT_TRUE(bool(T)) << toString(T.takeError());
  Manifest M;
  M.Source = "kernel";
  M.Types = sampleKernel(*T);
  EXPECT_GT(M.Types.size(), 3000u);
  expectRoundTrip(M);
}

TEST(ManifestTest, RoundTripRunningKernelWithTags) {
  ErrorOr<std::unique_ptr<MemoryBuffer>> Buf =
      MemoryBuffer::getFileAsStream("/sys/kernel/btf/vmlinux");
  if (!Buf)
    GTEST_SKIP() << "/sys/kernel/btf/vmlinux not readable";
  Expected<TypeTable> T = readBTF((*Buf)->getMemBufferRef());
  ASSERT_TRUE(bool(T)) << toString(T.takeError());
  Manifest M;
  M.Types = sampleKernel(*T);
  unsigned Tags = 0;
  for (TypeId Id = 1; Id < M.Types.size(); ++Id)
    Tags += M.Types.kind(Id) == Kind::DeclTag || M.Types.kind(Id) == Kind::TypeTag;
  EXPECT_GT(Tags, 0u) << "6.x kernels have DECL_TAG/TYPE_TAG";
  expectRoundTrip(M);
}

/// A small hand-built manifest: signed/unsigned ENUM and ENUM64 extremes,
/// a bitfield struct, a union FWD, and relocations with locations.
Manifest smallManifest() {
  Manifest M;
  M.Source = "p \"q\".c";
  M.Object = "p.o";
  TypeTable &T = M.Types;
  TypeId Int = T.addType({T.addString("int"), BTFType::makeInfo(Kind::Int, 0, 0), 4},
                         {BTFIntSigned << 24 | 32});
  TypeId S = T.addType({T.addString("s"), BTFType::makeInfo(Kind::Struct, 2, 1), 8},
                       {T.addString("a"), Int, 3u << 24 | 0, T.addString("b"), Int, 32});
  T.addType({T.addString("e"), BTFType::makeInfo(Kind::Enum, 2, 1), 4},
            {T.addString("MIN"), 0x80000000u, T.addString("M1"), 0xffffffffu});
  T.addType({T.addString("ue"), BTFType::makeInfo(Kind::Enum, 1, 0), 4},
            {T.addString("BIG"), 0xffffffffu});
  T.addType({T.addString("e64"), BTFType::makeInfo(Kind::Enum64, 1, 0), 8},
            {T.addString("MAX"), 0xffffffffu, 0xffffffffu});
  T.addType({T.addString("s64"), BTFType::makeInfo(Kind::Enum64, 1, 1), 8},
            {T.addString("NEG"), 0, 0x80000000u});
  T.addType({T.addString("u"), BTFType::makeInfo(Kind::Fwd, 0, 1), 0}, {});
  CoreRelocation R1;
  R1.Kind = CoreReloKind::FieldByteOffset;
  R1.LocalType = S;
  R1.Access = "0:1";
  R1.Locs.push_back({"p.c", 3, 7, "f"});
  CoreRelocation R2;
  R2.Kind = CoreReloKind::EnumvalValue;
  R2.LocalType = 3;
  R2.Access = "1";
  M.Relocs = {R1, R2};
  return M;
}

TEST(ManifestTest, RoundTripSmall) {
  Manifest M = smallManifest();
  expectRoundTrip(M);
  std::string S = toJSON(M);
  EXPECT_NE(S.find("{\"name\":\"MIN\",\"val\":-2147483648}"), std::string::npos) << S;
  EXPECT_NE(S.find("{\"name\":\"BIG\",\"val\":4294967295}"), std::string::npos) << S;
  EXPECT_NE(S.find("{\"name\":\"MAX\",\"val\":18446744073709551615}"), std::string::npos) << S;
  EXPECT_NE(S.find("{\"name\":\"NEG\",\"val\":-9223372036854775808}"), std::string::npos) << S;
  EXPECT_NE(S.find("\"source\": \"p \\\"q\\\".c\""), std::string::npos) << S;
}

TEST(ManifestTest, CanonicalizeMergesDuplicates) {
  Manifest M = smallManifest();
  CoreRelocation Dup = M.Relocs[0];
  Dup.Locs = {{"p.c", 1, 1, "g"}, {"p.c", 3, 7, "f"}};
  M.Relocs.insert(M.Relocs.begin(), M.Relocs[1]);
  M.Relocs.push_back(Dup);
  canonicalizeRelocs(M);
  ASSERT_EQ(M.Relocs.size(), 2u);
  EXPECT_EQ(M.Relocs[0].Kind, CoreReloKind::FieldByteOffset);
  ASSERT_EQ(M.Relocs[0].Locs.size(), 2u);
  EXPECT_EQ(M.Relocs[0].Locs[0].Line, 1u);
}

/// Replace the first occurrence of From in the canonical small manifest.
std::string mutated(StringRef From, StringRef To) {
  std::string S = toJSON(smallManifest());
  size_t P = S.find(From.str());
  EXPECT_NE(P, std::string::npos) << "pattern not found: " << From.str();
  if (P != std::string::npos)
    S.replace(P, From.size(), To.str());
  return S;
}

TEST(ManifestTest, ErrTypeRefOutOfRange) {
  EXPECT_EQ(errorOf(mutated("{\"name\":\"b\",\"type_id\":1", "{\"name\":\"b\",\"type_id\":77")),
            "'a.json': types[1].members[1].type_id: 77 out of range (types 7)");
}

TEST(ManifestTest, ErrFormatAndVersion) {
  EXPECT_EQ(errorOf(mutated("btfgen-manifest", "other")),
            "'a.json': format: 'other' is not 'btfgen-manifest'");
  EXPECT_EQ(errorOf(mutated("\"version\": 2", "\"version\": 3")),
            "'a.json': version: 3 is not supported (expected 1 or 2)");
  EXPECT_EQ(errorOf(mutated("\"version\": 2", "\"version\": \"2\"")),
            "'a.json': manifest.version: expected an integer");
}

TEST(ManifestTest, ErrInvalidJSON) {
  EXPECT_NE(errorOf("{\"format\": ").find("'a.json': invalid JSON"), std::string::npos);
  EXPECT_EQ(errorOf("[]"), "'a.json': top level: expected an object");
}

TEST(ManifestTest, ErrIdNotPosition) {
  EXPECT_EQ(errorOf(mutated("{\"id\":2,", "{\"id\":5,")),
            "'a.json': types[1].id: 5 but expected 2 (ids are positions)");
}

TEST(ManifestTest, ErrUnknownKindAndKey) {
  EXPECT_EQ(errorOf(mutated("\"kind\":\"FWD\"", "\"kind\":\"FOO\"")),
            "'a.json': types[6].kind: unknown kind 'FOO'");
  EXPECT_EQ(errorOf(mutated("\"kind\":\"FWD\"", "\"kind\":\"FWD\",\"size\":3")),
            "'a.json': types[6].size: unknown key");
}

TEST(ManifestTest, ErrVlenMismatch) {
  EXPECT_EQ(errorOf(mutated("\"vlen\":2", "\"vlen\":3")),
            "'a.json': types[1].vlen: 3 but members has 2 elements");
}

TEST(ManifestTest, ErrEnumRange) {
  EXPECT_EQ(errorOf(mutated("\"val\":-2147483648", "\"val\":-2147483649")),
            "'a.json': types[2].values[0].val: -2147483649 out of range "
            "[-2147483648, 2147483647]");
  EXPECT_EQ(errorOf(mutated("\"val\":18446744073709551615", "\"val\":-1")),
            "'a.json': types[4].values[0].val: expected an unsigned 64-bit integer");
}

TEST(ManifestTest, ErrBitfieldWithoutKflag) {
  EXPECT_EQ(errorOf(mutated("\"kflag\":1,\"size\":8", "\"size\":8")),
            "'a.json': types[1].members[0].bitfield_size: 3 out of range [0, 0]");
}

TEST(ManifestTest, ErrRelocations) {
  EXPECT_EQ(errorOf(mutated("\"kind\":\"byte_off\"", "\"kind\":\"byte_offset\"")),
            "'a.json': relocations[0].kind: unknown relocation kind 'byte_offset'");
  EXPECT_EQ(errorOf(mutated("\"kind_id\":0", "\"kind_id\":1")),
            "'a.json': relocations[0].kind_id: 1 does not match kind 'byte_off' (0)");
  EXPECT_EQ(errorOf(mutated("\"type\":2,", "\"type\":9,")),
            "'a.json': relocations[0].type: 9 out of range (types 7)");
  EXPECT_EQ(errorOf(mutated("\"type_name\":\"s\"", "\"type_name\":\"t\"")),
            "'a.json': relocations[0].type_name: 't' but type [2] is named 's'");
  EXPECT_EQ(errorOf(mutated("\"access\":\"0:1\"", "\"access\":\"0::1\"")),
            "'a.json': relocations[0].access: '0::1' is not an access string");
  EXPECT_EQ(errorOf(mutated("\"line\":3", "\"line\":-3")),
            "'a.json': relocations[0].locations[0].line: -3 out of range [0, 4294967295]");
}

/// validateManifest on a table and readManifest on that table's JSON give
/// the same message: readBPFObject relies on the one, readManifest on the
/// other, and the driver treats both alike.
TEST(ManifestTest, ValidateAgreesWithReadingTheJSON) {
  struct Case {
    const char *Want;
    std::function<void(Manifest &)> Break;
  };
  auto AddInt = [](Manifest &M, uint32_t Size, uint32_t Word) {
    TypeTable &T = M.Types;
    T.addType({T.addString("i"), BTFType::makeInfo(Kind::Int, 0, 0), Size},
              {Word});
  };
  std::vector<Case> Cases = {
      {"types[7]: bits_offset 0 + nr_bits 8 do not fit size 32",
       [&](Manifest &M) { AddInt(M, 32, 8); }},
      {"types[7].nr_bits: 200 out of range [0, 128]",
       [&](Manifest &M) { AddInt(M, 32, 200); }},
      {"types[7].encoding: unknown encoding '(invalid)'",
       [&](Manifest &M) { AddInt(M, 4, 3u << 24 | 32); }},
      {"types[7].linkage: unknown linkage '(invalid)'",
       [](Manifest &M) {
         M.Types.addType({M.Types.addString("f"),
                          BTFType::makeInfo(Kind::Func, 7, 0), 0},
                         {});
       }},
      {"types[7].component_idx: -2 out of range [-1, 2147483647]",
       [](Manifest &M) {
         M.Types.addType({M.Types.addString("t"),
                          BTFType::makeInfo(Kind::DeclTag, 0, 0), 1},
                         {uint32_t(-2)});
       }},
      {"types[7].type_id: 99 out of range (types 8)",
       [](Manifest &M) {
         M.Types.addType({0, BTFType::makeInfo(Kind::Ptr, 0, 0), 99}, {});
       }},
      {"types[1].members[1].type_id: 50 out of range (types 7)",
       [](Manifest &M) { M.Types.mutableData(2)[4] = 50; }},
      {"relocations[1].type: 0 out of range (types 7)",
       [](Manifest &M) { M.Relocs[1].LocalType = 0; }},
      {"relocations[0].access: '0:x' is not an access string",
       [](Manifest &M) { M.Relocs[0].Access = "0:x"; }},
  };
  for (const Case &C : Cases) {
    Manifest M = smallManifest();
    C.Break(M);
    std::string Want = std::string("'m.json': ") + C.Want;
    EXPECT_EQ(toString(validateManifest(M, "m.json")), Want);
    Expected<Manifest> Back = fromJSON(toJSON(M), "m.json");
    ASSERT_FALSE(bool(Back)) << C.Want;
    EXPECT_EQ(toString(Back.takeError()), Want);
  }
  EXPECT_FALSE(bool(validateManifest(smallManifest(), "m.json")));
}

TEST(ManifestTest, ErrDuplicateKey) {
  // llvm::json kept the last of two equal keys: a manifest meant one thing
  // to btfgen and maybe another to other readers.
  EXPECT_EQ(errorOf(mutated("{\"id\":2,", "{\"id\":2,\"id\":2,")),
            "'a.json': types[1].id: duplicate key");
  EXPECT_EQ(errorOf(mutated("\"version\": 2", "\"version\": 2, \"version\": 1")),
            "'a.json': manifest.version: duplicate key");
  EXPECT_EQ(errorOf(mutated("{\"name\":\"b\",", "{\"name\":\"b\",\"name\":\"c\",")),
            "'a.json': types[1].members[1].name: duplicate key");
  EXPECT_EQ(errorOf(mutated("\"line\":3", "\"line\":3,\"line\":4")),
            "'a.json': relocations[0].locations[0].line: duplicate key");
}

TEST(ManifestTest, ErrorsQuoteABoundedPrefix) {
  // A 2 MB access string gave 6 MB of error text.
  std::string Long(2 << 20, '7');
  Long[100] = 'x';
  std::string E = errorOf(
      mutated("\"access\":\"0:1\"", "\"access\":\"" + Long + "\""));
  EXPECT_LT(E.size(), 300u) << E.substr(0, 300);
  EXPECT_EQ(E, "'a.json': relocations[0].access: '" + Long.substr(0, 128) +
                   "...' (2097152 bytes) is not an access string");
  std::string Key(2 << 20, 'k');
  E = errorOf(mutated("\"vlen\":2", "\"" + Key + "\":1,\"vlen\":2"));
  EXPECT_EQ(E, "'a.json': types[1]." + Key.substr(0, 128) +
                   "... (2097152 bytes): unknown key");
  E = errorOf(mutated("\"kind\":\"FWD\"", "\"kind\":\"" + Key + "\""));
  EXPECT_LT(E.size(), 300u) << E.substr(0, 300);
  // Cut before a UTF-8 character, never inside one.
  std::string Wide = std::string(127, 'a') + "\xc3\xa9" + std::string(99, 'b');
  EXPECT_EQ(quoteBounded(Wide),
            "'" + std::string(127, 'a') + "...' (228 bytes)");
  EXPECT_EQ(quoteBounded("short"), "'short'");
}

TEST(ManifestTest, ReadsJSONAsLLVMJSONDid) {
  // Escapes (a surrogate pair among them) and integral doubles are read as
  // llvm::json read them; bytes that are not UTF-8 are not.
  Expected<Manifest> M = fromJSON(
      mutated("\"source\": \"p \\\"q\\\".c\"",
              "\"source\": \"\\u00e9\\ud83d\\ude00\\n\\/\\t\""));
  ASSERT_TRUE(bool(M)) << toString(M.takeError());
  EXPECT_EQ(M->Source, "\xc3\xa9\xf0\x9f\x98\x80\n/\t");
  M = fromJSON(mutated("\"version\": 2", "\"version\": 2.0"));
  EXPECT_TRUE(bool(M)) << toString(M.takeError());
  EXPECT_EQ(errorOf(mutated("\"version\": 2", "\"version\": 2.5")),
            "'a.json': manifest.version: expected an integer");
  EXPECT_EQ(errorOf(mutated("\"source\": \"p", "\"source\": \"\xff")),
            "'a.json': invalid JSON: [4:13, byte=61]: invalid UTF-8 in a "
            "string");
  EXPECT_NE(errorOf(std::string(65, '[') + std::string(65, ']'))
                .find("nested deeper than 64 levels"),
            std::string::npos);
  EXPECT_EQ(errorOf(std::string(64, '[') + std::string(64, ']')),
            "'a.json': top level: expected an object");
  EXPECT_NE(errorOf(toJSON(smallManifest()) + "x").find("text after the end"),
            std::string::npos);
}

TEST(ManifestTest, ErrorIsMalformedInput) {
  Expected<Manifest> M = fromJSON("{}", "x.json");
  ASSERT_FALSE(bool(M));
  bool Typed = false;
  handleAllErrors(M.takeError(), [&](const MalformedInput &E) {
    Typed = E.input() == "x.json";
  });
  EXPECT_TRUE(Typed);
}

} // namespace
