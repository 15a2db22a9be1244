//===- ObjectReaderTest.cpp - BPF objects and .BTF.ext --------------------===//
//
// .BTF.ext corruption tests on hand-built sections, and object mode on a BPF
// program compiled at test time with clang-19: the relocations we read must
// equal, as a set of (kind, root type ID and name, access), what
// llvm-objdump-19 -dr prints for the same object.
//
//===----------------------------------------------------------------------===//

#include "btfgen/ObjectReader.h"

#include "btfgen/BTFExt.h"
#include "btfgen/BTFReader.h"
#include "btfgen/Errors.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"

#include "TestUtil.h"
#include "gtest/gtest.h"

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

using namespace llvm;
using namespace btfgen;
using namespace btfgen::testutil;

namespace {

template <typename T> std::string malformedDetail(Expected<T> R) {
  if (R) {
    ADD_FAILURE() << "expected a MalformedInput error";
    return "";
  }
  std::string Detail;
  bool IsMalformed = false;
  handleAllErrors(
      R.takeError(),
      [&](const MalformedInput &E) {
        IsMalformed = true;
        Detail = E.detail();
      },
      [&](const ErrorInfoBase &E) { Detail = E.message(); });
  EXPECT_TRUE(IsMalformed) << Detail;
  return Detail;
}

/// .BTF.ext bytes assembled from word lists per subsection.
struct RawExt {
  uint16_t Magic = 0xEB9F;
  uint8_t Version = 1, Flags = 0;
  uint32_t HdrLen = 32;
  std::vector<uint32_t> Func, Line, Relo; // each: rec_size, blocks...
  std::optional<uint32_t> ReloLenOverride;

  std::string bytes() const {
    std::string Out;
    auto Put32 = [&](uint32_t V) {
      for (int I = 0; I < 4; ++I)
        Out.push_back(char((V >> (8 * I)) & 0xff));
    };
    uint32_t FL = Func.size() * 4, LL = Line.size() * 4, RL = Relo.size() * 4;
    Out.push_back(char(Magic & 0xff));
    Out.push_back(char(Magic >> 8));
    Out.push_back(char(Version));
    Out.push_back(char(Flags));
    Put32(HdrLen);
    Put32(0);
    Put32(FL);
    Put32(FL);
    Put32(LL);
    if (HdrLen >= 32) {
      Put32(FL + LL);
      Put32(ReloLenOverride.value_or(RL));
    }
    Out.resize(HdrLen, '\0');
    for (const auto *V : {&Func, &Line, &Relo})
      for (uint32_t W : *V)
        Put32(W);
    return Out;
  }
};

/// A tiny .BTF for the .BTF.ext tests: [1] INT int, [2] STRUCT s {a},
/// [3] FUNC_PROTO, [4] FUNC prog; strings include a section name, a file,
/// a line and an access string.
struct ExtFixture {
  TypeTable T;
  StrOffset Sec, File, LineText, Access;
  ExtFixture() {
    StrOffset IntN = T.addString("int");
    T.addType({IntN, BTFType::makeInfo(Kind::Int, 0, false), 4},
              {(BTFIntSigned << 24) | 32});
    StrOffset S = T.addString("s"), A = T.addString("a");
    T.addType({S, BTFType::makeInfo(Kind::Struct, 1, false), 4}, {A, 1, 0});
    T.addType({0, BTFType::makeInfo(Kind::FuncProto, 0, false), 1}, {});
    T.addType({T.addString("prog"), BTFType::makeInfo(Kind::Func, 1, false), 3},
              {});
    Sec = T.addString("kprobe/foo");
    File = T.addString("/src/prog.bpf.c");
    LineText = T.addString("  return p->a;");
    Access = T.addString("0:0");
  }
  RawExt good() const {
    RawExt E;
    E.Func = {8, Sec, 1, 0, 4};
    E.Line = {16,
              Sec,
              2,
              0,
              File,
              LineText,
              (12u << 10) | 5,
              16,
              File,
              LineText,
              (13u << 10) | 9};
    E.Relo = {16, Sec, 2, 8, 2, Access, 0, 24, 2, Access, 1};
    return E;
  }
};

#define EXPECT_EXT_MALFORMED(Fix, Raw, Substr)                                 \
  do {                                                                         \
    std::string Bytes = (Raw).bytes();                                         \
    std::string D = malformedDetail(readBTFExt(Bytes, (Fix).T, "x.o"));        \
    EXPECT_NE(D.find(Substr), std::string::npos) << "message: " << D;          \
  } while (0)

} // namespace

