//===- CmdArchive.cpp - "run": minimize a whole kernel archive ------------===//
//
// The default command, as a pipeline:
//
//   1. parse every program input once (manifests / BPF objects);
//   2. walk the archive into a job list sorted by relative path;
//   3. in parallel, per kernel I: hash the file; on an output-cache hit
//      take the stored result; else read the BTF (kernel cache, or the
//      tarball decoded in memory), readBTF, buildNameIndex, match +
//      minimize for all programs (+ --verify), writeBTF into Slots[I]
//      (bytes, per-relocation records, or the error text);
//   4. sequentially, in job order: print diagnostics, find identical
//      outputs, write leaders atomically, then the relative symlinks;
//   5. optional JSON report and index, summary.
//
// Nothing after step 3 depends on which thread did what, so the tree, the
// messages and the exit status are the same for every -j.
//
//===----------------------------------------------------------------------===//

#include "Archive.h"
#include "Cache.h"
#include "Commands.h"
#include "Dedup.h"
#include "OutputFile.h"
#include "Parallel.h"
#include "Progress.h"
#include "Report.h"
#include "TarXz.h"

#include "btfgen/BTFReader.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/MemoryBufferRef.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

#include <atomic>
#include <optional>
#include <unistd.h>
#include <chrono>

using namespace llvm;

