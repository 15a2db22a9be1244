//===- Commands.cpp - btfgen-driver subcommands ---------------------------===//
//
// Command table, manual text, option helpers and the shared per-target
// pipeline: CoreMatcher::calc for every relocation, Minimizer::addResult,
// Minimizer::build, writeBTF.
//
//===----------------------------------------------------------------------===//

#include "Commands.h"

#include "btfgen/BTFWriter.h"
#include "btfgen/CoreMatch.h"
#include "btfgen/Minimize.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Config/llvm-config.h"
#include "llvm/Support/WithColor.h"

using namespace llvm;

namespace btfgen {

char UsageError::ID;
char FailuresReported::ID;

Error usageError(const Twine &Msg) {
  return make_error<UsageError>(Msg.str());
}

void reportError(const Twine &Msg) {
  WithColor::error(errs(), ToolName) << Msg << "\n";
}

void reportWarning(const Twine &Msg) {
  WithColor::warning(errs(), ToolName) << Msg << "\n";
}

static const Command Commands[] = {
    {"run", runArchiveCommand},
    {"dump", runDumpCommand},
    {"min_core_btf", runMinCoreBTFCommand},
    {"manifest", runManifestCommand},
};

const Command *findCommand(StringRef Name) {
  for (const Command &C : Commands)
    if (Name == C.Name)
      return &C;
  return nullptr;
}

const Command &defaultCommand() { return Commands[0]; }

void printVersion(raw_ostream &OS) {
  OS << ToolName << " 0.1.0 (LLVM " << LLVM_VERSION_STRING << ")\n";
}

void printHelp(raw_ostream &OS) {
  OS << R"(NAME
    btfgen-driver - minimize kernel BTF for eBPF CO-RE programs

SYNOPSIS
    btfgen-driver [run] INPUT... --archive DIR [-o OUT] [-j N] [--report FILE]
                  [-v]
    btfgen-driver dump FILE
    btfgen-driver min_core_btf INPUT OUTPUT OBJECT...
    btfgen-driver manifest FILE
    btfgen-driver --help | --version

DESCRIPTION
    For every kernel BTF in an archive, btfgen-driver keeps only the types and
    members that the CO-RE relocations of the given programs need, so that
    libbpf computes exactly the same relocations against the small BTF as
    against the full one (the job of `bpftool gen min_core_btf`, for a whole
    BTFHub archive at once).

    A program INPUT is either a btfgen manifest (JSON, written by the clang
    plugin libBTFGenPass.so) or a BPF object file (ELF with .BTF and
    .BTF.ext). The kind is detected from the content, not the file name.
    Several INPUTs are minimized together into one BTF per kernel.

COMMANDS
    run (default; used when the first argument is not a command)
        Walk the archive DIR, which has the BTFHub layout
            <distro>/<version>/<arch>/<release>.btf.tar.xz
        (raw <release>.btf files are accepted as well), and write
            OUT/<distro>/<version>/<arch>/<release>.btf
        for every kernel. Tarballs are read in memory; the only entry used is
        the regular file <release>.btf (or ./<release>.btf). Tarballs with
        absolute paths, '..' components, links or device entries are
        rejected. Kernels are processed in parallel; results and messages
        do not depend on -j.

        Outputs are written atomically (temporary file + rename). When
        several kernels give byte-identical output, the first in sorted path
        order is a regular file and the others are relative symlinks to it.
        Re-running over an existing OUT yields the same tree. A kernel that
        fails is reported by file name with the reason; the others are still
        written, and an earlier output for the failed kernel is left as is.

        A one-line summary is printed on stderr at the end.

    dump FILE
        Print the BTF in FILE in the format of `bpftool btf dump file FILE`.
        FILE may be raw BTF, an ELF file with a .BTF section, or a
        <release>.btf.tar.xz tarball.

    min_core_btf INPUT OUTPUT OBJECT...
        Like `bpftool gen min_core_btf`: INPUT is the kernel BTF (raw or
        ELF), OUTPUT the raw BTF file to write, OBJECTs are BPF objects or
        btfgen manifests.

    manifest FILE
        Summarize the CO-RE relocations of a manifest or BPF object: one line
        per unique relocation (kind, local root type, access string) with the
        source places that use it.

OPTIONS
    --archive DIR
        Kernel BTF archive to process (run; required).

    -o OUT, --output OUT
        Output directory (run). Default: ./custom-archive.

    -j N, --jobs N
        Number of kernels processed in parallel (run). Default: the number of
        hardware threads.

    --report FILE
        Write a tab-separated report with one line per kernel (run): path,
        status, kept types, bytes, relocation outcomes, symlink target, and
        the reason when it failed.

    -v, --verbose
        Print one line per kernel and per-phase times (run).

    -h, --help
        Print this manual.

    --version
        Print the version.

    Options may appear anywhere on the command line; `--` ends them.

EXIT STATUS
    0   success
    1   an input or a kernel failed (each failure is reported on stderr)
    2   command-line usage error

EXAMPLES
    Minimize the bundled archive for one object:
        btfgen-driver prog.bpf.o --archive examples/archive -o out

    Use the manifests written by the clang plugin, 8 threads:
        btfgen-driver a.json b.json --archive btfhub-archive -j 8

    Compare with bpftool:
        btfgen-driver min_core_btf vmlinux.btf min.btf prog.bpf.o
        btfgen-driver dump min.btf
)";
}

