//===- Commands.cpp - btfgen-driver subcommands ---------------------------===//
//
// Command table, manual text, option helpers and the shared per-target
// pipeline: CoreMatcher::calc for every relocation, Minimizer::addResult,
// Minimizer::build, writeBTF.
//
//===----------------------------------------------------------------------===//

#include "Commands.h"
#include "Parallel.h"

#include "btfgen/BTFReader.h"
#include "btfgen/BTFWriter.h"
#include "btfgen/CoreMatch.h"
#include "btfgen/Minimize.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Config/llvm-config.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/MemoryBufferRef.h"
#include "llvm/Support/WithColor.h"

#include <optional>

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
                  [--index FILE] [--verify] [--cache-dir DIR | --no-cache] [-v]
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

        Reruns are fast: decoded kernel BTF and the per-kernel results are
        kept in a content-addressed cache (see --cache-dir), so a rerun
        with a changed program skips xz decoding, and a rerun with
        unchanged inputs only checks hashes and rewrites nothing.

        A summary is printed on stderr at the end: kernels processed,
        unique outputs, how many kernels are fully supported (no poisoned
        or failing relocation) and the most frequent unresolved
        relocations. On a terminal, a progress line (kernels done, rate,
        ETA) is shown while kernels are processed.

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
        Write a JSON report (run): per kernel its distro, version, arch,
        release, output path, size and dedup target, and the outcome of
        every relocation (resolved / not-found / poisoned / error) with its
        value; relocations are described once (kind, type, access string,
        source locations). Format: docs/report.md.

    --index FILE
        Write a JSON index (run) mapping (distro, version, arch, release)
        to the regular output file holding its BTF (the dedup leader), for
        consumers that cannot follow symlinks. Format: docs/runtime.md.

    --verify
        After minimizing, read each output back and match every relocation
        against it again; any difference from the full-BTF result (outcome,
        value; target type name and kind for target_type_id) fails that
        kernel.

    --cache-dir DIR
        Cache directory (run). Default: $XDG_CACHE_HOME/btfgen, else
        ~/.cache/btfgen. Entries are keyed by content (BLAKE3), written
        atomically, checksummed, and ignored and replaced when corrupt;
        the directory may be deleted at any time.

    --no-cache
        Neither read nor write the cache.

    -v, --verbose
        Print one line per kernel, cache hits and notes, and per-phase
        times (run).

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

Expected<std::vector<Program>> loadPrograms(ArrayRef<std::string> Paths,
                                            unsigned Jobs) {
  // Objects are independent and parsing one is not cheap (readBPFObject
  // validates through a manifest round trip): parse them in parallel, then
  // report failures in command-line order.
  std::vector<std::optional<Program>> Slots(Paths.size());
  std::vector<std::string> Errors(Paths.size());
  parallelForEachIndex(Paths.size(), Jobs, [&](size_t I) {
    Expected<Program> Prog = loadProgram(Paths[I]);
    if (Prog)
      Slots[I] = std::move(*Prog);
    else
      Errors[I] = toString(Prog.takeError());
  });
  std::vector<Program> Programs;
  Programs.reserve(Paths.size());
  size_t Failed = 0;
  for (size_t I = 0; I < Paths.size(); ++I) {
    if (!Slots[I]) {
      reportError(Errors[I]);
      ++Failed;
      continue;
    }
    Programs.push_back(std::move(*Slots[I]));
  }
  if (Failed)
    return make_error<FailuresReported>(Failed);
  return Programs;
}

size_t countRelocs(ArrayRef<Program> Programs) {
  size_t N = 0;
  for (const Program &P : Programs)
    N += P.M.Relocs.size();
  return N;
}

