//===- MinimizeTest.cpp - Minimized BTF gives the same CO-RE results -----===//
//
// Property tests: for a set of relocations, the matcher's results against
// the minimized table equal those against the full table (outcome, values,
// sizes, and for TYPE_ID_TARGET the target type's name and kind). Built on
// TestBTFBuilder shapes that exercise each keep rule (including the ones
// bpftool lacks), and on a real kernel BTF from examples/archive with
// relocations from a BPF object compiled at test time.
//
//===----------------------------------------------------------------------===//

#include "btfgen/Minimize.h"

#include "btfgen/BTFReader.h"
#include "btfgen/BTFWriter.h"
#include "btfgen/ObjectReader.h"

#include "TestBTFBuilder.h"

#include "llvm/ADT/ScopeExit.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"

#include "gtest/gtest.h"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <random>
#include <set>

using namespace btfgen;
using namespace btfgen::test;
using K = CoreReloKind;

namespace {

struct Reloc {
  CoreReloKind Kind;
  TypeId Root;
  std::string Access;
};

CoreRelocation mk(const Reloc &R) {
  CoreRelocation C;
  C.Kind = R.Kind;
  C.LocalType = R.Root;
  C.Access = R.Access;
  return C;
}

std::string describe(const TypeTable &T, TypeId Id) {
  return std::string(kindName(T.kind(Id))) + " '" + T.name(Id).str() + "'";
}

/// Compare every result; returns the number of relocations checked.
unsigned expectSameResults(const TypeTable &Local,
                           llvm::ArrayRef<CoreRelocation> Relocs,
                           const TypeTable &Full, const TypeTable &Min) {
  CoreMatcher MF(Local, Full), MM(Local, Min);
  unsigned N = 0;
  for (const CoreRelocation &R : Relocs) {
    auto A = MF.calc(R);
    auto B = MM.calc(R);
    if (!A || !B) {
      EXPECT_EQ(bool(A), bool(B));
      if (!A)
        llvm::consumeError(A.takeError());
      if (!B)
        llvm::consumeError(B.takeError());
      continue;
    }
    std::string What = std::string(reloKindName(R.Kind)) + " [" +
                       std::to_string(R.LocalType) + "] " + R.Access;
    EXPECT_EQ(A->Outcome, B->Outcome)
        << What << ": " << A->Message << " / " << B->Message;
    EXPECT_EQ(A->OrigVal, B->OrigVal) << What;
    EXPECT_EQ(A->Poison, B->Poison) << What;
    EXPECT_EQ(A->Validate, B->Validate) << What;
    EXPECT_EQ(A->FailMemsz, B->FailMemsz) << What;
    EXPECT_EQ(A->OrigSz, B->OrigSz) << What;
    EXPECT_EQ(A->NewSz, B->NewSz) << What;
    // Equivalent candidates are collapsed, so only "some candidate
    // matched" must agree; the load simulation below checks the rest.
    EXPECT_EQ(A->TargetSpecs.empty(), B->TargetSpecs.empty()) << What;
    if (R.Kind == K::TypeIdTarget) {
      if (A->Outcome == RelocOutcome::Resolved) {
        EXPECT_EQ(describe(Full, A->NewVal), describe(Min, B->NewVal)) << What;
      }
    } else {
      EXPECT_EQ(A->NewVal, B->NewVal) << What;
    }
    if (A->Outcome == RelocOutcome::Error) {
      EXPECT_EQ(A->Message.substr(0, 20), B->Message.substr(0, 20)) << What;
    }
    ++N;
  }
  return N;
}

/// A libbpf 1.1.2 load of one object, relocation by relocation: one
/// candidate list per local root type ID, starting full and, after every
/// relocation that matched, replaced by its matching candidates
/// (libbpf.c bpf_core_resolve_relo + cand_cache, relo_core.c
/// bpf_core_calc_relo_insn `cands->len = j`). The first Error ends the load.
/// One line per relocation, comparable between full and minimized BTF
/// (TYPE_ID_TARGET by the target's kind and name, error messages of
/// TYPE_ID_TARGET without the IDs).
std::vector<std::string> simulateLoad(const TypeTable &Local,
                                      llvm::ArrayRef<CoreRelocation> Seq,
                                      const TypeTable &T) {
  CoreMatcher M(Local, T);
  std::map<TypeId, llvm::SmallVector<TypeId, 4>> Cache;
  std::vector<std::string> Out;
  for (const CoreRelocation &R : Seq) {
    llvm::Expected<CoreResult> Res = [&]() -> llvm::Expected<CoreResult> {
      if (R.Kind == K::TypeIdLocal)
        return M.calc(R);
      auto It = Cache.find(R.LocalType);
      if (It == Cache.end())
        It = Cache.emplace(R.LocalType,
                           findCoreCandidates(Local, R.LocalType, T))
                 .first;
      return M.calc(R, It->second);
    }();
    if (!Res) {
      Out.push_back("llvm-error " + llvm::toString(Res.takeError()));
      break;
    }
    std::string Line = std::string(reloKindName(R.Kind)) + " [" +
                       std::to_string(R.LocalType) + "] " + R.Access + ": " +
                       outcomeName(Res->Outcome);
    if (Res->Outcome == RelocOutcome::Error) {
      Out.push_back(Line + " " +
                    (R.Kind == K::TypeIdTarget ? Res->Message.substr(0, 30)
                                               : Res->Message));
      break;
    }
    Line += " orig=" + std::to_string(Res->OrigVal) + " new=" +
            (R.Kind == K::TypeIdTarget && Res->Outcome == RelocOutcome::Resolved
                 ? describe(T, Res->NewVal)
                 : std::to_string(Res->NewVal)) +
            " poison=" + std::to_string(Res->Poison) +
            " validate=" + std::to_string(Res->Validate) +
            " memsz=" + std::to_string(Res->FailMemsz) +
            " sz=" + std::to_string(Res->OrigSz) + "/" +
            std::to_string(Res->NewSz);
    Out.push_back(Line);
    if (R.Kind != K::TypeIdLocal && !Res->TargetSpecs.empty()) {
      llvm::SmallVector<TypeId, 4> Pruned;
      for (const CoreSpec &S : Res->TargetSpecs)
        Pruned.push_back(S.RootType);
      Cache[R.LocalType] = Pruned;
    }
  }
  return Out;
}

/// The load simulation gives the same lines on both tables.
void expectSameLoad(const TypeTable &Local, llvm::ArrayRef<CoreRelocation> Seq,
                    const TypeTable &Full, const TypeTable &Min) {
  std::vector<std::string> A = simulateLoad(Local, Seq, Full);
  std::vector<std::string> B = simulateLoad(Local, Seq, Min);
  EXPECT_EQ(A, B);
}

/// A few relocation orders: as given, reversed, and seeded shuffles.
std::vector<std::vector<CoreRelocation>>
someOrders(llvm::ArrayRef<CoreRelocation> Relocs, unsigned Shuffles) {
  std::vector<std::vector<CoreRelocation>> Orders;
  Orders.emplace_back(Relocs.begin(), Relocs.end());
  Orders.emplace_back(Relocs.rbegin(), Relocs.rend());
  std::mt19937 Rng(12345);
  for (unsigned I = 0; I < Shuffles; ++I) {
    std::vector<CoreRelocation> V(Relocs.begin(), Relocs.end());
    std::shuffle(V.begin(), V.end(), Rng);
    Orders.push_back(std::move(V));
  }
  return Orders;
}

TypeTable minimize(const TypeTable &Local,
                   llvm::ArrayRef<CoreRelocation> Relocs,
                   const TypeTable &Full,
                   MinimizeOptions Opts = MinimizeOptions()) {
  CoreMatcher M(Local, Full);
  Minimizer Min(Full, Opts);
  for (const CoreRelocation &R : Relocs) {
    auto Res = M.calc(R);
    if (!Res) {
      llvm::consumeError(Res.takeError());
      continue;
    }
    EXPECT_FALSE(bool(Min.addResult(Local, R, *Res)));
  }
  return Min.build();
}

bool sameTables(const TypeTable &A, const TypeTable &B) {
  if (A.size() != B.size() || A.strings() != B.strings())
    return false;
  for (TypeId I = 1; I < A.size(); ++I) {
    const BTFType &X = A.type(I), &Y = B.type(I);
    if (X.NameOff != Y.NameOff || X.Info != Y.Info ||
        X.SizeOrType != Y.SizeOrType || A.data(I) != B.data(I))
      return false;
  }
  return true;
}

/// A kernel-like target with traps for each keep rule.
struct Scenario {
  TestBTFBuilder L, T;
  std::vector<CoreRelocation> Relocs;
  Scenario() {
    // ---- target ----
    TypeId TInt = T.addInt("int", 4, true);
    TypeId TLong = T.addInt("long", 8, true);
    TypeId TU8 = T.addInt("unsigned char", 1);
    TypeId Big = T.addStruct("big", 128, {{"q", TLong, 0}});
    TypeId TPBig = T.addPtr(Big);
    T.addTypedef("hp_t", TPBig); // guard trap
    TypeId Hp = T.table().size() - 1;
    TypeId Zero = T.addArray(TInt, 0);
    TypeId Arr = T.addArray(TU8, 16);
    TypeId Anon = T.addUnion("", 8, {{"u1", TLong, 0}, {"u2", TInt, 0}});
    TypeId E = T.addEnum("state", 4, {{"RUNNING", 0}, {"SLEEPING", 1}});
    T.addStruct("task", 64,
                {{"pid", TInt, 0},
                 {"marker", Zero, 32}, // zero-length, not last: flex trap
                 {"flags", TU8, 37, 3},
                 {"", Anon, 64},
                 {"comm", Arr, 128},
                 {"st", E, 256},
                 {"h", Hp, 320},
                 {"parent", T.addPtr(0), 384},
                 {"tail", TLong, 448}});
    // Two more candidates for "task" that only some relocations match.
    T.addStruct("task___2", 64, {{"pid", TInt, 0}, {"only2", TInt, 32}});
    T.addStruct("task___3", 64, {{"pid", TInt, 0}, {"only3", TLong, 64}});
    T.addStruct("unrelated", 4, {{"x", TInt, 0}});
    T.addEnum64("state___2", 8, {{"ZOMBIE", 9}});
    T.done();

    // ---- local ----
    TypeId LInt = L.addInt("int", 4, true);
    TypeId LLong = L.addInt("long", 8, true);
    TypeId LU8 = L.addInt("unsigned char", 1);
    TypeId LHp = L.addTypedef("hp_t", L.addPtr(0));
    TypeId LFlex = L.addArray(LInt, 0);
    TypeId LArr = L.addArray(LU8, 16);
    TypeId LE = L.addEnum("state", 4,
                          {{"RUNNING", 0}, {"ZOMBIE", 4}, {"DEAD", 5}});
    TypeId LTask = L.addStruct("task", 48,
                               {{"pid", LInt, 0},
                                {"flags", LU8, 32, 3},
                                {"u1", LLong, 64},
                                {"comm", LArr, 128},
                                {"st", LE, 256},
                                {"h", LHp, 320},
                                {"only2", LInt, 352},
                                {"only3", LLong, 384}});
    TypeId LMark = L.addStruct("task", 8, {{"pid", LInt, 0},
                                           {"marker", LFlex, 32}});
    TypeId LTaskM = L.addStruct("task", 4, {{"pid", LInt, 0}});
    L.done();

    std::vector<Reloc> Rs = {
        {K::FieldByteOffset, LTask, "0:0"},
        {K::FieldExists, LTask, "0:0"},
        {K::FieldByteOffset, LTask, "0:2"},  // u1 via anon union
        {K::FieldLShiftU64, LTask, "0:1"},   // bitfield
        {K::FieldRShiftU64, LTask, "0:1"},
        {K::FieldSigned, LTask, "0:1"},
        {K::FieldByteSize, LTask, "0:3"},
        {K::FieldByteOffset, LTask, "0:3:5"},
        {K::FieldByteOffset, LTask, "0:4"},
        {K::FieldByteOffset, LTask, "0:5"},  // h: keeps hp_t (ptr not followed)
        {K::FieldByteOffset, LTask, "0:6"},  // only2: task___2 only
        {K::FieldByteOffset, LTask, "0:7"},  // only3: task___3 only
        {K::FieldExists, LTask, "0:7"},
        {K::FieldByteOffset, LMark, "0:1"},  // marker member itself
        {K::FieldByteOffset, LMark, "0:1:2"}, // flex index: poisoned in full
        {K::TypeExists, LHp, "0"},            // guard: void* vs big*
        {K::TypeSize, LTask, "0"},            // three candidates, all 64
        {K::TypeIdTarget, LTask, "0"},        // ambiguity (ids differ)
        {K::TypeMatches, LTaskM, "0"},        // all three match
        {K::TypeMatches, LTask, "0"},
        {K::EnumvalExists, LE, "0"},
        {K::EnumvalValue, LE, "1"},           // ZOMBIE only in state___2
        {K::EnumvalExists, LE, "2"},          // DEAD: nowhere
        {K::EnumvalValue, LE, "2"},
        {K::TypeIdLocal, LTask, "0"},
    };
    for (const Reloc &R : Rs)
      Relocs.push_back(mk(R));
  }
};

TEST(Minimize, SameResultsAsFull) {
  Scenario S;
  const TypeTable &Full = S.T.table();
  TypeTable Min = minimize(S.L.table(), S.Relocs, Full);
  Min.buildNameIndex();
  // Fewer bytes (the shrunk table may have more, canonical, types: here an
  // anonymous 8-byte INT for the union member that TYPE_MATCHES does not
  // read).
  EXPECT_LT(writeBTFToString(Min).size(), writeBTFToString(Full).size());
  EXPECT_EQ(expectSameResults(S.L.table(), S.Relocs, Full, Min),
            S.Relocs.size());
  for (const auto &Order : someOrders(S.Relocs, 20))
    expectSameLoad(S.L.table(), Order, Full, Min);
  // The unrelated struct is gone.
  Min.buildNameIndex();
  EXPECT_TRUE(Min.findByEssentialName("unrelated").empty());
}

TEST(Minimize, EachRelocationAloneAndPairs) {
  // Every single relocation, and every pair, minimized on its own still
  // gives the results of the full BTF for *all* relocations it was built
  // for -- and the pair case checks that one relocation's kept types do not
  // change another's result.
  Scenario S;
  const TypeTable &Full = S.T.table();
  for (size_t I = 0; I < S.Relocs.size(); ++I) {
    for (size_t J = I; J < S.Relocs.size(); ++J) {
      std::vector<CoreRelocation> Sub = {S.Relocs[I]};
      if (J != I)
        Sub.push_back(S.Relocs[J]);
      TypeTable Min = minimize(S.L.table(), Sub, Full);
      Min.buildNameIndex();
      SCOPED_TRACE("relocs " + std::to_string(I) + "," + std::to_string(J));
      expectSameResults(S.L.table(), Sub, Full, Min);
      expectSameLoad(S.L.table(), Sub, Full, Min);
      std::reverse(Sub.begin(), Sub.end());
      expectSameLoad(S.L.table(), Sub, Full, Min);
    }
  }
}

TEST(Minimize, GuardAndFlexRulesMatter) {
  // Without the extra rules, bpftool's marking would change these results;
  // check the traps really are traps by looking at what got kept.
  Scenario S;
  const TypeTable &Full = S.T.table();
  std::vector<CoreRelocation> Sub = {S.Relocs[9], S.Relocs[15]};
  TypeTable Min = minimize(S.L.table(), Sub, Full);
  Min.buildNameIndex();
  // hp_t kept for the field, and its pointee kept by the guard.
  auto Hp = Min.findByEssentialName("hp_t");
  ASSERT_EQ(Hp.size(), 1u);
  TypeId P = Min.type(Hp[0]).SizeOrType;
  ASSERT_EQ(Min.kind(P), Kind::Ptr);
  EXPECT_EQ(Min.name(Min.type(P).SizeOrType), "big");

  Sub = {S.Relocs[13], S.Relocs[14]};
  Min = minimize(S.L.table(), Sub, Full);
  Min.buildNameIndex();
  auto Task = Min.findByEssentialName("task");
  ASSERT_FALSE(Task.empty());
  // marker is kept and is not the last member.
  llvm::ArrayRef<BTFMember> Ms = Min.members(Task[0]);
  ASSERT_GE(Ms.size(), 2u);
  EXPECT_EQ(Min.str(Ms.back().NameOff), "tail");
}

TEST(Minimize, Deterministic) {
  Scenario S;
  const TypeTable &Full = S.T.table();
  TypeTable A = minimize(S.L.table(), S.Relocs, Full);
  std::vector<CoreRelocation> Rev(S.Relocs.rbegin(), S.Relocs.rend());
  TypeTable B = minimize(S.L.table(), Rev, Full);
  // Same marks in any order give the same bytes.
  EXPECT_TRUE(sameTables(A, B));
  CoreMatcher M(S.L.table(), Full);
  Minimizer Min(Full);
  for (const CoreRelocation &R : S.Relocs) {
    auto Res = M.calc(R);
    ASSERT_TRUE(bool(Res));
    ASSERT_FALSE(bool(Min.addResult(S.L.table(), R, *Res)));
  }
  EXPECT_TRUE(sameTables(Min.build(), Min.build()));
  // numKeptTypes() counts the marked kernel types: the bpftool-shaped
  // table (the shrunk one adds canonical types).
  MinimizeOptions Exact;
  Exact.Shrink = false;
  EXPECT_EQ(Min.numKeptTypes(),
            minimize(S.L.table(), S.Relocs, Full, Exact).size() - 1);
}

TEST(Minimize, StructKeepsOnlyUsedMembers) {
  Scenario S;
  const TypeTable &Full = S.T.table();
  std::vector<CoreRelocation> Sub = {S.Relocs[0]};
  // pid is at offset 0 in all three "task" candidates: one class, so only
  // the lowest ID is kept. (bpftool's shape: member types as in the
  // kernel; the shrunk shape is tested in MinimizeShrink below.)
  {
    TypeTable Min = minimize(S.L.table(), Sub, Full,
                             MinimizeOptions{/*CollapseCandidates=*/true,
                                             /*Shrink=*/false});
    ASSERT_EQ(Min.size(), 3u);
    EXPECT_EQ(Min.kind(1), Kind::Int);
    EXPECT_EQ(Min.name(2), "task");
    ASSERT_EQ(Min.vlen(2), 1u);
    EXPECT_EQ(Min.str(Min.members(2)[0].NameOff), "pid");
  }
  // Without collapsing:
  TypeTable Min = minimize(S.L.table(), Sub, Full,
                           MinimizeOptions{/*CollapseCandidates=*/false,
                                           /*Shrink=*/false});
  // int + task, task___2, task___3: pid matches in all three candidates and
  // every matching candidate is kept (libbpf's candidate pruning may pick
  // any of them). Each keeps only pid, in source order.
  ASSERT_EQ(Min.size(), 5u);
  EXPECT_EQ(Min.kind(1), Kind::Int);
  for (TypeId Id = 2; Id < 5; ++Id) {
    EXPECT_EQ(Min.kind(Id), Kind::Struct);
    EXPECT_EQ(Min.vlen(Id), 1u);
    EXPECT_EQ(Min.type(Id).SizeOrType, 64u);
    EXPECT_EQ(Min.members(Id)[0].Type, 1u);
    EXPECT_EQ(Min.str(Min.members(Id)[0].NameOff), "pid");
  }
  EXPECT_EQ(Min.name(2), "task");
  EXPECT_EQ(Min.name(4), "task___3");
}

//===----------------------------------------------------------------------===//
// Duplicated candidates (non-deduplicated kernel BTF)
//===----------------------------------------------------------------------===//

unsigned countNamed(const TypeTable &T, llvm::StringRef Name) {
  unsigned N = 0;
  for (TypeId Id = 1; Id < T.size(); ++Id)
    N += T.name(Id) == Name;
  return N;
}

/// Five identical copies of "task", the fourth also embedded in "holder".
struct Copies {
  TestBTFBuilder L, T;
  std::vector<CoreRelocation> Relocs; // on task, no TYPE_ID_TARGET
  CoreRelocation TypeIdTarget, HolderPid;
  Copies() {
    TypeId TInt = T.addInt("int", 4, true);
    TypeId TLong = T.addInt("long", 8, true);
    TypeId TArr = T.addArray(T.addInt("char", 1), 16);
    TypeId Task[5];
    for (TypeId &Id : Task)
      Id = T.addStruct("task", 32,
                       {{"pid", TInt, 0}, {"comm", TArr, 32}, {"tail", TLong, 192}});
    T.addStruct("holder", 40, {{"a", TInt, 0}, {"t", Task[3], 64}});
    T.done();
    TypeId LInt = L.addInt("int", 4, true);
    TypeId LLong = L.addInt("long", 8, true);
    TypeId LArr = L.addArray(L.addInt("char", 1), 16);
    TypeId LTask = L.addStruct(
        "task", 32, {{"pid", LInt, 0}, {"comm", LArr, 32}, {"tail", LLong, 192}});
    TypeId LHolder = L.addStruct("holder", 40, {{"t", LTask, 0}});
    L.done();
    for (Reloc R : std::vector<Reloc>{{K::FieldByteOffset, LTask, "0:0"},
                                      {K::FieldExists, LTask, "0:1"},
                                      {K::FieldByteOffset, LTask, "0:1:3"},
                                      {K::FieldByteSize, LTask, "0:2"},
                                      {K::TypeSize, LTask, "0"},
                                      {K::TypeExists, LTask, "0"},
                                      {K::TypeMatches, LTask, "0"}})
      Relocs.push_back(mk(R));
    TypeIdTarget = mk({K::TypeIdTarget, LTask, "0"});
    HolderPid = mk({K::FieldByteOffset, LHolder, "0:0:0"});
  }
};

TEST(MinimizeDup, IdenticalCopiesKeepOne) {
  Copies C;
  const TypeTable &Full = C.T.table();
  TypeTable Min = minimize(C.L.table(), C.Relocs, Full);
  Min.buildNameIndex();
  EXPECT_EQ(countNamed(Min, "task"), 1u);
  EXPECT_EQ(expectSameResults(C.L.table(), C.Relocs, Full, Min),
            C.Relocs.size());
  for (const auto &Order : someOrders(C.Relocs, 10))
    expectSameLoad(C.L.table(), Order, Full, Min);
  // Without collapsing all five are kept.
  TypeTable All = minimize(C.L.table(), C.Relocs, Full,
                           MinimizeOptions{/*CollapseCandidates=*/false});
  EXPECT_EQ(countNamed(All, "task"), 5u);
}

TEST(MinimizeDup, TypeIdTargetOnCopiesStaysAnError) {
  Copies C;
  const TypeTable &Full = C.T.table();
  std::vector<CoreRelocation> Rs = C.Relocs;
  Rs.push_back(C.TypeIdTarget);
  TypeTable Min = minimize(C.L.table(), Rs, Full);
  Min.buildNameIndex();
  // Two members of the class are kept so that libbpf's "relocation
  // decision ambiguity" repeats; the five copies are otherwise equal.
  EXPECT_EQ(countNamed(Min, "task"), 2u);
  CoreMatcher MF(C.L.table(), Full), MM(C.L.table(), Min);
  auto A = MF.calc(C.TypeIdTarget), B = MM.calc(C.TypeIdTarget);
  ASSERT_TRUE(bool(A) && bool(B));
  EXPECT_EQ(A->Outcome, RelocOutcome::Error);
  EXPECT_EQ(B->Outcome, RelocOutcome::Error);
  EXPECT_EQ(llvm::StringRef(A->Message).take_front(30),
            "relocation decision ambiguity:");
  EXPECT_EQ(llvm::StringRef(B->Message).take_front(30),
            "relocation decision ambiguity:");
  expectSameResults(C.L.table(), Rs, Full, Min);
  for (const auto &Order : someOrders(Rs, 10))
    expectSameLoad(C.L.table(), Order, Full, Min);
  // Alone, too.
  std::vector<CoreRelocation> One = {C.TypeIdTarget};
  Min = minimize(C.L.table(), One, Full);
  EXPECT_EQ(countNamed(Min, "task"), 2u);
  Min.buildNameIndex();
  expectSameResults(C.L.table(), One, Full, Min);
}

TEST(MinimizeDup, DroppedCopyKeptAsMemberTypeIsRestored) {
  // holder.t is the fourth copy: the holder relocation keeps it (with pid
  // only); being kept, it is a candidate of every "task" relocation on the
  // minimized BTF, so it gets the marks it would have had as a matching
  // candidate (comm, tail, closure for the type relocations).
  Copies C;
  const TypeTable &Full = C.T.table();
  std::vector<CoreRelocation> Rs = C.Relocs;
  Rs.push_back(C.HolderPid);
  TypeTable Min = minimize(C.L.table(), Rs, Full);
  Min.buildNameIndex();
  auto Tasks = Min.findByEssentialName("task");
  ASSERT_EQ(Tasks.size(), 2u);
  EXPECT_EQ(Min.vlen(Tasks[0]), 3u);
  EXPECT_EQ(Min.vlen(Tasks[1]), 3u);
  // The restored copy is the one holder.t points to.
  auto Holder = Min.findByEssentialName("holder");
  ASSERT_EQ(Holder.size(), 1u);
  ASSERT_EQ(Min.vlen(Holder[0]), 1u);
  EXPECT_EQ(Min.members(Holder[0])[0].Type, Tasks[1]);
  expectSameResults(C.L.table(), Rs, Full, Min);
  for (const auto &Order : someOrders(Rs, 10))
    expectSameLoad(C.L.table(), Order, Full, Min);
}

/// Copies of three shapes of "task" interleaved in ID order: V0 and V1
/// differ in tail's offset, V2 lacks x and has y.
struct Variants {
  TestBTFBuilder L, T;
  std::vector<CoreRelocation> Relocs;
  Variants() {
    TypeId TInt = T.addInt("int", 4, true);
    TypeId TLong = T.addInt("long", 8, true);
    auto V0 = [&] {
      T.addStruct("task", 24, {{"pid", TInt, 0}, {"x", TInt, 32}, {"tail", TLong, 64}});
    };
    auto V1 = [&] {
      T.addStruct("task", 24, {{"pid", TInt, 0}, {"x", TInt, 32}, {"tail", TLong, 128}});
    };
    auto V2 = [&] {
      T.addStruct("task", 24, {{"pid", TInt, 0}, {"y", TInt, 32}, {"tail", TLong, 64}});
    };
    V0(); V2(); V0(); V1(); V2(); V1(); V0();
    T.done();
    TypeId LInt = L.addInt("int", 4, true);
    TypeId LLong = L.addInt("long", 8, true);
    TypeId LTask = L.addStruct("task", 24,
                               {{"pid", LInt, 0},
                                {"x", LInt, 32},
                                {"y", LInt, 64},
                                {"tail", LLong, 128}});
    TypeId LTask2 = L.addStruct("task___b", 8, {{"x", LInt, 0}});
    L.done();
    for (Reloc R : std::vector<Reloc>{
             {K::FieldByteOffset, LTask, "0:0"},   // all copies, same
             {K::FieldByteOffset, LTask, "0:1"},   // V0, V1
             {K::FieldByteOffset, LTask, "0:3"},   // V0,V2: 8; V1: 16
             {K::FieldExists, LTask, "0:2"},       // V2
             {K::FieldExists, LTask2, "0:0"},      // V0, V1 (other root)
             {K::TypeIdTarget, LTask2, "0"}})      // all (other root)
      Relocs.push_back(mk(R));
  }
};

TEST(MinimizeDup, CopiesThatDifferInAUsedField) {
  Variants V;
  const TypeTable &Full = V.T.table();
  // Without TYPE_ID_TARGET: one copy per shape.
  std::vector<CoreRelocation> NoId(V.Relocs.begin(), V.Relocs.end() - 1);
  TypeTable Min = minimize(V.L.table(), NoId, Full);
  EXPECT_EQ(countNamed(Min, "task"), 3u);
  // With it: two per shape (task___b's relocations share the group).
  Min = minimize(V.L.table(), V.Relocs, Full);
  EXPECT_EQ(countNamed(Min, "task"), 6u);
  // Order matters for libbpf here (tail after x is an offset ambiguity,
  // after y it resolves; x after y is poisoned): every subset of the
  // relocations, minimized on its own, must give libbpf's results in
  // every order.
  size_t N = V.Relocs.size();
  unsigned Orders = 0;
  std::set<std::vector<std::string>> Distinct;
  for (unsigned Mask = 1; Mask < (1u << N); ++Mask) {
    std::vector<CoreRelocation> Sub;
    std::vector<size_t> Idx;
    for (size_t I = 0; I < N; ++I)
      if (Mask & (1u << I))
        Idx.push_back(I);
    TypeTable M;
    {
      for (size_t I : Idx)
        Sub.push_back(V.Relocs[I]);
      M = minimize(V.L.table(), Sub, Full);
    }
    M.buildNameIndex();
    SCOPED_TRACE("subset mask " + std::to_string(Mask));
    expectSameResults(V.L.table(), Sub, Full, M);
    do {
      std::vector<CoreRelocation> Seq;
      for (size_t I : Idx)
        Seq.push_back(V.Relocs[I]);
      std::vector<std::string> A = simulateLoad(V.L.table(), Seq, Full);
      EXPECT_EQ(A, simulateLoad(V.L.table(), Seq, M));
      Distinct.insert(A);
      ++Orders;
    } while (std::next_permutation(Idx.begin(), Idx.end()));
  }
  EXPECT_EQ(Orders, 1956u);
  // The traps are real: the three orders named above give three different
  // answers for the tail relocation on the full BTF.
  auto Tail = [&](std::vector<size_t> Order) {
    std::vector<CoreRelocation> Seq;
    for (size_t I : Order)
      Seq.push_back(V.Relocs[I]);
    return simulateLoad(V.L.table(), Seq, Full).back();
  };
  EXPECT_NE(Tail({1, 2}).find("error field offset ambiguity"), std::string::npos)
      << Tail({1, 2});
  EXPECT_NE(Tail({3, 2}).find("resolved orig=16 new=8"), std::string::npos)
      << Tail({3, 2});
  EXPECT_NE(Tail({3, 1}).find("poisoned"), std::string::npos) << Tail({3, 1});
}

//===----------------------------------------------------------------------===//
// Real data
//===----------------------------------------------------------------------===//

std::string findTool(llvm::StringRef Name) {
  auto P = llvm::sys::findProgramByName(Name);
  return P ? *P : std::string();
}

const char *const RealProgram = R"(
#define __pai __attribute__((preserve_access_index))
typedef unsigned int u32;
typedef unsigned long long u64;
struct list_head { struct list_head *next, *prev; } __pai;
struct mm_struct { unsigned long task_size; int map_count; } __pai;
struct task_struct {
  int pid; int tgid; char comm[16]; unsigned int flags;
  struct task_struct *real_parent; struct mm_struct *mm;
  struct list_head children; u64 start_time; int no_such_field;
} __pai;
struct task_struct___old { long state; } __pai;
struct task_struct___new { unsigned int __state; } __pai;
struct sk_buff { unsigned int len; unsigned char cloned:1; } __pai;
enum pid_type { PIDTYPE_PID, PIDTYPE_TGID, PIDTYPE_NOPE };
typedef struct task_struct task_t;

unsigned long long out[64];
__attribute__((section("kprobe/x"), used))
int prog(struct task_struct *t, struct sk_buff *skb) {
  int i = 0;
  out[i++] = __builtin_preserve_field_info(t->pid, 0);
  out[i++] = __builtin_preserve_field_info(t->tgid, 1);
  out[i++] = __builtin_preserve_field_info(t->comm[3], 0);
  out[i++] = __builtin_preserve_field_info(t->flags, 3);
  out[i++] = __builtin_preserve_field_info(t->real_parent, 0);
  out[i++] = __builtin_preserve_field_info(t->mm->map_count, 0);
  out[i++] = __builtin_preserve_field_info(t->children.prev, 0);
  out[i++] = __builtin_preserve_field_info(t->no_such_field, 2);
  out[i++] = __builtin_preserve_field_info(t->no_such_field, 0);
  out[i++] = __builtin_preserve_field_info(((struct task_struct___old *)t)->state, 2);
  out[i++] = __builtin_preserve_field_info(((struct task_struct___new *)t)->__state, 2);
  out[i++] = __builtin_preserve_field_info(((struct task_struct___new *)t)->__state, 1);
  out[i++] = __builtin_preserve_field_info(skb->cloned, 0);
  out[i++] = __builtin_preserve_field_info(skb->cloned, 1);
  out[i++] = __builtin_preserve_field_info(skb->cloned, 4);
  out[i++] = __builtin_preserve_field_info(skb->cloned, 5);
  out[i++] = __builtin_preserve_field_info(skb->len, 5);
  out[i++] = __builtin_preserve_type_info(*(struct task_struct *)0, 0);
  out[i++] = __builtin_preserve_type_info(*(struct task_struct *)0, 1);
  out[i++] = __builtin_preserve_type_info(*(task_t *)0, 1);
  out[i++] = __builtin_preserve_type_info(*(struct list_head *)0, 2);
  out[i++] = __builtin_preserve_type_info(*(struct task_struct___old *)0, 0);
  out[i++] = __builtin_preserve_enum_value(*(enum pid_type *)PIDTYPE_TGID, 0);
  out[i++] = __builtin_preserve_enum_value(*(enum pid_type *)PIDTYPE_TGID, 1);
  out[i++] = __builtin_preserve_enum_value(*(enum pid_type *)PIDTYPE_NOPE, 0);
  out[i++] = __builtin_btf_type_id(*(struct task_struct *)0, 1);
  out[i++] = __builtin_btf_type_id(*(struct task_struct *)0, 0);
  return i;
}
)";

