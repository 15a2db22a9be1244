//===- TypeTableTest.cpp - TypeTable and the essential-name index ---------===//
//
// The candidate index must return, for an essential name, exactly the IDs
// libbpf's linear scan (libbpf.c bpf_core_add_cands) would visit, in
// ascending order, whatever the flavors and string offsets involved.
//
//===----------------------------------------------------------------------===//

#include "btfgen/TypeTable.h"

#include "gtest/gtest.h"

#include <string>
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

} // namespace
