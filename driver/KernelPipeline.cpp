//===- KernelPipeline.cpp - Tailor one kernel for every program -----------===//
//
// processKernel() is the sequence of KernelPipeline.h; each step is a
// function below, in pipeline order. minimizeTarget() is the part that
// min_core_btf shares: CoreMatcher::calc for every relocation,
// Minimizer::addResult, Minimizer::build, writeBTF, then the optional
// read-back check.
//
//===----------------------------------------------------------------------===//

#include "KernelPipeline.h"
#include "KernelDecode.h"

#include "btfgen/BTFReader.h"
#include "btfgen/BTFWriter.h"
#include "btfgen/CoreMatch.h"
#include "btfgen/KernelBasis.h"
#include "btfgen/KernelView.h"
#include "btfgen/Minimize.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/MemoryBufferRef.h"

#include <chrono>
#include <optional>

using namespace llvm;

namespace btfgen {

void StageTimes::print(raw_ostream &OS) const {
  static const char *const Names[Count] = {
      "read",        "hash",          "cache-read", "xz+tar+readBTF",
      "cache-write", "readBTF+index", "match+min"};
  for (unsigned S = 0; S < Count; ++S)
    OS << format(" %s %.3f", Names[S], Ns_[S] / 1e9);
}

std::optional<ViewPolicy> parseViewPolicy(StringRef S) {
  if (S == "always")
    return ViewPolicy::Always;
  if (S == "on-demand")
    return ViewPolicy::OnDemand;
  return std::nullopt;
}

namespace {

/// A kernel cache entry's payload, read as a stored view while it is
/// decompressed (KernelView.h).
class ViewSink final : public ByteSink {
public:
  explicit ViewSink(std::string Name) : Name(std::move(Name)) {}
  void begin(uint64_t Size) override { Reader.emplace(Name, Size); }
  void take(StringRef Bytes) override { Reader->take(Bytes); }
  /// After a Hit.
  Expected<TypeTable> finish() { return Reader->finish(); }

private:
  std::string Name;
  std::optional<KernelViewStreamReader> Reader;
};

/// Adds the time between construction and the next lap()/destruction to a
/// stage of a StageTimes.
class StageClock {
public:
  StageClock(StageTimes &Times, StageTimes::Stage S)
      : Times(Times), S(S), T0(std::chrono::steady_clock::now()) {}
  ~StageClock() { lap(StageTimes::Count); }
  void lap(StageTimes::Stage Next) {
    auto Now = std::chrono::steady_clock::now();
    if (S != StageTimes::Count)
      Times.add(S, std::chrono::duration_cast<std::chrono::nanoseconds>(
                       Now - T0)
                       .count());
    S = Next;
    T0 = Now;
  }

private:
  StageTimes &Times;
  StageTimes::Stage S;
  std::chrono::steady_clock::time_point T0;
};

/// One kernel's way through processKernel.
class KernelRun {
public:
  KernelRun(const KernelJob &Job, const PipelineContext &Ctx, KernelSlot &Slot)
      : Job(Job), Ctx(Ctx), Slot(Slot), Clock(Ctx.Times, StageTimes::Read) {}

  void run() {
    tailorOrTakeCached();
    if (Slot.OK)
      Slot.Result = Ctx.Results ? Ctx.Results->intern(std::move(Result))
                                : std::make_shared<const TargetResult>(
                                      std::move(Result));
  }

private:
  void tailorOrTakeCached() {
    if (!readFile() || takeCachedResult() || tailorOnBasis())
      return;
    Expected<TypeTable> Target = kernelTable();
    if (!Target)
      return fail(Target.takeError());
    // The name index points into the table's strings: build it in place.
    Target->buildNameIndex();
    tailor(*Target);
  }

  void fail(Error E) { Slot.Error = toString(std::move(E)); }
  void note(const Twine &Msg) { Slot.Notes.push_back(Msg.str()); }
  void noteCorrupt(const CacheProblem &P, StringRef Action) {
    note("cache entry '" + P.Path + "' for '" + Job.Path + "' is corrupt (" +
         P.Why + "): " + Action);
  }

  bool readFile() {
    Expected<std::unique_ptr<MemoryBuffer>> FileOr = readInputFile(Job.Path);
    if (!FileOr) {
      fail(FileOr.takeError());
      return false;
    }
    File = std::move(*FileOr);
    return true;
  }