TEST(ObjectReaderBTFExt, ParsesAllSubsections) {
  ExtFixture F;
  std::string Bytes = F.good().bytes();
  Expected<BTFExt> E = readBTFExt(Bytes, F.T, "x.o");
  ASSERT_TRUE(bool(E)) << toString(E.takeError());
  ASSERT_EQ(E->FuncInfos.size(), 1u);
  EXPECT_EQ(E->FuncInfos[0].Section, "kprobe/foo");
  EXPECT_EQ(E->FuncInfos[0].Type, 4u);
  ASSERT_EQ(E->LineInfos.size(), 2u);
  EXPECT_EQ(E->LineInfos[1].InsnOff, 16u);
  EXPECT_EQ(E->LineInfos[1].File, "/src/prog.bpf.c");
  EXPECT_EQ(E->LineInfos[1].Line, "  return p->a;");
  EXPECT_EQ(E->LineInfos[1].LineNum, 13u);
  EXPECT_EQ(E->LineInfos[1].Column, 9u);
  ASSERT_EQ(E->CoreRelos.size(), 2u);
  EXPECT_EQ(E->CoreRelos[0].InsnOff, 8u);
  EXPECT_EQ(E->CoreRelos[0].Type, 2u);
  EXPECT_EQ(E->CoreRelos[0].Access, "0:0");
  EXPECT_EQ(E->CoreRelos[0].Kind, CoreReloKind::FieldByteOffset);
  EXPECT_EQ(E->CoreRelos[1].Kind, CoreReloKind::FieldByteSize);
}

TEST(ObjectReaderBTFExt, OldHeaderHasNoCoreRelos) {
  ExtFixture F;
  RawExt R = F.good();
  R.HdrLen = 24;
  R.Relo.clear();
  std::string Bytes = R.bytes();
  Expected<BTFExt> E = readBTFExt(Bytes, F.T, "x.o");
  ASSERT_TRUE(bool(E)) << toString(E.takeError());
  EXPECT_TRUE(E->CoreRelos.empty());
  EXPECT_EQ(E->LineInfos.size(), 2u);
}

TEST(ObjectReaderBTFExt, LargerRecordsAreSkippedCorrectly) {
  ExtFixture F;
  RawExt R = F.good();
  // core_relo records of 20 bytes (a future extra field).
  R.Relo = {20,     F.Sec, 2, 8,        2, F.Access, 0,
            0xdead, 24,    2, F.Access, 1, 0xbeef};
  std::string Bytes = R.bytes();
  Expected<BTFExt> E = readBTFExt(Bytes, F.T, "x.o");
  ASSERT_TRUE(bool(E)) << toString(E.takeError());
  ASSERT_EQ(E->CoreRelos.size(), 2u);
  EXPECT_EQ(E->CoreRelos[1].InsnOff, 24u);
  EXPECT_EQ(E->CoreRelos[1].Kind, CoreReloKind::FieldByteSize);
}

