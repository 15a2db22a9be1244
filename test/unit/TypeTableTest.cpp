//===- TypeTableTest.cpp - TypeTable and the essential-name index ---------===//
//
// The candidate index must return, for an essential name, exactly the IDs
// libbpf's linear scan (libbpf.c bpf_core_add_cands) would visit, in
// ascending order, whatever the flavors and string offsets involved.
// forEachRef must name every stored type ID of every kind, with its role,
// in record order (the reader's reference check and the minimizer's
// marking and output order rely on it).
//
//===----------------------------------------------------------------------===//

#include "btfgen/TypeTable.h"
#include "TestBTFBuilder.h"

#include "gtest/gtest.h"

#include <string>
#include <tuple>
#include <vector>

using namespace btfgen;

namespace {

TypeId addStruct(TypeTable &T, llvm::StringRef Name) {
  BTFType R{T.addString(Name), BTFType::makeInfo(Kind::Struct, 0, false), 8};
  return T.addType(R, {});
}

std::vector<TypeId> lookupIds(const TypeTable &T, llvm::StringRef Name) {
  llvm::ArrayRef<TypeId> Ids = T.findByEssentialName(Name);
  return std::vector<TypeId>(Ids.begin(), Ids.end());
}

// What a linear scan over all types finds, for comparison.
std::vector<TypeId> scan(const TypeTable &T, llvm::StringRef Name) {
  std::vector<TypeId> Ids;
  for (TypeId Id = 1; Id < T.size(); ++Id)
    if (!T.name(Id).empty() && essentialName(T.name(Id)) == Name)
      Ids.push_back(Id);
  return Ids;
}

TEST(TypeTable, EssentialNameStripsOnlyTheLastFlavor) {
  EXPECT_EQ(essentialName("task_struct"), "task_struct");
  EXPECT_EQ(essentialName("task_struct___old"), "task_struct");
  EXPECT_EQ(essentialName("a___b___c"), "a___b");
  // "X___Y" needs non-underscore X and Y around exactly the separator.
  EXPECT_EQ(essentialName("a____b"), "a____b");
  EXPECT_EQ(essentialName("___x"), "___x");
  EXPECT_EQ(essentialName("x___"), "x___");
  EXPECT_EQ(essentialName(""), "");
}

TEST(TypeTable, EssentialNameAgreesWithLibbpfsRuleOnAllShortNames) {
  // bpf_core_essential_name_len(), written out: the rightmost "X___Y" with
  // X and Y not '_' ends the essential name after X. Every name of up to 10
  // characters over {a, _}, so runs of underscores at every position and
  // phase are covered.
  auto Reference = [](const std::string &N) {
    for (int64_t I = int64_t(N.size()) - 5; I >= 0; --I)
      if (N[I] != '_' && N[I + 1] == '_' && N[I + 2] == '_' &&
          N[I + 3] == '_' && N[I + 4] != '_')
        return N.substr(0, I + 1);
    return N;
  };
  for (unsigned Len = 0; Len <= 10; ++Len)
    for (unsigned Bits = 0; Bits < (1u << Len); ++Bits) {
      std::string N;
      for (unsigned I = 0; I < Len; ++I)
        N += (Bits >> I) & 1 ? '_' : 'a';
      ASSERT_EQ(essentialName(N).str(), Reference(N)) << N;
    }
}

TEST(TypeTable, IndexMatchesLinearScanWithFlavorsAndDuplicates) {
  TypeTable T;
  std::vector<std::string> Names = {"task_struct", "mm_struct", "task_struct___v1",
                                    "task_struct", "file",      "task_struct___x",
                                    "mm_struct___y", "task",    "task_structx"};
  for (int Round = 0; Round < 3; ++Round)
    for (const std::string &N : Names)
      addStruct(T, N);
  // An anonymous type is never a candidate.
  addStruct(T, "");
  T.buildNameIndex();
  for (llvm::StringRef Q : {"task_struct", "mm_struct", "file", "task",
                            "task_structx", "missing", ""}) {
    EXPECT_EQ(lookupIds(T, Q), scan(T, Q)) << "query '" << Q.str() << "'";
  }
  EXPECT_EQ(lookupIds(T, "task_struct").size(), 12u);
  EXPECT_TRUE(lookupIds(T, "").empty());
}

TEST(TypeTable, IndexSurvivesMoveOfSmallTable) {
  TypeTable T;
  addStruct(T, "a");
  addStruct(T, "b___1");
  T.buildNameIndex();
  TypeTable Moved = std::move(T);
  EXPECT_EQ(lookupIds(Moved, "b"), std::vector<TypeId>({2}));
  EXPECT_EQ(lookupIds(Moved, "a"), std::vector<TypeId>({1}));
}

TEST(TypeTable, AddStringDeduplicatesInFirstUseOrder) {
  TypeTable T;
  StrOffset A = T.addString("alpha");
  StrOffset B = T.addString("beta");
  EXPECT_EQ(T.addString("alpha"), A);
  EXPECT_EQ(A, 1u);
  EXPECT_EQ(B, 7u);
  EXPECT_EQ(T.addString(""), 0u);
  EXPECT_EQ(T.str(B), "beta");
  EXPECT_EQ(T.str(9999), "");
}

using Refs = std::vector<std::tuple<TypeId, RefRole, uint32_t>>;

Refs refsOf(const TypeTable &T, TypeId Id) {
  Refs R;
  T.forEachRef(Id, [&](TypeId Ref, RefRole Role, uint32_t I) {
    R.emplace_back(Ref, Role, I);
  });
  return R;
}

TEST(TypeTable, ForEachRefNamesEveryReferenceInRecordOrder) {
  test::TestBTFBuilder B;
  TypeId Int = B.addInt("int", 4, true);                    // 1
  TypeId Long = B.addInt("long", 8, true);                  // 2
  TypeId Ptr = B.addPtr(Long);                              // 3
  TypeId Td = B.addTypedef("t", Ptr);                       // 4
  TypeId Cst = B.addConst(Td);                              // 5
  TypeId Arr = B.addArray(Cst, 3, Int);                     // 6
  TypeId S = B.addStruct("s", 32, {{"a", Arr, 0}, {"b", Int, 192}}); // 7
  TypeId Proto = B.addFuncProto(Long, {{"x", S}, {"y", Int}}); // 8
  TypeId Fn = B.addFunc("f", Proto);                        // 9
  TypeId V = B.addVar("v", S);                              // 10
  TypeId Fwd = B.addFwd("fw");                              // 11
  TypeId E = B.addEnum("e", 4, {{"A", 1}});                 // 12
  TypeId Tag = B.addTypeTag("user", Ptr);                   // 13
  TypeTable &T = B.table();
  BTFType DS{T.addString(".data"), BTFType::makeInfo(Kind::Datasec, 2, false),
             64};
  TypeId Sec = T.addType(DS, {V, 0, 32, Fn, 32, 8});        // 14
  BTFType DT{T.addString("tag"), BTFType::makeInfo(Kind::DeclTag, 0, false),
             S};
  TypeId Decl = T.addType(DT, {1u});                        // 15

  EXPECT_EQ(refsOf(T, Int), Refs());
  EXPECT_EQ(refsOf(T, Fwd), Refs());
  EXPECT_EQ(refsOf(T, E), Refs());
  EXPECT_EQ(refsOf(T, Ptr), Refs({{Long, RefRole::Pointee, 0}}));
  EXPECT_EQ(refsOf(T, Td), Refs({{Ptr, RefRole::Type, 0}}));
  EXPECT_EQ(refsOf(T, Cst), Refs({{Td, RefRole::Type, 0}}));
  EXPECT_EQ(refsOf(T, Tag), Refs({{Ptr, RefRole::Type, 0}}));
  EXPECT_EQ(refsOf(T, Arr),
            Refs({{Cst, RefRole::Elem, 0}, {Int, RefRole::Index, 0}}));
  EXPECT_EQ(refsOf(T, S),
            Refs({{Arr, RefRole::Member, 0}, {Int, RefRole::Member, 1}}));
  EXPECT_EQ(refsOf(T, Proto), Refs({{Long, RefRole::Return, 0},
                                    {S, RefRole::Param, 0},
                                    {Int, RefRole::Param, 1}}));
  EXPECT_EQ(refsOf(T, Fn), Refs({{Proto, RefRole::Type, 0}}));
  EXPECT_EQ(refsOf(T, V), Refs({{S, RefRole::Type, 0}}));
  EXPECT_EQ(refsOf(T, Sec),
            Refs({{V, RefRole::Var, 0}, {Fn, RefRole::Var, 1}}));
  EXPECT_EQ(refsOf(T, Decl), Refs({{S, RefRole::Type, 0}}));
}

TEST(TypeTable, LongNamesAreLibbpfs) {
  // determine_ptr_size()'s spellings: "long" with optional "int" and
  // "unsigned", any order, single spaces.
  for (const char *N :
       {"long", "long int", "int long", "unsigned long", "long unsigned",
        "unsigned long int", "unsigned int long", "long unsigned int",
        "long int unsigned", "int unsigned long", "int long unsigned"})
    EXPECT_TRUE(TypeTable::isLongName(N)) << N;
  for (const char *N :
       {"", "int", "unsigned", "long long", "long long int", "long  int",
        " long", "long ", "unsigned int", "long int int", "signed long",
        "long unsigned int x", "Long"})
    EXPECT_FALSE(TypeTable::isLongName(N)) << N;
}

TEST(TypeTable, GuessPointerSizeTakesTheFirstLongOfFourOrEightBytes) {
  test::TestBTFBuilder B;
  B.addInt("long", 2);                 // wrong size: skipped
  B.addStruct("long int", 8, {});      // not an INT: skipped
  B.addInt("int", 4, true);
  TypeId First = B.addInt("long unsigned int", 4);
  B.addInt("long int", 8, true);
  const TypeTable &T = B.done();
  EXPECT_EQ(T.longType(), First);
  EXPECT_EQ(T.guessPointerSize(), 4u);
  test::TestBTFBuilder None;
  None.addInt("int", 4, true);
  EXPECT_EQ(None.done().guessPointerSize(), 0u);
}

TEST(TypeTable, PointerSizeDerivesFromTheKnownOne) {
  TypeTable T;
  EXPECT_EQ(T.knownPointerSize(), 0u);
  EXPECT_EQ(T.pointerSize(), 8u) << "a 64-bit loader's own";
  T.setKnownPointerSize(4);
  EXPECT_EQ(T.knownPointerSize(), 4u);
  EXPECT_EQ(T.pointerSize(), 4u);
  TypeTable Copy = T;
  EXPECT_EQ(Copy.pointerSize(), 4u);
  T.setKnownPointerSize(0);
  EXPECT_EQ(T.pointerSize(), 8u);
  TypeId P = T.addType({0, BTFType::makeInfo(Kind::Ptr, 0, false), 0}, {});
  TypeId A = T.addType({0, BTFType::makeInfo(Kind::Array, 0, false), 0},
                       {P, P, 3});
  EXPECT_EQ(T.resolveSize(A), 24);
  T.setKnownPointerSize(4);
  EXPECT_EQ(T.resolveSize(A), 12);
}

/// A chain of Len links (typedef, const, type tag in turn) ending at To.
TypeId addChain(test::TestBTFBuilder &B, TypeId To, unsigned Len) {
  TypeId Id = To;
  for (unsigned I = 0; I < Len; ++I)
    Id = I % 3 == 0   ? B.addTypedef("t" + std::to_string(I), Id)
         : I % 3 == 1 ? B.addConst(Id)
                      : B.addTypeTag("tag", Id);
  return Id;
}

TEST(TypeTable, SkipModsAndTypedefsHasLibbpfsNoBound) {
  // libbpf.c skip_mods_and_typedefs() loops until the chain ends. The old
  // walks stopped after 32, 64 or 1024 links; test both sides of each.
  for (unsigned Len : {0u, 1u, 31u, 32u, 33u, 63u, 64u, 65u, 1023u, 1024u,
                       1025u, 3000u}) {
    test::TestBTFBuilder B;
    TypeId Int = B.addInt("int", 4, true);
    TypeId Head = addChain(B, Int, Len);
    TypeId ToVoid = addChain(B, 0, Len);
    const TypeTable &T = B.done();
    EXPECT_EQ(T.trySkipModsAndTypedefs(Head), std::optional<TypeId>(Int))
        << Len;
    EXPECT_EQ(T.skipModsAndTypedefs(Head), Int) << Len;
    EXPECT_EQ(T.trySkipModsAndTypedefs(ToVoid), std::optional<TypeId>(0))
        << Len;
  }
}

TEST(TypeTable, SkipModsAndTypedefsStopsOnCyclesAndBadIds) {
  // Only tables no reader validated can have these (BTFReader rejects both).
  test::TestBTFBuilder B;
  TypeId A = B.addTypedef("a", 0);
  TypeId C = B.addConst(A);
  B.table().mutableType(A).SizeOrType = C;
  TypeId Bad = B.addTypedef("bad", 77);
  const TypeTable &T = B.done();
  EXPECT_EQ(T.trySkipModsAndTypedefs(A), std::nullopt);
  EXPECT_EQ(T.skipModsAndTypedefs(C), 0u);
  EXPECT_EQ(T.trySkipModsAndTypedefs(Bad), std::nullopt);
  EXPECT_EQ(T.trySkipModsAndTypedefs(99), std::nullopt);
}

} // namespace

