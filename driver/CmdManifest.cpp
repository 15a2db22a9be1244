//===- CmdManifest.cpp - "manifest": summarize a program's relocations ----===//
//
// `btfgen-driver manifest FILE` prints what the driver would match for one
// program (manifest or BPF object):
//
//   source: prog.bpf.c
//   types: 42, relocations: 3
//   byte_off  [5] STRUCT 'task_struct'  0:70     prog.bpf.c:12:9 (handler)
//
//===----------------------------------------------------------------------===//

#include "Commands.h"
#include "Inputs.h"
#include "Options.h"

#include "btfgen/BTFFormat.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;

namespace btfgen {

Error cmdManifest(ArrayRef<StringRef> Args) {
  // Documented: manifest takes no "--" (it has never needed one).
  if (llvm::is_contained(Args, "--"))
    return usageError("manifest: unknown option '--'");
  Expected<std::vector<std::string>> FilesOr =
      parseOptions("manifest", {}, Args);
  if (!FilesOr)
    return FilesOr.takeError();
  const std::vector<std::string> &Files = *FilesOr;
  if (Files.size() != 1)
    return usageError("manifest: expected exactly one FILE");
  Expected<std::vector<Program>> Programs =
      loadPrograms(Files, 1, /*Tailoring=*/false);
  if (!Programs)
    return Programs.takeError();
  const Program &P = Programs->front();
  raw_ostream &OS = outs();
  OS << "file: " << P.Path << (P.IsObject ? " (BPF object)" : " (manifest)")
     << "\n";
  if (!P.M.Source.empty())
    OS << "source: " << P.M.Source << "\n";
  if (!P.M.Object.empty())
    OS << "object: " << P.M.Object << "\n";
  OS << "types: " << (P.M.Types.size() - 1)
     << ", relocations: " << P.M.Relocs.size() << "\n";
  for (const CoreRelocation &R : P.M.Relocs) {
    const TypeTable &T = P.M.Types;
    std::string Root;
    if (T.isValid(R.LocalType) && R.LocalType != 0)
      Root = (Twine("[") + Twine(R.LocalType) + "] " +
              kindName(T.kind(R.LocalType)) + " '" + T.name(R.LocalType) + "'")
                 .str();
    else
      Root = (Twine("[") + Twine(R.LocalType) + "]").str();
    OS << format("%-14s %-40s %s", reloKindName(R.Kind), Root.c_str(),
                 R.Access.c_str());
    for (const SourceLoc &L : R.Locs) {
      OS << "  " << L.File << ":" << L.Line << ":" << L.Column;
      if (!L.Function.empty())
        OS << " (" << L.Function << ")";
    }
    OS << "\n";
  }
  return Error::success();
}

} // namespace btfgen