namespace btfgen {

namespace {

struct ArchiveOptions {
  std::vector<std::string> Inputs;
  std::string ArchiveDir;
  std::string OutDir = "custom-archive";
  std::string ReportFile;
  std::string IndexFile;
  std::string CacheDir; // "" = default
  bool NoCache = false;
  bool Verify = false;
  bool Shrink = true;
  unsigned Jobs = 0;
  bool Verbose = false;
};

Expected<ArchiveOptions> parseArgs(ArrayRef<StringRef> Args) {
  ArchiveOptions Opts;
  bool HaveArchive = false;
  bool OptionsDone = false;
  for (size_t I = 0; I < Args.size(); ++I) {
    StringRef A = Args[I], V;
    if (OptionsDone || A == "-" || !A.starts_with("-")) {
      Opts.Inputs.push_back(A.str());
      continue;
    }
    if (A == "--") {
      OptionsDone = true;
      continue;
    }
    if (A == "-v" || A == "--verbose") {
      Opts.Verbose = true;
      continue;
    }
    if (A == "--no-cache") {
      Opts.NoCache = true;
      continue;
    }
    if (A == "--verify") {
      Opts.Verify = true;
      continue;
    }
    if (A == "--no-shrink") {
      Opts.Shrink = false;
      continue;
    }
    Expected<bool> M = matchValueOption(Args, I, "--archive", "", V);
    if (!M)
      return M.takeError();
    if (*M) {
      if (HaveArchive)
        return usageError("--archive given more than once");
      Opts.ArchiveDir = V.str();
      HaveArchive = true;
      continue;
    }
    if (!(M = matchValueOption(Args, I, "--output", "-o", V)))
      return M.takeError();
    if (*M) {
      Opts.OutDir = V.str();
      continue;
    }
    if (!(M = matchValueOption(Args, I, "--report", "", V)))
      return M.takeError();
    if (*M) {
      Opts.ReportFile = V.str();
      continue;
    }
    if (!(M = matchValueOption(Args, I, "--index", "", V)))
      return M.takeError();
    if (*M) {
      Opts.IndexFile = V.str();
      continue;
    }
    if (!(M = matchValueOption(Args, I, "--cache-dir", "", V)))
      return M.takeError();
    if (*M) {
      if (V.empty())
        return usageError("empty --cache-dir");
      Opts.CacheDir = V.str();
      continue;
    }
    if (!(M = matchValueOption(Args, I, "--jobs", "-j", V)))
      return M.takeError();
    if (*M) {
      unsigned N;
      if (V.getAsInteger(10, N) || N == 0 || N > 4096)
        return usageError("invalid job count '" + V + "' (expected 1..4096)");
      Opts.Jobs = N;
      continue;
    }
    return usageError("unknown option '" + A + "'");
  }
  if (Opts.Inputs.empty())
    return usageError("no program INPUT given (manifests or BPF objects)");
  if (!HaveArchive)
    return usageError("missing --archive DIR");
  if (Opts.OutDir.empty())
    return usageError("empty output directory");
  if (!Opts.Jobs)
    Opts.Jobs = defaultJobs();
  return Opts;
}

/// CPU-side wall time per stage, summed over all workers (-v).
enum Stage { SRead, SHash, SCacheRead, SDecode, SCacheWrite, SParse, SMatch,
             NumStages };
const char *const StageNames[NumStages] = {
    "read", "hash", "cache-read", "xz+tar", "cache-write", "readBTF+index",
    "match+min"};

/// What every worker shares (read-only, except the stage clocks).
struct RunContext {
  ArrayRef<Program> Programs;
  const Cache &C;
  CacheKey ProgramKey;
  bool Verify;
  bool Shrink;
  mutable std::atomic<uint64_t> StageNs[NumStages] = {};
};

/// Adds the time between construction and the next lap()/destruction to a
/// stage clock.
class StageClock {
public:
  StageClock(const RunContext &Ctx, Stage S)
      : Ctx(Ctx), S(S), T0(std::chrono::steady_clock::now()) {}
  ~StageClock() { lap(NumStages); }
  void lap(Stage Next) {
    auto Now = std::chrono::steady_clock::now();
    if (S != NumStages)
      Ctx.StageNs[S] += std::chrono::duration_cast<std::chrono::nanoseconds>(
                            Now - T0)
                            .count();
    S = Next;
    T0 = Now;
  }

private:
  const RunContext &Ctx;
  Stage S;
  std::chrono::steady_clock::time_point T0;
};

void processKernel(const KernelJob &Job, const RunContext &Ctx,
                   KernelSlot &Slot) {
  auto Fail = [&](Error E) { Slot.Error = toString(std::move(E)); };
  auto Note = [&](const Twine &Msg) { Slot.Notes.push_back(Msg.str()); };
  // Per-worker decode buffer, reused across kernels (no re-faulting of
  // tens of MiB per tarball).
  thread_local std::string Scratch;
  StageClock Clock(Ctx, SRead);
  Expected<std::unique_ptr<MemoryBuffer>> FileOr = readInputFile(Job.Path);
  if (!FileOr)
    return Fail(FileOr.takeError());
  std::unique_ptr<MemoryBuffer> File = std::move(*FileOr);

  // Cache keys: the kernel's content, then (tool, kernel, programs).
  CacheKey KernelKey{}, OutKey{};
  const Cache &C = Ctx.C;
  if (C.enabled()) {
    Clock.lap(SHash);
    KernelKey = hashBytes(File->getBuffer());
    Clock.lap(SCacheRead);
    OutKey = KeyBuilder()
                 .add("btfgen-out")
                 .add(toolIdentity())
                 .add(KernelKey)
                 .add(Ctx.ProgramKey)
                 .add(Ctx.Shrink ? "shrink" : "exact")
                 .final();
    CacheEntry E;
    std::string Why, Path;
    // --verify must match against the full BTF: no output-cache shortcut.
    CacheLookup L = Ctx.Verify ? CacheLookup::Miss
                               : C.lookup("out", OutKey, E, Why, Path);
    if (L == CacheLookup::Hit) {
      Expected<TargetResult> R = parseResult(E.Payload, Ctx.Programs, Job.Path);
      if (R) {
        Slot.Result = std::move(*R);
        Slot.OK = true;
        Slot.OutputCacheHit = true;
        Note("'" + Job.Path + "': output cache hit");
        return;
      }
      consumeError(R.takeError());
      L = CacheLookup::Corrupt;
      Why = "malformed result";
    }
    if (L == CacheLookup::Corrupt)
      Note("cache entry '" + Path + "' for '" + Job.Path + "' is corrupt (" +
           Why + "): ignored and replaced");
  }

  // The raw BTF: the file itself, a kernel-cache entry, or the tarball
  // decoded in memory (then stored in the cache).
  StringRef BTF;
  CacheEntry KernelEntry;
  if (!Job.IsTarball) {
    BTF = File->getBuffer();
  } else {
    bool Have = false;
    if (C.enabled()) {
      std::string Why, Path;
      CacheLookup L = C.lookup("btf", KernelKey, KernelEntry, Why, Path);
      if (L == CacheLookup::Hit) {
        BTF = KernelEntry.Payload;
        Have = true;
        Slot.KernelCacheHit = true;
        Note("'" + Job.Path + "': kernel cache hit");
      } else if (L == CacheLookup::Corrupt) {
        Note("cache entry '" + Path + "' for '" + Job.Path + "' is corrupt (" +
             Why + "): ignored, decoding the tarball");
      }
    }
    if (!Have) {
      Clock.lap(SDecode);
      Expected<StringRef> Entry = readTarXzEntryInto(
          File->getBuffer(), Job.Release + ".btf", Job.Path, Scratch);
      if (!Entry)
        return Fail(Entry.takeError());
      BTF = *Entry;
      Clock.lap(SCacheWrite);
      if (C.enabled())
        if (Error E = C.store("btf", KernelKey, BTF))
          Note(toString(std::move(E)));
    }
  }

  Clock.lap(SParse);
  Expected<TypeTable> Target = readBTFAny(MemoryBufferRef(BTF, Job.Path));
  // The table owns a copy of everything it needs: release the raw bytes
  // (up to ~30 MiB per kernel) before matching starts.
  BTF = StringRef();
  KernelEntry.Buffer.reset();
  File.reset();
  if (!Target)
    return Fail(Target.takeError());
  // The name index points into the table's strings: build it in place.
  TypeTable &T = *Target;
  T.buildNameIndex();
  Clock.lap(SMatch);
  Expected<TargetResult> R = minimizeTarget(T, Ctx.Programs, Job.Path,
                                            Ctx.Verify, Ctx.Shrink);
  if (!R)
    return Fail(R.takeError());
  if (!R->ShrinkFallback.empty())
    Note("'" + Job.Path + "': shrunk BTF kept unshrunk (self-check: " +
         R->ShrinkFallback + ")");
  Slot.Result = std::move(*R);
  Slot.OK = true;
  Clock.lap(SCacheWrite);
  if (C.enabled())
    if (Error E = C.store("out", OutKey, serializeResult(Slot.Result)))
      Note(toString(std::move(E)));
}

/// The bytes behind RelPath if it is a symlink that stays inside the tree
/// (as dedup links do), else nothing.
std::optional<std::string> readOldLinkedOutput(const OutputTree &Tree,
                                               StringRef RelPath) {
  std::string Path = Tree.path(RelPath);
  char Buf[4096];
  ssize_t N = ::readlink(Path.c_str(), Buf, sizeof(Buf));
  if (N <= 0 || size_t(N) >= sizeof(Buf))
    return std::nullopt;
  StringRef Text(Buf, N);
  if (sys::path::is_absolute(Text))
    return std::nullopt;
  // Resolve lexically against the link's directory; it must not climb
  // above the root.
  int Depth = 0;
  for (StringRef C : llvm::make_range(sys::path::begin(sys::path::parent_path(RelPath)),
                                      sys::path::end(sys::path::parent_path(RelPath))))
    Depth += C == "." ? 0 : 1;
  for (StringRef C : llvm::make_range(sys::path::begin(Text), sys::path::end(Text))) {
    if (C == "..")
      --Depth;
    else if (C != ".")
      ++Depth;
    if (Depth < 0)
      return std::nullopt;
  }
  ErrorOr<std::unique_ptr<MemoryBuffer>> B = MemoryBuffer::getFile(Path);
  if (!B)
    return std::nullopt;
  return (*B)->getBuffer().str();
}

double secondsSince(std::chrono::steady_clock::time_point T0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - T0)
      .count();
}

} // namespace

