//===- CoreMatchTest.cpp - CO-RE matching against libbpf semantics -------===//
//
// Table-driven tests of the compatibility relations (with the reversed pair)
// and of every relocation kind. Expected values are worked out by hand from
// libbpf 1.1.2 src/relo_core.c (bpf_core_calc_field_relo formulas, quoted
// next to each case), not produced by our implementation.
//
//===----------------------------------------------------------------------===//

#include "btfgen/CoreMatch.h"

#include "TestBTFBuilder.h"

#include "gtest/gtest.h"

#include <functional>

using namespace btfgen;
using namespace btfgen::test;

namespace {

//===----------------------------------------------------------------------===//
// Compatibility relations
//===----------------------------------------------------------------------===//

/// Builds one type in a table and returns its ID.
using MakeFn = std::function<TypeId(TestBTFBuilder &)>;

struct CompatCase {
  const char *Name;
  MakeFn Local, Target;
  int Forward;  // relation(local, target)
  int Reversed; // relation(target-shape as local, local-shape as target)
};

enum class Rel { Fields, Types, Match };

int relation(Rel R, const TypeTable &L, TypeId LId, const TypeTable &T,
             TypeId TId) {
  switch (R) {
  case Rel::Fields:
    return coreFieldsAreCompat(L, LId, T, TId);
  case Rel::Types:
    return coreTypesAreCompat(L, LId, T, TId);
  case Rel::Match:
    return coreTypesMatch(L, LId, T, TId);
  }
  return -1;
}

void runCompat(Rel R, llvm::ArrayRef<CompatCase> Cases) {
  for (const CompatCase &C : Cases) {
    TestBTFBuilder LB, TB;
    TypeId L = C.Local(LB), T = C.Target(TB);
    EXPECT_EQ(relation(R, LB.done(), L, TB.done(), T), C.Forward)
        << C.Name << " (forward)";
    EXPECT_EQ(relation(R, TB.done(), T, LB.done(), L), C.Reversed)
        << C.Name << " (reversed)";
  }
}

TypeId mkInt(TestBTFBuilder &B) { return B.addInt("int", 4, true); }
TypeId mkUInt(TestBTFBuilder &B) { return B.addInt("unsigned int", 4); }
TypeId mkLong(TestBTFBuilder &B) { return B.addInt("long", 8, true); }
TypeId mkOffsetInt(TestBTFBuilder &B) {
  return B.addInt("int", 4, true, 3, /*Offset=*/2);
}
TypeId mkStructA(TestBTFBuilder &B) {
  TypeId I = mkInt(B);
  return B.addStruct("a", 4, {{"x", I, 0}});
}
TypeId mkUnionA(TestBTFBuilder &B) {
  TypeId I = mkInt(B);
  return B.addUnion("a", 4, {{"x", I, 0}});
}
TypeId mkEnum(TestBTFBuilder &B, llvm::StringRef Name) {
  return B.addEnum(Name, 4, {{"V", 1}});
}

TEST(CoreCompat, FieldsAreCompat) {
  // relo_core.c bpf_core_fields_are_compat().
  std::vector<CompatCase> Cases = {
      {"struct vs union", mkStructA, mkUnionA, 1, 1},
      {"int vs long (size/sign ignored)", mkInt, mkLong, 1, 1},
      {"int vs offset int", mkInt, mkOffsetInt, 0, 0},
      {"ptr vs ptr to other", [](auto &B) { return B.addPtr(mkInt(B)); },
       [](auto &B) { return B.addPtr(mkStructA(B)); }, 1, 1},
      {"enum same name", [](auto &B) { return mkEnum(B, "e"); },
       [](auto &B) { return mkEnum(B, "e"); }, 1, 1},
      {"enum flavor", [](auto &B) { return mkEnum(B, "e___v2"); },
       [](auto &B) { return mkEnum(B, "e"); }, 1, 1},
      {"enum vs anon enum", [](auto &B) { return mkEnum(B, "e"); },
       [](auto &B) { return mkEnum(B, ""); }, 1, 1},
      {"enum name differs", [](auto &B) { return mkEnum(B, "e"); },
       [](auto &B) { return mkEnum(B, "f"); }, 0, 0},
      {"enum vs enum64", [](auto &B) { return mkEnum(B, "e"); },
       [](auto &B) { return B.addEnum64("e", 8, {{"V", 1}}); }, 1, 1},
      {"enum vs int", [](auto &B) { return mkEnum(B, "e"); }, mkInt, 0, 0},
      {"fwd same name", [](auto &B) { return B.addFwd("s"); },
       [](auto &B) { return B.addFwd("s"); }, 1, 1},
      {"fwd vs struct", [](auto &B) { return B.addFwd("a"); }, mkStructA, 0,
       0},
      {"float vs float", [](auto &B) { return B.addFloat("double", 8); },
       [](auto &B) { return B.addFloat("float", 4); }, 1, 1},
      {"float vs int", [](auto &B) { return B.addFloat("float", 4); }, mkInt,
       0, 0},
      {"int[4] vs long[9]", [](auto &B) { return B.addArray(mkInt(B), 4); },
       [](auto &B) { return B.addArray(mkLong(B), 9); }, 1, 1},
      {"int[4] vs struct[4]", [](auto &B) { return B.addArray(mkInt(B), 4); },
       [](auto &B) { return B.addArray(mkStructA(B), 4); }, 0, 0},
      {"typedef+const skipped",
       [](auto &B) { return B.addTypedef("t", B.addConst(mkInt(B))); },
       mkLong, 1, 1},
      {"int vs ptr", mkInt, [](auto &B) { return B.addPtr(mkInt(B)); }, 0, 0},
      {"func_proto never", [](auto &B) { return B.addFuncProto(0, {}); },
       [](auto &B) { return B.addFuncProto(0, {}); }, 0, 0},
  };
  runCompat(Rel::Fields, Cases);
}

TEST(CoreCompat, TypesAreCompat) {
  // relo_core.c __bpf_core_types_are_compat().
  std::vector<CompatCase> Cases = {
      {"struct vs struct, members ignored", mkStructA,
       [](auto &B) { return B.addStruct("a", 64, {}); }, 1, 1},
      {"struct vs union", mkStructA, mkUnionA, 0, 0},
      {"int sizes ignored", mkInt, mkLong, 1, 1},
      {"int offset rejected", mkInt, mkOffsetInt, 0, 0},
      {"ptr to struct vs ptr to union",
       [](auto &B) { return B.addPtr(mkStructA(B)); },
       [](auto &B) { return B.addPtr(mkUnionA(B)); }, 0, 0},
      {"void* vs struct*", [](auto &B) { return B.addPtr(0); },
       [](auto &B) { return B.addPtr(mkStructA(B)); }, 0, 0},
      {"void* vs void*", [](auto &B) { return B.addPtr(0); },
       [](auto &B) { return B.addPtr(0); }, 1, 1},
      {"typedef root vs struct root (raw kinds differ)",
       [](auto &B) { return B.addTypedef("a", mkStructA(B)); }, mkStructA, 0,
       0},
      {"typedef to ptr", [](auto &B) { return B.addTypedef("t", B.addPtr(mkInt(B))); },
       [](auto &B) { return B.addTypedef("t", B.addPtr(mkLong(B))); }, 1, 1},
      {"array dims ignored", [](auto &B) { return B.addArray(mkInt(B), 2); },
       [](auto &B) { return B.addArray(mkInt(B), 7); }, 1, 1},
      {"enum vs enum64 sizes ignored", [](auto &B) { return mkEnum(B, "e"); },
       [](auto &B) { return B.addEnum64("e", 8, {}); }, 1, 1},
      {"fwd vs fwd", [](auto &B) { return B.addFwd("a"); },
       [](auto &B) { return B.addFwd("a", true); }, 1, 1},
      {"func_proto same arity",
       [](auto &B) {
         TypeId I = mkInt(B);
         return B.addFuncProto(I, {{"x", I}});
       },
       [](auto &B) {
         TypeId L = mkLong(B);
         return B.addFuncProto(L, {{"y", L}});
       },
       1, 1},
      {"func_proto arity differs",
       [](auto &B) { return B.addFuncProto(mkInt(B), {}); },
       [](auto &B) {
         TypeId I = mkInt(B);
         return B.addFuncProto(I, {{"x", I}});
       },
       0, 0},
      {"func_proto param int vs struct",
       [](auto &B) {
         TypeId I = mkInt(B);
         return B.addFuncProto(I, {{"x", I}});
       },
       [](auto &B) {
         TypeId I = mkInt(B);
         return B.addFuncProto(I, {{"x", mkStructA(B)}});
       },
       0, 0},
      {"float never (unexpected kind)",
       [](auto &B) { return B.addFloat("f", 4); },
       [](auto &B) { return B.addFloat("f", 4); }, 0, 0},
  };
  runCompat(Rel::Types, Cases);
}

TEST(CoreCompat, TypesMatch) {
  // relo_core.c __bpf_core_types_match(); asymmetric for members/enums.
  auto S1 = [](TestBTFBuilder &B) {
    TypeId I = mkInt(B);
    return B.addStruct("s", 4, {{"a", I, 0}});
  };
  auto S2 = [](TestBTFBuilder &B) {
    TypeId I = mkInt(B);
    return B.addStruct("s", 8, {{"z", I, 0}, {"a", I, 32}});
  };
  std::vector<CompatCase> Cases = {
      {"int same size+sign", mkInt,
       [](auto &B) { return B.addInt("int", 4, true); }, 1, 1},
      {"int sign differs", mkInt, mkUInt, 0, 0},
      {"int size differs", mkInt, mkLong, 0, 0},
      {"struct member subset", S1, S2, 1, 0},
      {"struct vs union", mkStructA, mkUnionA, 0, 0},
      {"member type name differs",
       [](auto &B) {
         TypeId X = B.addStruct("x", 0, {});
         return B.addStruct("s", 0, {{"m", X, 0}});
       },
       [](auto &B) {
         TypeId Y = B.addStruct("y", 0, {});
         return B.addStruct("s", 0, {{"m", Y, 0}});
       },
       0, 0},
      {"behind ptr: struct vs fwd struct",
       [](auto &B) { return B.addPtr(mkStructA(B)); },
       [](auto &B) { return B.addPtr(B.addFwd("a")); }, 1, 1},
      {"behind ptr: struct vs fwd union",
       [](auto &B) { return B.addPtr(mkStructA(B)); },
       [](auto &B) { return B.addPtr(B.addFwd("a", true)); }, 0, 0},
      {"behind ptr: members not compared",
       [](auto &B) { return B.addPtr(mkStructA(B)); },
       [](auto &B) { return B.addPtr(B.addStruct("a", 99, {})); }, 1, 1},
      {"not behind ptr: struct vs fwd", mkStructA,
       [](auto &B) { return B.addFwd("a"); }, 0, 0},
      {"void* vs struct*", [](auto &B) { return B.addPtr(0); },
       [](auto &B) { return B.addPtr(mkStructA(B)); }, 0, 0},
      {"array nelems differ", [](auto &B) { return B.addArray(mkInt(B), 2); },
       [](auto &B) { return B.addArray(mkInt(B), 3); }, 0, 0},
      {"array same", [](auto &B) { return B.addArray(mkInt(B), 2); },
       [](auto &B) { return B.addArray(mkInt(B), 2); }, 1, 1},
      {"enum subset by name",
       [](auto &B) { return B.addEnum("e", 4, {{"A", 1}}); },
       [](auto &B) { return B.addEnum("e", 4, {{"B", 5}, {"A", 9}}); }, 1, 0},
      {"enum size differs", [](auto &B) { return B.addEnum("e", 4, {}); },
       [](auto &B) { return B.addEnum("e", 8, {}); }, 0, 0},
      {"enum vs enum64 same size",
       [](auto &B) { return B.addEnum("e", 8, {{"A", 1}}); },
       [](auto &B) { return B.addEnum64("e", 8, {{"A", 1}}); }, 1, 1},
      {"func_proto params",
       [](auto &B) {
         TypeId I = mkInt(B);
         return B.addFuncProto(I, {{"x", I}});
       },
       [](auto &B) {
         TypeId I = mkInt(B);
         return B.addFuncProto(I, {{"y", I}});
       },
       1, 1},
      {"func_proto param sign",
       [](auto &B) {
         TypeId I = mkInt(B);
         return B.addFuncProto(I, {{"x", I}});
       },
       [](auto &B) {
         TypeId I = mkInt(B);
         return B.addFuncProto(I, {{"x", mkUInt(B)}});
       },
       0, 0},
  };
  runCompat(Rel::Match, Cases);
}

//===----------------------------------------------------------------------===//
// Relocation kinds
//===----------------------------------------------------------------------===//

/// Local program types:
///   struct s {                       // size 56
///     int a;                         // bit 0
///     long b;                        // bit 64
///     unsigned int bf1:3;            // bit 128
///     int bf2:5;                     // bit 131
///     char name[16];                 // bit 160
///     struct { int c; };             // bit 288
///     int *p;                        // bit 320
///     enum e ev;                     // bit 384
///     int m[2][3];                   // bit 416  (size 24 -> ends at 52)
///     int gone;                      // bit 416+192=608?  see below
///   };
/// (gone sits at bit 224 inside the padding; offsets need not be C-valid.)
struct LocalTypes {
  TestBTFBuilder B;
  TypeId Int, UInt, Long, Char, S, E, E64, Anon, Flex, Amb, Typedef, HP;
  LocalTypes() {
    Int = B.addInt("int", 4, true);
    UInt = B.addInt("unsigned int", 4);
    Long = B.addInt("long", 8, true);
    Char = B.addInt("char", 1, true);
    TypeId Name16 = B.addArray(Char, 16);
    TypeId AnonS = B.addStruct("", 4, {{"c", Int, 0}});
    TypeId PInt = B.addPtr(Int);
    E = B.addEnum("e", 4, {{"E_A", 1}, {"E_B", 2}, {"E_C", 3}, {"E_X___v9", 7}});
    TypeId M3 = B.addArray(Int, 3);
    TypeId M23 = B.addArray(M3, 2);
    S = B.addStruct("s", 56,
                    {{"a", Int, 0},
                     {"b", Long, 64},
                     {"bf1", UInt, 128, 3},
                     {"bf2", Int, 131, 5},
                     {"name", Name16, 160},
                     {"", AnonS, 288},
                     {"p", PInt, 320},
                     {"ev", E, 384},
                     {"m", M23, 416},
                     {"gone", Int, 224}});
    E64 = B.addEnum("e64", 8, {{"BIG", 1}, {"NEG", 2}, {"U32", 3}});
    Anon = B.addStruct("", 4, {{"a", Int, 0}});
    TypeId Flexible = B.addArray(Int, 0);
    Flex = B.addStruct("flex", 4, {{"n", Int, 0}, {"data", Flexible, 32}});
    Amb = B.addStruct("amb", 8, {{"x", Int, 0}});
    Typedef = B.addTypedef("s_t", S);
    HP = B.addTypedef("hp_t", B.addPtr(0));
    B.done();
  }
};

/// Kernel types:
///   struct s {                       // size 80
///     long pad;                      // bit 0
///     int a;                         // bit 64
///     struct { long b; int c; };     // bit 128 (b +0, c +64)
///     unsigned short bf1:3;          // bit 232
///     int bf2:5;                     // bit 235
///     char name[32];                 // bit 256
///     int *p;                        // bit 512
///     enum e ev;                     // bit 576
///     int m[4][5];                   // bit 640
///     unsigned char wide:8;          // bit 60 (for the too-big case)
///     unsigned char cross:5;         // bit 30
///   };
struct TargetTypes {
  TestBTFBuilder B;
  TypeId S, S2, E, E64, Flex, Amb1, Amb2, Typedef;
  TargetTypes(bool TwoAmbiguous = false, bool AmbAgree = false) {
    TypeId Int = B.addInt("int", 4, true);
    TypeId Long = B.addInt("long", 8, true);
    TypeId UShort = B.addInt("unsigned short", 2);
    TypeId UChar = B.addInt("unsigned char", 1);
    TypeId Char = B.addInt("char", 1, true);
    TypeId AnonS = B.addStruct("", 16, {{"b", Long, 0}, {"c", Int, 64}});
    TypeId Name32 = B.addArray(Char, 32);
    TypeId PInt = B.addPtr(Int);
    E = B.addEnum("e", 4, {{"E_B", 20}, {"E_A", 10}, {"E_X", 70}});
    TypeId M5 = B.addArray(Int, 5);
    TypeId M45 = B.addArray(M5, 4);
    S = B.addStruct("s", 80,
                    {{"pad", Long, 0},
                     {"a", Int, 64},
                     {"", AnonS, 128},
                     {"bf1", UShort, 232, 3},
                     {"bf2", Int, 235, 5},
                     {"name", Name32, 256},
                     {"p", PInt, 512},
                     {"ev", E, 576},
                     {"m", M45, 640},
                     {"wide", UChar, 60, 8},
                     {"cross", UChar, 30, 5}});
    E64 = B.addEnum64("e64", 8,
                      {{"BIG", int64_t(1) << 40},
                       {"NEG", -1},
                       {"U32", int64_t(0x80000000)}},
                      /*Signed=*/true);
    TypeId Flexible = B.addArray(Int, 0);
    Flex = B.addStruct("flex", 4, {{"n", Int, 0}, {"data", Flexible, 32}});
    Amb1 = B.addStruct("amb", 8, {{"x", Int, 0}});
    Amb2 = 0;
    if (TwoAmbiguous)
      Amb2 = B.addStruct("amb___2", 16,
                         {{"y", Int, 0}, {"x", AmbAgree ? Int : Long,
                                          AmbAgree ? 0u : 64u}});
    Typedef = B.addTypedef("s_t", S);
    S2 = 0;
    B.done();
  }
};

struct KindCase {
  const char *Name;
  CoreReloKind Kind;
  std::function<TypeId(const LocalTypes &)> Root;
  const char *Access;
  RelocOutcome Outcome;
  uint64_t OrigVal, NewVal;
};

CoreResult calcOK(const TypeTable &L, const TypeTable &T, CoreReloKind K,
                  TypeId Root, const char *Access) {
  CoreMatcher M(L, T);
  CoreRelocation R;
  R.Kind = K;
  R.LocalType = Root;
  R.Access = Access;
  auto Res = M.calc(R);
  if (!Res) {
    ADD_FAILURE() << llvm::toString(Res.takeError());
    return CoreResult();
  }
  return *Res;
}

using K = CoreReloKind;
using O = RelocOutcome;

TEST(CoreMatch, AllKinds) {
  LocalTypes L;
  TargetTypes T;
  auto s = [](const LocalTypes &X) { return X.S; };
  auto e = [](const LocalTypes &X) { return X.E; };
  auto e64 = [](const LocalTypes &X) { return X.E64; };
  auto flex = [](const LocalTypes &X) { return X.Flex; };
  auto st = [](const LocalTypes &X) { return X.Typedef; };
  const uint64_t TId = T.S; // target struct s
  std::vector<KindCase> Cases = {
      // Plain members: byte offsets 0 -> 8, 8 -> 16 (through anon struct).
      {"a byte_off", K::FieldByteOffset, s, "0:0", O::Resolved, 0, 8},
      {"a byte_sz", K::FieldByteSize, s, "0:0", O::Resolved, 4, 4},
      {"a exists", K::FieldExists, s, "0:0", O::Resolved, 1, 1},
      {"a signed", K::FieldSigned, s, "0:0", O::Resolved, 1, 1},
      {"a lshift", K::FieldLShiftU64, s, "0:0", O::Resolved, 32, 32},
      {"a rshift", K::FieldRShiftU64, s, "0:0", O::Resolved, 32, 32},
      {"b via anon target", K::FieldByteOffset, s, "0:1", O::Resolved, 8, 16},
      {"b byte_sz", K::FieldByteSize, s, "0:1", O::Resolved, 8, 8},
      // Anonymous local member: "0:5:0" is s.<anon>.c, 36 -> 24.
      {"c anon both", K::FieldByteOffset, s, "0:5:0", O::Resolved, 36, 24},
      // Bitfields. local bf1: u32, bit 128, 3 bits -> byte_sz 4, byte_off 16,
      // lshift 64-(128+3-128)=61, rshift 61. target: u16 at 232 -> byte_sz
      // 2, byte_off 232/8/2*2=28, lshift 64-(232+3-224)=53.
      {"bf1 byte_off", K::FieldByteOffset, s, "0:2", O::Resolved, 16, 28},
      {"bf1 byte_sz", K::FieldByteSize, s, "0:2", O::Resolved, 4, 2},
      {"bf1 lshift", K::FieldLShiftU64, s, "0:2", O::Resolved, 61, 53},
      {"bf1 rshift", K::FieldRShiftU64, s, "0:2", O::Resolved, 61, 61},
      {"bf1 signed", K::FieldSigned, s, "0:2", O::Resolved, 0, 0},
      // local bf2: int:5 at 131 -> off 16, lshift 64-8=56, rshift 59;
      // target at 235 -> off 28, lshift 64-(235+5-224)=48.
      {"bf2 lshift", K::FieldLShiftU64, s, "0:3", O::Resolved, 56, 48},
      {"bf2 rshift", K::FieldRShiftU64, s, "0:3", O::Resolved, 59, 59},
      {"bf2 signed", K::FieldSigned, s, "0:3", O::Resolved, 1, 1},
      // Arrays: name[3]: 20+3=23 -> 32+3=35; element size 1.
      {"name[3] byte_off", K::FieldByteOffset, s, "0:4:3", O::Resolved, 23,
       35},
      {"name[3] byte_sz", K::FieldByteSize, s, "0:4:3", O::Resolved, 1, 1},
      {"name byte_sz", K::FieldByteSize, s, "0:4", O::Resolved, 16, 32},
      // Multi-dim: m[1][2]: 52+(1*3+2)*4=72 -> 80+(1*5+2)*4=108.
      {"m[1][2]", K::FieldByteOffset, s, "0:8:1:2", O::Resolved, 72, 108},
      {"m[1] byte_sz", K::FieldByteSize, s, "0:8:1", O::Resolved, 12, 20},
      // Root index > 0: s[1].a: 56+0 -> 80+8.
      {"s[1].a", K::FieldByteOffset, s, "1:0", O::Resolved, 56, 88},
      {"s[2]", K::FieldByteOffset, s, "2", O::Resolved, 112, 160},
      // Through a typedef root.
      {"s_t a", K::FieldByteOffset, st, "0:0", O::Resolved, 0, 8},
      // Missing member: exists -> 0 (not found), others poisoned.
      {"gone exists", K::FieldExists, s, "0:9", O::NotFound, 1, 0},
      {"gone byte_off", K::FieldByteOffset, s, "0:9", O::Poisoned, 28, 0},
      {"gone signed", K::FieldSigned, s, "0:9", O::Poisoned, 1, 0},
      // Flexible array: local data[] last -> index 5 allowed; same target.
      {"flex data[5]", K::FieldByteOffset, flex, "0:1:5", O::Resolved, 24, 24},
      // Enum field signedness: unsigned enum -> 0.
      {"ev signed", K::FieldSigned, s, "0:7", O::Resolved, 0, 0},
      {"ev byte_off", K::FieldByteOffset, s, "0:7", O::Resolved, 48, 72},
      // Pointer member: size 8.
      {"p byte_sz", K::FieldByteSize, s, "0:6", O::Resolved, 8, 8},
      // Type-based.
      {"type exists", K::TypeExists, s, "0", O::Resolved, 1, 1},
      {"type size", K::TypeSize, s, "0", O::Resolved, 56, 80},
      {"type id target", K::TypeIdTarget, s, "0", O::Resolved, 0 /*set below*/,
       TId},
      {"type matches fails (b moved into anon)", K::TypeMatches, s, "0",
       O::NotFound, 1, 0},
      {"typedef type size", K::TypeSize, st, "0", O::Resolved, 56, 80},
      // Enumerators: E_A 1 -> 10; E_C missing; E_X___v9 matches E_X.
      {"E_A exists", K::EnumvalExists, e, "0", O::Resolved, 1, 1},
      {"E_A value", K::EnumvalValue, e, "0", O::Resolved, 1, 10},
      {"E_B value", K::EnumvalValue, e, "1", O::Resolved, 2, 20},
      {"E_C exists", K::EnumvalExists, e, "2", O::NotFound, 1, 0},
      {"E_C value", K::EnumvalValue, e, "2", O::Poisoned, 3, 0},
      {"E_X flavor", K::EnumvalValue, e, "3", O::Resolved, 7, 70},
      // enum (local) vs enum64 (target).
      {"BIG", K::EnumvalValue, e64, "0", O::Resolved, 1, uint64_t(1) << 40},
      {"NEG signed enum64", K::EnumvalValue, e64, "1", O::Resolved, 2,
       ~uint64_t(0)},
      {"U32", K::EnumvalValue, e64, "2", O::Resolved, 3, 0x80000000ull},
  };
  for (KindCase &C : Cases) {
    TypeId Root = C.Root(L);
    if (C.Kind == K::TypeIdTarget)
      C.OrigVal = Root;
    CoreResult R = calcOK(L.B.table(), T.B.table(), C.Kind, Root, C.Access);
    EXPECT_EQ(R.Outcome, C.Outcome)
        << C.Name << ": " << outcomeName(R.Outcome) << " " << R.Message;
    EXPECT_EQ(R.OrigVal, C.OrigVal) << C.Name;
    EXPECT_EQ(R.NewVal, C.NewVal) << C.Name;
    EXPECT_EQ(R.Poison, C.Outcome == O::Poisoned) << C.Name;
  }
}

TEST(CoreMatch, TypeIdLocalNeedsNoCandidates) {
  LocalTypes L;
  TestBTFBuilder Empty;
  CoreResult R =
      calcOK(L.B.table(), Empty.done(), K::TypeIdLocal, L.S, "0");
  EXPECT_EQ(R.Outcome, O::Resolved);
  EXPECT_EQ(R.OrigVal, L.S);
  EXPECT_EQ(R.NewVal, L.S);
  EXPECT_FALSE(R.Validate);
  // Even an anonymous root is fine for the local type ID.
  R = calcOK(L.B.table(), Empty.done(), K::TypeIdLocal, L.Anon, "0");
  EXPECT_EQ(R.Outcome, O::Resolved);
}

TEST(CoreMatch, NotFoundKinds) {
  // No candidate at all: exists/matches kinds give 0, others poison or 0.
  LocalTypes L;
  TestBTFBuilder Empty;
  Empty.addInt("int", 4, true);
  const TypeTable &T = Empty.done();
  struct {
    CoreReloKind Kind;
    TypeId Root;
    const char *Access;
    RelocOutcome Outcome;
  } Cases[] = {
      {K::FieldExists, L.S, "0:0", O::NotFound},
      {K::FieldByteOffset, L.S, "0:0", O::Poisoned},
      {K::FieldByteSize, L.S, "0:0", O::Poisoned},
      {K::FieldSigned, L.S, "0:0", O::Poisoned},
      {K::FieldLShiftU64, L.S, "0:0", O::Poisoned},
      {K::FieldRShiftU64, L.S, "0:0", O::Poisoned},
      {K::TypeExists, L.S, "0", O::NotFound},
      {K::TypeSize, L.S, "0", O::NotFound},
      {K::TypeIdTarget, L.S, "0", O::NotFound},
      {K::TypeMatches, L.S, "0", O::NotFound},
      {K::EnumvalExists, L.E, "0", O::NotFound},
      {K::EnumvalValue, L.E, "0", O::Poisoned},
  };
  for (auto &C : Cases) {
    CoreResult R = calcOK(L.B.table(), T, C.Kind, C.Root, C.Access);
    EXPECT_EQ(R.Outcome, C.Outcome) << reloKindName(C.Kind);
    EXPECT_EQ(R.NewVal, 0u) << reloKindName(C.Kind);
    EXPECT_TRUE(R.TargetSpecs.empty());
  }
}

TEST(CoreMatch, Flavors) {
  // Local struct s___v1 finds kernel struct s; the member lookup is by
  // exact name.
  TestBTFBuilder LB;
  TypeId I = LB.addInt("int", 4, true);
  TypeId S = LB.addStruct("s___v1", 8, {{"a", I, 32}});
  TypeId S2 = LB.addStruct("s___v2", 8, {{"a___x", I, 32}});
  TargetTypes T;
  CoreResult R =
      calcOK(LB.done(), T.B.table(), K::FieldByteOffset, S, "0:0");
  EXPECT_EQ(R.Outcome, O::Resolved);
  EXPECT_EQ(R.OrigVal, 4u);
  EXPECT_EQ(R.NewVal, 8u);
  ASSERT_EQ(R.TargetSpecs.size(), 1u);
  EXPECT_EQ(R.TargetSpecs[0].RootType, T.S);
  // Members are not flavor-stripped.
  R = calcOK(LB.table(), T.B.table(), K::FieldExists, S2, "0:0");
  EXPECT_EQ(R.Outcome, O::NotFound);
}

TEST(CoreMatch, FlexibleArrayOnlyWhenLast) {
  // A zero-length array that is not the last member is not flexible.
  LocalTypes L;
  TestBTFBuilder TB;
  TypeId I = TB.addInt("int", 4, true);
  TypeId Z = TB.addArray(I, 0);
  TB.addStruct("flex", 8, {{"n", I, 0}, {"data", Z, 32}, {"tail", I, 32}});
  CoreResult R =
      calcOK(L.B.table(), TB.done(), K::FieldByteOffset, L.Flex, "0:1:5");
  EXPECT_EQ(R.Outcome, O::Poisoned);
  // Index 0 into it does not match either (0 >= nelems 0).
  R = calcOK(L.B.table(), TB.table(), K::FieldByteOffset, L.Flex, "0:1:0");
  EXPECT_EQ(R.Outcome, O::Poisoned);
  // The member itself is fine.
  R = calcOK(L.B.table(), TB.table(), K::FieldByteOffset, L.Flex, "0:1");
  EXPECT_EQ(R.Outcome, O::Resolved);
  EXPECT_EQ(R.NewVal, 4u);
}

TEST(CoreMatch, BitfieldLoadWidening) {
  // Target "cross": u8, bit 30, 5 bits. byte_sz 1 -> off 3: 30+5-24=11>8;
  // 2 -> off 2: 19>16; 4 -> off 0: 35>32; 8 -> off 0: 35<=64.
  // lshift = 64-35 = 29, rshift = 59, byte_sz 8, byte_off 0.
  TestBTFBuilder LB;
  TypeId U = LB.addInt("unsigned int", 4);
  TypeId S = LB.addStruct("s", 4, {{"cross", U, 0, 5}, {"wide", U, 8, 8}});
  TargetTypes T;
  const TypeTable &L = LB.done();
  struct {
    CoreReloKind Kind;
    uint64_t New;
  } Cases[] = {{K::FieldByteOffset, 0},
               {K::FieldByteSize, 8},
               {K::FieldLShiftU64, 29},
               {K::FieldRShiftU64, 59}};
  for (auto &C : Cases) {
    CoreResult R = calcOK(L, T.B.table(), C.Kind, S, "0:0");
    EXPECT_EQ(R.Outcome, O::Resolved) << reloKindName(C.Kind);
    EXPECT_EQ(R.NewVal, C.New) << reloKindName(C.Kind);
    EXPECT_FALSE(C.Kind != K::FieldRShiftU64 && R.Validate)
        << "bitfield values are not validated";
  }
  // Target "wide": u8 at bit 60, 8 bits: needs bytes 7..8 -> no 64-bit
  // load covers it: libbpf fails with -E2BIG.
  CoreResult R = calcOK(L, T.B.table(), K::FieldByteOffset, S, "0:1");
  EXPECT_EQ(R.Outcome, O::Error);
  EXPECT_NE(R.Message.find("can't be satisfied for bitfield"),
            std::string::npos);
}

TEST(CoreMatch, SignedOnArrayAccessIsError) {
  LocalTypes L;
  TargetTypes T;
  CoreResult R =
      calcOK(L.B.table(), T.B.table(), K::FieldSigned, L.S, "0:4:3");
  EXPECT_EQ(R.Outcome, O::Error);
  EXPECT_NE(R.Message.find("array access"), std::string::npos);
}

TEST(CoreMatch, AnonymousRootIsError) {
  LocalTypes L;
  TargetTypes T;
  CoreResult R =
      calcOK(L.B.table(), T.B.table(), K::FieldByteOffset, L.Anon, "0:0");
  EXPECT_EQ(R.Outcome, O::Error);
  EXPECT_NE(R.Message.find("anonymous"), std::string::npos);
}

TEST(CoreMatch, BadAccessStringsAreErrors) {
  LocalTypes L;
  TargetTypes T;
  CoreMatcher M(L.B.table(), T.B.table());
  struct {
    CoreReloKind Kind;
    const char *Access;
  } Cases[] = {{K::FieldByteOffset, ""},      {K::FieldByteOffset, ":0"},
               {K::FieldByteOffset, "0:99"},  {K::FieldByteOffset, "0:x"},
               {K::FieldByteOffset, "0:4:16"}, {K::TypeExists, "1"},
               {K::EnumvalValue, "9"},        {K::FieldByteOffset, "0:-1"},
               {K::FieldByteOffset, "0:0:0"}};
  for (auto &C : Cases) {
    CoreRelocation R;
    R.Kind = C.Kind;
    R.LocalType = L.S;
    if (C.Kind == K::EnumvalValue)
      R.LocalType = L.E;
    R.Access = C.Access;
    auto Res = M.calc(R);
    EXPECT_FALSE(bool(Res)) << C.Access;
    if (!Res)
      llvm::consumeError(Res.takeError());
  }
}

TEST(CoreMatch, Ambiguity) {
  LocalTypes L;
  {
    // amb (x at 0) and amb___2 (x at bit 64): offsets disagree.
    TargetTypes T(/*TwoAmbiguous=*/true, /*AmbAgree=*/false);
    CoreResult R =
        calcOK(L.B.table(), T.B.table(), K::FieldByteOffset, L.Amb, "0:0");
    EXPECT_EQ(R.Outcome, O::Error);
    EXPECT_EQ(R.Message, "field offset ambiguity: 64 != 0");
    ASSERT_EQ(R.TargetSpecs.size(), 2u);
    EXPECT_EQ(R.TargetSpecs[0].RootType, T.Amb1);
    EXPECT_EQ(R.TargetSpecs[1].RootType, T.Amb2);
    // Existence agrees (1 and 1) but offsets still must agree in libbpf.
    R = calcOK(L.B.table(), T.B.table(), K::FieldExists, L.Amb, "0:0");
    EXPECT_EQ(R.Outcome, O::Error);
    // TYPE_SIZE 8 vs 16: decision ambiguity.
    R = calcOK(L.B.table(), T.B.table(), K::TypeSize, L.Amb, "0");
    EXPECT_EQ(R.Outcome, O::Error);
    EXPECT_EQ(R.Message, "relocation decision ambiguity: success 16 != "
                         "success 8");
    // TYPE_EXISTS: both 1, bit offsets both 0: fine.
    R = calcOK(L.B.table(), T.B.table(), K::TypeExists, L.Amb, "0");
    EXPECT_EQ(R.Outcome, O::Resolved);
    EXPECT_EQ(R.TargetSpecs.size(), 2u);
  }
  {
    // Same offset, same size: agreement.
    TargetTypes T(/*TwoAmbiguous=*/true, /*AmbAgree=*/true);
    CoreResult R =
        calcOK(L.B.table(), T.B.table(), K::FieldByteOffset, L.Amb, "0:0");
    EXPECT_EQ(R.Outcome, O::Resolved);
    EXPECT_EQ(R.NewVal, 0u);
    EXPECT_EQ(R.TargetSpecs.size(), 2u);
    // ... but TYPE_ID_TARGET differs (IDs): decision ambiguity.
    R = calcOK(L.B.table(), T.B.table(), K::TypeIdTarget, L.Amb, "0");
    EXPECT_EQ(R.Outcome, O::Error);
  }
  {
    // Two enums with the same enumerator, different values.
    TestBTFBuilder TB;
    TB.addEnum("e", 4, {{"E_A", 1}});
    TB.addEnum64("e___2", 8, {{"E_A", 2}});
    CoreResult R =
        calcOK(L.B.table(), TB.done(), K::EnumvalValue, L.E, "0");
    EXPECT_EQ(R.Outcome, O::Error);
    R = calcOK(L.B.table(), TB.table(), K::EnumvalExists, L.E, "0");
    EXPECT_EQ(R.Outcome, O::Resolved);
  }
}

TEST(CoreMatch, EnumSignExtension) {
  // libbpf 1.1.2 bpf_core_calc_enumval_relo() stores btf_enum.val (__s32)
  // into a __u64: sign-extended even for an unsigned (kflag 0) enum.
  TestBTFBuilder LB, TB;
  TypeId LE = LB.addEnum("e", 4, {{"HI", 1}});
  TB.addEnum("e", 4, {{"HI", int64_t(int32_t(0x80000000u))}});
  CoreResult R = calcOK(LB.done(), TB.done(), K::EnumvalValue, LE, "0");
  EXPECT_EQ(R.Outcome, O::Resolved);
  EXPECT_EQ(R.NewVal, 0xffffffff80000000ull);
}

TEST(CoreMatch, MemSizeAdjustment) {
  // int (signed, 4) -> long (8): unsafe; unsigned -> unsigned long: fine.
  TestBTFBuilder LB, TB;
  TypeId LI = LB.addInt("int", 4, true);
  TypeId LU = LB.addInt("unsigned int", 4);
  TypeId LS = LB.addStruct("s", 8, {{"i", LI, 0}, {"u", LU, 32}});
  TypeId TL = TB.addInt("long", 8, true);
  TypeId TUL = TB.addInt("unsigned long", 8);
  TB.addStruct("s", 16, {{"i", TL, 0}, {"u", TUL, 64}});
  const TypeTable &L = LB.done(), &T = TB.done();
  CoreResult R = calcOK(L, T, K::FieldByteOffset, LS, "0:0");
  EXPECT_EQ(R.OrigSz, 4u);
  EXPECT_EQ(R.NewSz, 8u);
  EXPECT_TRUE(R.FailMemsz);
  R = calcOK(L, T, K::FieldByteOffset, LS, "0:1");
  EXPECT_EQ(R.NewVal, 8u);
  EXPECT_FALSE(R.FailMemsz);
}

TEST(CoreMatch, CandidatesByEssentialNameAndKind) {
  TestBTFBuilder LB, TB;
  TypeId LS = LB.addStruct("task___x", 0, {});
  TypeId LEn = LB.addEnum("k", 4, {});
  TB.addUnion("task", 0, {});       // 1: wrong kind
  TB.addStruct("task___old", 0, {}); // 2
  TB.addStruct("task", 0, {});       // 3
  TB.addTypedef("task", 3);          // 4: wrong kind
  TB.addEnum64("k", 8, {});          // 5: enum vs enum64 ok
  TB.addStruct("task____", 0, {});   // 6: "____" is not a flavor separator
  const TypeTable &L = LB.done(), &T = TB.done();
  auto C = findCoreCandidates(L, LS, T);
  EXPECT_EQ(std::vector<TypeId>(C.begin(), C.end()),
            (std::vector<TypeId>{2, 3}));
  C = findCoreCandidates(L, LEn, T);
  EXPECT_EQ(std::vector<TypeId>(C.begin(), C.end()), (std::vector<TypeId>{5}));
}

} // namespace