TEST(ObjectReaderBTFExt, RejectsCorruption) {
  ExtFixture F;
  {
    RawExt R = F.good();
    R.Magic = 0x1111;
    EXPECT_EXT_MALFORMED(F, R, "bad magic");
  }
  {
    RawExt R = F.good();
    R.Magic = 0x9FEB;
    EXPECT_EXT_MALFORMED(F, R, "big-endian");
  }
  {
    RawExt R = F.good();
    R.Flags = 1;
    EXPECT_EXT_MALFORMED(F, R, "unsupported flags");
  }
  {
    RawExt R = F.good();
    R.HdrLen = 20;
    EXPECT_EXT_MALFORMED(F, R, "hdr_len 20 is smaller than 24");
  }
  {
    RawExt R = F.good();
    R.ReloLenOverride = 4000;
    EXPECT_EXT_MALFORMED(F, R, "core_relo section [");
  }
  {
    RawExt R = F.good();
    R.Relo[0] = 12;
    EXPECT_EXT_MALFORMED(F, R, "core_relo record size 12 is invalid");
  }
  {
    RawExt R = F.good();
    R.Relo[2] = 5; // num_info 5, only 2 present
    EXPECT_EXT_MALFORMED(F, R, "5 records of 16 bytes overflow");
  }
  {
    RawExt R = F.good();
    R.Relo[2] = 0;
    EXPECT_EXT_MALFORMED(F, R, "has no records");
  }
  {
    RawExt R = F.good();
    R.Relo[1] = 99999; // section name
    EXPECT_EXT_MALFORMED(F, R, "section name string offset 99999");
  }
  {
    RawExt R = F.good();
    R.Relo[4] = 50; // type_id
    EXPECT_EXT_MALFORMED(F, R, "type_id 50 out of range (types 5)");
  }
  {
    RawExt R = F.good();
    R.Relo[6] = 13; // kind
    EXPECT_EXT_MALFORMED(F, R, "unknown relocation kind 13");
  }
  {
    RawExt R = F.good();
    R.Relo[5] = 0; // empty access string
    EXPECT_EXT_MALFORMED(F, R, "empty access string");
  }
  {
    RawExt R = F.good();
    R.Line[4] = 77777; // file name
    EXPECT_EXT_MALFORMED(F, R, "line_info file string offset 77777");
  }
  {
    RawExt R = F.good();
    R.Func[4] = 9; // func type
    EXPECT_EXT_MALFORMED(F, R, "func_info at offset");
  }
  {
    std::string Short("\x9f\xeb\x01", 3);
    std::string D = malformedDetail(readBTFExt(Short, F.T, "x.o"));
    EXPECT_NE(D.find("truncated header"), std::string::npos) << D;
  }
  // Every prefix of a good section fails cleanly.
  std::string Good = F.good().bytes();
  for (size_t Len = 0; Len < Good.size(); ++Len) {
    Expected<BTFExt> E = readBTFExt(Good.substr(0, Len), F.T, "x.o");
    EXPECT_FALSE(bool(E)) << Len;
    consumeError(E.takeError());
  }
}

TEST(ObjectReader, RejectsNonELF) {
  std::string Junk = "not an object";
  std::string D = malformedDetail(readBPFObject(MemoryBufferRef(Junk, "j.o")));
  EXPECT_NE(D.find("not an ELF file"), std::string::npos) << D;
  std::string D2 =
      malformedDetail(readELFSection(MemoryBufferRef(Junk, "j.o"), ".BTF"));
  EXPECT_NE(D2.find("not an ELF file"), std::string::npos) << D2;
}

namespace {

const char *ProgramSource = R"(struct inner { int x; unsigned int bf:3, bg:5; };
struct s { int a; struct inner in; long arr[4]; } __attribute__((preserve_access_index));
typedef struct s s_t;
enum e { E_A = 1, E_B = -5 };
union u { int i; char c; } __attribute__((preserve_access_index));
#define SEC(x) __attribute__((section(x), used))
SEC("kprobe/foo") int prog(struct s *p, union u *q) {
  int r = p->a + p->in.x + (int)p->arr[2];
  r += __builtin_preserve_field_info(p->in.bf, 1);
  r += __builtin_preserve_field_info(p->in.bg, 2);
  r += __builtin_preserve_field_info(p->in.bg, 3);
  r += __builtin_preserve_field_info(p->in.bg, 4);
  r += __builtin_preserve_field_info(p->in.bg, 5);
  r += __builtin_preserve_type_info(*(s_t *)0, 0);
  r += __builtin_preserve_type_info(*(struct s *)0, 1);
  r += __builtin_preserve_type_info(*(struct s *)0, 2);
  r += __builtin_btf_type_id(*(struct s *)0, 0);
  r += __builtin_btf_type_id(*(struct s *)0, 1);
  r += __builtin_preserve_enum_value(*(enum e *)E_B, 0);
  r += __builtin_preserve_enum_value(*(enum e *)E_B, 1);
  r += q->c;
  return r;
}
SEC("tp/bar") int prog2(struct s *p) {
  return p->a;
}
)";
constexpr uint32_t Prog2Line = 25; // "return p->a;" in prog2