  /// Compute the cache keys (the kernel's content, then (tool, kernel,
  /// programs)) and take a stored result if there is one.
  bool takeCachedResult() {
    const Cache &C = Ctx.C;
    if (!C.enabled())
      return false;
    Clock.lap(StageTimes::Hash);
    KernelKey = hashBytes(File->getBuffer());
    Clock.lap(StageTimes::CacheRead);
    OutKey = KeyBuilder()
                 .add("btfgen-out")
                 .add(toolIdentity())
                 .add(KernelKey)
                 .add(Ctx.ProgramKey)
                 .add(Ctx.Shrink ? "shrink" : "exact")
                 .final();
    // --verify must match against the full BTF: no output-cache shortcut.
    if (Ctx.Verify)
      return false;
    CacheProblem Problem;
    switch (C.lookupResult(OutKey, Ctx.Programs, Job.Path, Result, Problem)) {
    case CacheLookup::Hit:
      Slot.OK = true;
      Slot.OutputCacheHit = true;
      note("'" + Job.Path + "': output cache hit");
      return true;
    case CacheLookup::Corrupt:
      noteCorrupt(Problem, "ignored and replaced");
      return false;
    case CacheLookup::Miss:
      return false;
    }
    return false;
  }

  /// Whether this kernel's basis (KernelBasis.h) is looked up and
  /// recorded: only a cached view has one, and --verify matches against
  /// the full BTF.
  bool usesBasis() const {
    return Ctx.C.enabled() && Job.IsTarball && !Ctx.Verify;
  }

  /// Tailor on the kernel's cached basis, if the tailoring reads nothing
  /// it lacks (it stops at the first read past it); otherwise leave the
  /// kernel to its view, having changed nothing but the basis the view's
  /// run will store, which then holds this one too.
  bool tailorOnBasis() {
    if (!usesBasis())
      return false;
    Clock.lap(StageTimes::CacheRead);
    BasisKey = KeyBuilder()
                   .add(KernelBasisVersion)
                   .add(KernelViewVersion)
                   .add(toolIdentity())
                   .add(KernelKey)
                   .final();
    KernelBasis Basis;
    CacheProblem Problem;
    switch (Ctx.C.lookupBasis(BasisKey, Job.Path + " (cached basis)", Basis,
                              Problem)) {
    case CacheLookup::Miss:
      return false;
    case CacheLookup::Corrupt:
      noteCorrupt(Problem, "ignored, tailoring on the view");
      return false;
    case CacheLookup::Hit:
      break;
    }
    Basis.Table.buildNameIndex();
    TableAccessLog Log;
    Basis.bound(Log);
    Expected<TargetResult> R = tailorOn(Basis.Table, &Log);
    if (!R || !Basis.covers(Log)) {
      if (!R)
        consumeError(R.takeError());
      note("'" + Job.Path + "': the cached basis does not hold what this "
           "program set reads: tailoring on the view");
      Basis.Table = TypeTable(); // only what it holds is needed now
      Earlier = std::move(Basis);
      return false;
    }
    note("'" + Job.Path + "': basis cache hit");
    Slot.BasisHit = true;
    accept(std::move(*R));
    return true;
  }