void checkRealKernel(const std::string &Archive, const std::string &Clang) {
  SCOPED_TRACE(Archive);

  llvm::SmallString<128> Dir;
  ASSERT_FALSE(llvm::sys::fs::createUniqueDirectory("btfgen-minreal", Dir));
  auto Cleanup =
      llvm::make_scope_exit([&] { llvm::sys::fs::remove_directories(Dir); });
  std::string Src = (Dir + "/prog.c").str(), Obj = (Dir + "/prog.o").str(),
              Raw = (Dir + "/vmlinux.btf").str();
  {
    std::error_code EC;
    llvm::raw_fd_ostream OS(Src, EC);
    ASSERT_FALSE(EC);
    OS << RealProgram;
  }
  std::string Cmd = "xz -dc '" + Archive + "' | tar -xO > '" + Raw + "'";
  ASSERT_EQ(std::system(Cmd.c_str()), 0) << Cmd;
  Cmd = "'" + Clang + "' -target bpf -g -O2 -c '" + Src + "' -o '" + Obj + "'";
  ASSERT_EQ(std::system(Cmd.c_str()), 0) << Cmd;

  auto RawBuf = llvm::MemoryBuffer::getFile(Raw);
  auto ObjBuf = llvm::MemoryBuffer::getFile(Obj);
  ASSERT_TRUE(bool(RawBuf) && bool(ObjBuf));
  auto Full = readBTF((*RawBuf)->getMemBufferRef());
  ASSERT_TRUE(bool(Full)) << llvm::toString(Full.takeError());
  Full->buildNameIndex();
  auto M = readBPFObject((*ObjBuf)->getMemBufferRef());
  ASSERT_TRUE(bool(M)) << llvm::toString(M.takeError());
  ASSERT_GE(M->Relocs.size(), 20u);

  // Independent sanity checks of a few results on the real kernel (values
  // read off `bpftool btf dump` of this kernel: task_struct.pid is an int,
  // comm is char[16], enum pid_type has PIDTYPE_TGID = 1).
  CoreMatcher MF(M->Types, *Full);
  unsigned Resolved = 0, NotFound = 0, Poisoned = 0, Errors = 0;
  for (const CoreRelocation &R : M->Relocs) {
    auto Res = MF.calc(R);
    ASSERT_TRUE(bool(Res)) << llvm::toString(Res.takeError());
    Resolved += Res->Outcome == RelocOutcome::Resolved;
    NotFound += Res->Outcome == RelocOutcome::NotFound;
    Poisoned += Res->Outcome == RelocOutcome::Poisoned;
    Errors += Res->Outcome == RelocOutcome::Error;
    if (R.Kind == K::EnumvalValue && Res->Outcome == RelocOutcome::Resolved) {
      EXPECT_EQ(Res->NewVal, 1u);
    }
  }
  EXPECT_GT(Resolved, 15u);
  EXPECT_GE(NotFound, 2u); // no_such_field exists, task_struct___old.state
  EXPECT_GE(Poisoned, 1u); // no_such_field byte_off

  // Both output shapes: bpftool's (Shrink off) and the default shrunk one.
  MinimizeOptions ExactOpts;
  ExactOpts.Shrink = false;
  TypeTable Min = minimize(M->Types, M->Relocs, *Full, ExactOpts);
  TypeTable Shrunk = minimize(M->Types, M->Relocs, *Full);
  Min.buildNameIndex();
  Shrunk.buildNameIndex();
  EXPECT_LT(Min.size(), Full->size() / 50);
  EXPECT_LT(writeBTFToString(Shrunk).size(), writeBTFToString(Min).size());
  for (const TypeTable *T : {&Min, &Shrunk}) {
    EXPECT_EQ(expectSameResults(M->Types, M->Relocs, *Full, *T),
              M->Relocs.size());
    for (const auto &Order : someOrders(M->Relocs, 3))
      expectSameLoad(M->Types, Order, *Full, *T);
  }

  // The referee: bpftool gen min_core_btf must give the same bytes from
  // our bpftool-shaped BTF as from the full one, and succeed or fail alike
  // on the shrunk one (whose member types bpftool copies as they are).
  std::string Bpftool = findTool("bpftool");
  if (!Bpftool.empty()) {
    std::string OurMin = (Dir + "/ours.btf").str(),
                OurShrunk = (Dir + "/ours-shrunk.btf").str();
    for (auto [T, Path] : {std::pair(&Min, OurMin),
                           std::pair(&Shrunk, OurShrunk)}) {
      std::error_code EC;
      llvm::raw_fd_ostream OS(Path, EC);
      ASSERT_FALSE(EC);
      writeBTF(*T, OS);
    }
    std::string RefFull = (Dir + "/ref-full.btf").str(),
                RefOurs = (Dir + "/ref-ours.btf").str(),
                RefShrunk = (Dir + "/ref-shrunk.btf").str();
    int Status[3], K = 0;
    for (auto [In, Out] : {std::pair(Raw, RefFull), std::pair(OurMin, RefOurs),
                           std::pair(OurShrunk, RefShrunk)}) {
      Cmd = "'" + Bpftool + "' gen min_core_btf '" + In + "' '" + Out +
            "' '" + Obj + "' >/dev/null 2>&1";
      Status[K++] = std::system(Cmd.c_str());
    }
    // libbpf (inside bpftool) fails exactly when our matcher reports an
    // Error outcome (e.g. two task_struct types whose IDs make
    // TYPE_ID_TARGET ambiguous), and fails the same way on our BTF.
    EXPECT_EQ(Status[0] != 0, Errors != 0);
    EXPECT_EQ(Status[0] != 0, Status[1] != 0);
    EXPECT_EQ(Status[0] != 0, Status[2] != 0);
    if (Status[0] != 0)
      return;
    auto A = llvm::MemoryBuffer::getFile(RefFull);
    auto B = llvm::MemoryBuffer::getFile(RefOurs);
    ASSERT_TRUE(bool(A) && bool(B));
    EXPECT_EQ((*A)->getBuffer(), (*B)->getBuffer())
        << "bpftool output differs for full vs our minimized BTF";
    EXPECT_GT((*A)->getBufferSize(), 100u);
  }
}

