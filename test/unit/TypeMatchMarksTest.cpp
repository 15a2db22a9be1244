//===- TypeMatchMarksTest.cpp - TYPE_MATCHES stays exact for every loader -===//
//
// One row per rule of the TYPE_MATCHES relations of libbpf (relo_core.c
// __bpf_core_types_match, 1.1.2 and newest alike) and cilium/ebpf
// (btf/core.go coreTypesMatch): a local type, a target BTF, and each
// loader's answer on the full target. Each row is minimized (shrunk and
// bpftool-shaped) and must give both loaders' answers again, with the shrunk
// table accepted by the self-check (no fallback). The expected answers
// document the rule; the test fails if the full-BTF relation does not give
// them, or if the minimized BTF changes either loader's answer.
//
//===----------------------------------------------------------------------===//

#include "btfgen/TypeMatchMarks.h"

#include "btfgen/CoreMatch.h"
#include "btfgen/Minimize.h"

#include "TestBTFBuilder.h"

#include "gtest/gtest.h"

#include <functional>

using namespace btfgen;
using namespace btfgen::test;

namespace {

struct Row {
  const char *Rule;
  /// Builds the local and the target types; returns the local root.
  std::function<TypeId(TestBTFBuilder &L, TestBTFBuilder &T)> Build;
  bool Libbpf; ///< libbpf's answer on the full target
  bool Cilium; ///< cilium/ebpf's answer on the full target
};

/// The relocation's answer under each loader: libbpf through the matcher
/// (first match over the candidate list), cilium as "some candidate
/// matches" (equal fixups for TYPE_MATCHES, so no ambiguity).
std::pair<bool, bool> answers(const TypeTable &Local, TypeId Root,
                              const TypeTable &Target) {
  CoreRelocation R;
  R.Kind = CoreReloKind::TypeMatches;
  R.LocalType = Root;
  R.Access = "0";
  CoreMatcher M(Local, Target);
  llvm::Expected<CoreResult> Res = M.calc(R);
  EXPECT_TRUE(bool(Res));
  if (!Res) {
    llvm::consumeError(Res.takeError());
    return {false, false};
  }
  bool Cilium = false;
  for (TypeId C : findCoreCandidates(Local, Root, Target))
    Cilium |= ciliumTypesMatch(Local, Root, Target, C);
  return {Res->Outcome == RelocOutcome::Resolved && Res->NewVal == 1, Cilium};
}

const Row Rows[] = {
    {"target has more members: subset relation",
     [](TestBTFBuilder &L, TestBTFBuilder &T) {
       TypeId LI = L.addInt("int", 4, true);
       TypeId S = L.addStruct("s", 4, {{"a", LI, 0}});
       TypeId TI = T.addInt("int", 4, true);
       T.addStruct("s", 12, {{"x", TI, 0}, {"a", TI, 32}, {"y", TI, 64}});
       return S;
     },
     true, true},
    {"member count: more local than target members",
     [](TestBTFBuilder &L, TestBTFBuilder &T) {
       TypeId LI = L.addInt("int", 4, true);
       TypeId S = L.addStruct("s", 8, {{"a", LI, 0}, {"b", LI, 32}});
       TypeId TI = T.addInt("int", 4, true);
       T.addStruct("s", 4, {{"a", TI, 0}});
       return S;
     },
     false, false},
    {"member count: two local anonymous unions, one in the target",
     // Both local members match the same target member, so the kept
     // matched members (1) are fewer than the local ones (2): a padding
     // member keeps "local vlen > target vlen" false.
     [](TestBTFBuilder &L, TestBTFBuilder &T) {
       TypeId LI = L.addInt("int", 4, true);
       TypeId UA = L.addUnion("", 4, {{"a", LI, 0}});
       TypeId UB = L.addUnion("", 4, {{"b", LI, 0}});
       TypeId S = L.addStruct("s", 8, {{"", UA, 0}, {"", UB, 32}});
       TypeId TI = T.addInt("int", 4, true);
       TypeId U = T.addUnion("", 4, {{"a", TI, 0}, {"b", TI, 0}});
       T.addStruct("s", 8, {{"", U, 0}, {"c", TI, 32}});
       return S;
     },
     true, true},
    {"missing member name",
     [](TestBTFBuilder &L, TestBTFBuilder &T) {
       TypeId LI = L.addInt("int", 4, true);
       TypeId S = L.addStruct("s", 4, {{"zz", LI, 0}});
       TypeId TI = T.addInt("int", 4, true);
       T.addStruct("s", 8, {{"a", TI, 0}, {"b", TI, 32}});
       return S;
     },
     false, false},
    {"behind a pointer: libbpf compares name and kind, cilium the members",
     [](TestBTFBuilder &L, TestBTFBuilder &T) {
       TypeId LI = L.addInt("int", 4, true);
       TypeId F = L.addStruct("f", 4, {{"x", LI, 0}});
       TypeId S = L.addStruct("s", 8, {{"p", L.addPtr(F), 0}});
       TypeId TI = T.addInt("int", 4, true);
       TypeId TF = T.addStruct("f", 4, {{"y", TI, 0}});
       T.addStruct("s", 8, {{"p", T.addPtr(TF), 0}});
       return S;
     },
     true, false},
    {"behind a pointer: the pointee's compared members are kept",
     [](TestBTFBuilder &L, TestBTFBuilder &T) {
       TypeId LI = L.addInt("unsigned int", 4);
       TypeId F = L.addStruct("files_struct", 4, {{"next_fd", LI, 0}});
       TypeId S = L.addStruct("task_struct", 16,
                              {{"files", L.addPtr(F), 0}, {"pid", LI, 64}});
       TypeId TI = T.addInt("unsigned int", 4);
       TypeId TF = T.addStruct("files_struct", 8,
                               {{"count", TI, 0}, {"next_fd", TI, 32}});
       T.addStruct("task_struct", 24,
                   {{"pid", TI, 0}, {"files", T.addPtr(TF), 64},
                    {"comm", TI, 128}});
       return S;
     },
     true, true},
    {"FWD behind a pointer on the local side matches a STRUCT",
     [](TestBTFBuilder &L, TestBTFBuilder &T) {
       TypeId F = L.addFwd("f");
       TypeId S = L.addStruct("s", 8, {{"p", L.addPtr(F), 0}});
       TypeId TI = T.addInt("int", 4, true);
       TypeId TF = T.addStruct("f", 4, {{"y", TI, 0}});
       T.addStruct("s", 8, {{"p", T.addPtr(TF), 0}});
       return S;
     },
     true, true},
    {"STRUCT behind a pointer matches a target FWD of its flavor",
     [](TestBTFBuilder &L, TestBTFBuilder &T) {
       TypeId LI = L.addInt("int", 4, true);
       TypeId F = L.addStruct("f", 4, {{"x", LI, 0}});
       TypeId S = L.addStruct("s", 8, {{"p", L.addPtr(F), 0}});
       TypeId TF = T.addFwd("f");
       T.addStruct("s", 8, {{"p", T.addPtr(TF), 0}});
       return S;
     },
     true, true},
    {"FWD flavor: union forward vs struct",
     [](TestBTFBuilder &L, TestBTFBuilder &T) {
       TypeId F = L.addFwd("f", /*IsUnion=*/true);
       TypeId S = L.addStruct("s", 8, {{"p", L.addPtr(F), 0}});
       TypeId TI = T.addInt("int", 4, true);
       TypeId TF = T.addStruct("f", 4, {{"y", TI, 0}});
       T.addStruct("s", 8, {{"p", T.addPtr(TF), 0}});
       return S;
     },
     false, false},
    {"ENUM matches ENUM64 of the same size, enumerators by name",
     [](TestBTFBuilder &L, TestBTFBuilder &T) {
       TypeId E = L.addEnum("e", 8, {{"A", 0}, {"B", 1}});
       TypeId S = L.addStruct("s", 8, {{"v", E, 0}});
       TypeId TE = T.addEnum64("e", 8, {{"B", 7}, {"C", 8}, {"A", 9}});
       T.addStruct("s", 8, {{"v", TE, 0}});
       return S;
     },
     true, true},
    {"ENUM vs ENUM64 of another size",
     [](TestBTFBuilder &L, TestBTFBuilder &T) {
       TypeId E = L.addEnum("e", 4, {{"A", 0}});
       TypeId S = L.addStruct("s", 4, {{"v", E, 0}});
       TypeId TE = T.addEnum64("e", 8, {{"A", 0}});
       T.addStruct("s", 8, {{"v", TE, 0}});
       return S;
     },
     false, false},
    {"ENUM: a local enumerator missing in the target",
     [](TestBTFBuilder &L, TestBTFBuilder &T) {
       TypeId E = L.addEnum("e", 4, {{"A", 0}, {"Z", 1}});
       TypeId S = L.addStruct("s", 4, {{"v", E, 0}});
       TypeId TE = T.addEnum("e", 4, {{"A", 0}, {"B", 1}, {"C", 2}});
       T.addStruct("s", 4, {{"v", TE, 0}});
       return S;
     },
     false, false},
    {"ARRAY: same length, elements match",
     [](TestBTFBuilder &L, TestBTFBuilder &T) {
       TypeId LI = L.addInt("int", 4, true);
       TypeId S = L.addStruct("s", 16, {{"a", L.addArray(LI, 4, LI), 0}});
       TypeId TI = T.addInt("int", 4, true);
       T.addStruct("s", 20, {{"a", T.addArray(TI, 4, TI), 0},
                             {"b", TI, 128}});
       return S;
     },
     true, true},
    {"ARRAY: another length",
     [](TestBTFBuilder &L, TestBTFBuilder &T) {
       TypeId LI = L.addInt("int", 4, true);
       TypeId S = L.addStruct("s", 16, {{"a", L.addArray(LI, 4, LI), 0}});
       TypeId TI = T.addInt("int", 4, true);
       T.addStruct("s", 20, {{"a", T.addArray(TI, 5, TI), 0}});
       return S;
     },
     false, false},
    {"INT: signedness differs",
     [](TestBTFBuilder &L, TestBTFBuilder &T) {
       TypeId LI = L.addInt("unsigned int", 4);
       TypeId S = L.addStruct("s", 4, {{"a", LI, 0}});
       TypeId TI = T.addInt("int", 4, true);
       T.addStruct("s", 4, {{"a", TI, 0}});
       return S;
     },
     false, false},
    {"names: a member's type must have the same essential name",
     [](TestBTFBuilder &L, TestBTFBuilder &T) {
       TypeId LI = L.addInt("int", 4, true);
       TypeId I = L.addStruct("inner___v2", 4, {{"x", LI, 0}});
       TypeId S = L.addStruct("s", 4, {{"in", I, 0}});
       TypeId TI = T.addInt("int", 4, true);
       TypeId TIn = T.addStruct("inner", 4, {{"x", TI, 0}});
       T.addStruct("s", 4, {{"in", TIn, 0}});
       return S;
     },
     true, true},
    {"two target members of one name: libbpf any, cilium the last",
     [](TestBTFBuilder &L, TestBTFBuilder &T) {
       TypeId LI = L.addInt("int", 4, true);
       TypeId S = L.addStruct("s", 4, {{"a", LI, 0}});
       TypeId TI = T.addInt("int", 4, true);
       TypeId TL = T.addInt("long", 8, true);
       T.addStruct("s", 16, {{"a", TI, 0}, {"a", TL, 64}});
       return S;
     },
     true, false},
    {"FUNC_PROTO behind a pointer: arity",
     [](TestBTFBuilder &L, TestBTFBuilder &T) {
       TypeId LI = L.addInt("int", 4, true);
       TypeId P = L.addFuncProto(LI, {{"x", LI}});
       TypeId S = L.addStruct("s", 8, {{"fn", L.addPtr(P), 0}});
       TypeId TI = T.addInt("int", 4, true);
       TypeId TP = T.addFuncProto(TI, {{"x", TI}, {"y", TI}});
       T.addStruct("s", 8, {{"fn", T.addPtr(TP), 0}});
       return S;
     },
     false, false},
    {"typedefs are skipped, the member's pointee compared through them",
     [](TestBTFBuilder &L, TestBTFBuilder &T) {
       TypeId LI = L.addInt("int", 4, true);
       TypeId F = L.addStruct("f", 4, {{"x", LI, 0}});
       TypeId S = L.addStruct("s", 8, {{"p", L.addPtr(F), 0}});
       TypeId TI = T.addInt("int", 4, true);
       TypeId TF = T.addStruct("f", 8, {{"w", TI, 0}, {"x", TI, 32}});
       TypeId TD = T.addTypedef("f_t", TF);
       T.addStruct("s", 8, {{"p", T.addPtr(T.addConst(TD)), 0}});
       return S;
     },
     true, true},
};

class TypeMatchRule : public ::testing::TestWithParam<size_t> {};

TEST_P(TypeMatchRule, EveryLoadersAnswerIsKept) {
  const Row &R = Rows[GetParam()];
  SCOPED_TRACE(R.Rule);
  TestBTFBuilder LB, TB;
  TypeId Root = R.Build(LB, TB);
  const TypeTable &Local = LB.done();
  const TypeTable &Full = TB.done();
  auto [Libbpf, Cilium] = answers(Local, Root, Full);
  ASSERT_EQ(Libbpf, R.Libbpf) << "libbpf's rule on the full target";
  ASSERT_EQ(Cilium, R.Cilium) << "cilium's rule on the full target";

  CoreRelocation Rel;
  Rel.Kind = CoreReloKind::TypeMatches;
  Rel.LocalType = Root;
  Rel.Access = "0";
  for (bool Shrink : {true, false}) {
    SCOPED_TRACE(Shrink ? "shrunk" : "bpftool shape");
    MinimizeOptions O;
    O.Shrink = Shrink;
    Minimizer M(Full, O);
    CoreMatcher CM(Local, Full);
    llvm::Expected<CoreResult> Res = CM.calc(Rel);
    ASSERT_TRUE(bool(Res));
    ASSERT_FALSE(bool(M.addResult(Local, Rel, *Res)));
    BuildStatus St;
    TypeTable Min = M.build(&St);
    EXPECT_EQ(St.Shrunk, Shrink) << St.Fallback;
    Min.buildNameIndex();
    auto [MinLibbpf, MinCilium] = answers(Local, Root, Min);
    EXPECT_EQ(MinLibbpf, Libbpf) << "libbpf's answer changed";
    EXPECT_EQ(MinCilium, Cilium) << "cilium's answer changed";
  }
}

INSTANTIATE_TEST_SUITE_P(Rules, TypeMatchRule,
                         ::testing::Range<size_t>(0, std::size(Rows)));

// The marks follow the local type: a kernel-sized target struct costs only
// the members the local type names (the `task_struct___local` case of the
// kernel's test_core_reloc_kernel.c).
TEST(TypeMatchMarks, KeepsOnlyTheMembersTheLocalTypeNames) {
  TestBTFBuilder LB, TB;
  TypeId LI = LB.addInt("int", 4, true);
  TypeId LMm = LB.addStruct("mm_struct___wrong", 4, {{"abc", LI, 0}});
  TypeId Root = LB.addStruct("task_struct___local", 16,
                             {{"pid", LI, 0}, {"mm", LB.addPtr(LMm), 64}});
  TypeId TI = TB.addInt("int", 4, true);
  TypeId TMm = TB.addStruct("mm_struct", 8, {{"x", TI, 0}, {"y", TI, 32}});
  std::vector<MemberSpec> Ms;
  std::vector<std::string> Names;
  for (int I = 0; I < 200; ++I)
    Names.push_back("m" + std::to_string(I));
  for (int I = 0; I < 200; ++I)
    Ms.push_back({Names[I], TI, uint32_t(32 * I)});
  Ms.push_back({"pid", TI, 32 * 200});
  Ms.push_back({"mm", TB.addPtr(TMm), 32 * 202});
  TypeId Task =
      TB.addComposite(Kind::Struct, "task_struct", 4 * 204, Ms);
  const TypeTable &Local = LB.done();
  const TypeTable &Full = TB.done();
  std::vector<TypeMatchMark> Marks =
      collectTypeMatchMarks(Local, Root, Full, Task);
  std::vector<uint32_t> TaskMembers, MmMembers;
  for (const TypeMatchMark &M : Marks)
    if (M.Kind == TypeMatchMark::Member)
      (M.Id == Task ? TaskMembers : MmMembers).push_back(M.Index);
  EXPECT_EQ(TaskMembers, (std::vector<uint32_t>{200, 201}));
  // No member of mm_struct has the local member's name: one member keeps
  // the count rule (1 local member <= 2 target members) true.
  EXPECT_EQ(MmMembers, (std::vector<uint32_t>{0}));
}

} // namespace
