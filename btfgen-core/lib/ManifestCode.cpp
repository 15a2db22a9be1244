//===- ManifestCode.cpp - The "code" of a version 2 manifest --------------===//
//
// Writes and reads ProgramCode (ProgramCode.h) as the manifest's "code"
// object (docs/manifest.md). Instructions are hex strings of the 8-byte
// little-endian struct bpf_insn, as in the object's sections; small
// records are JSON arrays of integers. The reader checks everything
// programsFromCode() and the verdict engine index with: function, file,
// relocation and instruction indices in range, programs' parts laid end to
// end from their own function, patches inside the program and sorted, one
// program per entry point in function order.
//
//===----------------------------------------------------------------------===//

#include "ManifestReader.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;

namespace btfgen {

namespace {

const char *const RefKindNames[] = {"map", "map_value", "func", "extern",
                                    "kfunc"};
const char *const LinkageNames[] = {"static", "global", "extern", "none"};

void appendInsnHex(std::string &Out, const BPFInsn &I) {
  uint8_t B[8] = {I.Code,
                  uint8_t((I.Src << 4) | (I.Dst & 0x0f)),
                  uint8_t(uint16_t(I.Off) & 0xff),
                  uint8_t(uint16_t(I.Off) >> 8),
                  uint8_t(uint32_t(I.Imm) & 0xff),
                  uint8_t((uint32_t(I.Imm) >> 8) & 0xff),
                  uint8_t((uint32_t(I.Imm) >> 16) & 0xff),
                  uint8_t(uint32_t(I.Imm) >> 24)};
  Out += toHex(ArrayRef<uint8_t>(B, 8), /*LowerCase=*/true);
}

std::string insnsHex(ArrayRef<BPFInsn> Insns) {
  std::string Out;
  Out.reserve(Insns.size() * 16);
  for (const BPFInsn &I : Insns)
    appendInsnHex(Out, I);
  return Out;
}

void writeFunction(const CodeFunction &F, json::OStream &J) {
  J.attribute("name", F.Name);
  J.attribute("section", F.Section);
  J.attribute("subprog", F.IsSubprog);
  J.attribute("linkage", LinkageNames[unsigned(F.Linkage)]);
  J.attribute("insns", insnsHex(F.Insns));
  J.attributeArray("lines", [&] {
    for (const ProgramLine &L : F.Lines)
      J.array([&] {
        J.value(L.Insn);
        J.value(L.File);
        J.value(L.Line);
        J.value(L.Column);
      });
  });
  J.attributeArray("refs", [&] {
    for (const InsnRef &R : F.Refs)
      J.object([&] {
        J.attribute("insn", R.Insn);
        J.attribute("kind", RefKindNames[unsigned(R.Kind)]);
        if (R.Kind == InsnRefKind::MapValue) {
          J.attribute("section", R.Section);
          J.attribute("offset", R.Offset);
        }
        J.attribute("symbol", R.Symbol);
      });
  });
}

void writeProgram(const CodeProgram &P, json::OStream &J) {
  J.attribute("function", P.Function);
  J.attributeArray("parts", [&] {
    for (const ProgramPart &X : P.Parts)
      J.array([&] {
        J.value(X.Function);
        J.value(X.Start);
      });
  });
  J.attributeArray("patches", [&] {
    for (const InsnPatch &X : P.Patches)
      J.array([&] {
        J.value(X.Insn);
        J.value(insnsHex(X.New));
      });
  });
  if (!P.LinkError.empty())
    J.attribute("link_error", P.LinkError);
}

/// Writes List as a JSON array with one element per line.
template <typename T, typename Fn>
void writeLines(raw_ostream &OS, StringRef Key, const std::vector<T> &List,
                Fn Write, bool Last = false) {
  OS << "    \"" << Key << "\": [";
  for (size_t I = 0; I < List.size(); ++I) {
    OS << (I ? ",\n      " : "\n      ");
    json::OStream J(OS);
    Write(List[I], J);
  }
  OS << (List.empty() ? "]" : "\n    ]") << (Last ? "\n" : ",\n");
}

} // namespace

void writeManifestCode(const ProgramCode &C, raw_ostream &OS) {
  OS << "{\n    \"codegen\": ";
  {
    json::OStream J(OS);
    J.object([&] {
      J.attribute("cpu", C.Codegen.CPU);
      J.attribute("features", C.Codegen.Features);
      J.attribute("opt_level", C.Codegen.OptLevel);
    });
  }
  OS << ",\n    \"root_ids\": ";
  {
    json::OStream J(OS);
    J.array([&] {
      for (TypeId Id : C.RootIds)
        J.value(Id);
    });
  }
  OS << ",\n    \"files\": ";
  {
    json::OStream J(OS);
    J.array([&] {
      for (const std::string &F : C.Files)
        J.value(F);
    });
  }
  OS << ",\n";
  writeLines(OS, "functions", C.Functions,
             [](const CodeFunction &F, json::OStream &J) {
               J.object([&] { writeFunction(F, J); });
             });
  writeLines(OS, "core_relos", C.CoreRelos,
             [](const FunctionCoreRelo &R, json::OStream &J) {
               J.array([&] {
                 J.value(R.Function);
                 J.value(R.Insn);
                 J.value(R.Reloc);
                 J.value(R.RecordIndex);
               });
             });
  writeLines(OS, "rodata", C.ReadOnlyData,
             [](const ReadOnlySection &S, json::OStream &J) {
               J.object([&] {
                 J.attribute("name", S.Name);
                 J.attribute("bytes", toHex(S.Bytes, /*LowerCase=*/true));
               });
             });
  writeLines(
      OS, "programs", C.Programs,
      [](const CodeProgram &P, json::OStream &J) {
        J.object([&] { writeProgram(P, J); });
      },
      /*Last=*/true);
  OS << "  }";
}

//===----------------------------------------------------------------------===//
// Reader
//===----------------------------------------------------------------------===//

namespace {

class CodeReader {
public:
  CodeReader(Reader &R, Manifest &M) : R(R), M(M), C(M.Code.emplace()) {}
  void read(const JSONObject &O);

private:
  bool boolean(const JSONObject &O, const Twine &Path, StringRef Key);
  std::vector<BPFInsn> insns(StringRef Hex, const Twine &Path);
  /// Each element of O[Key] as N unsigned integers each at most Max[i].
  void tuples(const JSONObject &O, const Twine &Path, StringRef Key,
              ArrayRef<uint64_t> Max,
              function_ref<void(ArrayRef<uint64_t>, const Twine &)> Each);
  void readFunction(const JSONObject &O, const Twine &Path);
  void readRef(const JSONObject &O, const Twine &Path, CodeFunction &F);
  void readProgram(const JSONObject &O, const Twine &Path, size_t Index);
  /// Each element of O[Key] as an object.
  void objects(const JSONObject &O, const Twine &Path, StringRef Key,
               function_ref<void(const JSONObject &, const Twine &)> Each);