TEST(CoreMatch, TypedefChainsOfAnyLengthAreFollowed) {
  // libbpf (libbpf.c skip_mods_and_typedefs) follows a member type's
  // typedef chain to its end; btfgen stopped after 1024 links and called
  // the relocation a load failure that libbpf and bpftool do not have.
  for (unsigned Len : {1023u, 1024u, 1025u, 3000u}) {
    TestBTFBuilder LB, TB;
    TypeId LInt = LB.addInt("int", 4, true);
    TypeId LS = LB.addStruct("s", 8, {{"a", LInt, 0}, {"b", LInt, 32}});
    TypeId TInt = TB.addInt("int", 4, true);
    TypeId Chain = TInt;
    for (unsigned I = 0; I < Len; ++I)
      Chain = TB.addTypedef("t" + std::to_string(I), Chain);
    TB.addStruct("s", 16, {{"x", TInt, 0}, {"b", Chain, 64}});
    const TypeTable &L = LB.done(), &T = TB.done();
    EXPECT_EQ(coreFieldsAreCompat(L, LInt, T, Chain), 1) << Len;
    CoreMatcher M(L, T);
    for (auto [Kind, Want] : {std::pair(K::FieldByteOffset, 8u),
                              std::pair(K::FieldByteSize, 4u),
                              std::pair(K::FieldSigned, 1u)}) {
      CoreRelocation R;
      R.Kind = Kind;
      R.LocalType = LS;
      R.Access = "0:1";
      llvm::Expected<CoreResult> Res = M.calc(R);
      ASSERT_TRUE(bool(Res)) << llvm::toString(Res.takeError());
      EXPECT_EQ(Res->Outcome, O::Resolved) << Len << " " << Res->Message;
      EXPECT_EQ(Res->NewVal, Want) << Len;
    }
  }
}

