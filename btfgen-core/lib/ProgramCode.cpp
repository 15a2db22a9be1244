//===- ProgramCode.cpp - A BPF object's programs, as a manifest keeps them ===//
//
// Between a BPFObject (what readBPFObjectPrograms() makes of an ELF file)
// and a ProgramCode (what a version 2 manifest records):
//
//   recordProgramCode   BPFObject -> ProgramCode: each function once, with
//                       its section's instructions; per program only what
//                       linking changed (parts, patched instructions);
//   programsFromCode    ProgramCode -> BPFObject: relinks the programs the
//                       way BPFObject.cpp's linkProgram() lays them out
//                       (parts in order, records copied per part, then
//                       stably sorted by instruction);
//   diffPrograms        the check that the round trip, or a manifest and
//                       the real object, give the same programs;
//   mapRelocations      the renaming between an object's relocations (its
//                       .BTF IDs) and a manifest's (the plugin's IDs).
//
// The plugin runs recordProgramCode on the object the BPF backend emits in
// memory and keeps the result only if programsFromCode gives it back
// exactly (diffPrograms), so the driver's verdicts for the manifest are
// those of that object by construction.
//
//===----------------------------------------------------------------------===//

#include "btfgen/BPFObject.h"

#include "btfgen/Errors.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/FormatVariadic.h"

#include <map>
#include <tuple>

using namespace llvm;