  Reader &R;
  Manifest &M;
  ProgramCode &C;
  std::vector<uint32_t> EntryPoints; ///< functions that are not subprograms
};

bool CodeReader::boolean(const JSONObject &O, const Twine &Path,
                         StringRef Key) {
  std::optional<JSONValue> V = R.get(O, Path, Key);
  if (!V)
    return false;
  std::optional<bool> B = V->getAsBoolean();
  if (!B)
    R.fail(Path + "." + Key, "expected true or false");
  return B.value_or(false);
}

std::vector<BPFInsn> CodeReader::insns(StringRef Hex, const Twine &Path) {
  std::vector<BPFInsn> Out;
  if (Hex.size() % 16) {
    R.fail(Path, formatv("{0} hex digits, not a multiple of 16 (8 bytes per "
                         "instruction)",
                         Hex.size()));
    return Out;
  }
  std::string Bytes;
  if (!tryGetFromHex(Hex, Bytes)) {
    R.fail(Path, "not a hex string");
    return Out;
  }
  for (size_t Off = 0; Off < Bytes.size(); Off += 8) {
    const uint8_t *P = reinterpret_cast<const uint8_t *>(Bytes.data() + Off);
    BPFInsn I;
    I.Code = P[0];
    I.Dst = P[1] & 0x0f;
    I.Src = P[1] >> 4;
    I.Off = int16_t(uint16_t(P[2] | P[3] << 8));
    I.Imm = int32_t(uint32_t(P[4]) | uint32_t(P[5]) << 8 |
                    uint32_t(P[6]) << 16 | uint32_t(P[7]) << 24);
    Out.push_back(I);
  }
  return Out;
}

void CodeReader::tuples(
    const JSONObject &O, const Twine &Path, StringRef Key,
    ArrayRef<uint64_t> Max,
    function_ref<void(ArrayRef<uint64_t>, const Twine &)> Each) {
  std::optional<JSONArray> A = R.array(O, Path, Key);
  if (!A)
    return;
  size_t I = 0;
  SmallVector<uint64_t, 4> Vals;
  for (JSONValue V : *A) {
    std::string EPath = formatv("{0}.{1}[{2}]", Path, Key, I++).str();
    std::optional<JSONArray> T = V.getAsArray();
    if (!T || T->size() != Max.size())
      return R.fail(EPath, formatv("expected an array of {0} integers",
                                   Max.size()));
    Vals.clear();
    size_t J = 0;
    for (JSONValue X : *T) {
      std::optional<uint64_t> N = X.getAsUINT64();
      if (!N || *N > Max[J])
        return R.fail(EPath + "[" + Twine(J) + "]",
                      formatv("expected an integer in [0, {0}]", Max[J]));
      Vals.push_back(*N);
      ++J;
    }
    Each(Vals, EPath);
    if (R.failed())
      return;
  }
}

void CodeReader::objects(
    const JSONObject &O, const Twine &Path, StringRef Key,
    function_ref<void(const JSONObject &, const Twine &)> Each) {
  std::optional<JSONArray> A = R.array(O, Path, Key);
  if (!A)
    return;
  size_t I = 0;
  for (JSONValue V : *A) {
    std::string EPath = formatv("{0}.{1}[{2}]", Path, Key, I++).str();
    if (std::optional<JSONObject> E = R.object(V, EPath))
      Each(*E, EPath);
    if (R.failed())
      return;
  }
}

void CodeReader::readRef(const JSONObject &O, const Twine &Path,
                         CodeFunction &F) {
  InsnRef Ref;
  Ref.Insn = R.u32(O, Path, "insn");
  std::string Kind = R.str(O, Path, "kind");
  if (R.failed())
    return;
  auto K = llvm::find(RefKindNames, Kind);
  if (K == std::end(RefKindNames))
    return R.fail(Path + ".kind", "unknown reference kind " +
                                      quoteBounded(Kind));
  Ref.Kind = InsnRefKind(K - std::begin(RefKindNames));
  if (Ref.Kind == InsnRefKind::MapValue) {
    R.onlyKeys(O, Path, {"insn", "kind", "section", "offset", "symbol"});
    Ref.Section = R.str(O, Path, "section");
    Ref.Offset = uint64_t(R.integer(O, Path, "offset", 0, INT64_MAX));
  } else {
    R.onlyKeys(O, Path, {"insn", "kind", "symbol"});
  }
  Ref.Symbol = R.str(O, Path, "symbol");
  if (R.failed())
    return;
  if (Ref.Insn >= F.Insns.size())
    return R.fail(Path + ".insn",
                  formatv("{0} out of range (function '{1}' has {2} "
                          "instructions)",
                          Ref.Insn, F.Name, F.Insns.size()));
  if (!F.Refs.empty() && F.Refs.back().Insn >= Ref.Insn)
    return R.fail(Path + ".insn", formatv("{0} not after the previous "
                                          "reference's",
                                          Ref.Insn));
  F.Refs.push_back(std::move(Ref));
}

void CodeReader::readFunction(const JSONObject &O, const Twine &Path) {
  R.onlyKeys(O, Path,
             {"name", "section", "subprog", "linkage", "insns", "lines",
              "refs"});
  CodeFunction F;
  F.Name = R.str(O, Path, "name");
  F.Section = R.str(O, Path, "section");
  F.IsSubprog = boolean(O, Path, "subprog");
  std::string Linkage = R.str(O, Path, "linkage");
  std::string Hex = R.str(O, Path, "insns");
  if (R.failed())
    return;
  auto L = llvm::find(LinkageNames, Linkage);
  if (L == std::end(LinkageNames))
    return R.fail(Path + ".linkage", "unknown linkage " +
                                         quoteBounded(Linkage));
  F.Linkage = FuncLinkage(L - std::begin(LinkageNames));
  F.Insns = insns(Hex, Path + ".insns");
  if (!R.failed() && F.Insns.empty())
    R.fail(Path + ".insns", "a function has at least one instruction");
  if (R.failed())
    return;
  uint64_t MaxInsn = F.Insns.size() - 1;
  uint64_t MaxFile = C.Files.empty() ? 0 : C.Files.size() - 1;
  if (C.Files.empty() && O.get("lines") && O.get("lines")->getAsArray() &&
      O.get("lines")->getAsArray()->size())
    return R.fail(Path + ".lines", "line records but no files");
  tuples(O, Path, "lines", {MaxInsn, MaxFile, UINT32_MAX, UINT32_MAX},
         [&](ArrayRef<uint64_t> V, const Twine &EPath) {
           if (!F.Lines.empty() && F.Lines.back().Insn > V[0])
             return R.fail(EPath, "not sorted by instruction");
           F.Lines.push_back(
               {uint32_t(V[0]), uint32_t(V[1]), uint32_t(V[2]),
                uint32_t(V[3])});
         });
  objects(O, Path, "refs", [&](const JSONObject &E, const Twine &EPath) {
    readRef(E, EPath, F);
  });
  if (!F.IsSubprog)
    EntryPoints.push_back(uint32_t(C.Functions.size()));
  C.Functions.push_back(std::move(F));
}

void CodeReader::readProgram(const JSONObject &O, const Twine &Path,
                             size_t Index) {
  R.onlyKeys(O, Path, {"function", "parts", "patches", "link_error"});
  CodeProgram P;
  P.Function = R.u32(O, Path, "function");
  if (O.get("link_error")) {
    P.LinkError = R.str(O, Path, "link_error");
    if (!R.failed() && P.LinkError.empty())
      R.fail(Path + ".link_error", "empty (leave the key out instead)");
  }
  if (R.failed())
    return;
  if (Index >= EntryPoints.size() || P.Function != EntryPoints[Index])
    return R.fail(Path + ".function",
                  formatv("{0} is not entry point #{1} (programs are the "
                          "functions that are not subprograms, in order)",
                          P.Function, Index));
  uint64_t MaxFn = C.Functions.size() - 1;
  uint64_t Next = 0;
  tuples(O, Path, "parts", {MaxFn, UINT32_MAX},
         [&](ArrayRef<uint64_t> V, const Twine &EPath) {
           if (V[1] != Next)
             return R.fail(EPath, formatv("starts at {0}, expected {1} (parts "
                                          "follow each other)",
                                          V[1], Next));
           if (P.Parts.empty() && V[0] != P.Function)
             return R.fail(EPath, "the first part is not the program's own "
                                  "function");
           if (!P.Parts.empty() && !C.Functions[V[0]].IsSubprog)
             return R.fail(EPath, formatv("function {0} is not a subprogram",
                                          V[0]));
           for (const ProgramPart &X : P.Parts)
             if (X.Function == V[0])
               return R.fail(EPath, formatv("function {0} linked twice", V[0]));
           P.Parts.push_back({uint32_t(V[0]), uint32_t(V[1])});
           Next += C.Functions[V[0]].Insns.size();
           if (Next > UINT32_MAX)
             R.fail(EPath, "program too large");
         });
  if (R.failed())
    return;
  if (P.Parts.empty())
    return R.fail(Path + ".parts", "empty: a program has its own function");
  if (!P.LinkError.empty() && P.Parts.size() != 1)
    return R.fail(Path + ".parts", "a program that does not link has only "
                                   "its own function");
  std::optional<JSONArray> A = R.array(O, Path, "patches");
  if (!A)
    return;
  size_t I = 0;
  for (JSONValue V : *A) {
    std::string EPath = formatv("{0}.patches[{1}]", Path, I++).str();
    std::optional<JSONArray> T = V.getAsArray();
    std::optional<uint64_t> At;
    std::optional<StringRef> Hex;
    if (T && T->size() == 2) {
      auto It = T->begin();
      At = (*It).getAsUINT64();
      ++It;
      Hex = (*It).getAsString();
    }
    if (!At || !Hex)
      return R.fail(EPath, "expected [instruction, \"hex\"]");
    if (*At >= Next)
      return R.fail(EPath, formatv("instruction {0} out of range (the "
                                   "program has {1})",
                                   *At, Next));
    if (!P.Patches.empty() && P.Patches.back().Insn >= *At)
      return R.fail(EPath, "not sorted by instruction, or repeated");
    std::vector<BPFInsn> New = insns(*Hex, EPath);
    if (R.failed())
      return;
    if (New.size() != 1)
      return R.fail(EPath, "expected one instruction");
    P.Patches.push_back({uint32_t(*At), New[0]});
  }
  C.Programs.push_back(std::move(P));
}

void CodeReader::read(const JSONObject &O) {
  R.onlyKeys(O, "code",
             {"codegen", "root_ids", "files", "functions", "core_relos",
              "rodata", "programs"});
  if (std::optional<JSONValue> G = R.get(O, "code", "codegen"))
    if (std::optional<JSONObject> GO = R.object(*G, "code.codegen")) {
      R.onlyKeys(*GO, "code.codegen", {"cpu", "features", "opt_level"});
      C.Codegen.CPU = R.str(*GO, "code.codegen", "cpu");
      C.Codegen.Features = R.str(*GO, "code.codegen", "features");
      C.Codegen.OptLevel = R.integer(*GO, "code.codegen", "opt_level", 0, 3);
    }
  if (std::optional<JSONArray> A = R.array(O, "code", "root_ids")) {
    if (A->size() != M.Relocs.size())
      R.fail("code.root_ids", formatv("{0} IDs for {1} relocations",
                                      A->size(), M.Relocs.size()));
    for (JSONValue V : *A) {
      std::optional<uint64_t> N = V.getAsUINT64();
      if (!N || *N == 0 || *N > BTFMaxType) {
        R.fail("code.root_ids", "expected type IDs in [1, " +
                                    Twine(BTFMaxType) + "]");
        break;
      }
      C.RootIds.push_back(TypeId(*N));
    }
  }
  if (std::optional<JSONArray> A = R.array(O, "code", "files"))
    for (JSONValue V : *A) {
      std::optional<StringRef> S = V.getAsString();
      if (!S) {
        R.fail("code.files", "expected strings");
        break;
      }
      C.Files.push_back(S->str());
    }
  if (R.failed())
    return;
  objects(O, "code", "functions", [&](const JSONObject &E, const Twine &P) {
    readFunction(E, P);
  });
  if (R.failed())
    return;
  tuples(O, "code", "core_relos",
         {C.Functions.empty() ? 0 : C.Functions.size() - 1, UINT32_MAX,
          M.Relocs.empty() ? 0 : M.Relocs.size() - 1, UINT32_MAX},
         [&](ArrayRef<uint64_t> V, const Twine &EPath) {
           if (C.Functions.empty() || M.Relocs.empty())
             return R.fail(EPath, "no function or no relocation to refer to");
           if (V[1] >= C.Functions[V[0]].Insns.size())
             return R.fail(EPath + "[1]",
                           formatv("instruction {0} out of range (function "
                                   "{1} has {2})",
                                   V[1], V[0],
                                   C.Functions[V[0]].Insns.size()));
           C.CoreRelos.push_back({uint32_t(V[0]), uint32_t(V[1]),
                                  uint32_t(V[2]), uint32_t(V[3])});
         });
  objects(O, "code", "rodata", [&](const JSONObject &E, const Twine &P) {
    R.onlyKeys(E, P, {"name", "bytes"});
    ReadOnlySection S;
    S.Name = R.str(E, P, "name");
    std::string Hex = R.str(E, P, "bytes");
    if (!R.failed() && (Hex.size() % 2 || !tryGetFromHex(Hex, S.Bytes)))
      R.fail(P + ".bytes", "not a hex string");
    C.ReadOnlyData.push_back(std::move(S));
  });
  size_t Index = 0;
  objects(O, "code", "programs", [&](const JSONObject &E, const Twine &P) {
    readProgram(E, P, Index++);
  });
  if (!R.failed() && C.Programs.size() != EntryPoints.size())
    R.fail("code.programs", formatv("{0} programs for {1} entry points",
                                    C.Programs.size(), EntryPoints.size()));
}

} // namespace

void readManifestCode(Reader &R, JSONValue V, Manifest &M) {
  if (std::optional<JSONObject> O = R.object(V, "code"))
    CodeReader(R, M).read(*O);
}

} // namespace btfgen