TEST(CoreLoadSession, CandidateListShrinksInLoadOrder) {
  // Two flavors of task: only task___2 has only2, and pid sits at different
  // offsets. After a relocation on only2 (matches task___2 alone) libbpf's
  // list for the root is [task___2], so a later relocation on pid resolves
  // to task___2's offset; against the full list it is an ambiguity.
  TestBTFBuilder T;
  TypeId Int = T.addInt("int", 4, true);
  T.addStruct("task", 16, {{"pid", Int, 0}});
  T.addStruct("task___2", 16, {{"pid", Int, 64}, {"only2", Int, 96}});
  TypeTable Target = T.done();
  Target.buildNameIndex();
  TestBTFBuilder LB;
  TypeId LInt = LB.addInt("int", 4, true);
  TypeId LTask = LB.addStruct(
      "task", 12, {{"pid", LInt, 0}, {"only2", LInt, 32}, {"gone", LInt, 64}});
  const TypeTable &Local = LB.done();
  auto Mk = [&](const char *Access) {
    CoreRelocation R;
    R.Kind = K::FieldByteOffset;
    R.LocalType = LTask;
    R.Access = Access;
    return R;
  };
  CoreMatcher M(Local, Target);
  auto FullPid = M.calc(Mk("0:0"));
  ASSERT_TRUE(bool(FullPid));
  EXPECT_EQ(FullPid->Outcome, O::Error);

  // pid first: same as the full list (nothing pruned yet).
  {
    CoreLoadSession S(Local, Target);
    auto A = S.calc(Mk("0:0"));
    ASSERT_TRUE(bool(A));
    EXPECT_EQ(A->Outcome, O::Error);
  }
  // only2 first, then pid: pruned to task___2.
  CoreLoadSession S(Local, Target);
  auto A = S.calc(Mk("0:1"));
  ASSERT_TRUE(bool(A));
  EXPECT_EQ(A->Outcome, O::Resolved);
  EXPECT_EQ(A->NewVal, 12u);
  auto B = S.calc(Mk("0:0"), &*FullPid);
  ASSERT_TRUE(bool(B));
  EXPECT_EQ(B->Outcome, O::Resolved);
  EXPECT_EQ(B->NewVal, 8u);
  // A relocation no candidate matches leaves the list alone (libbpf's
  // `if (j > 0)`): pid still resolves through task___2.
  CoreRelocation Gone = Mk("0:2");
  Gone.Kind = K::FieldExists;
  auto C = S.calc(Gone);
  ASSERT_TRUE(bool(C));
  EXPECT_EQ(C->Outcome, O::NotFound);
  auto D = S.calc(Mk("0:0"));
  ASSERT_TRUE(bool(D));
  EXPECT_EQ(D->Outcome, O::Resolved);
  EXPECT_EQ(D->NewVal, 8u);
}