struct Compiled {
  std::string Dir, Obj, NoBTFObj;
};

/// Compile ProgramSource with and without -g; nullopt when clang-19 is
/// missing (the caller skips).
std::optional<Compiled> compileProgram() {
  ErrorOr<std::string> Clang = sys::findProgramByName("clang-19");
  if (!Clang)
    return std::nullopt;
  SmallString<128> Dir;
  if (sys::fs::createUniqueDirectory("coreio-obj", Dir))
    return std::nullopt;
  Compiled C;
  C.Dir = std::string(Dir);
  std::string Src = C.Dir + "/prog.bpf.c";
  {
    std::error_code EC;
    raw_fd_ostream OS(Src, EC);
    if (EC)
      return std::nullopt;
    OS << ProgramSource;
  }
  C.Obj = C.Dir + "/prog.bpf.o";
  C.NoBTFObj = C.Dir + "/nobtf.bpf.o";
  std::string Cmd =
      "'" + *Clang + "' -target bpf -g -O2 -c '" + Src + "' -o '" + C.Obj + "'";
  if (std::system(Cmd.c_str()) != 0) {
    sys::fs::remove_directories(C.Dir);
    return std::nullopt;
  }
  // CO-RE builtins need -g; a plain program without -g has no .BTF.
  std::string Plain = C.Dir + "/plain.bpf.c";
  {
    std::error_code EC;
    raw_fd_ostream OS(Plain, EC);
    if (EC)
      return std::nullopt;
    OS << "__attribute__((section(\"xdp\"), used)) int f(void *c) "
          "{ return 2; }\n";
  }
  Cmd = "'" + *Clang + "' -target bpf -O2 -c '" + Plain + "' -o '" +
        C.NoBTFObj + "'";
  if (std::system(Cmd.c_str()) != 0) {
    sys::fs::remove_directories(C.Dir);
    return std::nullopt;
  }
  return C;
}

const char *kindWord(Kind K) {
  switch (K) {
  case Kind::Struct:
    return "struct";
  case Kind::Union:
    return "union";
  case Kind::Enum:
  case Kind::Enum64:
    return "enum";
  case Kind::Typedef:
    return "typedef";
  default:
    return "?";
  }
}

/// (kind, type id, root "struct s", access or enumerator name).
using RelocKey = std::tuple<std::string, uint32_t, std::string, std::string>;

/// Parse llvm-objdump's "CO-RE <kind> [id] struct s::a.b (0:1:2)" lines.
std::set<RelocKey> parseObjdump(StringRef Text) {
  std::set<RelocKey> Out;
  SmallVector<StringRef, 0> Lines;
  Text.split(Lines, '\n');
  for (StringRef L : Lines) {
    size_t P = L.find("CO-RE <");
    if (P == StringRef::npos)
      continue;
    StringRef Rest = L.substr(P + 7);
    auto [KindS, R1] = Rest.split("> [");
    auto [IdS, Spec] = R1.split("] ");
    uint32_t Id = 0;
    EXPECT_FALSE(IdS.getAsInteger(10, Id)) << L.str();
    Spec = Spec.trim();
    std::string Root, Access;
    if (Spec.ends_with(")") && Spec.contains(" (")) { // field-based
      size_t Open = Spec.rfind(" (");
      Access = Spec.substr(Open + 2).drop_back().str();
      Root = Spec.substr(0, Spec.find("::")).str();
    } else if (Spec.contains("::")) { // enumval: "enum e::E_B = -5"
      auto [RootS, Enumerator] = Spec.split("::");
      Root = RootS.str();
      Access = Enumerator.split(" = ").first.str();
    } else { // type-based
      Root = Spec.str();
      Access = "0";
    }
    Out.insert({KindS.str(), Id, Root, Access});
  }
  return Out;
}

} // namespace