TEST(MinimizeReal, KernelBTFAndCompiledObject) {
  // Every kernel of the bundled example archive (x86_64 and arm64).
  std::string Root =
      std::string(BTFGEN_TEST_INPUTS) + "/../../examples/archive";
  std::string Clang = findTool("clang-19");
  if (!llvm::sys::fs::exists(Root) || Clang.empty())
    GTEST_SKIP() << "needs " << Root << " and clang-19";
  std::vector<std::string> Archives;
  std::error_code EC;
  for (llvm::sys::fs::recursive_directory_iterator I(Root, EC), E;
       I != E && !EC; I.increment(EC))
    if (llvm::StringRef(I->path()).ends_with(".btf.tar.xz"))
      Archives.push_back(I->path());
  llvm::sort(Archives);
  ASSERT_FALSE(Archives.empty());
  for (const std::string &A : Archives)
    checkRealKernel(A, Clang);
}

} // namespace

//===----------------------------------------------------------------------===//
// Shrunk output (MinimizeOptions::Shrink)
//===----------------------------------------------------------------------===//

namespace {

/// A kernel-like target: struct task { pid_t pid; struct mm *mm; char
/// comm[16]; struct sig sig; struct sched se; } with typedef chains, a
/// named pointee, an opaque member struct and one the spec walks into.
/// Filler types before it shift its IDs; TaskSize is its (unobserved)
/// size.
TypeTable shrinkTarget(unsigned Filler, uint32_t TaskSize) {
  TestBTFBuilder T;
  for (unsigned I = 0; I < Filler; ++I)
    T.addStruct("filler" + std::to_string(I), 4, {});
  TypeId Int = T.addInt("int", 4, true);
  TypeId Char = T.addInt("char", 1);
  TypeId KPid = T.addTypedef("__kernel_pid_t", Int);
  TypeId Pid = T.addTypedef("pid_t", KPid);
  TypeId Mm = T.addStruct("mm", 512, {{"users", Int, 0}});
  TypeId Sig = T.addStruct("sig", 96, {{"count", Int, 0}});
  TypeId Sched = T.addStruct("sched", 64, {{"vruntime", Int, 32}});
  T.addStruct("task", TaskSize,
              {{"pid", T.addConst(Pid), 0},
               {"mm", T.addPtr(Mm), 64},
               {"comm", T.addArray(Char, 16), 128},
               {"sig", Sig, 256},
               {"se", Sched, 1024}});
  return T.done();
}

struct ShrinkLocal {
  TestBTFBuilder L;
  std::vector<CoreRelocation> Relocs;
  ShrinkLocal() {
    TypeId Int = L.addInt("int", 4, true);
    TypeId Char = L.addInt("char", 1);
    TypeId Sig = L.addStruct("sig", 4, {});
    TypeId Sched = L.addStruct("sched", 8, {{"vruntime", Int, 32}});
    TypeId Task = L.addStruct("task", 64,
                              {{"pid", Int, 0},
                               {"mm", L.addPtr(0), 64},
                               {"comm", L.addArray(Char, 16), 128},
                               {"sig", Sig, 256},
                               {"se", Sched, 320}});
    L.done();
    for (Reloc R : std::vector<Reloc>{{K::FieldByteOffset, Task, "0:0"},
                                      {K::FieldSigned, Task, "0:0"},
                                      {K::FieldByteSize, Task, "0:0"},
                                      {K::FieldByteOffset, Task, "0:1"},
                                      {K::FieldByteSize, Task, "0:1"},
                                      {K::FieldByteOffset, Task, "0:2:3"},
                                      {K::FieldByteSize, Task, "0:2"},
                                      {K::FieldByteSize, Task, "0:3"},
                                      {K::FieldByteOffset, Task, "0:4:0"}})
      Relocs.push_back(mk(R));
  }
};

TypeTable shrink(ShrinkLocal &L, const TypeTable &Full,
                 BuildStatus *Status = nullptr) {
  TypeTable F = Full;
  F.buildNameIndex();
  CoreMatcher M(L.L.table(), F);
  Minimizer Min(F);
  for (const CoreRelocation &R : L.Relocs) {
    auto Res = M.calc(R);
    EXPECT_TRUE(bool(Res));
    if (!Res) {
      llvm::consumeError(Res.takeError());
      continue;
    }
    EXPECT_FALSE(bool(Min.addResult(L.L.table(), R, *Res)));
  }
  return Min.build(Status);
}

} // namespace

