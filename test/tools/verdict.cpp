//===- verdict.cpp - btfgen-verdict: load verdicts of an object's programs ===//
//
// btfgen-verdict OBJ KERNEL_BTF [--release R] [--distro D] [-v]
// btfgen-verdict --dump OBJ
// btfgen-verdict --same-code MANIFEST OBJ
//
// OBJ may also be a version 2 manifest: its programs are then the ones its
// recorded code gives (programsFromCode), as the driver judges them.
// --same-code checks that MANIFEST's recorded code gives exactly the
// programs of the real object OBJ (diffPrograms), and prints
//   same code: P programs, F functions, I instructions, R CO-RE records
// or the first difference (exit status 1).
//
// For every program of OBJ (libbpf's names and order), btfgen's load
// verdict on the kernel described by KERNEL_BTF (raw BTF, or an ELF file
// with a .BTF section), printed in the
// vocabulary of ../shared/referees/verifier/verifier-referee so the two
// can be compared line by line:
//
//   PROG loads
//   PROG fails poison failed to resolve CO-RE relocation <spec>
//   PROG fails error prog 'F': relo #N: <libbpf's reason>
//   PROG unknown <reason>
//
// Relocation results come from CoreMatcher + CoreLoadSession exactly as the
// driver's minimizeTarget computes them (driver/Commands.cpp). The
// verifier is classified from --release (default: KERNEL_BTF's file name
// without ".btf", the BTFHub convention); pass the running kernel's
// release to predict what this machine's verifier does. -v adds the
// guarded, reachable and undecided poisons with their source lines.
// --dump prints the object's programs as the core reads them (BPFObject.h):
// functions, linked parts, CO-RE records, references, line records.
//
// A test tool (test/tools), not part of btfgen.
//
//===----------------------------------------------------------------------===//

#include "btfgen/BPFObject.h"
#include "btfgen/BTFReader.h"
#include "btfgen/CoreMatch.h"
#include "btfgen/LoadVerdict.h"
#include "btfgen/Manifest.h"

#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

#include <string>
#include <vector>

using namespace llvm;
using namespace btfgen;