TEST(ObjectReader, RelocationsMatchObjdump) {
  std::optional<Compiled> C = compileProgram();
  if (!C)
    GTEST_SKIP() << "clang-19 not available or failed";
  ErrorOr<std::string> Objdump = sys::findProgramByName("llvm-objdump-19");
  if (!Objdump)
    GTEST_SKIP() << "llvm-objdump-19 not found";

  auto MB = MemoryBuffer::getFile(C->Obj);
  ASSERT_TRUE(bool(MB));
  Expected<Manifest> M = readBPFObject((*MB)->getMemBufferRef());
  ASSERT_TRUE(bool(M)) << toString(M.takeError());
  EXPECT_EQ(M->Object, C->Obj);
  EXPECT_EQ(M->Source, "");

  std::set<RelocKey> Ours;
  for (const CoreRelocation &R : M->Relocs) {
    std::string Root = std::string(kindWord(M->Types.kind(R.LocalType))) + " " +
                       M->Types.name(R.LocalType).str();
    std::string Access = R.Access;
    if (isEnumvalBased(R.Kind)) {
      unsigned Idx = 0;
      ASSERT_FALSE(StringRef(R.Access).getAsInteger(10, Idx));
      Access = M->Types.enumName(R.LocalType, Idx).str();
    }
    Ours.insert({reloKindName(R.Kind), R.LocalType, Root, Access});
  }
  std::optional<std::string> Dis =
      runCapture("'" + *Objdump + "' -dr '" + C->Obj + "'");
  ASSERT_TRUE(Dis.has_value());
  std::set<RelocKey> Theirs = parseObjdump(*Dis);
  EXPECT_EQ(Theirs.size(), 16u); // the program's unique relocations
  EXPECT_EQ(Ours, Theirs);
  EXPECT_EQ(M->Relocs.size(), Ours.size()); // unique

  // Sorted by (kind, type, access).
  for (size_t I = 1; I < M->Relocs.size(); ++I) {
    const CoreRelocation &A = M->Relocs[I - 1], &B = M->Relocs[I];
    EXPECT_LT(std::make_tuple(uint32_t(A.Kind), A.LocalType, A.Access),
              std::make_tuple(uint32_t(B.Kind), B.LocalType, B.Access));
  }

  // Source places: every relocation has one in prog.bpf.c; s::a (0:0) is
  // used by both programs, and prog2's use is on its return line.
  bool SawProg2 = false;
  for (const CoreRelocation &R : M->Relocs) {
    EXPECT_FALSE(R.Locs.empty()) << reloKindName(R.Kind) << " " << R.Access;
    EXPECT_TRUE(std::is_sorted(R.Locs.begin(), R.Locs.end()));
    for (const SourceLoc &L : R.Locs) {
      EXPECT_TRUE(StringRef(L.File).ends_with("prog.bpf.c")) << L.File;
      EXPECT_GT(L.Line, 0u);
      EXPECT_TRUE(L.Function == "prog" || L.Function == "prog2") << L.Function;
      if (R.Kind == CoreReloKind::FieldByteOffset && R.Access == "0:0" &&
          L.Function == "prog2") {
        SawProg2 = true;
        EXPECT_EQ(L.Line, Prog2Line);
      }
    }
  }
  EXPECT_TRUE(SawProg2);

  // readBTFAny reads the same .BTF from the ELF.
  Expected<TypeTable> T = readBTFAny((*MB)->getMemBufferRef());
  ASSERT_TRUE(bool(T)) << toString(T.takeError());
  EXPECT_EQ(T->size(), M->Types.size());
  EXPECT_EQ(T->strings(), M->Types.strings());

  // Without -g there is no .BTF.
  auto NoBTF = MemoryBuffer::getFile(C->NoBTFObj);
  ASSERT_TRUE(bool(NoBTF));
  std::string D = malformedDetail(readBPFObject((*NoBTF)->getMemBufferRef()));
  EXPECT_NE(D.find("no .BTF section"), std::string::npos) << D;
  std::string D2 = malformedDetail(readBTFAny((*NoBTF)->getMemBufferRef()));
  EXPECT_NE(D2.find("no .BTF section"), std::string::npos) << D2;

  sys::fs::remove_directories(C->Dir);
}
