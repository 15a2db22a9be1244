//===- verdict.cpp - btfgen-verdict: load verdicts of an object's programs ===//
//
// btfgen-verdict --dump OBJ
//
// Prints OBJ's programs as the core reads them (BPFObject.h): functions,
// linked parts, CO-RE records, references, line records. The load verdicts
// themselves come next.
//
// A test tool (test/tools), not part of btfgen.
//
//===----------------------------------------------------------------------===//

#include "btfgen/BPFObject.h"

#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;
using namespace btfgen;

namespace {

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
         << reloKindName(U.Kind) << " [" << U.LocalType << "] " << U.Access;
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

} // namespace

int main(int Argc, char **Argv) {
  if (Argc != 3 || StringRef(Argv[1]) != "--dump") {
    errs() << "usage: btfgen-verdict --dump OBJ\n";
    return 2;
  }
  std::string Object = Argv[2];
  auto ObjBuf = MemoryBuffer::getFile(Object);
  if (!ObjBuf)
    return fail("'" + Object + "': " + ObjBuf.getError().message());
  Expected<BPFObject> Obj = readBPFObjectPrograms((*ObjBuf)->getMemBufferRef());
  if (!Obj)
    return fail(toString(Obj.takeError()));
  dumpObject(outs(), *Obj);
  return 0;
}