TEST(MinimizeShrink, MemberTypesBecomeCanonical) {
  ShrinkLocal L;
  TypeTable Full = shrinkTarget(0, 2048);
  Full.buildNameIndex();
  BuildStatus St;
  TypeTable Min = shrink(L, Full, &St);
  EXPECT_TRUE(St.Shrunk);
  EXPECT_EQ(St.Fallback, "");
  Min.buildNameIndex();
  EXPECT_EQ(expectSameResults(L.L.table(), L.Relocs, Full, Min),
            L.Relocs.size());
  expectSameLoad(L.L.table(), L.Relocs, Full, Min);

  // No typedef, const or named pointee is left; the pointer is `void *`;
  // the opaque member struct is an anonymous struct of its size; the
  // struct the spec walks into keeps its name and member.
  std::map<std::string, unsigned> Kinds;
  for (TypeId Id = 1; Id < Min.size(); ++Id) {
    Kinds[kindName(Min.kind(Id))]++;
    EXPECT_NE(Min.kind(Id), Kind::Typedef);
    EXPECT_NE(Min.kind(Id), Kind::Const);
    if (Min.kind(Id) == Kind::Ptr) {
      EXPECT_EQ(Min.type(Id).SizeOrType, 0u);
    }
    if (Min.kind(Id) == Kind::Int) {
      EXPECT_EQ(Min.name(Id), "");
    }
  }
  EXPECT_TRUE(Min.findByEssentialName("mm").empty());
  EXPECT_TRUE(Min.findByEssentialName("sig").empty());
  ASSERT_EQ(Min.findByEssentialName("sched").size(), 1u);
  ASSERT_EQ(Min.findByEssentialName("task").size(), 1u);
  TypeId Task = Min.findByEssentialName("task")[0];
  ASSERT_EQ(Min.vlen(Task), 5u);
  TypeId SigT = Min.members(Task)[3].Type;
  EXPECT_EQ(Min.kind(SigT), Kind::Struct);
  EXPECT_EQ(Min.name(SigT), "");
  EXPECT_EQ(Min.type(SigT).SizeOrType, 96u);
  EXPECT_EQ(Min.vlen(SigT), 0u);
  // Unobserved size: the end of the last kept member (se at byte 128,
  // whose own unobserved size ends at its vruntime: 4 + 4).
  EXPECT_EQ(Min.type(Task).SizeOrType, 128u + 8u);
  EXPECT_EQ(Kinds["PTR"], 1u);
}

