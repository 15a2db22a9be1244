//===- ProgramCodeTest.cpp - Version 2 manifests: the programs' code ------===//
//
// The "code" of a manifest (ProgramCode.h): canonical round trip, linking
// back into programs as libbpf links them (programsFromCode), recording
// them again (recordProgramCode) and the reader's refusals, one per kind
// of corruption, each naming the JSON path.
//
//===----------------------------------------------------------------------===//

#include "btfgen/BPFObject.h"
#include "btfgen/Manifest.h"

#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include "gtest/gtest.h"

#include <string>

using namespace llvm;
using namespace btfgen;

namespace {

BPFInsn insn(uint8_t Code, uint8_t Dst, uint8_t Src, int16_t Off, int32_t Imm) {
  BPFInsn I;
  I.Code = Code;
  I.Dst = Dst;
  I.Src = Src;
  I.Off = Off;
  I.Imm = Imm;
  return I;
}

/// Two relocations on two types; a program "prog" that calls subprogram
/// "sub" and takes its address:
///
///   prog: 0 r0 = <enumval_value, reloc 1>     sub: 0 r0 = *(u32 *)(r1 + <byte_off, reloc 0>)
///         1 call sub                               1 exit
///         2 r2 = &sub (ld_imm64, 2 slots)
///         4 exit
///
/// Linked: prog at 0, sub at 5; linking rewrites the call (imm 3) and the
/// address load (src BPF_PSEUDO_FUNC, imm 2).
Manifest codeManifest() {
  Manifest M;
  M.Source = "p.c";
  TypeTable &T = M.Types;
  TypeId Int = T.addType(
      {T.addString("int"), BTFType::makeInfo(Kind::Int, 0, 0), 4},
      {BTFIntSigned << 24 | 32});
  TypeId S = T.addType(
      {T.addString("s"), BTFType::makeInfo(Kind::Struct, 2, 0), 8},
      {T.addString("a"), Int, 0, T.addString("b"), Int, 32});
  TypeId E = T.addType(
      {T.addString("e"), BTFType::makeInfo(Kind::Enum, 2, 0), 4},
      {T.addString("X"), 1, T.addString("Y"), 2});
  CoreRelocation R0, R1;
  R0.Kind = CoreReloKind::FieldByteOffset;
  R0.LocalType = S;
  R0.Access = "0:1";
  R1.Kind = CoreReloKind::EnumvalValue;
  R1.LocalType = E;
  R1.Access = "1";
  M.Relocs = {R0, R1};

  ProgramCode C;
  C.Codegen = {"v3", "+alu32", 2};
  C.RootIds = {12, 40};
  C.Files = {"p.c"};
  CodeFunction Prog;
  Prog.Name = "prog";
  Prog.Section = "kprobe/x";
  Prog.Linkage = FuncLinkage::Global;
  Prog.Insns = {insn(0xb7, 0, 0, 0, 2), insn(0x85, 0, 1, 0, -1),
                insn(0x18, 2, 0, 0, 0), insn(0, 0, 0, 0, 0),
                insn(0x95, 0, 0, 0, 0)};
  Prog.Lines = {{0, 0, 3, 7}, {1, 0, 4, 2}};
  InsnRef Addr;
  Addr.Insn = 2;
  Addr.Kind = InsnRefKind::Func;
  Addr.Symbol = "sub";
  Prog.Refs = {Addr};
  CodeFunction Sub;
  Sub.Name = "sub";
  Sub.Section = ".text";
  Sub.IsSubprog = true;
  Sub.Linkage = FuncLinkage::Static;
  Sub.Insns = {insn(0x61, 0, 1, 4, 0), insn(0x95, 0, 0, 0, 0)};
  Sub.Lines = {{0, 0, 9, 1}};
  C.Functions = {Prog, Sub};
  C.CoreRelos = {{0, 0, 1, 0}, {1, 0, 0, 0}};
  C.ReadOnlyData = {{".rodata", std::string("\x01\x02", 2)}};
  CodeProgram P;
  P.Function = 0;
  P.Parts = {{0, 0}, {1, 5}};
  P.Patches = {{1, insn(0x85, 0, 1, 0, 3)}, {2, insn(0x18, 2, 4, 0, 2)}};
  C.Programs = {P};
  M.Code = C;
  return M;
}

std::string toJSON(const Manifest &M) {
  std::string S;
  raw_string_ostream OS(S);
  writeManifest(M, OS);
  return S;
}

Expected<Manifest> fromJSON(StringRef S) {
  return readManifest(MemoryBufferRef(S, "m.json"));
}

std::string errorOf(StringRef S) {
  Expected<Manifest> M = fromJSON(S);
  if (M)
    return "(no error)";
  return toString(M.takeError());
}

std::string mutated(StringRef From, StringRef To) {
  std::string S = toJSON(codeManifest());
  size_t P = S.find(From.str());
  EXPECT_NE(P, std::string::npos) << "pattern not found: " << From.str();
  if (P != std::string::npos)
    S.replace(P, From.size(), To.str());
  return S;
}

TEST(ProgramCodeTest, CanonicalRoundTrip) {
  std::string S1 = toJSON(codeManifest());
  Expected<Manifest> M = fromJSON(S1);
  ASSERT_TRUE(bool(M)) << toString(M.takeError());
  ASSERT_TRUE(M->Code.has_value());
  EXPECT_EQ(M->Version, 2u);
  EXPECT_EQ(M->Code->Functions.size(), 2u);
  EXPECT_EQ(M->Code->Codegen.CPU, "v3");
  EXPECT_EQ(toJSON(*M), S1);
  EXPECT_NE(S1.find("\"insns\":\"b700000002000000851000"), std::string::npos)
      << S1;
  EXPECT_NE(S1.find("\"patches\":[[1,\"8510000003000000\"],[2,"),
            std::string::npos)
      << S1;
}

TEST(ProgramCodeTest, LinksAsLibbpf) {
  Manifest M = codeManifest();
  Expected<BPFObject> Obj = programsFromCode(M, "m.json");
  ASSERT_TRUE(bool(Obj)) << toString(Obj.takeError());
  ASSERT_EQ(Obj->Programs.size(), 1u);
  const BPFProgram &P = Obj->Programs[0];
  EXPECT_EQ(P.Name, "prog");
  ASSERT_EQ(P.Insns.size(), 7u);
  EXPECT_EQ(P.Insns[1].Imm, 3);
  EXPECT_EQ(P.Insns[2].Src, 4);
  EXPECT_EQ(P.Insns[5].Code, 0x61);
  ASSERT_EQ(P.Refs.size(), 1u);
  EXPECT_EQ(P.Refs[0].Target, 5u);
  ASSERT_EQ(P.CoreRelos.size(), 2u);
  EXPECT_EQ(P.CoreRelos[0].Insn, 0u);
  EXPECT_EQ(P.CoreRelos[0].Reloc, 1u);
  EXPECT_EQ(P.CoreRelos[1].Insn, 5u);
  ASSERT_EQ(P.Lines.size(), 3u);
  EXPECT_EQ(P.Lines[2].Insn, 5u);
  EXPECT_EQ(P.Lines[2].Line, 9u);
  EXPECT_EQ(Obj->objectRootId(0), 12u);
  EXPECT_EQ(Obj->Functions[1].NumInsns, 2u);
}

TEST(ProgramCodeTest, RecordingGivesTheCodeBack) {
  Manifest M = codeManifest();
  Expected<BPFObject> Obj = programsFromCode(M, "m.json");
  ASSERT_TRUE(bool(Obj)) << toString(Obj.takeError());
  std::vector<uint32_t> Same = {0, 1};
  Manifest Again = M;
  Again.Code = recordProgramCode(*Obj, Same);
  Again.Code->Codegen = M.Code->Codegen;
  EXPECT_EQ(toJSON(Again), toJSON(M));
  Expected<BPFObject> Obj2 = programsFromCode(Again, "m.json");
  ASSERT_TRUE(bool(Obj2));
  EXPECT_EQ(diffPrograms(*Obj, *Obj2, Same), "");
  // And the check sees a difference.
  Obj2->Programs[0].Insns[3].Imm = 7;
  EXPECT_NE(diffPrograms(*Obj, *Obj2, Same).find("instruction 3"),
            std::string::npos);
}

TEST(ProgramCodeTest, MapsRelocationsByShape) {
  Manifest A = codeManifest();
  Manifest B = A;
  std::swap(B.Relocs[0], B.Relocs[1]);
  Expected<std::vector<uint32_t>> Map = mapRelocations(A, B);
  ASSERT_TRUE(bool(Map)) << toString(Map.takeError());
  EXPECT_EQ((*Map)[0], 1u);
  EXPECT_EQ((*Map)[1], 0u);
  // Anonymous roots differ by what they point to.
  Manifest P = codeManifest();
  TypeId PtrS = P.Types.addType({0, BTFType::makeInfo(Kind::Ptr, 0, 0), 2}, {});
  TypeId PtrE = P.Types.addType({0, BTFType::makeInfo(Kind::Ptr, 0, 0), 3}, {});
  CoreRelocation L;
  L.Kind = CoreReloKind::TypeIdLocal;
  L.Access = "0";
  L.LocalType = PtrS;
  P.Relocs.push_back(L);
  L.LocalType = PtrE;
  P.Relocs.push_back(L);
  Manifest Q = P;
  std::swap(Q.Relocs[2], Q.Relocs[3]);
  Map = mapRelocations(P, Q);
  ASSERT_TRUE(bool(Map)) << toString(Map.takeError());
  EXPECT_EQ((*Map)[2], 3u);
  EXPECT_EQ((*Map)[3], 2u);
  B.Relocs[0].Access = "0";
  Map = mapRelocations(A, B);
  ASSERT_FALSE(bool(Map));
  EXPECT_EQ(toString(Map.takeError()),
            "relocation enumval_value '1' of type 'e' has no counterpart");
}

TEST(ProgramCodeTest, VersionOneHasNoCode) {
  Manifest M = codeManifest();
  M.Version = 1;
  std::string S = toJSON(M);
  EXPECT_EQ(S.find("\"code\""), std::string::npos);
  Expected<Manifest> Back = fromJSON(S);
  ASSERT_TRUE(bool(Back)) << toString(Back.takeError());
  EXPECT_EQ(Back->Version, 1u);
  EXPECT_FALSE(Back->Code.has_value());
  EXPECT_EQ(toJSON(*Back), S);
  // Version 1 knows no code.
  std::string WithCode = toJSON(codeManifest());
  WithCode.replace(WithCode.find("\"version\": 2"), 12, "\"version\": 1");
  EXPECT_EQ(errorOf(WithCode), "'m.json': manifest.code: unknown key");
}

TEST(ProgramCodeTest, NoCodeSaysWhy) {
  Manifest M = codeManifest();
  M.Code.reset();
  M.NoCode = "BPF codegen failed: x";
  std::string S = toJSON(M);
  EXPECT_NE(S.find("\"no_code\": \"BPF codegen failed: x\""),
            std::string::npos);
  Expected<Manifest> Back = fromJSON(S);
  ASSERT_TRUE(bool(Back)) << toString(Back.takeError());
  EXPECT_EQ(Back->NoCode, "BPF codegen failed: x");
  EXPECT_EQ(toJSON(*Back), S);
}

TEST(ProgramCodeTest, Errors) {
  struct Case {
    const char *From, *To, *Want;
  };
  const Case Cases[] = {
      {"\"code\": {", "\"no_code\": \"x\", \"code\": {",
       "'m.json': manifest: a version 2 manifest has either 'code' or "
       "'no_code'"},
      {"\"root_ids\": [12,40]", "\"root_ids\": [12]",
       "'m.json': code.root_ids: 1 IDs for 2 relocations"},
      {"\"root_ids\": [12,40]", "\"root_ids\": [12,0]",
       "'m.json': code.root_ids: expected type IDs in [1, 1048575]"},
      {"\"insns\":\"b7", "\"insns\":\"7",
       "'m.json': code.functions[0].insns: 79 hex digits, not a multiple "
       "of 16 (8 bytes per instruction)"},
      {"\"insns\":\"b7", "\"insns\":\"x7",
       "'m.json': code.functions[0].insns: not a hex string"},
      {"\"linkage\":\"static\"", "\"linkage\":\"weak\"",
       "'m.json': code.functions[1].linkage: unknown linkage 'weak'"},
      {"\"subprog\":true", "\"subprog\":1",
       "'m.json': code.functions[1].subprog: expected true or false"},
      {"\"lines\":[[0,0,9,1]]", "\"lines\":[[2,0,9,1]]",
       "'m.json': code.functions[1].lines[0][0]: expected an integer in "
       "[0, 1]"},
      {"\"lines\":[[0,0,9,1]]", "\"lines\":[[0,1,9,1]]",
       "'m.json': code.functions[1].lines[0][1]: expected an integer in "
       "[0, 0]"},
      {"{\"insn\":2,\"kind\":\"func\"", "{\"insn\":9,\"kind\":\"func\"",
       "'m.json': code.functions[0].refs[0].insn: 9 out of range (function "
       "'prog' has 5 instructions)"},
      {"\"kind\":\"func\"", "\"kind\":\"map_value\"",
       "'m.json': code.functions[0].refs[0].section: missing"},
      {"[1,0,0,0]", "[1,2,0,0]",
       "'m.json': code.core_relos[1][1]: instruction 2 out of range "
       "(function 1 has 2)"},
      {"[1,0,0,0]", "[1,0,2,0]",
       "'m.json': code.core_relos[1][2]: expected an integer in [0, 1]"},
      {"[[0,0],[1,5]]", "[[0,0],[1,4]]",
       "'m.json': code.programs[0].parts[1]: starts at 4, expected 5 (parts "
       "follow each other)"},
      {"[[0,0],[1,5]]", "[[1,0]]",
       "'m.json': code.programs[0].parts[0]: the first part is not the "
       "program's own function"},
      {"[[0,0],[1,5]]", "[[0,0],[0,5]]",
       "'m.json': code.programs[0].parts[1]: function 0 is not a "
       "subprogram"},
      {"[2,\"1842", "[7,\"1842",
       "'m.json': code.programs[0].patches[1]: instruction 7 out of range "
       "(the program has 7)"},
      {"[2,\"1842", "[1,\"1842",
       "'m.json': code.programs[0].patches[1]: not sorted by instruction, "
       "or repeated"},
      {"{\"function\":0,", "{\"function\":1,",
       "'m.json': code.programs[0].function: 1 is not entry point #0 "
       "(programs are the functions that are not subprograms, in order)"},
      {"\"programs\": [", "\"programs\": [], \"x\": [",
       "'m.json': code.x: unknown key"},
      {"\"bytes\":\"0102\"", "\"bytes\":\"012\"",
       "'m.json': code.rodata[0].bytes: not a hex string"},
  };
  for (const Case &C : Cases)
    EXPECT_EQ(errorOf(mutated(C.From, C.To)), C.Want) << C.From;
  // The code indexes relocations: they must be canonical as written.
  std::string S = toJSON(codeManifest());
  size_t A = S.find("{\"kind\":\"byte_off\"");
  size_t B = S.find("{\"kind\":\"enumval_value\"");
  ASSERT_NE(A, std::string::npos);
  ASSERT_NE(B, std::string::npos);
  std::string RA = S.substr(A, S.find('}', S.find("\"locations\"", A)) + 1 - A);
  std::string RB = S.substr(B, S.find('}', S.find("\"locations\"", B)) + 1 - B);
  std::string Swapped = S;
  Swapped.replace(B, RB.size(), RA);
  Swapped.replace(A, RA.size(), RB);
  EXPECT_EQ(errorOf(Swapped),
            "'m.json': relocations: not sorted by (kind_id, type, access) and "
            "unique, which 'code' needs (it refers to them by index)");
}

} // namespace