namespace {

struct Args {
  std::string Object, Kernel, Release, Distro;
  bool Verbose = false;
  bool Dump = false;
  bool SameCode = false;
};

bool parseArgs(int Argc, char **Argv, Args &A) {
  std::vector<std::string> Pos;
  for (int I = 1; I < Argc; ++I) {
    StringRef S = Argv[I];
    if ((S == "--release" || S == "--distro") && I + 1 < Argc)
      (S == "--release" ? A.Release : A.Distro) = Argv[++I];
    else if (S == "-v")
      A.Verbose = true;
    else if (S == "--dump")
      A.Dump = true;
    else if (S == "--same-code")
      A.SameCode = true;
    else if (S.starts_with("-"))
      return false;
    else
      Pos.push_back(S.str());
  }
  if (Pos.size() != (A.Dump ? 1u : 2u))
    return false;
  A.Object = Pos[0];
  if (A.Dump)
    return true;
  A.Kernel = Pos[1];
  if (A.SameCode)
    return true;
  if (A.Release.empty()) {
    StringRef Base = sys::path::filename(A.Kernel);
    Base.consume_back(".btf");
    A.Release = Base.str();
  }
  return true;
}

/// libbpf's answer for every unique relocation, as minimizeTarget computes
/// the report's: the full-list match, then the load-order session.
Expected<std::vector<CoreResult>> relocate(const BPFObject &Obj,
                                           const TypeTable &Target) {
  std::vector<CoreResult> Out;
  CoreMatcher Matcher(Obj.M.Types, Target);
  CoreLoadSession Load(Obj.M.Types, Target);
  for (const CoreRelocation &R : Obj.M.Relocs) {
    Expected<CoreResult> Full = Matcher.calc(R);
    if (!Full)
      return Full.takeError();
    Expected<CoreResult> AtLoad = Load.calc(R, &*Full);
    if (!AtLoad)
      return AtLoad.takeError();
    Out.push_back(std::move(*AtLoad));
  }
  return Out;
}

void printSite(raw_ostream &OS, StringRef What, const PoisonSite &S) {
  OS << "  " << What << " insn " << S.Insn << " relo #" << S.RecordIndex
     << " " << S.Spec << " in " << S.Function;
  if (!S.File.empty())
    OS << " at " << S.File << ":" << S.Line << ":" << S.Column;
  OS << " (" << S.Why << ")\n";
}

void printVerdict(raw_ostream &OS, const ProgramVerdict &V, bool Verbose) {
  OS << V.Program << ' ';
  if (V.Kind == VerdictKind::Loads) {
    OS << "loads\n";
  } else if (V.Kind == VerdictKind::Fails && !V.Errors.empty()) {
    const LoadError &E = V.Errors.front();
    OS << "fails error prog '" << E.Function << "': relo #" << E.RecordIndex
       << ": " << E.Message << '\n';
  } else if (V.Kind == VerdictKind::Fails) {
    OS << "fails poison failed to resolve CO-RE relocation "
       << V.Reachable.front().Spec << '\n';
  } else {
    OS << "unknown "
       << (V.Reasons.empty() ? std::string("(no reason)") : V.Reasons.front())
       << '\n';
  }
  if (!Verbose)
    return;
  for (const PoisonSite &S : V.Reachable)
    printSite(OS, "reachable", S);
  for (const PoisonSite &S : V.Undecided)
    printSite(OS, "undecided", S);
  for (const PoisonSite &S : V.Shadowed)
    printSite(OS, "shadowed", S);
  for (const PoisonSite &S : V.Guarded)
    printSite(OS, "guarded", S);
  for (const std::string &R : V.Reasons)
    OS << "  note " << R << '\n';
  if (!V.ReliesOn.empty()) {
    OS << "  relies-on";
    for (VerifierFeature F : V.ReliesOn)
      OS << ' ' << featureName(F);
    OS << '\n';
  }
  if (V.DependsOnReadOnlyData)
    OS << "  relies-on .rodata values\n";
  OS << "  steps " << V.Steps << '\n';
}

const char *refKindName(InsnRefKind K) {
  switch (K) {
  case InsnRefKind::Map:
    return "map";
  case InsnRefKind::MapValue:
    return "map-value";
  case InsnRefKind::Func:
    return "func";
  case InsnRefKind::Extern:
    return "extern";
  case InsnRefKind::Kfunc:
    return "kfunc";
  }
  return "?";
}

void dumpObject(raw_ostream &OS, const BPFObject &Obj) {
  for (const BPFFunction &F : Obj.Functions)
    OS << "function " << F.Name << " section " << F.Section << " insn "
       << F.SecInsnOff << " count " << F.NumInsns
       << (F.IsSubprog ? " subprog" : " program") << " linkage "
       << funcLinkageName(F.Linkage) << '\n';
  for (const BPFProgram &P : Obj.Programs) {
    OS << "program " << P.Name << " section " << P.Section << " insns "
       << P.Insns.size() << '\n';
    if (!P.LinkError.empty())
      OS << "  link-error " << P.LinkError << '\n';
    for (const ProgramPart &Part : P.Parts)
      OS << "  part " << Obj.Functions[Part.Function].Name << " at "
         << Part.Start << '\n';
    for (const ProgramCoreRelo &R : P.CoreRelos) {
      const CoreRelocation &U = Obj.M.Relocs[R.Reloc];
      OS << "  core insn " << R.Insn << " relo #" << R.RecordIndex << ' '
         << reloKindName(U.Kind) << " [" << Obj.objectRootId(R.Reloc) << "] "
         << U.Access;
      if (const ProgramLine *L = P.relocationLineOf(R.Insn))
        OS << " line " << L->Line << ':' << L->Column;
      OS << '\n';
    }
    for (const InsnRef &R : P.Refs) {
      OS << "  ref insn " << R.Insn << ' ' << refKindName(R.Kind) << ' '
         << R.Symbol;
      if (R.Kind == InsnRefKind::MapValue)
        OS << ' ' << R.Section << '+' << R.Offset;
      if (R.Kind == InsnRefKind::Func)
        OS << " -> " << R.Target;
      OS << '\n';
    }
  }
  for (const ReadOnlySection &S : Obj.ReadOnlyData)
    OS << "rodata " << S.Name << ' ' << S.Bytes.size() << " bytes\n";
}

int fail(const Twine &Msg) {
  WithColor::error(errs(), "btfgen-verdict") << Msg << '\n';
  return 1;
}

/// The programs of an object, or of a version 2 manifest's code.
Expected<BPFObject> readPrograms(MemoryBufferRef Buf) {
  if (!Buf.getBuffer().ltrim(" \t\r\n").starts_with("{"))
    return readBPFObjectPrograms(Buf);
  Expected<Manifest> M = readManifest(Buf);
  if (!M)
    return M.takeError();
  if (!M->Code)
    return createStringError(inconvertibleErrorCode(),
                             "'%s': no code in the manifest (version %u): %s",
                             Buf.getBufferIdentifier().str().c_str(),
                             M->Version, M->NoCode.c_str());
  return programsFromCode(*M, Buf.getBufferIdentifier());
}

int sameCode(const BPFObject &Man, const BPFObject &Obj, StringRef ManPath) {
  Expected<std::vector<uint32_t>> Map = mapRelocations(Obj.M, Man.M);
  if (!Map)
    return fail("'" + ManPath + "': relocations: " +
                toString(Map.takeError()));
  std::string D = diffPrograms(Obj, Man, *Map);
  if (!D.empty()) {
    outs() << "code differs: " << D << '\n';
    return 1;
  }
  size_t Insns = 0;
  for (const BPFFunction &F : Obj.Functions)
    Insns += F.NumInsns;
  outs() << "same code: " << Obj.Programs.size() << " programs, "
         << Obj.Functions.size() << " functions, " << Insns
         << " instructions, " << Obj.CoreRelos.size() << " CO-RE records\n";
  return 0;
}

} // namespace