  /// The kernel's types: its view from the kernel cache, else the file
  /// parsed (a raw BTF file is never cached), else the tarball decoded in
  /// memory and parsed. A decoded kernel goes into the cache as its view
  /// (KernelView.h; when, ViewPolicy says), and the view is what is
  /// tailored, so that a cold and a warm run compute on the same table.
  Expected<TypeTable> kernelTable() {
    if (!Job.IsTarball)
      return parse(File->getBuffer());
    const Cache &C = Ctx.C;
    if (C.enabled()) {
      ViewKey = KeyBuilder().add(KernelViewVersion).add(KernelKey).final();
      // The entry is decompressed straight into the view's reader (the
      // stored view is never held whole beside its table): one stage,
      // readBTF+index.
      Clock.lap(StageTimes::Parse);
      CacheProblem Problem;
      ViewSink Sink(Job.Path + " (cached view)");
      CacheLookup L = C.lookupKernel(ViewKey, Sink, Problem);
      if (L == CacheLookup::Hit) {
        // An entry whose checksum holds but whose view does not read (a
        // bug, or a crafted entry) is corrupt all the same.
        Expected<TypeTable> View = Sink.finish();
        if (View) {
          File.reset();
          Slot.KernelCacheHit = true;
          note("'" + Job.Path + "': kernel cache hit");
          return View;
        }
        Problem = {toString(View.takeError()),
                   C.root() + "/" + Cache::entryRelPath("btf", ViewKey)};
        L = CacheLookup::Corrupt;
      }
      if (L == CacheLookup::Corrupt) {
        noteCorrupt(Problem, "ignored, decoding the tarball");
        ReplaceView = true;
      }
    }
    // Decoded and read in one go (KernelDecode.h): one stage, xz+tar+readBTF.
    Clock.lap(StageTimes::Decode);
    Expected<TypeTable> Full = decodeKernelTable(
        File->getBuffer(), Job.Release + ".btf", Job.Path);
    File.reset();
    if (!Full || !C.enabled())
      return Full;
    Clock.lap(StageTimes::CacheWrite);
    // The view is the full table with the records it drops stubbed out in
    // place: a worker never holds the two at once.
    BitVector Kept;
    TypeTable View = kernelView(std::move(*Full), Kept);
    if (!storesView()) {
      note("'" + Job.Path + "': view not stored (views on demand: no "
           "cached basis of it fell short yet)");
      return View;
    }
    if (Error E =
            C.storeKernel(ViewKey, KernelViewWriter(View, std::move(Kept))))
      note(toString(std::move(E)));
    return View;
  }

  /// Whether the view of a kernel this run decoded goes into the cache
  /// (ViewPolicy): on demand, once a basis of it fell short (Earlier), or
  /// in place of a corrupt one.
  bool storesView() const {
    return Ctx.Views == ViewPolicy::Always || Earlier || ReplaceView;
  }

  /// readBTF over Bytes (raw BTF or an ELF holding .BTF). The table owns a
  /// copy of everything it needs: the raw bytes (up to ~30 MiB per kernel)
  /// are released before matching starts.
  Expected<TypeTable> parse(StringRef Bytes) {
    Clock.lap(StageTimes::Parse);
    Expected<TypeTable> Table = readBTFAny(MemoryBufferRef(Bytes, Job.Path));
    File.reset();
    return Table;
  }

  /// Tailor on the view (or the raw file's table), recording the kernel's
  /// basis when it has one.
  void tailor(const TypeTable &Target) {
    TableAccessLog Log;
    Expected<TargetResult> R = tailorOn(Target, usesBasis() ? &Log : nullptr);
    if (!R)
      return fail(R.takeError());
    accept(std::move(*R));
    if (usesBasis()) {
      // The basis this run could not use still serves the sets it was
      // recorded for: the new one holds both.
      if (Earlier)
        Earlier->addTo(Log);
      if (Error E = Ctx.C.storeBasis(BasisKey, writeKernelBasis(Target, Log)))
        note(toString(std::move(E)));
    }
  }

  /// minimizeTarget for this kernel's verifier, with Target's reads logged
  /// in Log (if not null).
  Expected<TargetResult> tailorOn(const TypeTable &Target,
                                  TableAccessLog *Log) {
    Clock.lap(StageTimes::Match);
    VerdictOptions VOpts;
    VOpts.Caps = verifierCapsFor(Job.Release, Job.Id.Distro, Job.Id.Version);
    if (Log) {
      Log->Records.resize(Target.size());
      Target.setAccessLog(Log);
    }
    Expected<TargetResult> R = minimizeTarget(Target, Ctx.Programs, Job.Path,
                                              Ctx.Verify, Ctx.Shrink, &VOpts,
                                              Ctx.Memo);
    Target.setAccessLog(nullptr);
    return R;
  }

  /// R is this kernel's result: noted, and stored in the output cache.
  void accept(TargetResult R) {
    if (!R.ShrinkFallback.empty())
      note("'" + Job.Path + "': shrunk BTF kept unshrunk (self-check: " +
           R.ShrinkFallback + ")");
    Result = std::move(R);
    Slot.OK = true;
    Clock.lap(StageTimes::CacheWrite);
    if (Ctx.C.enabled())
      if (Error E = Ctx.C.storeResult(OutKey, Result))
        note(toString(std::move(E)));
  }