Error runArchiveCommand(ArrayRef<StringRef> Args) {
  Expected<ArchiveOptions> OptsOr = parseArgs(Args);
  if (!OptsOr)
    return OptsOr.takeError();
  const ArchiveOptions &Opts = *OptsOr;
  auto T0 = std::chrono::steady_clock::now();
  auto Phase = [&](const char *Name, auto Start) {
    if (Opts.Verbose)
      errs() << format("%s: phase %-8s %8.3f s\n", ToolName, Name,
                       secondsSince(Start));
  };

  // 1. Programs.
  Expected<std::vector<Program>> Programs = loadPrograms(Opts.Inputs, Opts.Jobs);
  if (!Programs)
    return Programs.takeError();
  Phase("inputs", T0);

  // 2. Job list.
  auto T1 = std::chrono::steady_clock::now();
  OutputTree Tree(Opts.OutDir);
  if (Error E = Tree.createRoot())
    return E;
  // Index "file" paths are relative to the index file's directory and may
  // not contain ".." (docs/runtime.md): the index must live in OUT or
  // above it.
  std::string IndexPrefix;
  if (!Opts.IndexFile.empty()) {
    SmallString<256> IdxDir(sys::path::parent_path(Opts.IndexFile));
    if (IdxDir.empty())
      IdxDir = ".";
    SmallString<256> RealIdx, RealOut;
    if (std::error_code EC = sys::fs::real_path(IdxDir, RealIdx))
      return createStringError(EC, "'" + Opts.IndexFile + "': " + EC.message());
    if (std::error_code EC = sys::fs::real_path(Opts.OutDir, RealOut))
      return createStringError(EC, "'" + Opts.OutDir + "': " + EC.message());
    StringRef Out = RealOut, Idx = RealIdx;
    if (Out != Idx) {
      std::string Dir = Idx == "/" ? "/" : (Idx + "/").str();
      if (!Out.starts_with(Dir))
        return usageError("--index '" + Opts.IndexFile +
                          "' must be inside the output directory '" +
                          Opts.OutDir +
                          "' or above it (its \"file\" paths are relative "
                          "to the index and cannot contain '..')");
      IndexPrefix = Out.drop_front(Dir.size()).str() + "/";
    }
  }
  Expected<std::vector<KernelJob>> JobsOr = listArchive(Opts.ArchiveDir);
  if (!JobsOr)
    return JobsOr.takeError();
  // An output tree inside the archive (e.g. `--archive .` with the default
  // ./custom-archive) must not be read back as kernels on the next run.
  {
    SmallString<256> RealRoot, RealOut;
    if (!sys::fs::real_path(Opts.ArchiveDir, RealRoot) &&
        !sys::fs::real_path(Opts.OutDir, RealOut) &&
        StringRef(RealOut).starts_with(RealRoot.str().str() + "/")) {
      std::string Prefix = StringRef(RealOut).drop_front(RealRoot.size() + 1).str() + "/";
      llvm::erase_if(*JobsOr, [&](const KernelJob &J) {
        return StringRef(J.RelPath).starts_with(Prefix);
      });
    }
  }
  const std::vector<KernelJob> &Jobs = *JobsOr;
  if (Jobs.empty())
    return createStringError(inconvertibleErrorCode(),
                             "'" + Opts.ArchiveDir +
                                 "': no kernel BTF (*.btf.tar.xz or *.btf) "
                                 "found in the archive");
  Phase("list", T1);

  // 3. Match and minimize, one slot per kernel.
  auto T2 = std::chrono::steady_clock::now();
  Cache C;
  if (!Opts.NoCache) {
    std::string Dir = Opts.CacheDir.empty() ? Cache::defaultDir() : Opts.CacheDir;
    if (!Dir.empty())
      C = Cache(Dir);
  }
  KeyBuilder ProgKB;
  ProgKB.add("btfgen-programs");
  if (C.enabled())
    for (const std::string &P : Opts.Inputs) {
      // The same bytes loadPrograms() parsed; a file changed in between
      // only gives a key that will never be hit again.
      Expected<std::unique_ptr<MemoryBuffer>> Buf = readInputFile(P);
      if (!Buf)
        return Buf.takeError();
      ProgKB.add((*Buf)->getBuffer());
    }
  RunContext Ctx{*Programs, C, ProgKB.final(), Opts.Verify, Opts.Shrink};
  std::vector<KernelSlot> Slots(Jobs.size());
  // Two files mapping to the same output ("x.btf" and "x.btf.tar.xz"):
  // the later one in sorted order is an error, decided before the run.
  std::vector<bool> Skip(Jobs.size());
  {
    std::vector<size_t> Order(Jobs.size());
    for (size_t I = 0; I < Jobs.size(); ++I)
      Order[I] = I;
    llvm::stable_sort(Order, [&](size_t A, size_t B) {
      return Jobs[A].OutRelPath < Jobs[B].OutRelPath;
    });
    for (size_t K = 1; K < Order.size(); ++K)
      if (Jobs[Order[K]].OutRelPath == Jobs[Order[K - 1]].OutRelPath) {
        size_t Later = std::max(Order[K], Order[K - 1]);
        size_t Earlier = std::min(Order[K], Order[K - 1]);
        Skip[Later] = true;
        Slots[Later].Error = "'" + Jobs[Later].Path + "': same output '" +
                             Jobs[Later].OutRelPath + "' as '" +
                             Jobs[Earlier].Path + "'";
      }
  }
  {
    Progress Bar(Jobs.size());
    parallelForEachIndex(Jobs.size(), Opts.Jobs, [&](size_t I) {
      if (!Skip[I])
        processKernel(Jobs[I], Ctx, Slots[I]);
      Bar.done();
    });
  }
  Phase("minimize", T2);
  if (Opts.Verbose) {
    errs() << ToolName << ": worker time by stage (s, summed over workers):";
    for (unsigned St = 0; St < NumStages; ++St)
      errs() << format(" %s %.3f", StageNames[St], Ctx.StageNs[St] / 1e9);
    errs() << "\n";
  }

  // 4. Diagnostics in job order, dedup, writes.
  auto T3 = std::chrono::steady_clock::now();
  for (size_t I = 0; I < Jobs.size(); ++I) {
    const KernelSlot &S = Slots[I];
    if (Opts.Verbose)
      for (const std::string &N : S.Notes)
        WithColor::note(errs(), ToolName) << N << "\n";
    if (!S.OK) {
      reportError(S.Error);
      continue;
    }
    if (S.Result.LoadErrors)
      reportWarning("'" + Jobs[I].Path + "': " + Twine(S.Result.LoadErrors) +
                    " relocation(s) would fail to load with libbpf; first: " +
                    S.Result.LoadErrorMessages.front());
  }
  std::vector<const std::string *> Outputs(Jobs.size(), nullptr);
  for (size_t I = 0; I < Jobs.size(); ++I)
    if (Slots[I].OK)
      Outputs[I] = &Slots[I].Result.Bytes;
  std::vector<std::optional<size_t>> LinkTo = findDuplicates(Outputs);

  // A failed kernel keeps its previous output. When that output is a dedup
  // symlink, the file it points to may be rewritten below with another
  // kernel's new bytes: remember the old bytes, and put them back as a
  // regular file if they changed.
  std::vector<std::pair<size_t, std::string>> KeepOld;
  for (size_t I = 0; I < Jobs.size(); ++I)
    if (!Slots[I].OK)
      if (std::optional<std::string> Old =
              readOldLinkedOutput(Tree, Jobs[I].OutRelPath))
        KeepOld.emplace_back(I, std::move(*Old));

  std::vector<std::string> LinkText(Jobs.size());
  size_t Unique = 0;
  uint64_t UniqueBytes = 0;
  // Leaders first, so no symlink ever dangles once the run is over.
  for (size_t I = 0; I < Jobs.size(); ++I) {
    if (!Slots[I].OK || LinkTo[I])
      continue;
    if (Error E = Tree.writeFile(Jobs[I].OutRelPath, Slots[I].Result.Bytes)) {
      reportError(toString(std::move(E)));
      Slots[I].OK = false;
      Slots[I].Error = "write failed";
      continue;
    }
    ++Unique;
    UniqueBytes += Slots[I].Result.Bytes.size();
  }
  for (size_t I = 0; I < Jobs.size(); ++I) {
    if (!Slots[I].OK || !LinkTo[I])
      continue;
    LinkText[I] = relativeLinkTarget(Jobs[I].OutRelPath,
                                     Jobs[*LinkTo[I]].OutRelPath);
    if (!Slots[*LinkTo[I]].OK) {
      // Its leader could not be written: write the bytes instead.
      LinkText[I].clear();
      Error E = Tree.writeFile(Jobs[I].OutRelPath, Slots[I].Result.Bytes);
      if (E) {
        reportError(toString(std::move(E)));
        Slots[I].OK = false;
        Slots[I].Error = "write failed";
      }
      continue;
    }
    if (Error E = Tree.writeSymlink(Jobs[I].OutRelPath, LinkText[I])) {
      reportError(toString(std::move(E)));
      Slots[I].OK = false;
      Slots[I].Error = "write failed";
    }
  }
  for (const auto &[I, Old] : KeepOld) {
    std::optional<std::string> Now =
        readOldLinkedOutput(Tree, Jobs[I].OutRelPath);
    if (Now && *Now == Old)
      continue;
    if (Error E = Tree.writeFile(Jobs[I].OutRelPath, Old))
      reportError(toString(std::move(E)));
  }
  size_t Failed = 0;
  for (const KernelSlot &S : Slots)
    Failed += !S.OK;
  Phase("write", T3);

  if (Opts.Verbose)
    for (size_t I = 0; I < Jobs.size(); ++I) {
      const KernelSlot &S = Slots[I];
      if (!S.OK)
        continue;
      errs() << "  " << Jobs[I].OutRelPath << ": " << S.Result.KeptTypes
             << " types, " << S.Result.Bytes.size() << " bytes";
      if (!LinkText[I].empty())
        errs() << " -> " << LinkText[I];
      errs() << "\n";
    }

  // 5. Report, index and summary.
  // Dedup targets as written (a duplicate whose leader failed to write is
  // a regular file).
  std::vector<std::optional<size_t>> Leader(Jobs.size());
  for (size_t I = 0; I < Jobs.size(); ++I)
    if (Slots[I].OK && !LinkText[I].empty())
      Leader[I] = LinkTo[I];
  RunSummary Sum{Jobs, Slots, Leader, *Programs, Opts.OutDir};
  auto WriteJSON = [&](const std::string &File, auto Writer) {
    std::string Text;
    raw_string_ostream OS(Text);
    Writer(Sum, OS);
    if (Error E = writeFileAtomic(File, Text)) {
      reportError(toString(std::move(E)));
      ++Failed;
    }
  };
  if (!Opts.ReportFile.empty())
    WriteJSON(Opts.ReportFile, writeReportJSON);
  if (!Opts.IndexFile.empty()) {
    for (const std::string &P : unindexedKernels(Sum))
      reportWarning("'" + P + "': not in the index (path is not "
                    "<distro>/<version>/<arch>/<release>.btf[.tar.xz])");
    WriteJSON(Opts.IndexFile, [&](const RunSummary &S, raw_ostream &OS) {
      writeIndexJSON(S, IndexPrefix, OS);
    });
  }
  if (Opts.Verbose && C.enabled()) {
    size_t KHits = 0, OHits = 0;
    for (const KernelSlot &S : Slots) {
      KHits += S.KernelCacheHit;
      OHits += S.OutputCacheHit;
    }
    errs() << ToolName << ": cache " << C.root() << ": " << OHits
           << " output hits, " << KHits << " kernel BTF hits, " << Jobs.size()
           << " kernels\n";
  }
  errs() << ToolName << ": " << Jobs.size() << " kernels processed, " << Failed
         << " failed, " << Unique << " unique outputs, " << UniqueBytes
         << " bytes\n";
  printSupportSummary(Sum, errs());
  Phase("total", T0);
  if (Failed)
    return make_error<FailuresReported>(Failed);
  return Error::success();
}

} // namespace btfgen
