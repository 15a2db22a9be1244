//===- CmdRun.cpp - "run": tailor a whole kernel archive ------------------===//
//
// The default command. cmdRun() is the pipeline, one named step per line:
//
//   1. parse every program input once (manifests / BPF objects);
//   2. open and lock the output tree, read its record, walk the archive
//      into a job list sorted by relative path (Archive.h);
//   3. in parallel, tailor each kernel into its own slot (KernelPipeline.h);
//   4. sequentially, in job order: print diagnostics; record what will be
//      written, write the outputs (DedupTree.h);
//   5. the JSON report and index, prune what the tree no longer holds,
//      the final record (OutputTree.h), the summary (Report.h).
//
// Nothing after step 3 depends on which thread did what, so the tree, the
// messages and the exit status are the same for every -j.
//
//===----------------------------------------------------------------------===//

#include "Archive.h"
#include "Cache.h"
#include "Commands.h"
#include "DedupTree.h"
#include "KernelPipeline.h"
#include "Options.h"
#include "OutputTree.h"
#include "Parallel.h"
#include "Progress.h"
#include "Report.h"
#include "Verdicts.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>

using namespace llvm;

namespace btfgen {

namespace {

struct RunOptions {
  std::vector<std::string> Inputs;
  std::string ArchiveDir;
  std::string OutDir = "custom-archive";
  std::string ReportFile;
  std::string IndexFile;
  std::string CacheDir; // "" = default
  bool NoCache = false;
  uint64_t CacheMax = DefaultCacheMax;
  bool Verify = false;
  bool Shrink = true;
  unsigned Jobs = 0;
  bool Verbose = false;
  bool WaitLock = false;
  KernelSelection Select;
  TreeLayout Layout = TreeLayout::Tree;
  LinkScope Scope = LinkScope::Dir;
  FailOn Level = FailOn::Error;
  /// --cache-views; none: auto (resolveViews).
  std::optional<ViewPolicy> Views;
};

Expected<RunOptions> parseRunArgs(ArrayRef<StringRef> Args) {
  RunOptions Opts;
  bool HaveArchive = false;
  const OptionSpec Table[] = {
      {"--verbose", "-v", false, setFlag(Opts.Verbose)},
      {"--no-cache", "", false, setFlag(Opts.NoCache)},
      {"--verify", "", false, setFlag(Opts.Verify)},
      {"--no-shrink", "", false, setFlag(Opts.Shrink, false)},
      {"--wait-lock", "", false, setFlag(Opts.WaitLock)},
      {"--archive", "", true,
       [&](StringRef V) -> Error {
         if (HaveArchive)
           return usageError("--archive given more than once");
         HaveArchive = true;
         Opts.ArchiveDir = V.str();
         return Error::success();
       }},
      {"--output", "-o", true, setString(Opts.OutDir)},
      {"--report", "", true, setString(Opts.ReportFile)},
      {"--index", "", true, setString(Opts.IndexFile)},
      {"--cache-dir", "", true,
       [&](StringRef V) -> Error {
         if (V.empty())
           return usageError("empty --cache-dir");
         Opts.CacheDir = V.str();
         return Error::success();
       }},
      {"--cache-max", "", true,
       [&](StringRef V) -> Error {
         std::optional<uint64_t> N = parseCacheSize(V);
         if (!N)
           return usageError("invalid --cache-max '" + V +
                             "' (bytes, a number with K, M, G or T, or none)");
         Opts.CacheMax = *N;
         return Error::success();
       }},
      {"--cache-views", "", true,
       [&](StringRef V) -> Error {
         std::optional<ViewPolicy> P = parseViewPolicy(V);
         if (!P && V != "auto")
           return usageError("invalid --cache-views '" + V +
                             "' (expected auto, always or on-demand)");
         Opts.Views = P;
         return Error::success();
       }},
      {"--arch", "", true, setString(Opts.Select.Arch)},
      {"--include", "", true,
       [&](StringRef V) {
         Opts.Select.Include.push_back(V.str());
         return Error::success();
       }},
      {"--exclude", "", true,
       [&](StringRef V) {
         Opts.Select.Exclude.push_back(V.str());
         return Error::success();
       }},
      {"--layout", "", true,
       [&](StringRef V) -> Error {
         std::optional<TreeLayout> L = parseTreeLayout(V);
         if (!L)
           return usageError("invalid --layout '" + V +
                             "' (expected tree or content)");
         Opts.Layout = *L;
         return Error::success();
       }},
      {"--link-scope", "", true,
       [&](StringRef V) -> Error {
         std::optional<LinkScope> S = parseLinkScope(V);
         if (!S)
           return usageError("invalid --link-scope '" + V +
                             "' (expected dir, distro, tree or none)");
         Opts.Scope = *S;
         return Error::success();
       }},
      {"--fail-on", "", true,
       [&](StringRef V) -> Error {
         std::optional<FailOn> F = parseFailOn(V);
         if (!F)
           return usageError("invalid --fail-on '" + V +
                             "' (expected never, error, unloadable or "
                             "unknown)");
         Opts.Level = *F;
         return Error::success();
       }},
      {"--jobs", "-j", true,
       [&](StringRef V) -> Error {
         unsigned N;
         if (V.getAsInteger(10, N) || N == 0 || N > 4096)
           return usageError("invalid job count '" + V +
                             "' (expected 1..4096)");
         Opts.Jobs = N;
         return Error::success();
       }},
  };
  Expected<std::vector<std::string>> Inputs = parseOptions("", Table, Args);
  if (!Inputs)
    return Inputs.takeError();
  Opts.Inputs = std::move(*Inputs);
  if (Opts.Inputs.empty())
    return usageError("no program INPUT given (manifests or BPF objects)");
  if (!HaveArchive)
    return usageError("missing --archive DIR");
  if (Opts.OutDir.empty())
    return usageError("empty output directory");
  if (!Opts.Jobs)
    Opts.Jobs = defaultJobs();
  // The content layout has no per-kernel paths: the index is the map.
  if (Opts.Layout == TreeLayout::Content && Opts.IndexFile.empty())
    Opts.IndexFile = Opts.OutDir + "/index.json";
  return Opts;
}

/// -v: "btfgen-driver: phase NAME  1.234 s" since the phase began.
class PhaseTimer {
public:
  explicit PhaseTimer(bool Verbose) : Verbose(Verbose) {}
  using Clock = std::chrono::steady_clock;
  Clock::time_point start() const { return Clock::now(); }
  void done(const char *Name, Clock::time_point Start) const {
    if (Verbose)
      errs() << format("%s: phase %-8s %8.3f s\n", ToolName, Name,
                       std::chrono::duration<double>(Clock::now() - Start)
                           .count());
  }

private:
  bool Verbose;
};

/// Index "file" paths are relative to the index file's directory and may
/// not contain ".." (docs/runtime.md): the index must live in OUT or above
/// it. Returns the prefix that turns output-relative paths into
/// index-relative ones ("" when the index is in OUT itself).
Expected<std::string> indexPrefix(const RunOptions &Opts) {
  if (Opts.IndexFile.empty() || Opts.IndexFile == "-")
    return "";
  SmallString<256> IdxDir(sys::path::parent_path(Opts.IndexFile));
  if (IdxDir.empty())
    IdxDir = ".";
  SmallString<256> RealIdx, RealOut;
  if (std::error_code EC = sys::fs::real_path(IdxDir, RealIdx))
    return createStringError(EC, "'" + Opts.IndexFile + "': " + EC.message());
  if (std::error_code EC = sys::fs::real_path(Opts.OutDir, RealOut))
    return createStringError(EC, "'" + Opts.OutDir + "': " + EC.message());
  StringRef Out = RealOut, Idx = RealIdx;
  if (Out == Idx)
    return "";
  std::string Dir = Idx == "/" ? "/" : (Idx + "/").str();
  if (!Out.starts_with(Dir))
    return usageError("--index '" + Opts.IndexFile +
                      "' must be inside the output directory '" + Opts.OutDir +
                      "' or above it (its \"file\" paths are relative to the "
                      "index and cannot contain '..')");
  return Out.drop_front(Dir.size()).str() + "/";
}

/// The cache of --cache-dir (or the default one); disabled with
/// --no-cache, or with a warning when it cannot be opened.
Cache openCache(const RunOptions &Opts) {
  if (Opts.NoCache)
    return Cache();
  std::string Dir = Opts.CacheDir.empty() ? Cache::defaultDir() : Opts.CacheDir;
  if (Dir.empty())
    return Cache();
  Expected<Cache> C = Cache::open(Dir);
  if (!C) {
    reportWarning(toString(C.takeError()) + "; running without the cache");
    return Cache();
  }
  if (C->firstUse())
    WithColor::note(errs(), ToolName)
        << "caching decoded kernels and results in '" << Dir << "' (at most "
        << (Opts.CacheMax == NoCacheCap ? std::string("no cap")
                                        : formatSize(Opts.CacheMax))
        << ", --cache-max; --no-cache to go without; `btfgen-driver cache "
           "clear` empties it)\n";
  return std::move(*C);
}

/// --cache-views auto (the default): every decoded kernel's view while the
/// views of the kernels listed would take at most half of --cache-max,
/// else views on demand. A stored view is about 0.72x its tarball's bytes
/// (docs/benchmarks.md, "Cache on disk"): one BTFHub arch's 3,000 kernels
/// would store 2.4 GB of views into the default 2 GiB cap, and the cap
/// would remove part of them (and of what the run stored with them)
/// right away, for the next run to decode again.
ViewPolicy resolveViews(const RunOptions &Opts, ArrayRef<KernelJob> Jobs) {
  if (Opts.Views)
    return *Opts.Views;
  if (Opts.NoCache || Opts.CacheMax == NoCacheCap)
    return ViewPolicy::Always;
  uint64_t TarballBytes = 0;
  for (const KernelJob &J : Jobs)
    if (J.IsTarball)
      TarballBytes += J.ListedBytes;
  uint64_t ViewBytes = TarballBytes / 4 * 3;
  ViewPolicy P = ViewBytes > Opts.CacheMax / 2 ? ViewPolicy::OnDemand
                                                : ViewPolicy::Always;
  if (Opts.Verbose)
    WithColor::note(errs(), ToolName)
        << "kernel views: "
        << (P == ViewPolicy::Always ? "every one stored" : "on demand")
        << " (--cache-views auto: about " << formatSize(ViewBytes)
        << " for the kernels listed, against half of --cache-max "
        << formatSize(Opts.CacheMax) << ")\n";
  return P;
}

/// Now, less a second, in ns since the epoch: entries this run stores or
/// hits have an mtime from then on (file times come from a coarse clock).
int64_t runStartNs() {
  auto Now = std::chrono::system_clock::now() - std::chrono::seconds(1);
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             Now.time_since_epoch())
      .count();
}

/// After the run: cut the cache to --cache-max, least recently used first.
/// A cap that removes what this run stored or used (RunStartNs on) makes
/// the next run redo it: warned, with the ways out.
void capCache(const Cache &C, const RunOptions &Opts, ViewPolicy Views,
              int64_t RunStartNs) {
  if (!C.enabled() || Opts.CacheMax == NoCacheCap)
    return;
  Expected<CacheEviction> Ev = C.evictTo(Opts.CacheMax, RunStartNs);
  if (!Ev) {
    reportWarning("cache: " + toString(Ev.takeError()));
    return;
  }
  if (Ev->RemovedFresh)
    reportWarning(
        "cache: the cap (--cache-max " + formatSize(Opts.CacheMax) +
        ") removed " + Twine(Ev->RemovedFresh) +
        (Ev->RemovedFresh == 1 ? " entry (" : " entries (") +
        formatSize(Ev->RemovedFreshBytes) +
        ") this run stored or used: a rerun does their work again; raise "
        "--cache-max" +
        (Views == ViewPolicy::Always
             ? ", or store kernel views only on demand (--cache-views "
               "on-demand)"
             : ""));
  if (Opts.Verbose && (Ev->Removed || Ev->OldBytes))
    WithColor::note(errs(), ToolName)
        << "cache over " << formatSize(Opts.CacheMax) << ": removed "
        << Ev->Removed << " least recently used entries ("
        << formatSize(Ev->RemovedBytes) << ")"
        << (Ev->OldBytes ? ", and " + formatSize(Ev->OldBytes) +
                               " of an older format"
                         : std::string())
        << "; it holds " << formatSize(Ev->After.total()) << "\n";
}

/// The output-cache key of the program set: the digests of the bytes each
/// program was parsed from (Inputs.h), in order, and how it was read.
CacheKey programSetKey(ArrayRef<Program> Programs) {
  KeyBuilder ProgKB;
  ProgKB.add("btfgen-programs");
  for (const Program &P : Programs) {
    ProgKB.add(P.IsObject ? "object" : "manifest");
    ProgKB.add(P.Digest);
  }
  return ProgKB.final();
}

/// The order in which workers take the jobs: largest input file first
/// (ties in job order), so that the 2.5 MB CentOS 8 tarball (0.30 s of xz
/// against 0.13 s for the corpus's median one, and a 27 MB kernel behind
/// it) is not the last job left while the other workers idle (the
/// longest-processing-time-first rule). Only the start order changes: each
/// kernel still fills its own slot, and everything after step 3 reads the
/// slots in job order. The sizes are those the archive walk saw (Archive.h,
/// ListedBytes): no file is looked at again here.
std::vector<size_t> largestFirst(ArrayRef<KernelJob> Jobs) {
  std::vector<size_t> Order(Jobs.size());
  for (size_t I = 0; I < Order.size(); ++I)
    Order[I] = I;
  llvm::stable_sort(Order, [&](size_t A, size_t B) {
    return Jobs[A].ListedBytes > Jobs[B].ListedBytes;
  });
  return Order;
}

/// Step 3: one slot per kernel, filled in parallel.
std::vector<KernelSlot> tailorKernels(ArrayRef<KernelJob> Jobs,
                                      const PipelineContext &Ctx,
                                      unsigned Threads) {
  std::vector<KernelSlot> Slots(Jobs.size());
  Progress Bar(Jobs.size());
  std::vector<size_t> Order = largestFirst(Jobs);
  parallelForEachIndex(Jobs.size(), Threads, [&](size_t K) {
    size_t I = Order[K];
    if (Jobs[I].Conflict.empty())
      processKernel(Jobs[I], Ctx, Slots[I]);
    else
      Slots[I].Error = Jobs[I].Conflict;
    Bar.done();
  });
  return Slots;
}

/// Step 4a: per kernel, in job order: -v notes, errors, libbpf hard errors.
void reportKernelDiagnostics(ArrayRef<KernelJob> Jobs,
                             ArrayRef<KernelSlot> Slots, bool Verbose) {
  for (size_t I = 0; I < Jobs.size(); ++I) {
    const KernelSlot &S = Slots[I];
    if (Verbose)
      for (const std::string &N : S.Notes)
        WithColor::note(errs(), ToolName) << N << "\n";
    if (!S.OK) {
      reportError(S.Error);
      continue;
    }
    if (S.Result->LoadErrors)
      reportWarning("'" + Jobs[I].Path + "': " + Twine(S.Result->LoadErrors) +
                    " relocation(s) would fail to load with libbpf; first: " +
                    S.Result->LoadErrorMessages.front());
  }
}

/// -v: one line per written kernel.
void printOutputs(ArrayRef<KernelJob> Jobs, ArrayRef<KernelSlot> Slots,
                  const TreeWrite &W) {
  for (size_t I = 0; I < Jobs.size(); ++I) {
    const KernelSlot &S = Slots[I];
    if (!S.OK)
      continue;
    errs() << "  " << Jobs[I].OutRelPath << ": " << S.Result->KeptTypes
           << " types, " << S.Result->Bytes.size() << " bytes";
    if (!W.LinkText[I].empty())
      errs() << " -> " << W.LinkText[I];
    errs() << "\n";
  }
}

/// The path of File relative to the output tree when it lies inside it,
/// else "" ("-" is stdout).
std::string pathInTree(StringRef File, const OutputTree &Tree) {
  if (File.empty() || File == "-")
    return "";
  SmallString<256> Dir(sys::path::parent_path(File)), RealDir, RealOut;
  if (Dir.empty())
    Dir = ".";
  if (sys::fs::real_path(Dir, RealDir) ||
      sys::fs::real_path(Tree.root(), RealOut))
    return "";
  StringRef D = RealDir, O = RealOut;
  if (D == O)
    return sys::path::filename(File).str();
  if (!D.starts_with(O.str() + "/"))
    return "";
  return (D.drop_front(O.size() + 1) + "/" + sys::path::filename(File)).str();
}

/// Step 5a: --report and --index ("-": stdout); returns how many could not
/// be written. Those inside OUT join Owned.
size_t writeRunFiles(const RunOptions &Opts, const RunSummary &Sum,
                     StringRef IndexPrefix, const OutputTree &Tree,
                     std::vector<std::string> &Owned) {
  size_t Failed = 0;
  auto WriteJSON = [&](const std::string &File, StringRef Role, auto Writer) {
    std::string Text;
    raw_string_ostream OS(Text);
    Writer(Sum, OS);
    if (File == "-") {
      outs() << Text;
      outs().flush();
      return;
    }
    if (Error E = writeFileAtomic(File, Text, Role)) {
      reportError(toString(std::move(E)));
      ++Failed;
      return;
    }
    std::string Rel = pathInTree(File, Tree);
    if (!Rel.empty())
      Owned.push_back(Rel);
  };
  if (!Opts.ReportFile.empty())
    WriteJSON(Opts.ReportFile, "report", writeReportJSON);
  if (!Opts.IndexFile.empty())
    WriteJSON(Opts.IndexFile, "index",
              [&](const RunSummary &S, raw_ostream &OS) {
                writeIndexJSON(S, IndexPrefix, OS);
              });
  return Failed;
}

/// Step 4b: before writing anything, record old-owned plus every path the
/// run may write, so that a run killed midway leaves no file that no
/// record owns (OutputTree.h).
Error recordIntent(const OutputTree &Tree, const TreeRecord &Old,
                   ArrayRef<KernelJob> Jobs, ArrayRef<KernelSlot> Slots,
                   ArrayRef<ArchiveAlias> Aliases, const RunOptions &Opts) {
  TreeRecord Intent = Old;
  std::vector<std::string> &O = Intent.Owned;
  for (size_t I = 0; I < Jobs.size(); ++I)
    if (Opts.Layout == TreeLayout::Tree)
      O.push_back(Jobs[I].OutRelPath);
    else if (Slots[I].OK)
      O.push_back(contentPath(Slots[I].Result->Bytes));
  for (const ArchiveAlias &A : Aliases)
    O.push_back(A.Path);
  for (const std::string *F : {&Opts.ReportFile, &Opts.IndexFile}) {
    std::string Rel = pathInTree(*F, Tree);
    if (!Rel.empty())
      O.push_back(Rel);
  }
  llvm::sort(O);
  O.erase(std::unique(O.begin(), O.end()), O.end());
  return Tree.writeRecord(Intent);
}

void printCacheStats(const Cache &C, ArrayRef<KernelSlot> Slots) {
  size_t KHits = 0, OHits = 0, BHits = 0;
  for (const KernelSlot &S : Slots) {
    KHits += S.KernelCacheHit;
    OHits += S.OutputCacheHit;
    BHits += S.BasisHit;
  }
  errs() << ToolName << ": cache " << C.root() << ": " << OHits
         << " output hits, " << BHits << " basis hits, " << KHits
         << " kernel BTF hits, " << Slots.size() << " kernels\n";
}

/// The run's last line says what decided the exit status.
Error exitDecision(size_t Failed, const VerdictTally &T, FailOn Level) {
  size_t Programs = 0;
  std::vector<size_t> Kernels;
  for (const VerdictTally::Row &R : T.Rows) {
    Programs += !R.Trips.empty();
    Kernels.insert(Kernels.end(), R.Trips.begin(), R.Trips.end());
  }
  llvm::sort(Kernels);
  Kernels.erase(std::unique(Kernels.begin(), Kernels.end()), Kernels.end());
  static const char *const What[] = {"", "would fail to load (libbpf error)",
                                     "fail to load", "fail or are unknown"};
  errs() << ToolName << ": exit status " << (Failed || Programs ? 1 : 0)
         << ": ";
  if (Failed)
    errs() << Failed << " kernel(s) or file(s) failed";
  if (Failed && Programs)
    errs() << "; ";
  if (Programs)
    errs() << Programs << " program(s) " << What[unsigned(Level)] << " on "
           << Kernels.size() << " kernel(s) (--fail-on=" << failOnName(Level)
           << ")";
  if (!Failed && !Programs)
    errs() << "every kernel written, no program verdict trips --fail-on="
           << failOnName(Level);
  errs() << "\n";
  if (Failed)
    return make_error<FailuresReported>(Failed);
  if (Programs)
    return make_error<FailuresReported>(Programs);
  return Error::success();
}

} // namespace

