//===- KernelViewTest.cpp - What the kernel cache's view keeps ------------===//
//
// btfgen/KernelView.h: named types of kept kinds and everything they refer
// to keep their IDs and contents; FUNC, VAR, DATASEC, DECL_TAG and what only
// those refer to become anonymous `const void`; a kept record never refers
// to a stub, even in a file where a struct member refers to a FUNC. The
// stored form (writeKernelView) reads back to the same records and stubs,
// keeps only the strings kept records name, and is checked on reading.
//
//===----------------------------------------------------------------------===//

#include "StreamInputs.h"
#include "TestBTFBuilder.h"
#include "TestUtil.h"

#include "btfgen/BTFReader.h"
#include "btfgen/BTFWriter.h"
#include "btfgen/KernelView.h"

#include "llvm/ADT/BitVector.h"
#include "llvm/Support/MemoryBufferRef.h"
#include "llvm/Support/raw_ostream.h"

#include "gtest/gtest.h"

#include <optional>
#include <string>
#include <vector>

using namespace btfgen;

namespace {

/// Kind, name and kind-specific words with strings resolved: what must be
/// equal between a kept record and its original.
struct Record {
  Kind K;
  std::string Name;
  uint32_t Info, SizeOrType;
  std::vector<std::string> Words; // numbers, or the string of a name slot
  bool operator==(const Record &O) const {
    return K == O.K && Name == O.Name && Info == O.Info &&
           SizeOrType == O.SizeOrType && Words == O.Words;
  }
};

Record recordOf(const TypeTable &T, TypeId Id) {
  Record R{T.kind(Id), T.name(Id).str(), T.type(Id).Info,
           T.type(Id).SizeOrType, {}};
  switch (R.K) {
  case Kind::Struct:
  case Kind::Union:
    for (const BTFMember &M : T.members(Id))
      R.Words.insert(R.Words.end(), {T.str(M.NameOff).str(),
                                     std::to_string(M.Type),
                                     std::to_string(M.Offset)});
    break;
  case Kind::Enum:
    for (uint32_t I = 0; I < T.vlen(Id); ++I)
      R.Words.insert(R.Words.end(), {T.enumName(Id, I).str(),
                                     std::to_string(T.enumValue(Id, I))});
    break;
  case Kind::FuncProto:
    for (const BTFParam &P : T.params(Id))
      R.Words.insert(R.Words.end(),
                     {T.str(P.NameOff).str(), std::to_string(P.Type)});
    break;
  default:
    for (uint32_t W : T.data(Id))
      R.Words.push_back(std::to_string(W));
  }
  return R;
}

bool isStub(const TypeTable &T, TypeId Id) {
  return T.kind(Id) == Kind::Const && T.type(Id).NameOff == 0 &&
         T.type(Id).SizeOrType == 0 && T.data(Id).empty();
}

/// A small kernel: what CO-RE can reach, and what only functions and
/// variables use.
struct SmallKernel {
  test::TestBTFBuilder B;
  TypeId Int, Ops, OpsPtr, OpProto, Pid, AnonEnum, Fn, FnProto, ParamPtr,
      Var, Sec, Tag;
  SmallKernel() {
    Int = B.addInt("int", 4, true);                          // kept: named
    Ops = B.addStruct("ops", 8, {{"op", 0, 0}});             // kept: named
    OpProto = B.addFuncProto(Int, {{"x", Int}});             // kept: via ops
    OpsPtr = B.addPtr(OpProto);
    B.table().mutableData(Ops)[1] = OpsPtr;                  // ops.op: int (*)(int)
    Pid = B.addTypedef("pid_t", Int);                        // kept: named
    AnonEnum = B.addEnum("", 4, {{"A", 1}});                 // dropped: anonymous
    ParamPtr = B.addPtr(Ops);                                // dropped: only FnProto
    FnProto = B.addFuncProto(Int, {{"only_fn_param", ParamPtr}});
    Fn = B.addFunc("do_thing", FnProto);
    Var = B.addVar("some_var", Pid);
    TypeTable &T = B.table();
    BTFType DS{T.addString(".data"),
               BTFType::makeInfo(Kind::Datasec, 1, false), 4};
    Sec = T.addType(DS, {Var, 0, 4});
    BTFType DT{T.addString("a_tag"),
               BTFType::makeInfo(Kind::DeclTag, 0, false), Ops};
    Tag = T.addType(DT, {uint32_t(-1)});
  }
};

TEST(KernelView, KeepsNamedTypesAndWhatTheyReferToUnderTheirIds) {
  SmallKernel K;
  const TypeTable &T = K.B.table();
  TypeTable V = kernelView(T);
  ASSERT_EQ(V.size(), T.size());
  for (TypeId Id : {K.Int, K.Ops, K.OpsPtr, K.OpProto, K.Pid})
    EXPECT_EQ(recordOf(V, Id), recordOf(T, Id)) << "type " << Id;
  for (TypeId Id :
       {K.AnonEnum, K.ParamPtr, K.FnProto, K.Fn, K.Var, K.Sec, K.Tag})
    EXPECT_TRUE(isStub(V, Id)) << "type " << Id;
}

/// V stored and read back; fails the test if it does not read.
TypeTable storedAndRead(const TypeTable &V) {
  std::string Bytes = writeKernelView(V);
  llvm::Expected<TypeTable> Back =
      readKernelView(llvm::MemoryBufferRef(Bytes, "view"));
  if (!Back) {
    ADD_FAILURE() << llvm::toString(Back.takeError());
    return TypeTable();
  }
  return std::move(*Back);
}

TEST(KernelView, StoresOnlyTheStringsOfKeptTypes) {
  SmallKernel K;
  TypeTable V = kernelView(K.B.table());
  TypeTable Back = storedAndRead(V);
  const std::string &S = Back.strings();
  for (const char *Kept : {"int", "ops", "op", "x", "pid_t"})
    EXPECT_NE(S.find(Kept), std::string::npos) << Kept;
  for (const char *Gone :
       {"do_thing", "some_var", ".data", "a_tag", "only_fn_param"})
    EXPECT_EQ(S.find(Gone), std::string::npos) << Gone;
}

TEST(KernelView, StoredFormReadsBackToTheSameRecordsAndStubs) {
  SmallKernel K;
  // A real `const void`, kept because a kept pointer refers to it: stored,
  // although it looks like a stub.
  TypeTable &T = K.B.table();
  BTFType CV{0, BTFType::makeInfo(Kind::Const, 0, false), 0};
  TypeId ConstVoid = T.addType(CV, {});
  TypeId VoidPtr = K.B.addPtr(ConstVoid);
  K.B.addTypedef("cvp_t", VoidPtr);
  TypeTable V = kernelView(T);
  TypeTable Back = storedAndRead(V);
  ASSERT_EQ(Back.size(), V.size());
  for (TypeId Id = 1; Id < V.size(); ++Id)
    EXPECT_EQ(recordOf(Back, Id), recordOf(V, Id)) << "type " << Id;
  EXPECT_EQ(Back.pointerSize(), V.pointerSize());
  EXPECT_EQ(Back.type(VoidPtr).SizeOrType, ConstVoid);
  // Storing again gives the same bytes.
  EXPECT_EQ(writeKernelView(Back), writeKernelView(V));
}

TEST(KernelView, StoredFormIsCheckedOnReading) {
  SmallKernel K;
  std::string Good = writeKernelView(kernelView(K.B.table()));
  auto Error = [](std::string Bytes) {
    llvm::Expected<TypeTable> T =
        readKernelView(llvm::MemoryBufferRef(Bytes, "v"));
    if (T)
      return std::string("read");
    return llvm::toString(T.takeError());
  };
  ASSERT_EQ(Error(Good), "read");
  EXPECT_NE(Error(Good.substr(0, 10)).find("shorter than its header"),
            std::string::npos);
  std::string BadMagic = Good;
  BadMagic[0] = 'X';
  EXPECT_NE(Error(BadMagic).find("bad magic"), std::string::npos);
  // One type ID fewer: the bitmap's last kept type is out of range, or the
  // counts disagree.
  std::string Count = Good;
  Count[12] = char(Count[12] + 1);
  EXPECT_NE(Error(Count).find("header says"), std::string::npos);
  // A bit cleared: bitmap and records disagree.
  std::string Bit = Good;
  Bit[16] = char(Bit[16] & (Bit[16] - 1));
  EXPECT_NE(Error(Bit), "read");
  // The embedded BTF is checked as any BTF.
  std::string Short = Good.substr(0, Good.size() - 3);
  EXPECT_NE(Error(Short), "read");
  EXPECT_NE(Error(Good.substr(0, 17)).find("bitmap"), std::string::npos);
}

TEST(KernelView, AKeptRecordNeverRefersToAStub) {
  // A hostile kernel: a struct member whose type is a FUNC. The FUNC, its
  // prototype and the prototype's parameter type stay whole.
  SmallKernel K;
  TypeId Odd = K.B.addStruct("odd", 4, {{"m", K.Fn, 0}});
  TypeTable V = kernelView(K.B.table());
  for (TypeId Id : {Odd, K.Fn, K.FnProto, K.ParamPtr})
    EXPECT_EQ(recordOf(V, Id), recordOf(K.B.table(), Id)) << "type " << Id;
  for (TypeId Id = 1; Id < V.size(); ++Id)
    if (!isStub(V, Id))
      V.forEachRef(Id, [&](TypeId R, RefRole, uint32_t) {
        EXPECT_FALSE(R != 0 && isStub(V, R)) << Id << " -> " << R;
      });
}

TEST(KernelView, ReadsBackWithTheSameCandidates) {
  SmallKernel K;
  TypeTable &T = K.B.table();
  T.buildNameIndex();
  TypeTable Back = storedAndRead(kernelView(T));
  Back.buildNameIndex();
  EXPECT_EQ(Back.pointerSize(), T.pointerSize());
  for (const char *Name : {"int", "ops", "pid_t"})
    EXPECT_EQ(Back.findByEssentialName(Name), T.findByEssentialName(Name))
        << Name;
  EXPECT_TRUE(Back.findByEssentialName("do_thing").empty());
  EXPECT_FALSE(T.findByEssentialName("do_thing").empty());
}

// The cold path hands the writer the IDs kernelView() kept instead of
// letting it find them (KernelPipeline.cpp): the stored bytes must be the
// same, on the small kernel (with a hostile struct member that refers to a
// FUNC) and on every bundled real kernel.
TEST(KernelView, WriterGivenTheKeptIdsStoresTheSameBytes) {
  auto Check = [](const TypeTable &Kernel, const std::string &What) {
    llvm::BitVector Kept;
    TypeTable V = kernelView(Kernel, Kept);
    EXPECT_EQ(Kept.size(), V.size()) << What;
    std::string Found = writeKernelView(V);
    std::string Given;
    llvm::raw_string_ostream OS(Given);
    KernelViewWriter W(V, Kept);
    EXPECT_EQ(W.size(), Found.size()) << What;
    W.write(OS);
    OS.flush();
    EXPECT_TRUE(Given == Found) << What;
  };
  SmallKernel K;
  K.B.addStruct("odd", 4, {{"m", K.Fn, 0}});
  Check(K.B.table(), "small kernel");
  std::vector<std::string> Files =
      testutil::findTarballs(testutil::archiveDir());
  ASSERT_FALSE(Files.empty()) << "no kernels under " << testutil::archiveDir();
  for (const std::string &F : Files) {
    std::optional<std::string> Raw = testutil::readTarXz(F);
    ASSERT_TRUE(Raw.has_value()) << "cannot extract " << F;
    llvm::Expected<TypeTable> T = readBTF(llvm::MemoryBufferRef(*Raw, F));
    ASSERT_TRUE(bool(T)) << F << ": " << llvm::toString(T.takeError());
    Check(*T, F);
  }
}

TEST(KernelView, DropsExactlyTheFourKinds) {
  for (Kind K : {Kind::Func, Kind::Var, Kind::Datasec, Kind::DeclTag})
    EXPECT_TRUE(isDroppedFromView(K));
  for (Kind K : {Kind::Int, Kind::Ptr, Kind::Array, Kind::Struct, Kind::Union,
                 Kind::Enum, Kind::Fwd, Kind::Typedef, Kind::Volatile,
                 Kind::Const, Kind::Restrict, Kind::FuncProto, Kind::Float,
                 Kind::TypeTag, Kind::Enum64})
    EXPECT_FALSE(isDroppedFromView(K));
}

/// A stored view read whole or in pieces, as one comparable string: the
/// table written back (BTFWriter) with its pointer size, or the error.
std::string viewOutcome(llvm::Expected<TypeTable> T) {
  if (!T)
    return "error: " + llvm::toString(T.takeError());
  return "table: " + writeBTFToString(*T) + " ptr " +
         std::to_string(T->pointerSize());
}

std::string viewInPieces(const std::string &Bytes, size_t Piece) {
  return viewOutcome(testutil::readPieces<KernelViewStreamReader>(
      "v", testutil::piecesOf(Bytes, Piece)));
}

// A cached view is read while its entry is decompressed (Cache.h,
// ByteSink): the table, or the error, must not depend on where the
// pieces end. Every truncation and single-byte flip of a stored view, in
// pieces of 1 to 13 bytes and in two pieces cut anywhere, against
// readKernelView over the whole.
TEST(KernelViewStreamReader, PiecesChangeNothing) {
  SmallKernel K;
  const std::string Good = writeKernelView(kernelView(K.B.table()));
  const std::vector<std::string> Inputs = testutil::prefixesAndByteFlips(Good);
  size_t Tables = 0;
  for (const std::string &In : Inputs) {
    std::string Whole =
        viewOutcome(readKernelView(llvm::MemoryBufferRef(In, "v")));
    Tables += llvm::StringRef(Whole).starts_with("table: ");
    for (size_t Piece : {1, 2, 3, 5, 7, 13})
      ASSERT_EQ(viewInPieces(In, Piece), Whole)
          << "input of " << In.size() << " bytes in pieces of " << Piece;
  }
  EXPECT_GT(Tables, 5u);
  EXPECT_GT(Inputs.size() - Tables, 100u);
  const std::string Expect =
      viewOutcome(readKernelView(llvm::MemoryBufferRef(Good, "v")));
  ASSERT_TRUE(llvm::StringRef(Expect).starts_with("table: "));
  for (size_t Cut = 0; Cut <= Good.size(); ++Cut)
    EXPECT_EQ(viewOutcome(testutil::readPieces<KernelViewStreamReader>(
                  "v", {llvm::StringRef(Good).take_front(Cut),
                        llvm::StringRef(Good).drop_front(Cut)})),
              Expect)
        << "cut at " << Cut;
}

} // namespace