  const KernelJob &Job;
  const PipelineContext &Ctx;
  KernelSlot &Slot;
  StageClock Clock;
  std::unique_ptr<MemoryBuffer> File;
  CacheKey KernelKey{}, ViewKey{}, OutKey{}, BasisKey{};
  /// The cached basis a run on it read past (tailorOnBasis).
  std::optional<KernelBasis> Earlier;
  /// The cached view was corrupt (kernelTable).
  bool ReplaceView = false;
  TargetResult Result;
};

/// Read the minimized bytes of Out back, as a consumer would, match every
/// relocation again and compare with the full-BTF records.
Error verifyMinimized(const TargetResult &Out, ArrayRef<Program> Programs,
                      StringRef TargetName) {
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
    CoreLoadSession Load(P.M.Types, *Back);
    for (const CoreRelocation &R : P.M.Relocs) {
      const RelocRecord &Full = Out.Records[I++];
      Expected<CoreResult> Res = Load.calc(R);
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
  return Error::success();
}

} // namespace

void processKernel(const KernelJob &Job, const PipelineContext &Ctx,
                   KernelSlot &Slot) {
  KernelRun(Job, Ctx, Slot).run();
}

Expected<TargetResult> minimizeTarget(const TypeTable &Target,
                                      ArrayRef<Program> Programs,
                                      StringRef TargetName, bool Verify,
                                      bool Shrink,
                                      const VerdictOptions *Verdicts,
                                      VerdictMemo *Memo) {
  TargetResult Out;
  Out.Records.reserve(countRelocs(Programs));
  MinimizeOptions MOpts;
  MOpts.Shrink = Shrink;
  Minimizer Min(Target, MOpts);
  auto Wrap = [&](const Program &P, const CoreRelocation &R, Error E) {
    return createStringError(inconvertibleErrorCode(),
                             whereReloc(TargetName, P, R) + ": " +
                                 toString(std::move(E)));
  };
  for (size_t Input = 0; Input < Programs.size(); ++Input) {
    const Program &P = Programs[Input];
    // The minimizer needs each relocation's answer against the full
    // candidate list; the report gives libbpf's, whose candidate lists
    // shrink as the object's relocations are applied in order.
    CoreMatcher Matcher(P.M.Types, Target);
    CoreLoadSession Load(P.M.Types, Target);
    std::vector<CoreResult> AtLoadResults;
    for (const CoreRelocation &R : P.M.Relocs) {
      Expected<CoreResult> Res = Matcher.calc(R);
      if (!Res)
        return Wrap(P, R, Res.takeError());
      Expected<CoreResult> AtLoad = Load.calc(R, &*Res);
      if (!AtLoad)
        return Wrap(P, R, AtLoad.takeError());
      Out.Records.push_back(makeRecord(R, *AtLoad, Target));
      if (Error E = Min.addResult(P.M.Types, R, *Res))
        return Wrap(P, R, std::move(E));
      // On a kernel basis, the first read past it voids the result
      // (KernelBasis.h): stop there.
      if (Target.readPastBounds())
        return createStringError(inconvertibleErrorCode(),
                                 "'" + TargetName +
                                     "': read past the kernel basis");
      if (Verdicts)
        AtLoadResults.push_back(std::move(*AtLoad));
    }
    if (Verdicts)
      for (VerdictRecord &V :
           Memo ? Memo->judge(P, uint32_t(Input), AtLoadResults, *Verdicts)
                : judgeInput(P, uint32_t(Input), AtLoadResults, *Verdicts))
        Out.Verdicts.push_back(std::move(V));
  }
  recountResult(Out, Programs, TargetName);
  BuildStatus Status;
  TypeTable Small = Min.build(&Status);
  Out.KeptTypes = Small.size() - 1;
  Out.ShrinkFallback = std::move(Status.Fallback);
  if (Error E = checkClassicBTF(Small))
    return E;
  Out.Bytes = writeBTFToString(Small);
  if (Verify)
    if (Error E = verifyMinimized(Out, Programs, TargetName))
      return E;
  return Out;
}

} // namespace btfgen