Error cmdRun(ArrayRef<StringRef> Args) {
  Expected<RunOptions> OptsOr = parseRunArgs(Args);
  if (!OptsOr)
    return OptsOr.takeError();
  const RunOptions &Opts = *OptsOr;
  PhaseTimer Timer(Opts.Verbose);
  auto T0 = Timer.start();
  const int64_t RunStartNs = runStartNs();

  // 1. Programs.
  Expected<std::vector<Program>> Programs = loadPrograms(Opts.Inputs, Opts.Jobs);
  if (!Programs)
    return Programs.takeError();
  Timer.done("inputs", T0);

  // 2. The output tree, its record, and the kernels.
  auto T1 = Timer.start();
  Expected<std::unique_ptr<OutputTree>> TreeOr =
      OutputTree::open(Opts.OutDir, Opts.WaitLock);
  if (!TreeOr)
    return TreeOr.takeError();
  const OutputTree &Tree = **TreeOr;
  Expected<TreeRecord> Old = Tree.readRecord();
  if (!Old)
    return Old.takeError();
  Expected<std::string> IndexPrefix = indexPrefix(Opts);
  if (!IndexPrefix)
    return IndexPrefix.takeError();
  Expected<ArchiveListing> Listing =
      listArchive(Opts.ArchiveDir, Opts.OutDir, Opts.Select);
  if (!Listing)
    return Listing.takeError();
  for (const std::string &N : Listing->Notes)
    WithColor::note(errs(), ToolName) << N << "\n";
  const std::vector<KernelJob> &Jobs = Listing->Jobs;
  if (Jobs.empty())
    return createStringError(
        inconvertibleErrorCode(),
        "'" + Opts.ArchiveDir + "': no kernel BTF (*.btf.tar.xz or *.btf) " +
            (Opts.Select.empty() ? "found in the archive"
                                 : "selected by --arch/--include/--exclude"));
  Timer.done("list", T1);

  // 3. Tailor every kernel.
  auto T2 = Timer.start();
  Cache C = openCache(Opts);
  StageTimes Times;
  VerdictMemo Memo(&C);
  ResultPool Results;
  const ViewPolicy Views = resolveViews(Opts, Jobs);
  PipelineContext Ctx{*Programs,   C,           programSetKey(*Programs),
                      Opts.Verify, Opts.Shrink, Views,
                      Times,       &Memo,       &Results};
  std::vector<KernelSlot> Slots = tailorKernels(Jobs, Ctx, Opts.Jobs);
  Timer.done("minimize", T2);
  if (Opts.Verbose) {
    errs() << ToolName << ": worker time by stage (s, summed over workers):";
    Times.print(errs());
    errs() << "\n" << ToolName << ": verdicts: " << Memo.hits() - Memo.diskHits()
           << " input(s) judged as on an earlier kernel with equal results, "
           << Memo.diskHits() << " taken from the cache\n";
    for (const std::string &P : Memo.problems())
      WithColor::note(errs(), ToolName) << P << "\n";
  }

  // 4. Diagnostics in job order, then the tree.
  auto T3 = Timer.start();
  reportKernelDiagnostics(Jobs, Slots, Opts.Verbose);
  if (Error E = recordIntent(Tree, *Old, Jobs, Slots, Listing->Aliases, Opts))
    return E;
  TreeWrite Written = writeOutputs(Tree, Jobs, Slots, Listing->Aliases,
                                   Old->Owned, Opts.Layout, Opts.Scope);
  size_t Failed = llvm::count_if(Slots, [](const KernelSlot &S) { return !S.OK; });
  Timer.done("write", T3);
  if (Opts.Verbose)
    printOutputs(Jobs, Slots, Written);

  // 5. Report, index, prune, record and summary.
  RunSummary Sum{Jobs, Slots, Written, Listing->Aliases, *Programs,
                 Opts.OutDir};
  std::vector<std::string> Owned = Written.Owned;
  Failed += writeRunFiles(Opts, Sum, *IndexPrefix, Tree, Owned);
  llvm::sort(Owned);
  Owned.erase(std::unique(Owned.begin(), Owned.end()), Owned.end());
  for (const std::string &P : Tree.prune(Old->Owned, Owned))
    if (Opts.Verbose)
      WithColor::note(errs(), ToolName)
          << "removed '" << Tree.path(P) << "' (no longer produced)\n";
  TreeRecord New;
  New.Layout = Opts.Layout == TreeLayout::Content ? "content" : "tree";
  New.Kernels = Written.Rows;
  New.Owned = std::move(Owned);
  if (Error E = Tree.writeRecord(New)) {
    reportError(toString(std::move(E)));
    ++Failed;
  }
  if (Opts.Verbose && C.enabled())
    printCacheStats(C, Slots);
  capCache(C, Opts, Views, RunStartNs);
  errs() << ToolName << ": " << Jobs.size() << " kernels processed, " << Failed
         << " failed, " << Written.Unique << " unique outputs, "
         << Written.UniqueBytes << " bytes\n";
  VerdictTally Tally = tallyVerdicts(Sum, Opts.Level);
  printVerdictSummary(Sum, Tally, errs());
  printSupportSummary(Sum, errs());
  Timer.done("total", T0);
  return exitDecision(Failed, Tally, Opts.Level);
}

} // namespace btfgen
