//===- CDumperTest.cpp - BTF to C, construct by construct -----------------===//
//
// One small hand-built BTF per construct of libbpf's BTF-to-C converter,
// each with the exact text `bpftool btf dump file F format c` prints for it
// (between the fixed vmlinux.h prologue and epilogue). Every case is
// checked twice: our CDumper must print the text, and, when bpftool is
// installed, so must bpftool (CasesMatchBpftool), so the expectations are
// the referee's, not ours.
//
//===----------------------------------------------------------------------===//

#include "btfgen/CDumper.h"

#include "btfgen/BTFReader.h"
#include "btfgen/BTFWriter.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/raw_ostream.h"

#include "TestBTFBuilder.h"
#include "TestUtil.h"
#include "gtest/gtest.h"

#include <functional>
#include <optional>
#include <string>

using namespace llvm;
using namespace btfgen;
using namespace btfgen::test;
using namespace btfgen::testutil;

namespace {

constexpr const char *Prologue =
    "#ifndef __VMLINUX_H__\n"
    "#define __VMLINUX_H__\n"
    "\n"
    "#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n"
    "#pragma clang attribute push (__attribute__((preserve_access_index)), "
    "apply_to = record)\n"
    "#endif\n"
    "\n";
constexpr const char *Epilogue = "#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n"
                                 "#pragma clang attribute pop\n"
                                 "#endif\n"
                                 "\n"
                                 "#endif /* __VMLINUX_H__ */\n";

/// The text between prologue and epilogue; the whole text if they are not
/// there (an error stopped the dump, or a wrong wrapper: the comparison
/// then fails visibly).
std::string body(StringRef Full) {
  if (!Full.starts_with(Prologue) || !Full.ends_with(Epilogue))
    return Full.str();
  return Full.drop_front(strlen(Prologue)).drop_back(strlen(Epilogue)).str();
}

std::string ourC(const TypeTable &T) {
  std::string S;
  raw_string_ostream OS(S);
  Error E = dumpBTFAsC(T, OS);
  EXPECT_FALSE(bool(E)) << toString(std::move(E));
  return body(S);
}

std::optional<std::string> bpftoolC(const std::string &Bpftool,
                                    const TypeTable &T) {
  SmallString<128> Tmp;
  if (sys::fs::createTemporaryFile("cdumper", "btf", Tmp))
    return std::nullopt;
  {
    std::error_code EC;
    raw_fd_ostream OS(Tmp, EC);
    if (EC)
      return std::nullopt;
    OS << writeBTFToString(T);
  }
  std::optional<std::string> Out = runCapture(
      "'" + Bpftool + "' btf dump file '" + Tmp.str().str() + "' format c");
  sys::fs::remove(Tmp);
  if (!Out)
    return std::nullopt;
  return body(*Out);
}

struct Case {
  const char *Name;
  std::function<void(TestBTFBuilder &)> Build;
  const char *Expected;
};

const Case Cases[] = {
    {"struct pointing to itself",
     [](TestBTFBuilder &B) {
       TypeId P = B.addPtr(B.nextId() + 1);
       B.addStruct("list_head", 16, {{"next", P, 0}, {"prev", P, 64}});
     },
     "struct list_head {\n"
     "\tstruct list_head *next;\n"
     "\tstruct list_head *prev;\n"
     "};\n\n"},

    {"forward declaration breaks a cycle through a pointer",
     [](TestBTFBuilder &B) {
       TypeId Int = B.addInt("int", 4, true);
       TypeId P = B.addPtr(B.nextId() + 2); // struct b *
       TypeId A = B.addStruct("a", 16, {{"b", P, 0}, {"x", Int, 64}});
       B.addStruct("b", 16, {{"a", A, 0}});
     },
     "struct b;\n\n"
     "struct a {\n"
     "\tstruct b *b;\n"
     "\tint x;\n"
     "};\n\n"
     "struct b {\n"
     "\tstruct a a;\n"
     "};\n\n"},

    {"typedef used through a pointer inside its own struct",
     [](TestBTFBuilder &B) {
       TypeId Int = B.addInt("int", 4, true);
       TypeId TD = B.addTypedef("node_t", B.nextId() + 2);
       TypeId P = B.addPtr(TD);
       B.addStruct("node", 16, {{"next", P, 0}, {"v", Int, 64}});
     },
     "struct node;\n\n"
     "typedef struct node node_t;\n\n"
     "struct node {\n"
     "\tnode_t *next;\n"
     "\tint v;\n"
     "};\n\n"},

    {"anonymous struct, union and enum are written inline",
     [](TestBTFBuilder &B) {
       TypeId Int = B.addInt("int", 4, true);
       TypeId Short = B.addInt("short int", 2, true);
       TypeId S = B.addStruct("", 4, {{"a", Short, 0}, {"b", Short, 16}});
       TypeId U = B.addUnion("", 4, {{"i", Int, 0}, {"s", S, 0}});
       TypeId E = B.addEnum("", 4, {{"X", 0}, {"Y", 1}});
       B.addStruct("outer", 12, {{"kind", Int, 0}, {"", U, 32}, {"e", E, 64}});
       B.addEnum("", 4, {{"Z", 3}}); // referenced by nothing: top level
     },
     "struct outer {\n"
     "\tint kind;\n"
     "\tunion {\n"
     "\t\tint i;\n"
     "\t\tstruct {\n"
     "\t\t\tshort int a;\n"
     "\t\t\tshort int b;\n"
     "\t\t} s;\n"
     "\t};\n"
     "\tenum {\n"
     "\t\tX = 0,\n"
     "\t\tY = 1,\n"
     "\t} e;\n"
     "};\n"
     "\n"
     "enum {\n"
     "\tZ = 3,\n"
     "};\n"
     "\n"},

    {"duplicate names are numbered in first-use order",
     [](TestBTFBuilder &B) {
       TypeId Int = B.addInt("int", 4, true);
       TypeId Long = B.addInt("long", 8, true);
       B.addStruct("foo", 4, {{"a", Int, 0}});
       TypeId Foo2 = B.addStruct("foo", 8, {{"b", Long, 0}});
       B.addTypedef("foo_t", Int);
       B.addEnum("e", 4, {{"foo_t", 1}, {"V", 2}});
       B.addEnum("e", 4, {{"V", 3}});
       TypeId P = B.addPtr(Foo2);
       B.addStruct("user", 8, {{"p", P, 0}});
     },
     "struct foo {\n"
     "\tint a;\n"
     "};\n"
     "\n"
     "struct foo___2 {\n"
     "\tlong b;\n"
     "};\n"
     "\n"
     "typedef int foo_t;\n"
     "\n"
     "enum e {\n"
     "\tfoo_t___2 = 1,\n"
     "\tV = 2,\n"
     "};\n"
     "\n"
     "enum e___2 {\n"
     "\tV___2 = 3,\n"
     "};\n"
     "\n"
     "struct user {\n"
     "\tstruct foo___2 *p;\n"
     "};\n"
     "\n"},

    {"bitfields and gaps get explicit padding",
     [](TestBTFBuilder &B) {
       TypeId Int = B.addInt("int", 4, true);
       TypeId Long = B.addInt("long", 8, true);
       TypeId Char = B.addInt("char", 1, true);
       B.addStruct("bits", 24,
                   {{"a", Int, 0, 3},
                    {"b", Int, 3, 5},
                    {"c", Int, 16, 4},
                    {"d", Int, 32},
                    {"e", Long, 128}});
       B.addStruct("gap", 16, {{"x", Int, 0}, {"y", Int, 96}});
       B.addStruct("mark", 9, {{"a", Char, 0}, {"b", Char, 64}});
       B.addStruct("tail", 16, {{"x", Int, 0}});
     },
     "struct bits {\n"
     "\tint a: 3;\n"
     "\tint b: 5;\n"
     "\tshort: 8;\n"
     "\tint c: 4;\n"
     "\tint d;\n"
     "\tlong: 64;\n"
     "\tlong e;\n"
     "};\n"
     "\n"
     "struct gap {\n"
     "\tint x;\n"
     "\tlong: 0;\n"
     "\tint: 32;\n"
     "\tint y;\n"
     "};\n"
     "\n"
     "struct mark {\n"
     "\tchar a;\n"
     "\tlong: 0;\n"
     "\tchar b;\n"
     "};\n"
     "\n"
     "struct tail {\n"
     "\tint x;\n"
     "\tlong: 64;\n"
     "};\n"
     "\n"},

    {"misaligned members make a struct packed",
     [](TestBTFBuilder &B) {
       TypeId Int = B.addInt("int", 4, true);
       TypeId Char = B.addInt("char", 1, true);
       B.addStruct("p", 5, {{"c", Char, 0}, {"i", Int, 8}});
       B.addStruct("q", 6, {{"i", Int, 0}, {"c", Char, 32}});
       B.addUnion("u", 5, {{"i", Int, 0}, {"c", Char, 0}});
     },
     "struct p {\n"
     "\tchar c;\n"
     "\tint i;\n"
     "} __attribute__((packed));\n"
     "\n"
     "struct q {\n"
     "\tint i;\n"
     "\tchar c;\n"
     "\tshort: 0;\n"
     "} __attribute__((packed));\n"
     "\n"
     "union u {\n"
     "\tint i;\n"
     "\tchar c;\n"
     "};\n"
     "\n"},

    {"empty and opaque structs",
     [](TestBTFBuilder &B) {
       B.addStruct("empty", 0, {});
       B.addUnion("uempty", 0, {});
       B.addStruct("opaque", 12, {});
     },
     "struct empty {};\n"
     "\n"
     "union uempty {};\n"
     "\n"
     "struct opaque {\n"
     "\tlong: 64;\n"
     "\tint: 32;\n"
     "};\n"
     "\n"},

    {"enum values, signedness, ENUM64 and value-less enums",
     [](TestBTFBuilder &B) {
       B.addEnum("ue", 4, {{"A", 0}, {"B", -5}});
       B.addEnum("se", 4, {{"C", -5}, {"D", 7}}, /*Signed=*/true);
       B.addEnum64("ue64", 8, {{"E", -1}, {"F", 1}});
       B.addEnum64("se64", 8, {{"G", -5}, {"H", INT64_MIN}}, /*Signed=*/true);
       B.addEnum("opaque_enum", 4, {});
       B.addEnum("opaque_enum", 4, {});
     },
     "enum ue {\n"
     "\tA = 0,\n"
     "\tB = 4294967291,\n"
     "};\n"
     "\n"
     "enum se {\n"
     "\tC = -5,\n"
     "\tD = 7,\n"
     "};\n"
     "\n"
     "enum ue64 {\n"
     "\tE = 18446744073709551615ULL,\n"
     "\tF = 1ULL,\n"
     "};\n"
     "\n"
     "enum se64 {\n"
     "\tG = -5LL,\n"
     "\tH = -9223372036854775808LL,\n"
     "};\n"
     "\n"
     "enum opaque_enum;\n"
     "\n"
     "enum opaque_enum;\n"
     "\n"},

    {"FWDs",
     [](TestBTFBuilder &B) {
       B.addFwd("fs");
       B.addFwd("fu", /*IsUnion=*/true);
       TypeId P = B.addPtr(1);
       B.addStruct("user", 8, {{"p", P, 0}});
     },
     "struct fs;\n"
     "\n"
     "union fu;\n"
     "\n"
     "struct user {\n"
     "\tstruct fs *p;\n"
     "};\n"
     "\n"},

    {"declarators: qualifiers, arrays, function pointers, type tags",
     [](TestBTFBuilder &B) {
       TypeId Int = B.addInt("int", 4, true);      // 1
       TypeId Char = B.addInt("char", 1, true);    // 2
       TypeId Long = B.addInt("long", 8, true);    // 3
       TypeId CInt = B.addConst(Int);              // 4
       TypeId PCInt = B.addPtr(CInt);              // 5 const int *
       TypeId PInt = B.addPtr(Int);                // 6 int *
       TypeId CPInt = B.addConst(PInt);            // 7 int * const
       TypeId VInt = B.addVolatile(Int);           // 8
       TypeId PVInt = B.addPtr(VInt);              // 9
       TypeId RPVInt = B.addRestrict(PVInt);       // 10
       TypeId APInt = B.addArray(PInt, 4, Int);    // 11 int *[4]
       TypeId AInt4 = B.addArray(Int, 4, Int);     // 12 int [4]
       TypeId PAInt = B.addPtr(AInt4);             // 13 int (*)[4]
       TypeId AInt3 = B.addArray(Int, 3, Int);     // 14
       TypeId A2A3 = B.addArray(AInt3, 2, Int);    // 15 int [2][3]
       TypeId PChar = B.addPtr(Char);              // 16
       TypeId FnIC = B.addFuncProto(Int, {{"", Int}, {"s", PChar}});
       TypeId PFnIC = B.addPtr(FnIC);              // 18
       TypeId FnV = B.addFuncProto(0, {});         // 19 void (void)
       TypeId PFnV = B.addPtr(FnV);
       TypeId APFnV = B.addArray(PFnV, 2, Int);    // 21
       TypeId FnL = B.addFuncProto(Int, {{"", Long}});
       TypeId PFnL = B.addPtr(FnL);
       TypeId FnRet = B.addFuncProto(PFnL, {{"", Int}});
       TypeId PFnRet = B.addPtr(FnRet);            // 25
       TypeId FnVar = B.addFuncProto(Int, {{"fmt", PChar}, {"", 0}});
       TypeId PFnVar = B.addPtr(FnVar);
       TypeId Tag = B.addTypeTag("user", Int);
       TypeId PTag = B.addPtr(Tag);                // 29
       TypeId FnVoid1 = B.addFuncProto(Int, {{"", 0}});
       TypeId PFnVoid1 = B.addPtr(FnVoid1);
       TypeId PPCInt = B.addPtr(PCInt);            // 32 const int **
       TypeId CV = B.addConst(B.nextId() + 1);     // const volatile int
       B.addVolatile(Int);
       B.addStruct("decls", 152,
                   {{"a", PCInt, 0},
                    {"b", CPInt, 64},
                    {"c", RPVInt, 128},
                    {"d", APInt, 192},
                    {"e", PAInt, 448},
                    {"f", A2A3, 512},
                    {"g", PFnIC, 704},
                    {"h", APFnV, 768},
                    {"i", PFnRet, 896},
                    {"j", PFnVar, 960},
                    {"k", PTag, 1024},
                    {"l", PFnVoid1, 1088},
                    {"m", PPCInt, 1152},
                    {"n", CV, 1216}});
       B.addTypedef("fn_t", FnIC);
       B.addTypedef("arr_t", A2A3);
     },
     "struct decls {\n"
     "\tconst int *a;\n"
     "\tint * const b;\n"
     "\tvolatile int * restrict c;\n"
     "\tint *d[4];\n"
     "\tint (*e)[4];\n"
     "\tint f[2][3];\n"
     "\tint (*g)(int, char *s);\n"
     "\tvoid (*h[2])(void);\n"
     "\tint (* (*i)(int))(long);\n"
     "\tint (*j)(char *fmt, ...);\n"
     "\tint __attribute__((btf_type_tag(\"user\"))) *k;\n"
     "\tint (*l)(void);\n"
     "\tconst int **m;\n"
     "\tvolatile const int n;\n"
     "};\n"
     "\n"
     "typedef int fn_t(int, char *s);\n"
     "\n"
     "typedef int arr_t[2][3];\n"
     "\n"},

    {"FLOAT, FUNC, VAR, DATASEC and DECL_TAG define nothing themselves",
     [](TestBTFBuilder &B) {
       TypeId Int = B.addInt("int", 4, true);
       TypeId Dbl = B.addFloat("double", 8);
       TypeId Proto = B.addFuncProto(Int, {{"x", Int}});
       B.addFunc("f", Proto);
       TypeId V = B.addVar("v", Dbl);
       TypeId S = B.addStruct("withfloat", 8, {{"d", Dbl, 0}});
       TypeTable &T = B.table();
       T.addType({T.addString(".data"),
                  BTFType::makeInfo(Kind::Datasec, 1, false), 8},
                 {V, 0, 8});
       T.addType({T.addString("tag"),
                  BTFType::makeInfo(Kind::DeclTag, 0, false), S},
                 {uint32_t(-1)});
     },
     "struct withfloat {\n"
     "\tdouble d;\n"
     "};\n"
     "\n"},

    {"compiler built-ins: va_list and Arm poly types",
     [](TestBTFBuilder &B) {
       TypeId Char = B.addInt("char", 1, true);
       TypeId PChar = B.addPtr(Char);
       TypeId Builtin = B.addTypedef("__builtin_va_list", PChar);
       B.addTypedef("va_list", Builtin);
       B.addTypedef("__gnuc_va_list", 0);
       TypeId Poly = B.addInt("__Poly8_t", 1);
       B.addTypedef("poly8_t", Poly);
     },
     "typedef __builtin_va_list va_list;\n"
     "\n"
     "typedef __builtin_va_list __gnuc_va_list;\n"
     "\n"
     "typedef unsigned char __Poly8_t;\n"
     "\n"
     "typedef __Poly8_t poly8_t;\n"
     "\n"},

    {"32-bit pointers pad with a 32-bit long",
     [](TestBTFBuilder &B) {
       TypeId Int = B.addInt("int", 4, true);
       B.addInt("long int", 4, true); // libbpf guesses the pointer size
       TypeId P = B.addPtr(Int);
       B.addStruct("s32", 16, {{"a", Int, 0}, {"p", P, 64}});
     },
     "struct s32 {\n"
     "\tint a;\n"
     "\tlong: 32;\n"
     "\tint *p;\n"
     "\tlong: 32;\n"
     "};\n"
     "\n"},
};

/// Raw BTF of a case, read back: the same bytes bpftool reads, and the
/// pointer size our reader (like libbpf) guesses from them.
TypeTable build(const Case &C) {
  TestBTFBuilder B;
  C.Build(B);
  Expected<TypeTable> T =
      readBTF(MemoryBufferRef(writeBTFToString(B.table()), C.Name));
  if (!T) {
    ADD_FAILURE() << C.Name << ": " << toString(T.takeError());
    return TypeTable();
  }
  return std::move(*T);
}

} // namespace