int main(int Argc, char **Argv) {
  Args A;
  if (!parseArgs(Argc, Argv, A)) {
    errs() << "usage: btfgen-verdict OBJ KERNEL_BTF [--release R] "
              "[--distro D] [-v]\n       btfgen-verdict --dump OBJ\n"
              "       btfgen-verdict --same-code MANIFEST OBJ\n";
    return 2;
  }
  auto ObjBuf = MemoryBuffer::getFile(A.Object);
  if (!ObjBuf)
    return fail("'" + A.Object + "': " + ObjBuf.getError().message());
  Expected<BPFObject> Obj = readPrograms((*ObjBuf)->getMemBufferRef());
  if (!Obj)
    return fail(toString(Obj.takeError()));
  if (A.Dump) {
    dumpObject(outs(), *Obj);
    return 0;
  }
  if (A.SameCode) {
    auto Real = MemoryBuffer::getFile(A.Kernel);
    if (!Real)
      return fail("'" + A.Kernel + "': " + Real.getError().message());
    Expected<BPFObject> RealObj =
        readBPFObjectPrograms((*Real)->getMemBufferRef());
    if (!RealObj)
      return fail(toString(RealObj.takeError()));
    return sameCode(*Obj, *RealObj, A.Object);
  }
  auto KBuf = MemoryBuffer::getFile(A.Kernel);
  if (!KBuf)
    return fail("'" + A.Kernel + "': " + KBuf.getError().message());
  Expected<TypeTable> Target = readBTFAny((*KBuf)->getMemBufferRef());
  if (!Target)
    return fail(toString(Target.takeError()));
  Target->buildNameIndex();
  Expected<std::vector<CoreResult>> Results = relocate(*Obj, *Target);
  if (!Results)
    return fail("'" + A.Object + "' on '" + A.Kernel +
                "': " + toString(Results.takeError()));
  VerdictOptions Opts;
  Opts.Caps = verifierCapsFor(A.Release, A.Distro);
  if (A.Verbose)
    outs() << "# verifier: " << Opts.Caps.Basis << '\n';
  for (const BPFProgram &P : Obj->Programs)
    printVerdict(outs(), judgeProgram(*Obj, P, *Results, Opts), A.Verbose);
  return 0;
}