namespace {

std::string whereReloc(StringRef TargetName, const Program &P,
                       const CoreRelocation &R) {
  return (Twine("'") + TargetName + "': program '" + P.Path + "': " +
          reloKindName(R.Kind) + " [" + Twine(R.LocalType) + "] '" + R.Access +
          "'")
      .str();
}

RelocRecord makeRecord(const CoreRelocation &R, const CoreResult &Res,
                       const TypeTable &Target) {
  RelocRecord Rec;
  Rec.Outcome = Res.Outcome;
  if (Res.Outcome == RelocOutcome::Resolved ||
      Res.Outcome == RelocOutcome::NotFound)
    Rec.Value = Res.NewVal;
  if (Res.Outcome == RelocOutcome::Error ||
      Res.Outcome == RelocOutcome::Poisoned)
    Rec.Message = Res.Message;
  if (R.Kind == CoreReloKind::TypeIdTarget &&
      Res.Outcome == RelocOutcome::Resolved && Target.isValid(Res.NewType)) {
    Rec.TargetName = Target.name(Res.NewType).str();
    Rec.TargetKind = static_cast<uint32_t>(Target.kind(Res.NewType));
  }
  return Rec;
}

/// Why Full and Small differ, or "" if they agree.
std::string compareRecords(const CoreRelocation &R, const RelocRecord &Full,
                           const RelocRecord &Small) {
  if (Full.Outcome != Small.Outcome)
    return std::string("outcome ") + outcomeName(Full.Outcome) + " vs " +
           outcomeName(Small.Outcome);
  if (R.Kind == CoreReloKind::TypeIdTarget) {
    if (Full.TargetName != Small.TargetName ||
        Full.TargetKind != Small.TargetKind)
      return "target type '" + Full.TargetName + "' (kind " +
             std::to_string(Full.TargetKind) + ") vs '" + Small.TargetName +
             "' (kind " + std::to_string(Small.TargetKind) + ")";
    return "";
  }
  if (Full.Value != Small.Value)
    return "value " + std::to_string(Full.Value) + " vs " +
           std::to_string(Small.Value);
  return "";
}

} // namespace

void recountResult(TargetResult &Out, ArrayRef<Program> Programs,
                   StringRef TargetName) {
  Out.Resolved = Out.NotFound = Out.Poisoned = Out.LoadErrors = 0;
  Out.LoadErrorMessages.clear();
  size_t I = 0;
  for (const Program &P : Programs)
    for (const CoreRelocation &R : P.M.Relocs) {
      const RelocRecord &Rec = Out.Records[I++];
      switch (Rec.Outcome) {
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
        Out.LoadErrorMessages.push_back(whereReloc(TargetName, P, R) + ": " +
                                        Rec.Message);
        break;
      }
    }
}

Expected<TargetResult> minimizeTarget(const TypeTable &Target,
                                      ArrayRef<Program> Programs,
                                      StringRef TargetName, bool Verify) {
  TargetResult Out;
  Out.Records.reserve(countRelocs(Programs));
  Minimizer Min(Target);
  for (const Program &P : Programs) {
    CoreMatcher Matcher(P.M.Types, Target);
    for (const CoreRelocation &R : P.M.Relocs) {
      Expected<CoreResult> Res = Matcher.calc(R);
      if (!Res)
        return createStringError(inconvertibleErrorCode(),
                                 whereReloc(TargetName, P, R) + ": " +
                                     toString(Res.takeError()));
      Out.Records.push_back(makeRecord(R, *Res, Target));
      if (Error E = Min.addResult(P.M.Types, R, *Res))
        return createStringError(inconvertibleErrorCode(),
                                 whereReloc(TargetName, P, R) + ": " +
                                     toString(std::move(E)));
    }
  }
  recountResult(Out, Programs, TargetName);
  {
    TypeTable Small = Min.build();
    Out.KeptTypes = Min.numKeptTypes();
    Out.Bytes = writeBTFToString(Small);
  }
  if (!Verify)
    return Out;

  // Read the written bytes back, as a consumer would, and match again.
  Expected<TypeTable> Back =
      readBTF(MemoryBufferRef(Out.Bytes, (TargetName + " (minimized)").str()));
  if (!Back)
    return createStringError(inconvertibleErrorCode(),
                             "'" + TargetName + "': verify: minimized BTF "
                             "does not read back: " +
                                 toString(Back.takeError()));
  Back->buildNameIndex();
  size_t I = 0, Diffs = 0;
  std::string First;
  for (const Program &P : Programs) {
    CoreMatcher Matcher(P.M.Types, *Back);
    for (const CoreRelocation &R : P.M.Relocs) {
      const RelocRecord &Full = Out.Records[I++];
      Expected<CoreResult> Res = Matcher.calc(R);
      std::string Why;
      if (!Res)
        Why = toString(Res.takeError());
      else
        Why = compareRecords(R, Full, makeRecord(R, *Res, *Back));
      if (Why.empty())
        continue;
      if (!Diffs++)
        First = whereReloc(TargetName, P, R) + ": " + Why;
    }
  }
  if (Diffs)
    return createStringError(inconvertibleErrorCode(),
                             "verify failed: " + Twine(Diffs) +
                                 " relocation(s) differ between the full and "
                                 "the minimized BTF; first: " + First);
  return Out;
}