TEST(CDumper, Cases) {
  for (const Case &C : Cases)
    EXPECT_EQ(ourC(build(C)), C.Expected) << C.Name;
}

TEST(CDumper, CasesMatchBpftool) {
  std::optional<std::string> Bpftool = findBpftool();
  if (!Bpftool)
    GTEST_SKIP() << "bpftool not found";
  for (const Case &C : Cases) {
    std::optional<std::string> Theirs = bpftoolC(*Bpftool, build(C));
    ASSERT_TRUE(Theirs.has_value()) << "bpftool failed on " << C.Name;
    EXPECT_EQ(*Theirs, C.Expected) << C.Name;
  }
}

TEST(CDumper, WholeHeaderWrapsTheTypes) {
  TestBTFBuilder B;
  B.addInt("int", 4, true);
  std::string S;
  raw_string_ostream OS(S);
  ASSERT_FALSE(bool(dumpBTFAsC(B.done(), OS)));
  EXPECT_EQ(S, std::string(Prologue) + Epilogue);
}

TEST(CDumper, DumpTypeWritesOnlyWhatTheRootNeeds) {
  TestBTFBuilder B;
  TypeId Int = B.addInt("int", 4, true);
  B.addStruct("unrelated", 4, {{"x", Int, 0}});
  TypeId TD = B.addTypedef("myint", Int);
  TypeId Inner = B.addStruct("inner", 4, {{"v", TD, 0}});
  TypeId Outer = B.addStruct("outer", 4, {{"in", Inner, 0}});
  const TypeTable &T = B.done();
  std::string S;
  raw_string_ostream OS(S);
  CDumper D(T, OS);
  ASSERT_FALSE(bool(D.dumpType(Outer)));
  EXPECT_EQ(S, "typedef int myint;\n\n"
               "struct inner {\n\tmyint v;\n};\n\n"
               "struct outer {\n\tstruct inner in;\n};\n\n");
  // A session writes each type once.
  S.clear();
  ASSERT_FALSE(bool(D.dumpType(Inner)));
  ASSERT_FALSE(bool(D.dumpType(Outer)));
  EXPECT_EQ(S, "");
}