TEST(MinimizeShrink, TypedefChainsOfAnyLengthBecomeCanonical) {
  // The shrinker follows a member's typedef chain as libbpf does, to its
  // end (it stopped after 32 links and kept longer chains whole), and the
  // matcher and the target-spec walk follow it past 1024 links.
  for (unsigned Len : {31u, 32u, 33u, 1100u}) {
    TestBTFBuilder L;
    TypeId LInt = L.addInt("int", 4, true);
    TypeId Inner = L.addStruct("inner", 4, {{"v", LInt, 0}});
    TypeId Task = L.addStruct("task", 8, {{"pid", LInt, 0}, {"in", Inner, 32}});
    L.done();
    TestBTFBuilder T;
    TypeId TInt = T.addInt("int", 4, true);
    TypeId Chain = TInt;
    for (unsigned I = 0; I < Len; ++I)
      Chain = T.addTypedef("t" + std::to_string(I), Chain);
    TypeId TInner = T.addStruct("inner", 8, {{"v", TInt, 32}});
    TypeId InChain = TInner;
    for (unsigned I = 0; I < Len; ++I)
      InChain = T.addTypedef("u" + std::to_string(I), InChain);
    T.addStruct("task", 16, {{"pid", Chain, 0}, {"in", InChain, 64}});
    TypeTable Full = T.done();
    Full.buildNameIndex();
    std::vector<CoreRelocation> Relocs;
    for (Reloc R : std::vector<Reloc>{{K::FieldByteOffset, Task, "0:0"},
                                      {K::FieldByteSize, Task, "0:0"},
                                      {K::FieldSigned, Task, "0:0"},
                                      {K::FieldByteOffset, Task, "0:1:0"}})
      Relocs.push_back(mk(R));
    CoreMatcher M(L.table(), Full);
    Minimizer Min(Full);
    for (const CoreRelocation &R : Relocs) {
      llvm::Expected<CoreResult> Res = M.calc(R);
      ASSERT_TRUE(bool(Res)) << llvm::toString(Res.takeError());
      EXPECT_EQ(Res->Outcome, RelocOutcome::Resolved) << Len;
      EXPECT_FALSE(bool(Min.addResult(L.table(), R, *Res)));
    }
    BuildStatus St;
    TypeTable Small = Min.build(&St);
    EXPECT_TRUE(St.Shrunk) << Len << ": " << St.Fallback;
    Small.buildNameIndex();
    EXPECT_EQ(expectSameResults(L.table(), Relocs, Full, Small), Relocs.size());
    unsigned Typedefs = 0;
    for (TypeId Id = 1; Id < Small.size(); ++Id)
      Typedefs += Small.kind(Id) == Kind::Typedef;
    // pid's chain became the canonical INT; in's chain leads to a struct
    // the spec walks into, which the member now names directly.
    EXPECT_EQ(Typedefs, 0u) << Len;
  }
}

