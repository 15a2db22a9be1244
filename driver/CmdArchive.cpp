//===- CmdArchive.cpp - "run": minimize a whole kernel archive ------------===//
//
// The default command, as a pipeline:
//
//   1. parse every program input once (manifests / BPF objects);
//   2. walk the archive into a job list sorted by relative path;
//   3. in parallel, per kernel I: read the BTF (tarballs in memory),
//      readBTF, buildNameIndex, match + minimize for all programs, writeBTF
//      into Results[I] (bytes, counts, or the error text);
//   4. sequentially, in job order: print diagnostics, find identical
//      outputs, write leaders atomically, then the relative symlinks;
//   5. optional report, one-line summary.
//
// Nothing after step 3 depends on which thread did what, so the tree, the
// messages and the exit status are the same for every -j.
//
//===----------------------------------------------------------------------===//

#include "Archive.h"
#include "Commands.h"
#include "Dedup.h"
#include "OutputFile.h"
#include "Parallel.h"

#include "btfgen/BTFReader.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/MemoryBufferRef.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>

using namespace llvm;

namespace btfgen {

namespace {

struct ArchiveOptions {
  std::vector<std::string> Inputs;
  std::string ArchiveDir;
  std::string OutDir = "custom-archive";
  std::string ReportFile;
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

/// Result slot of one kernel, written only by the worker that ran it.
struct KernelSlot {
  bool OK = false;
  TargetResult Result;
  std::string Error; // why it failed (when !OK)
};

void processKernel(const KernelJob &Job, ArrayRef<Program> Programs,
                   KernelSlot &Slot) {
  Expected<TypeTable> Target = [&]() -> Expected<TypeTable> {
    // The table owns a copy of everything it needs: the raw bytes (up to
    // ~30 MiB per kernel) are freed before matching starts.
    Expected<std::string> Bytes = loadKernelBTF(Job);
    if (!Bytes)
      return Bytes.takeError();
    return readBTFAny(MemoryBufferRef(*Bytes, Job.Path));
  }();
  if (!Target) {
    Slot.Error = toString(Target.takeError());
    return;
  }
  // The name index points into the table's strings: build it in place.
  TypeTable &T = *Target;
  T.buildNameIndex();
  Expected<TargetResult> R = minimizeTarget(T, Programs, Job.Path);
  if (!R) {
    Slot.Error = toString(R.takeError());
    return;
  }
  Slot.Result = std::move(*R);
  Slot.OK = true;
}

double secondsSince(std::chrono::steady_clock::time_point T0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - T0)
      .count();
}

} // namespace

Error runArchiveCommand(ArrayRef<StringRef> Args) {
  if (wantsHelp(Args)) {
    printHelp(outs());
    return Error::success();
  }
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
  Expected<std::vector<Program>> Programs = loadPrograms(Opts.Inputs);
  if (!Programs)
    return Programs.takeError();
  Phase("inputs", T0);

  // 2. Job list.
  auto T1 = std::chrono::steady_clock::now();
  OutputTree Tree(Opts.OutDir);
  if (Error E = Tree.createRoot())
    return E;
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
  parallelForEachIndex(Jobs.size(), Opts.Jobs, [&](size_t I) {
    if (!Skip[I])
      processKernel(Jobs[I], *Programs, Slots[I]);
  });
  Phase("minimize", T2);

  // 4. Diagnostics in job order, dedup, writes.
  auto T3 = std::chrono::steady_clock::now();
  for (size_t I = 0; I < Jobs.size(); ++I) {
    const KernelSlot &S = Slots[I];
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

  // 5. Report and summary.
  if (!Opts.ReportFile.empty()) {
    std::string Text;
    raw_string_ostream OS(Text);
    OS << "# kernel\tstatus\ttypes\tbytes\tresolved\tnot_found\tpoisoned\t"
          "load_errors\tlink_to\treason\n";
    for (size_t I = 0; I < Jobs.size(); ++I) {
      const KernelSlot &S = Slots[I];
      const TargetResult &R = S.Result;
      OS << Jobs[I].RelPath << '\t' << (S.OK ? "ok" : "failed") << '\t';
      if (S.OK)
        OS << R.KeptTypes << '\t' << R.Bytes.size() << '\t' << R.Resolved
           << '\t' << R.NotFound << '\t' << R.Poisoned << '\t' << R.LoadErrors
           << '\t' << (LinkText[I].empty() ? "-" : LinkText[I]) << "\t-\n";
      else
        OS << "-\t-\t-\t-\t-\t-\t-\t" << S.Error << '\n';
    }
    if (Error E = writeFileAtomic(Opts.ReportFile, Text)) {
      reportError(toString(std::move(E)));
      ++Failed;
    }
  }
  errs() << ToolName << ": " << Jobs.size() << " kernels processed, " << Failed
         << " failed, " << Unique << " unique outputs, " << UniqueBytes
         << " bytes\n";
  Phase("total", T0);
  if (Failed)
    return make_error<FailuresReported>(Failed);
  return Error::success();
}

} // namespace btfgen
