//===- KernelBasisTest.cpp - Tailoring on the part of a kernel it read ----===//
//
// btfgen/KernelBasis.h: a basis recorded while a tailoring (CoreMatcher +
// Minimizer) runs on a kernel's view holds every record it read under its
// ID and every name it looked up with all its candidates; the same
// tailoring, or one of fewer relocations, on the basis reads nothing else
// (covers()) and gives the same bytes, on every bundled real kernel; a
// tailoring that looks up a name the basis lacks, or reads a record it
// lacks, is not covered, and with bounds (bound()) says so at that read; a
// basis added to another run's log (addTo()) serves both runs; the stored
// form is checked on reading.
//
//===----------------------------------------------------------------------===//

#include "TestBTFBuilder.h"
#include "TestUtil.h"

#include "btfgen/BTFReader.h"
#include "btfgen/BTFWriter.h"
#include "btfgen/CoreMatch.h"
#include "btfgen/KernelBasis.h"
#include "btfgen/KernelView.h"
#include "btfgen/Minimize.h"

#include "llvm/Support/MemoryBufferRef.h"

#include "gtest/gtest.h"

#include <optional>
#include <string>
#include <vector>

using namespace btfgen;

namespace {

/// A program's local types and relocations: task_struct's pid, comm and
/// real_parent->pid, its existence and size, and (Extra) whether
/// mm_struct exists.
struct TaskProgram {
  test::TestBTFBuilder L;
  std::vector<CoreRelocation> Relocs;
  TypeId Task = 0, Mm = 0;
  TaskProgram() {
    TypeId Int = L.addInt("int", 4, true);
    TypeId Char = L.addInt("char", 1);
    Task = L.addStruct("task_struct", 64,
                       {{"pid", Int, 0},
                        {"comm", L.addArray(Char, 16), 32},
                        {"real_parent", 0, 160}});
    L.table().mutableData(Task)[3 * 2 + 1] = L.addPtr(Task);
    Mm = L.addStruct("mm_struct", 8, {});
    L.done();
    add(CoreReloKind::FieldByteOffset, Task, "0:0");
    add(CoreReloKind::FieldSigned, Task, "0:0");
    add(CoreReloKind::FieldByteOffset, Task, "0:1");
    add(CoreReloKind::FieldByteOffset, Task, "0:2");
    add(CoreReloKind::TypeExists, Task, "0");
    add(CoreReloKind::TypeSize, Task, "0");
  }
  void add(CoreReloKind K, TypeId Root, std::string Access) {
    CoreRelocation R;
    R.Kind = K;
    R.LocalType = Root;
    R.Access = std::move(Access);
    Relocs.push_back(R);
  }
};

/// Match the first N relocations of P against Target and minimize, Target's
/// reads logged into Log (if given): the tailored bytes.
std::string tailor(TaskProgram &P, size_t N, const TypeTable &Target,
                   TableAccessLog *Log) {
  if (Log) {
    Log->Records.resize(Target.size());
    Target.setAccessLog(Log);
  }
  CoreMatcher M(P.L.table(), Target);
  Minimizer Min(Target);
  for (size_t I = 0; I < N; ++I) {
    llvm::Expected<CoreResult> Res = M.calc(P.Relocs[I]);
    EXPECT_TRUE(bool(Res)) << llvm::toString(Res.takeError());
    if (!Res)
      break;
    EXPECT_FALSE(bool(Min.addResult(P.L.table(), P.Relocs[I], *Res)));
  }
  std::string Bytes = writeBTFToString(Min.build());
  Target.setAccessLog(nullptr);
  return Bytes;
}

/// The stored basis that tailoring P on View records.
std::string recordBasis(TaskProgram &P, const TypeTable &View) {
  TableAccessLog Rec;
  tailor(P, P.Relocs.size(), View, &Rec);
  return writeKernelBasis(View, Rec);
}

KernelBasis readBack(const std::string &Bytes) {
  llvm::Expected<KernelBasis> B =
      readKernelBasis(llvm::MemoryBufferRef(Bytes, "basis"));
  if (!B) {
    ADD_FAILURE() << llvm::toString(B.takeError());
    return KernelBasis();
  }
  B->Table.buildNameIndex();
  return std::move(*B);
}

/// Every bundled real kernel's view, name index built.
std::vector<std::pair<std::string, TypeTable>> realViews() {
  std::vector<std::pair<std::string, TypeTable>> Out;
  for (const std::string &F : testutil::findTarballs(testutil::archiveDir())) {
    std::optional<std::string> Raw = testutil::readTarXz(F);
    EXPECT_TRUE(Raw.has_value()) << "cannot extract " << F;
    if (!Raw)
      continue;
    llvm::Expected<TypeTable> T = readBTF(llvm::MemoryBufferRef(*Raw, F));
    EXPECT_TRUE(bool(T)) << F << ": " << llvm::toString(T.takeError());
    if (!T)
      continue;
    Out.emplace_back(F, kernelView(std::move(*T)));
    Out.back().second.buildNameIndex();
  }
  EXPECT_FALSE(Out.empty()) << "no kernels under " << testutil::archiveDir();
  return Out;
}

TEST(KernelBasis, TailoringOnTheBasisGivesTheViewsBytes) {
  TaskProgram P;
  for (auto &[File, View] : realViews()) {
    KernelBasis B = readBack(recordBasis(P, View));
    ASSERT_EQ(B.Table.size(), View.size()) << File;
    EXPECT_EQ(B.Table.pointerSize(), View.pointerSize()) << File;
    // A basis is a small part of its view.
    EXPECT_LT(B.Read.count() * 20, View.size()) << File;
    EXPECT_TRUE(std::binary_search(B.Names.begin(), B.Names.end(),
                                   std::string("task_struct")))
        << File;
    // The same tailoring, and every shorter one, on the basis: covered,
    // and the same bytes as on the view.
    for (size_t N = P.Relocs.size(); N >= 1; --N) {
      TableAccessLog Again;
      std::string OnBasis = tailor(P, N, B.Table, &Again);
      EXPECT_TRUE(B.covers(Again)) << File << ", " << N << " relocations";
      EXPECT_EQ(OnBasis, tailor(P, N, View, nullptr))
          << File << ", " << N << " relocations";
    }
  }
}

TEST(KernelBasis, ANameOrRecordItLacksIsNotCovered) {
  TaskProgram P;
  for (auto &[File, View] : realViews()) {
    KernelBasis B = readBack(recordBasis(P, View));
    // A relocation on mm_struct looks up a name the basis never saw.
    TaskProgram More;
    More.add(CoreReloKind::TypeExists, More.Mm, "0");
    TableAccessLog Again;
    tailor(More, More.Relocs.size(), B.Table, &Again);
    EXPECT_FALSE(B.covers(Again)) << File;
    // Reading one record more than the basis holds.
    TableAccessLog One;
    One.Records.resize(B.Table.size());
    B.Table.setAccessLog(&One);
    for (TypeId Id = 1; Id < B.Table.size(); ++Id)
      if (!B.Read.test(Id)) {
        (void)B.Table.kind(Id);
        break;
      }
    B.Table.setAccessLog(nullptr);
    EXPECT_FALSE(B.covers(One)) << File;
    // A log of another table's size covers nothing.
    TableAccessLog Other;
    Other.Records.resize(B.Table.size() + 1);
    EXPECT_FALSE(B.covers(Other)) << File;
  }
}

TEST(KernelBasis, BoundsSayAtTheFirstReadPastThem) {
  TaskProgram P;
  for (auto &[File, View] : realViews()) {
    KernelBasis B = readBack(recordBasis(P, View));
    // Within bounds, nothing escapes.
    TableAccessLog In;
    B.bound(In);
    tailor(P, P.Relocs.size(), B.Table, &In);
    EXPECT_FALSE(In.Escaped) << File;
    // A name the basis lacks escapes at its lookup, a record at its read.
    TableAccessLog Name;
    B.bound(Name);
    Name.Records.resize(B.Table.size());
    B.Table.setAccessLog(&Name);
    (void)B.Table.findByEssentialName("task_struct");
    EXPECT_FALSE(B.Table.readPastBounds()) << File;
    (void)B.Table.findByEssentialName("mm_struct");
    EXPECT_TRUE(B.Table.readPastBounds()) << File;
    B.Table.setAccessLog(nullptr);
    EXPECT_FALSE(B.Table.readPastBounds()) << File;
    TableAccessLog Rec2;
    B.bound(Rec2);
    Rec2.Records.resize(B.Table.size());
    B.Table.setAccessLog(&Rec2);
    for (TypeId Id = 1; Id < B.Table.size() && !Rec2.Escaped; ++Id)
      (void)B.Table.type(Id);
    B.Table.setAccessLog(nullptr);
    EXPECT_TRUE(Rec2.Escaped) << File;
  }
}

TEST(KernelBasis, AddedToALogTheNewBasisServesBoth) {
  TaskProgram P;
  TaskProgram More;
  More.add(CoreReloKind::TypeExists, More.Mm, "0");
  for (auto &[File, View] : realViews()) {
    KernelBasis Old = readBack(recordBasis(P, View));
    // task_struct and mm_struct: the old basis does not hold mm_struct.
    TableAccessLog Second;
    std::string WithMm = tailor(More, More.Relocs.size(), View, &Second);
    Old.addTo(Second);
    KernelBasis Both = readBack(writeKernelBasis(View, Second));
    TableAccessLog A, C;
    EXPECT_EQ(tailor(P, P.Relocs.size(), Both.Table, &A),
              tailor(P, P.Relocs.size(), View, nullptr))
        << File;
    EXPECT_TRUE(Both.covers(A)) << File;
    EXPECT_EQ(tailor(More, More.Relocs.size(), Both.Table, &C), WithMm)
        << File;
    EXPECT_TRUE(Both.covers(C)) << File;
  }
}

TEST(KernelBasis, HoldsWhatWasReadAndStubsWhatItRefersTo) {
  test::TestBTFBuilder K;
  TypeId Int = K.addInt("int", 4, true);
  TypeId Long = K.addInt("long int", 8, true);
  TypeId Inner = K.addStruct("inner", 4, {{"x", Int, 0}});
  TypeId Outer = K.addStruct("outer", 8, {{"in", Inner, 0}, {"n", Long, 32}});
  TypeId Other = K.addStruct("other", 4, {{"y", Int, 0}});
  TypeId Last = K.addPtr(Other); // the last record, without kind data
  TypeTable &T = K.table();
  T.buildNameIndex();
  TableAccessLog Log;
  Log.Records.resize(T.size());
  T.setAccessLog(&Log);
  EXPECT_EQ(T.findByEssentialName("outer").size(), 1u);
  (void)T.members(Outer);
  (void)T.kind(Last);
  T.setAccessLog(nullptr);
  KernelBasis B = readBack(writeKernelBasis(T, Log));
  ASSERT_EQ(B.Table.size(), T.size());
  // Read: outer, and int and long int (up to the first `long`, which
  // libbpf's pointer-size guess reads); not the last record.
  for (TypeId Id : {Int, Long, Outer})
    EXPECT_TRUE(B.Read.test(Id)) << Id;
  for (TypeId Id : {Inner, Other, Last})
    EXPECT_FALSE(B.Read.test(Id)) << Id;
  EXPECT_EQ(B.Table.name(Outer), "outer");
  EXPECT_EQ(B.Table.members(Outer).size(), 2u);
  EXPECT_EQ(B.Table.members(Outer)[0].Type, Inner);
  EXPECT_EQ(B.Table.pointerSize(), 8u);
  // inner is referred to, not read: a stub under its ID.
  EXPECT_EQ(B.Table.kind(Inner), Kind::Const);
  EXPECT_TRUE(B.Table.name(Inner).empty());
  EXPECT_EQ(B.Names, std::vector<std::string>{"outer"});
  EXPECT_EQ(B.Table.findByEssentialName("outer"),
            T.findByEssentialName("outer"));
}

TEST(KernelBasis, StoredFormIsCheckedOnReading) {
  TaskProgram P;
  auto Views = realViews();
  ASSERT_FALSE(Views.empty());
  const TypeTable &View = Views.front().second;
  std::string Good = recordBasis(P, View);
  auto Error = [](std::string Bytes) {
    llvm::Expected<KernelBasis> B =
        readKernelBasis(llvm::MemoryBufferRef(Bytes, "b"));
    if (B)
      return std::string("read");
    return llvm::toString(B.takeError());
  };
  ASSERT_EQ(Error(Good), "read");
  EXPECT_NE(Error(Good.substr(0, 10)).find("short header"), std::string::npos);
  std::string BadMagic = Good;
  BadMagic[1] = 'X';
  EXPECT_NE(Error(BadMagic).find("bad magic"), std::string::npos);
  // More IDs than the bytes hold.
  std::string Many = Good;
  Many[11] = char(0x7f);
  EXPECT_NE(Error(Many).find("do not fit"), std::string::npos);
  // IDs out of order: the first raised above the second.
  std::string Order = Good;
  uint32_t R = uint8_t(Good[8]);
  ASSERT_GE(R, 2u);
  Order.replace(20, 4, Good.substr(28, 4));
  EXPECT_NE(Error(Order).find("not ascending"), std::string::npos);
  // One name fewer than the header says.
  std::string Names = Good;
  Names[12] = char(Names[12] + 1);
  EXPECT_NE(Error(Names).find("header says"), std::string::npos);
  // The view part is checked as any stored view.
  EXPECT_NE(Error(Good.substr(0, Good.size() - 3)), "read");
  // Every error names the buffer.
  EXPECT_NE(Error(BadMagic).find("'b'"), std::string::npos) << Error(BadMagic);
}

} // namespace