TEST(MinimizeShrink, BytesDependOnlyOnWhatLibbpfObserves) {
  ShrinkLocal L;
  // Same observable facts, different type IDs and task sizes: same bytes.
  std::string A = writeBTFToString(shrink(L, shrinkTarget(0, 2048)));
  std::string B = writeBTFToString(shrink(L, shrinkTarget(7, 4096)));
  EXPECT_EQ(A, B);
  // Observed sizes still differ: a relocation on task[1] reads the size.
  L.Relocs.push_back(mk({K::FieldByteOffset, L.Relocs[0].LocalType, "1:0"}));
  std::string C = writeBTFToString(shrink(L, shrinkTarget(0, 2048)));
  std::string D = writeBTFToString(shrink(L, shrinkTarget(0, 4096)));
  EXPECT_NE(C, D);
  // ... and the exact (bpftool) shape keeps the kernel's sizes.
  MinimizeOptions Exact;
  Exact.Shrink = false;
  ShrinkLocal L2;
  EXPECT_NE(writeBTFToString(minimize(L2.L.table(), L2.Relocs,
                                      shrinkTarget(0, 2048), Exact)),
            writeBTFToString(minimize(L2.L.table(), L2.Relocs,
                                      shrinkTarget(0, 4096), Exact)));
}