namespace {

class Writer {
public:
  void u8(uint8_t V) { S.push_back(char(V)); }
  void u32(uint32_t V) {
    char B[4];
    support::endian::write32le(B, V);
    S.append(B, 4);
  }
  void u64(uint64_t V) {
    char B[8];
    support::endian::write64le(B, V);
    S.append(B, 8);
  }
  void str(StringRef V) {
    u64(V.size());
    S.append(V.data(), V.size());
  }
  std::string S;
};

class Reader {
public:
  explicit Reader(StringRef S) : S(S) {}
  bool u8(uint8_t &V) {
    if (S.size() < 1)
      return false;
    V = uint8_t(S[0]);
    S = S.drop_front(1);
    return true;
  }
  bool u32(uint32_t &V) {
    if (S.size() < 4)
      return false;
    V = support::endian::read32le(S.data());
    S = S.drop_front(4);
    return true;
  }
  bool u64(uint64_t &V) {
    if (S.size() < 8)
      return false;
    V = support::endian::read64le(S.data());
    S = S.drop_front(8);
    return true;
  }
  bool str(std::string &V) {
    uint64_t N;
    if (!u64(N) || N > S.size())
      return false;
    V.assign(S.data(), N);
    S = S.drop_front(N);
    return true;
  }
  bool done() const { return S.empty(); }

private:
  StringRef S;
};

constexpr uint32_t ResultFormat = 1;

} // namespace

std::string serializeResult(const TargetResult &R) {
  Writer W;
  W.u32(ResultFormat);
  W.u32(R.KeptTypes);
  W.str(R.Bytes);
  W.u64(R.Records.size());
  for (const RelocRecord &Rec : R.Records) {
    W.u8(static_cast<uint8_t>(Rec.Outcome));
    W.u64(Rec.Value);
    W.u32(Rec.TargetKind);
    W.str(Rec.TargetName);
    W.str(Rec.Message);
  }
  return std::move(W.S);
}

Expected<TargetResult> parseResult(StringRef Payload,
                                   ArrayRef<Program> Programs,
                                   StringRef TargetName) {
  auto Bad = [] {
    return createStringError(inconvertibleErrorCode(), "malformed result");
  };
  Reader Rd(Payload);
  TargetResult R;
  uint32_t Format, Kept;
  uint64_t N;
  if (!Rd.u32(Format) || Format != ResultFormat || !Rd.u32(Kept) ||
      !Rd.str(R.Bytes) || !Rd.u64(N) || N != countRelocs(Programs))
    return Bad();
  R.KeptTypes = Kept;
  R.Records.resize(N);
  for (RelocRecord &Rec : R.Records) {
    uint8_t O;
    if (!Rd.u8(O) || O > static_cast<uint8_t>(RelocOutcome::Error) ||
        !Rd.u64(Rec.Value) || !Rd.u32(Rec.TargetKind) ||
        !Rd.str(Rec.TargetName) || !Rd.str(Rec.Message))
      return Bad();
    Rec.Outcome = static_cast<RelocOutcome>(O);
  }
  if (!Rd.done())
    return Bad();
  recountResult(R, Programs, TargetName);
  return R;
}

} // namespace btfgen