namespace btfgen {

namespace {

bool sameInsn(const BPFInsn &A, const BPFInsn &B) {
  return A.Code == B.Code && A.Dst == B.Dst && A.Src == B.Src &&
         A.Off == B.Off && A.Imm == B.Imm;
}

/// What tells two roots of one name apart: kind, name, size word, member,
/// parameter or enumerator names, and the same of the types they refer to
/// (anonymous pointers, arrays and prototypes differ only there), Depth
/// levels down.
void shapeOf(const TypeTable &T, TypeId Id, unsigned Depth, std::string &S) {
  if (!T.isValid(Id) || Id == 0) {
    S += "void;";
    return;
  }
  Kind K = T.kind(Id);
  S += formatv("{0}:{1}:{2}:", unsigned(K), T.name(Id), T.vlen(Id)).str();
  switch (K) {
  case Kind::Struct:
  case Kind::Union:
    S += formatv("{0}", T.type(Id).SizeOrType).str();
    for (const BTFMember &M : T.members(Id))
      S += "," + T.str(M.NameOff).str();
    break;
  case Kind::Enum:
  case Kind::Enum64:
    for (uint32_t I = 0; I < T.vlen(Id); ++I)
      S += "," + T.enumName(Id, I).str();
    break;
  case Kind::Int:
  case Kind::Float:
    S += formatv("{0}", T.type(Id).SizeOrType).str();
    break;
  case Kind::Array:
    S += formatv("[{0}]", T.array(Id).NElems).str();
    break;
  default:
    break;
  }
  S += ";";
  if (Depth == 0 || K == Kind::Struct || K == Kind::Union)
    return;
  T.forEachRef(Id, [&](TypeId Ref, auto, uint32_t) {
    shapeOf(T, Ref, Depth - 1, S);
  });
}

std::string rootShape(const TypeTable &T, TypeId Id) {
  std::string S;
  shapeOf(T, Id, 4, S);
  return S;
}

} // namespace

Expected<std::vector<uint32_t>> mapRelocations(const Manifest &From,
                                               const Manifest &To) {
  auto Fail = [](const Twine &Msg) {
    return createStringError(inconvertibleErrorCode(), Msg);
  };
  if (From.Relocs.size() != To.Relocs.size())
    return Fail(formatv("{0} relocations against {1}", From.Relocs.size(),
                        To.Relocs.size()));
  // (kind, access, root kind and name) -> To's relocations.
  using Key = std::tuple<unsigned, std::string, unsigned, std::string>;
  auto KeyOf = [](const Manifest &M, const CoreRelocation &R) {
    const TypeTable &T = M.Types;
    bool Ok = T.isValid(R.LocalType) && R.LocalType != 0;
    return Key(unsigned(R.Kind), R.Access,
               Ok ? unsigned(T.kind(R.LocalType)) : 0u,
               Ok ? T.name(R.LocalType).str() : "");
  };
  std::map<Key, std::vector<uint32_t>> Index;
  for (uint32_t I = 0; I < To.Relocs.size(); ++I)
    Index[KeyOf(To, To.Relocs[I])].push_back(I);
  std::vector<uint32_t> Map(From.Relocs.size());
  std::vector<bool> Taken(To.Relocs.size());
  for (uint32_t I = 0; I < From.Relocs.size(); ++I) {
    const CoreRelocation &R = From.Relocs[I];
    auto It = Index.find(KeyOf(From, R));
    std::vector<uint32_t> Cands;
    if (It != Index.end())
      Cands = It->second;
    if (Cands.size() > 1) {
      std::string Shape = rootShape(From.Types, R.LocalType);
      llvm::erase_if(Cands, [&](uint32_t C) {
        return rootShape(To.Types, To.Relocs[C].LocalType) != Shape;
      });
    }
    std::string What =
        formatv("relocation {0} '{1}' of type '{2}'", reloKindName(R.Kind),
                R.Access,
                From.Types.isValid(R.LocalType) ? From.Types.name(R.LocalType)
                                                : StringRef("?"))
            .str();
    if (Cands.empty())
      return Fail(What + " has no counterpart");
    if (Cands.size() > 1)
      return Fail(What + " has " + Twine(Cands.size()) +
                  " counterparts of the same shape");
    if (Taken[Cands[0]])
      return Fail(What + " shares its counterpart with another relocation");
    Taken[Cands[0]] = true;
    Map[I] = Cands[0];
  }
  return Map;
}

ProgramCode recordProgramCode(const BPFObject &Obj,
                              ArrayRef<uint32_t> RelocMap) {
  assert(RelocMap.size() == Obj.M.Relocs.size() && "one entry per reloc");
  ProgramCode C;
  C.RootIds.resize(RelocMap.size());
  for (uint32_t I = 0; I < RelocMap.size(); ++I)
    C.RootIds[RelocMap[I]] = Obj.objectRootId(I);
  for (const BPFFunction &F : Obj.Functions) {
    CodeFunction CF;
    CF.Name = F.Name;
    CF.Section = F.Section;
    CF.IsSubprog = F.IsSubprog;
    CF.Linkage = F.Linkage;
    CF.Insns = F.Insns;
    C.Functions.push_back(std::move(CF));
  }
  // A function's lines and references, from the first program that links
  // it: they are the same in every program, up to the shift.
  std::vector<bool> Done(Obj.Functions.size());
  for (const BPFProgram &P : Obj.Programs) {
    if (!P.LinkError.empty())
      continue;
    for (const ProgramPart &Part : P.Parts) {
      if (Done[Part.Function])
        continue;
      Done[Part.Function] = true;
      CodeFunction &CF = C.Functions[Part.Function];
      uint32_t End = Part.Start + uint32_t(CF.Insns.size());
      for (ProgramLine L : P.Lines)
        if (L.Insn >= Part.Start && L.Insn < End) {
          L.Insn -= Part.Start;
          CF.Lines.push_back(L);
        }
      for (InsnRef R : P.Refs)
        if (R.Insn >= Part.Start && R.Insn < End) {
          R.Insn -= Part.Start;
          R.Target = 0;
          CF.Refs.push_back(std::move(R));
        }
    }
  }
  for (FunctionCoreRelo R : Obj.CoreRelos) {
    R.Reloc = RelocMap[R.Reloc];
    C.CoreRelos.push_back(R);
  }
  C.Files = Obj.Files;
  C.ReadOnlyData = Obj.ReadOnlyData;
  for (const BPFProgram &P : Obj.Programs) {
    CodeProgram CP;
    CP.Function = P.Function;
    CP.LinkError = P.LinkError;
    if (P.LinkError.empty()) {
      CP.Parts = P.Parts;
      for (const ProgramPart &Part : P.Parts) {
        const std::vector<BPFInsn> &Own = Obj.Functions[Part.Function].Insns;
        for (uint32_t I = 0; I < Own.size(); ++I)
          if (!sameInsn(Own[I], P.Insns[Part.Start + I]))
            CP.Patches.push_back({Part.Start + I, P.Insns[Part.Start + I]});
      }
    } else {
      CP.Parts.push_back({P.Function, 0});
    }
    C.Programs.push_back(std::move(CP));
  }
  return C;
}

namespace {

/// Lays out one program as BPFObject.cpp's linkProgram() does.
Error linkFromCode(const ProgramCode &C, const CodeProgram &CP,
                   BPFProgram &P) {
  P.Function = CP.Function;
  P.Name = C.Functions[CP.Function].Name;
  P.Section = C.Functions[CP.Function].Section;
  P.Parts = CP.Parts;
  P.LinkError = CP.LinkError;
  if (!P.LinkError.empty())
    return Error::success();
  for (const ProgramPart &Part : P.Parts) {
    const std::vector<BPFInsn> &Own = C.Functions[Part.Function].Insns;
    P.Insns.insert(P.Insns.end(), Own.begin(), Own.end());
  }
  for (const InsnPatch &X : CP.Patches)
    P.Insns[X.Insn] = X.New;
  for (const ProgramPart &Part : P.Parts) {
    const CodeFunction &F = C.Functions[Part.Function];
    for (InsnRef R : F.Refs) {
      R.Insn += Part.Start;
      if (R.Kind == InsnRefKind::Func) {
        int64_t T = int64_t(R.Insn) + P.Insns[R.Insn].Imm + 1;
        if (T < 0 || T >= int64_t(P.Insns.size()))
          return createStringError(
              inconvertibleErrorCode(),
              "program '%s': instruction %u takes the address of instruction "
              "%lld, outside the program",
              P.Name.c_str(), R.Insn, (long long)T);
        R.Target = uint32_t(T);
      }
      P.Refs.push_back(std::move(R));
    }
    for (const FunctionCoreRelo &R : C.CoreRelos)
      if (R.Function == Part.Function)
        P.CoreRelos.push_back(
            {Part.Start + R.Insn, R.Reloc, R.RecordIndex, R.Function});
    for (ProgramLine L : F.Lines) {
      L.Insn += Part.Start;
      P.Lines.push_back(L);
    }
  }
  auto ByInsn = [](const auto &A, const auto &B) { return A.Insn < B.Insn; };
  llvm::stable_sort(P.CoreRelos, ByInsn);
  llvm::stable_sort(P.Lines, ByInsn);
  llvm::stable_sort(P.Refs, ByInsn);
  return Error::success();
}

} // namespace

Expected<BPFObject> programsFromCode(const Manifest &M, StringRef Input) {
  assert(M.Code && "a manifest with code");
  const ProgramCode &C = *M.Code;
  BPFObject Obj;
  Obj.M.Source = M.Source;
  Obj.M.Object = M.Object;
  Obj.M.Types = M.Types;
  Obj.M.Relocs = M.Relocs;
  Obj.M.Version = M.Version;
  for (const CodeFunction &CF : C.Functions) {
    BPFFunction F;
    F.Name = CF.Name;
    F.Section = CF.Section;
    F.NumInsns = uint32_t(CF.Insns.size());
    F.IsSubprog = CF.IsSubprog;
    F.Linkage = CF.Linkage;
    F.Insns = CF.Insns;
    Obj.Functions.push_back(std::move(F));
  }
  Obj.CoreRelos = C.CoreRelos;
  Obj.Files = C.Files;
  Obj.ReadOnlyData = C.ReadOnlyData;
  Obj.RootIds = C.RootIds;
  for (const CodeProgram &CP : C.Programs) {
    BPFProgram P;
    if (Error E = linkFromCode(C, CP, P))
      return malformed(Input, "code: {0}", toString(std::move(E)));
    Obj.Programs.push_back(std::move(P));
  }
  return Obj;
}

namespace {

std::string showInsn(const BPFInsn &I) {
  return formatv("code {0:x2} dst {1} src {2} off {3} imm {4}", I.Code, I.Dst,
                 I.Src, I.Off, I.Imm)
      .str();
}

std::string diffProgram(const BPFProgram &A, const BPFProgram &B,
                        ArrayRef<uint32_t> RelocMap) {
  if (A.Name != B.Name || A.Section != B.Section || A.Function != B.Function)
    return "names differ: '" + A.Name + "' in '" + A.Section + "' vs '" +
           B.Name + "' in '" + B.Section + "'";
  if (A.LinkError != B.LinkError)
    return "link errors differ: '" + A.LinkError + "' vs '" + B.LinkError + "'";
  if (!A.LinkError.empty())
    return "";
  if (A.Insns.size() != B.Insns.size())
    return formatv("{0} vs {1} instructions", A.Insns.size(), B.Insns.size());
  for (size_t I = 0; I < A.Insns.size(); ++I)
    if (!sameInsn(A.Insns[I], B.Insns[I]))
      return formatv("instruction {0}: {1} vs {2}", I, showInsn(A.Insns[I]),
                     showInsn(B.Insns[I]));
  if (A.Parts.size() != B.Parts.size() ||
      !llvm::equal(A.Parts, B.Parts, [](const auto &X, const auto &Y) {
        return X.Function == Y.Function && X.Start == Y.Start;
      }))
    return "linked functions differ";
  if (!llvm::equal(A.CoreRelos, B.CoreRelos, [&](const auto &X, const auto &Y) {
        return X.Insn == Y.Insn && RelocMap[X.Reloc] == Y.Reloc &&
               X.RecordIndex == Y.RecordIndex && X.Function == Y.Function;
      }) || A.CoreRelos.size() != B.CoreRelos.size())
    return "CO-RE records differ";
  if (A.Lines.size() != B.Lines.size() ||
      !llvm::equal(A.Lines, B.Lines, [](const auto &X, const auto &Y) {
        return X.Insn == Y.Insn && X.File == Y.File && X.Line == Y.Line &&
               X.Column == Y.Column;
      }))
    return "line records differ";
  if (A.Refs.size() != B.Refs.size() ||
      !llvm::equal(A.Refs, B.Refs, [](const auto &X, const auto &Y) {
        return X.Insn == Y.Insn && X.Kind == Y.Kind && X.Section == Y.Section &&
               X.Offset == Y.Offset && X.Target == Y.Target &&
               X.Symbol == Y.Symbol;
      }))
    return "instruction references differ";
  return "";
}

} // namespace

std::string diffPrograms(const BPFObject &A, const BPFObject &B,
                         ArrayRef<uint32_t> RelocMap) {
  if (A.Functions.size() != B.Functions.size())
    return formatv("{0} vs {1} functions", A.Functions.size(),
                   B.Functions.size());
  for (size_t I = 0; I < A.Functions.size(); ++I) {
    const BPFFunction &X = A.Functions[I], &Y = B.Functions[I];
    if (X.Name != Y.Name || X.Section != Y.Section ||
        X.IsSubprog != Y.IsSubprog || X.Linkage != Y.Linkage ||
        X.NumInsns != Y.NumInsns)
      return formatv("function {0}: '{1}' in '{2}' ({3} instructions, {4}) "
                     "vs '{5}' in '{6}' ({7} instructions, {8})",
                     I, X.Name, X.Section, X.NumInsns,
                     funcLinkageName(X.Linkage), Y.Name, Y.Section,
                     Y.NumInsns, funcLinkageName(Y.Linkage));
  }
  if (A.CoreRelos.size() != B.CoreRelos.size() ||
      !llvm::equal(A.CoreRelos, B.CoreRelos, [&](const auto &X, const auto &Y) {
        return X.Function == Y.Function && X.Insn == Y.Insn &&
               RelocMap[X.Reloc] == Y.Reloc && X.RecordIndex == Y.RecordIndex;
      }))
    return "CO-RE records differ";
  for (uint32_t I = 0; I < RelocMap.size(); ++I)
    if (A.objectRootId(I) != B.objectRootId(RelocMap[I]))
      return formatv("relocation {0}: root type [{1}] vs [{2}]", I,
                     A.objectRootId(I), B.objectRootId(RelocMap[I]));
  if (A.Files != B.Files)
    return "source files differ";
  if (A.ReadOnlyData.size() != B.ReadOnlyData.size() ||
      !llvm::equal(A.ReadOnlyData, B.ReadOnlyData,
                   [](const auto &X, const auto &Y) {
                     return X.Name == Y.Name && X.Bytes == Y.Bytes;
                   }))
    return "read-only data differs";
  if (A.Programs.size() != B.Programs.size())
    return formatv("{0} vs {1} programs", A.Programs.size(),
                   B.Programs.size());
  for (size_t I = 0; I < A.Programs.size(); ++I)
    if (std::string D = diffProgram(A.Programs[I], B.Programs[I], RelocMap);
        !D.empty())
      return "program '" + A.Programs[I].Name + "': " + D;
  return "";
}

} // namespace btfgen