TEST(MinimizeShrink, SelfCheckFallsBackWhenAnswersWouldChange) {
  // libbpf 1.1.2's FIELD_SIGNED on a pointer field reads the word after
  // the PTR record: the next type's name offset. With a string section
  // past 16 MiB that word can carry the SIGNED bit, which the canonical
  // `void *` (followed by anonymous types) does not: the self-check must
  // notice and fall back to the unshrunk table.
  TestBTFBuilder T;
  TypeId Int = T.addInt("int", 4, true);
  T.table().addString(std::string(16u << 20, 'x'));
  TypeId Ptr = T.addPtr(Int);
  T.addStruct(std::string(1, 'n'), 4, {{"v", Int, 0}}); // name_off > 16 MiB
  T.addStruct("s", 8, {{"p", Ptr, 0}});
  TypeTable Full = T.done();
  Full.buildNameIndex();
  TestBTFBuilder LB;
  TypeId LS = LB.addStruct("s", 8, {{"p", LB.addPtr(0), 0}});
  LB.done();
  CoreRelocation R = mk({K::FieldSigned, LS, "0:0"});
  CoreMatcher M(LB.table(), Full);
  auto Res = M.calc(R);
  ASSERT_TRUE(bool(Res)) << llvm::toString(Res.takeError());
  ASSERT_EQ(Res->NewVal, 1u) << "the full BTF must trigger the quirk";
  Minimizer Min(Full);
  ASSERT_FALSE(bool(Min.addResult(LB.table(), R, *Res)));
  BuildStatus St;
  Min.build(&St);
  EXPECT_FALSE(St.Shrunk);
  EXPECT_NE(St.Fallback.find("signed"), std::string::npos)
      << St.Fallback;
}