TEST(TypeTable, AccessLogRecordsReadsAndLookupsOfThisTableOnly) {
  test::TestBTFBuilder B;
  TypeId Int = B.addInt("int", 4, true);
  TypeId S = B.addStruct("s___v2", 4, {{"a", Int, 0}});
  TypeId P = B.addPtr(S);
  TypeTable &T = B.table();
  T.buildNameIndex();
  TableAccessLog Log;
  Log.Records.resize(T.size());
  T.setAccessLog(&Log);
  (void)T.findByEssentialName("s");
  (void)T.findByEssentialName("nothing");
  (void)T.skipModsAndTypedefs(P);
  // A copy reads without logging, and its own log is its own.
  TypeTable Copy = T;
  (void)Copy.members(S);
  (void)Copy.kind(Int);
  T.setAccessLog(nullptr);
  (void)T.kind(Int);
  EXPECT_TRUE(Log.Records.test(S));  // returned by the lookup
  EXPECT_TRUE(Log.Records.test(P));  // read by skipModsAndTypedefs
  EXPECT_FALSE(Log.Records.test(Int));
  EXPECT_EQ(Log.Names.size(), 2u);
  EXPECT_TRUE(Log.Names.contains("s"));
  EXPECT_TRUE(Log.Names.contains("nothing"));
  EXPECT_FALSE(Copy.readPastBounds());
}