Expected<bool> matchValueOption(ArrayRef<StringRef> Args, size_t &I,
                                StringRef Long, StringRef Short,
                                StringRef &Value) {
  StringRef A = Args[I];
  auto TakeNext = [&](StringRef Opt) -> Expected<bool> {
    if (I + 1 >= Args.size())
      return usageError("option '" + Opt + "' requires a value");
    Value = Args[++I];
    return true;
  };
  if (A == Long)
    return TakeNext(Long);
  if (A.starts_with(Long) && A.drop_front(Long.size()).starts_with("=")) {
    Value = A.drop_front(Long.size() + 1);
    return true;
  }
  if (!Short.empty()) {
    if (A == Short)
      return TakeNext(Short);
    if (A.starts_with(Short) && A.size() > Short.size() && !A.starts_with("--")) {
      Value = A.drop_front(Short.size());
      return true;
    }
  }
  return false;
}

bool wantsHelp(ArrayRef<StringRef> Args) {
  for (StringRef A : Args) {
    if (A == "--")
      return false;
    if (A == "-h" || A == "--help")
      return true;
  }
  return false;
}

Expected<std::vector<Program>> loadPrograms(ArrayRef<std::string> Paths) {
  std::vector<Program> Programs;
  size_t Failed = 0;
  for (const std::string &P : Paths) {
    Expected<Program> Prog = loadProgram(P);
    if (!Prog) {
      reportError(toString(Prog.takeError()));
      ++Failed;
      continue;
    }
    Programs.push_back(std::move(*Prog));
  }
  if (Failed)
    return make_error<FailuresReported>(Failed);
  return Programs;
}

Expected<TargetResult> minimizeTarget(const TypeTable &Target,
                                      ArrayRef<Program> Programs,
                                      StringRef TargetName) {
  TargetResult Out;
  Minimizer Min(Target);
  for (const Program &P : Programs) {
    CoreMatcher Matcher(P.M.Types, Target);
    for (const CoreRelocation &R : P.M.Relocs) {
      auto Where = [&] {
        return (Twine("'") + TargetName + "': program '" + P.Path + "': " +
                reloKindName(R.Kind) + " [" + Twine(R.LocalType) + "] '" +
                R.Access + "'")
            .str();
      };
      Expected<CoreResult> Res = Matcher.calc(R);
      if (!Res)
        return createStringError(inconvertibleErrorCode(),
                                 Where() + ": " + toString(Res.takeError()));
      switch (Res->Outcome) {
      case RelocOutcome::Resolved:
        ++Out.Resolved;
        break;
      case RelocOutcome::NotFound:
        ++Out.NotFound;
        break;
      case RelocOutcome::Poisoned:
        ++Out.Poisoned;
        break;
      case RelocOutcome::Error:
        ++Out.LoadErrors;
        Out.LoadErrorMessages.push_back(Where() + ": " + Res->Message);
        break;
      }
      if (Error E = Min.addResult(P.M.Types, R, *Res))
        return createStringError(inconvertibleErrorCode(),
                                 Where() + ": " + toString(std::move(E)));
    }
  }
  TypeTable Small = Min.build();
  Out.KeptTypes = Min.numKeptTypes();
  Out.Bytes = writeBTFToString(Small);
  return Out;
}

} // namespace btfgen