TEST(MinimizeShrink, KeepsTheKernelsPointerSizeForLibbpf) {
  // A 32-bit kernel: libbpf sizes its pointers by the 4-byte `long` it
  // finds in the BTF (btf.c determine_ptr_size). The shrunk table keeps no
  // named INT by itself; without a `long`, libbpf (and our matcher, reading
  // the file back) would use its own 8 and every pointer-sized answer would
  // change.
  TestBTFBuilder T;
  TypeId Int = T.addInt("int", 4, true);
  TypeId Long = T.addInt("long int", 4, true);
  TypeId Ptr = T.addPtr(Long);
  TypeId S = T.addStruct("s", 8, {{"p", Ptr, 0}, {"x", Int, 32}});
  T.addStruct("t", 16, {{"arr", T.addArray(S, 2, Int), 0}});
  auto Full = readBTF(
      llvm::MemoryBufferRef(writeBTFToString(T.done()), "k32.btf"));
  ASSERT_TRUE(bool(Full)) << llvm::toString(Full.takeError());
  EXPECT_EQ(Full->knownPointerSize(), 4u);
  EXPECT_EQ(Full->pointerSize(), 4u);
  Full->buildNameIndex();

  ShrinkLocal L; // its builder, with relocations of this test's own
  L.Relocs.clear();
  TestBTFBuilder &LB = L.L;
  TypeId LInt = LB.addInt("int", 4, true);
  TypeId LS = LB.addStruct("s", 16, {{"p", LB.addPtr(0), 0}, {"x", LInt, 64}});
  TypeId LT = LB.addStruct("t", 32, {{"arr", LB.addArray(LS, 2, LInt), 0}});
  LB.done();
  for (Reloc R : std::vector<Reloc>{{K::FieldByteSize, LS, "0:0"},
                                    {K::FieldByteOffset, LS, "0:1"},
                                    {K::FieldByteOffset, LT, "0:0:1:1"}})
    L.Relocs.push_back(mk(R));

  BuildStatus St;
  TypeTable Min = shrink(L, *Full, &St);
  EXPECT_TRUE(St.Shrunk);
  EXPECT_EQ(St.Fallback, "");
  // What libbpf sees: the file, read back.
  std::string Bytes = writeBTFToString(Min);
  auto Back = readBTF(llvm::MemoryBufferRef(Bytes, "min.btf"));
  ASSERT_TRUE(bool(Back)) << llvm::toString(Back.takeError());
  EXPECT_EQ(Back->knownPointerSize(), 4u);
  TypeId LongBack = Back->longType();
  ASSERT_NE(LongBack, 0u);
  EXPECT_EQ(Back->name(LongBack), "long int");
  Back->buildNameIndex();
  EXPECT_EQ(expectSameResults(LB.table(), L.Relocs, *Full, *Back),
            L.Relocs.size());
  CoreMatcher M(LB.table(), *Back);
  auto Size = M.calc(L.Relocs[0]);
  ASSERT_TRUE(bool(Size)) << llvm::toString(Size.takeError());
  EXPECT_EQ(Size->NewVal, 4u);
  auto Off = M.calc(L.Relocs[2]);
  ASSERT_TRUE(bool(Off)) << llvm::toString(Off.takeError());
  EXPECT_EQ(Off->NewVal, 12u); // arr[1].x: one 8-byte element, then 4

  // A table no reader saw (pointer size unknown) gets no `long`.
  EXPECT_EQ(Min.knownPointerSize(), 4u);
  TypeTable Unknown = T.done();
  Unknown.buildNameIndex();
  TypeTable MinU = shrink(L, Unknown);
  EXPECT_EQ(MinU.guessPointerSize(), 0u);
}

TEST(MinimizeShrink, SelfCheckSeesThePointerSizeLibbpfWillRead) {
  // An ELF target whose class says 8-byte pointers but whose BTF has a
  // 4-byte `long`: a type-based relocation on `long` keeps that INT by name,
  // so libbpf reading the raw output guesses 4 and sizes the pointer field
  // 4 instead of 8. The self-check must match as libbpf will read the file
  // and fall back.
  TestBTFBuilder T;
  T.addInt("long", 4, true);
  TypeId Int = T.addInt("int", 4, true);
  T.addStruct("s", 8, {{"p", T.addPtr(Int), 0}});
  TypeTable Full = T.done();
  Full.setKnownPointerSize(8); // as readBTFAny does for an ELFCLASS64 file
  Full.buildNameIndex();

  ShrinkLocal L;
  L.Relocs.clear();
  TestBTFBuilder &LB = L.L;
  TypeId LLong = LB.addInt("long", 4, true);
  TypeId LS = LB.addStruct("s", 8, {{"p", LB.addPtr(0), 0}});
  LB.done();
  L.Relocs.push_back(mk({K::TypeSize, LLong, "0"}));
  L.Relocs.push_back(mk({K::FieldByteSize, LS, "0:0"}));

  BuildStatus St;
  TypeTable Min = shrink(L, Full, &St);
  EXPECT_FALSE(St.Shrunk);
  EXPECT_NE(St.Fallback, "");
}