// An anonymous struct that points to itself has no C spelling. bpftool
// prints the prologue, then fails (libbpf: -ELOOP); so do we, naming the
// type.
TEST(CDumper, AnonymousCycleIsAnError) {
  TestBTFBuilder B;
  TypeId P = B.addPtr(B.nextId() + 1);
  B.addStruct("", 8, {{"p", P, 0}});
  std::string S;
  raw_string_ostream OS(S);
  Error E = dumpBTFAsC(B.done(), OS);
  ASSERT_TRUE(bool(E));
  EXPECT_EQ(toString(std::move(E)),
            "type [2] STRUCT '': unsatisfiable type cycle");
  EXPECT_EQ(S, Prologue);
}

// `typedef t *t;` passes the reader (the cycle goes through a pointer) but
// makes libbpf recurse until its stack overflows; a chain of typedefs
// longer than the bound is legal but absurd. Both are clean errors here.
TEST(CDumper, TooDeepIsAnErrorNotACrash) {
  {
    TestBTFBuilder B;
    TypeId TD = B.addTypedef("t", B.nextId() + 1);
    B.addPtr(TD);
    std::string S;
    raw_string_ostream OS(S);
    Error E = dumpBTFAsC(B.done(), OS);
    ASSERT_TRUE(bool(E));
    EXPECT_EQ(toString(std::move(E)),
              "type [1] TYPEDEF 't': type graph nested deeper than 1000 levels");
  }
  {
    TestBTFBuilder B;
    // t0 -> t1 -> ... -> t4999 -> int, so that dumping t0 walks it all.
    TypeId Int = B.addInt("int", 4, true);
    for (int I = 0; I < 5000; ++I)
      B.addTypedef(("t" + Twine(I)).str(), I == 4999 ? Int : B.nextId() + 1);
    std::string S;
    raw_string_ostream OS(S);
    Error E = dumpBTFAsC(B.done(), OS);
    ASSERT_TRUE(bool(E));
    EXPECT_TRUE(StringRef(toString(std::move(E)))
                    .ends_with("type graph nested deeper than 1000 levels"));
  }
}
