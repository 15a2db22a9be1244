//===- DumpTest.cpp - Our dump against bpftool's --------------------------===//
//
// The independent check of BTFReader and Dump together: for every kernel of
// the bundled archive, the host kernel, and a synthetic BTF holding every
// kind and flag variant (signed/unsigned ENUM and ENUM64, bitfields, all
// linkages, DECL_TAG component indices, TYPE_TAG, FLOAT, DATASEC), our
// dumpBTF() output must equal `bpftool btf dump file F` byte for byte.
//
//===----------------------------------------------------------------------===//

#include "btfgen/Dump.h"

#include "btfgen/BTFReader.h"
#include "btfgen/BTFWriter.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include "TestUtil.h"
#include "gtest/gtest.h"

#include <cstdio>
#include <optional>
#include <string>
#include <vector>

using namespace llvm;
using namespace btfgen;
using namespace btfgen::testutil;

namespace {

std::string ourDump(const TypeTable &T) {
  std::string S;
  raw_string_ostream OS(S);
  dumpBTF(T, OS);
  OS.flush();
  return S;
}

/// Compare line by line so a failure shows the first differing line.
void expectSameDump(const std::string &Ours, const std::string &Theirs,
                    const std::string &Name) {
  if (Ours == Theirs)
    return;
  SmallVector<StringRef, 0> A, B;
  StringRef(Ours).split(A, '\n');
  StringRef(Theirs).split(B, '\n');
  size_t I = 0;
  while (I < A.size() && I < B.size() && A[I] == B[I])
    ++I;
  ADD_FAILURE() << Name << ": dumps differ at line " << I + 1
                << "\n  ours:    " << (I < A.size() ? A[I].str() : "<eof>")
                << "\n  bpftool: " << (I < B.size() ? B[I].str() : "<eof>");
}

/// Write Raw to a temporary file and compare our dump of it with bpftool's.
void compareWithBpftool(const std::string &Bpftool, const std::string &Raw,
                        const std::string &Name) {
  Expected<TypeTable> T = readBTF(MemoryBufferRef(Raw, Name));
  ASSERT_TRUE(bool(T)) << toString(T.takeError());
  SmallString<128> Tmp;
  ASSERT_FALSE(sys::fs::createTemporaryFile("coreio-dump", "btf", Tmp));
  {
    std::error_code EC;
    raw_fd_ostream OS(Tmp, EC);
    ASSERT_FALSE(EC);
    OS << Raw;
  }
  std::optional<std::string> Theirs =
      runCapture("'" + Bpftool + "' btf dump file '" + Tmp.str().str() + "'");
  sys::fs::remove(Tmp);
  ASSERT_TRUE(Theirs.has_value()) << "bpftool failed on " << Name;
  expectSameDump(ourDump(*T), *Theirs, Name);
}

/// A table with every kind and every printed variant.
TypeTable everyKind() {
  TypeTable T;
  auto S = [&](StringRef X) { return T.addString(X); };
  auto Info = [](Kind K, uint32_t V, bool F) {
    return BTFType::makeInfo(K, V, F);
  };
  TypeId Int = T.addType({S("int"), Info(Kind::Int, 0, false), 4},
                         {(BTFIntSigned << 24) | 32}); // 1
  T.addType({S("char"), Info(Kind::Int, 0, false), 1},
            {(BTFIntChar << 24) | 8});
  T.addType({S("_Bool"), Info(Kind::Int, 0, false), 1},
            {(BTFIntBool << 24) | 1});
  T.addType({S("u128"), Info(Kind::Int, 0, false), 16}, {128}); // 4
  T.addType({S("odd"), Info(Kind::Int, 0, false), 4},
            {(3u << 24) | (2u << 16) | 7});
  TypeId Ptr = T.addType({0, Info(Kind::Ptr, 0, false), 7}, {}); // 6
  T.addType({S("s"), Info(Kind::Struct, 3, true), 8},
            {S("a"), Int, 0, S("bf"), Int, (3u << 24) | 32, 0, Int, 40}); // 7
  T.addType({S("u"), Info(Kind::Union, 2, false), 8},
            {S("x"), Int, 0, S("p"), Ptr, 0}); // 8
  T.addType({S("ue"), Info(Kind::Enum, 2, false), 4},
            {S("A"), 0, S("B"), 0xfffffffbu}); // 9
  T.addType({S("se"), Info(Kind::Enum, 2, true), 4},
            {S("C"), 0xfffffffbu, S("D"), 7}); // 10
  T.addType({S("ue64"), Info(Kind::Enum64, 1, false), 8},
            {S("E"), 0xffffffffu, 0xffffffffu}); // 11
  T.addType({S("se64"), Info(Kind::Enum64, 2, true), 8},
            {S("F"), 0xfffffffbu, 0xffffffffu, S("G"), 1, 2});  // 12
  T.addType({S("fs"), Info(Kind::Fwd, 0, false), 0}, {});       // 13
  T.addType({S("fu"), Info(Kind::Fwd, 0, true), 0}, {});        // 14
  T.addType({S("td"), Info(Kind::Typedef, 0, false), Int}, {}); // 15
  T.addType({0, Info(Kind::Volatile, 0, false), Int}, {});      // 16
  T.addType({0, Info(Kind::Const, 0, false), 16}, {});          // 17
  T.addType({0, Info(Kind::Restrict, 0, false), Ptr}, {});      // 18
  TypeId Proto = T.addType({0, Info(Kind::FuncProto, 2, false), Int},
                           {S("x"), Int, 0, 0});                    // 19
  T.addType({S("fstatic"), Info(Kind::Func, 0, false), Proto}, {}); // 20
  T.addType({S("fglobal"), Info(Kind::Func, 1, false), Proto}, {}); // 21
  T.addType({S("fextern"), Info(Kind::Func, 2, false), Proto}, {}); // 22
  TypeId V1 = T.addType({S("vstatic"), Info(Kind::Var, 0, false), Int}, {0});
  TypeId V2 = T.addType({S("vglobal"), Info(Kind::Var, 0, false), Int}, {1});
  T.addType({S("vextern"), Info(Kind::Var, 0, false), Int}, {2}); // 25
  T.addType({S(".data"), Info(Kind::Datasec, 3, false), 12},
            {V1, 0, 4, V2, 4, 4, 0, 8, 4});                     // 26
  T.addType({S("double"), Info(Kind::Float, 0, false), 8}, {}); // 27
  T.addType({S("tag_all"), Info(Kind::DeclTag, 0, false), 7},
            {uint32_t(-1)});                                           // 28
  T.addType({S("tag_member"), Info(Kind::DeclTag, 0, false), 7}, {1}); // 29
  T.addType({S("user"), Info(Kind::TypeTag, 0, false), Int}, {});      // 30
  T.addType({0, Info(Kind::Array, 0, false), 0}, {Int, Int, 10});      // 31
  T.addType({0, Info(Kind::Struct, 0, false), 0}, {});                 // 32
  return T;
}

} // namespace

TEST(Dump, FormatsOneType) {
  TypeTable T = everyKind();
  std::string S;
  raw_string_ostream OS(S);
  dumpType(T, 7, OS);
  OS.flush();
  EXPECT_EQ(S, "[7] STRUCT 's' size=8 vlen=3\n"
               "\t'a' type_id=1 bits_offset=0\n"
               "\t'bf' type_id=1 bits_offset=32 bitfield_size=3\n"
               "\t'(anon)' type_id=1 bits_offset=40\n");
}

TEST(Dump, EveryKindMatchesBpftool) {
  std::optional<std::string> Bpftool = findBpftool();
  if (!Bpftool)
    GTEST_SKIP() << "bpftool not found";
  compareWithBpftool(*Bpftool, writeBTFToString(everyKind()), "every-kind");
}

TEST(Dump, BundledArchiveMatchesBpftool) {
  std::optional<std::string> Bpftool = findBpftool();
  if (!Bpftool)
    GTEST_SKIP() << "bpftool not found";
  std::vector<std::string> Files = findTarballs(archiveDir());
  ASSERT_FALSE(Files.empty()) << "no kernels under " << archiveDir();
  for (const std::string &F : Files) {
    std::optional<std::string> Raw = readTarXz(F);
    ASSERT_TRUE(Raw.has_value()) << "cannot extract " << F;
    compareWithBpftool(*Bpftool, *Raw, F);
  }
}

TEST(Dump, HostKernelMatchesBpftool) {
  std::optional<std::string> Bpftool = findBpftool();
  if (!Bpftool)
    GTEST_SKIP() << "bpftool not found";
  auto MB = MemoryBuffer::getFile("/sys/kernel/btf/vmlinux", false, false);
  if (!MB)
    GTEST_SKIP() << "/sys/kernel/btf/vmlinux not readable";
  compareWithBpftool(*Bpftool, (*MB)->getBuffer().str(),
                     "/sys/kernel/btf/vmlinux");
}
