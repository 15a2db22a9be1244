//===- Verdicts.cpp - Per program, per kernel: does it load? --------------===//
//
// judgeInput() runs the core's judgeProgram() on every program of an input
// (an object, or a version 2 manifest's recorded code) and keeps what the
// report needs: the verdict, its reasons as text, and the reachable and
// guarded poisons with their source places.
//
//===----------------------------------------------------------------------===//

#include "Verdicts.h"
#include "Cache.h"

#include "llvm/ADT/Twine.h"
#include "llvm/Support/BLAKE3.h"
#include "llvm/Support/Endian.h"

using namespace llvm;

namespace btfgen {

namespace {

PoisonRecord poisonRecord(const PoisonSite &S) {
  return {S.Spec, S.Function, S.File, S.Line, S.Column};
}

std::string where(const PoisonSite &S) {
  std::string W;
  if (!S.File.empty())
    W = (" at " + S.File + ":" + Twine(S.Line) + ":" + Twine(S.Column)).str();
  if (!S.Function.empty())
    W += " in " + S.Function;
  return W;
}

VerdictRecord toRecord(uint32_t Input, const ProgramVerdict &V) {
  VerdictRecord R;
  R.Input = Input;
  R.Program = V.Program;
  R.Kind = V.Kind;
  R.HardError = !V.Errors.empty();
  for (const LoadError &E : V.Errors)
    R.Reasons.push_back("libbpf error: prog '" + E.Function + "': relo #" +
                        std::to_string(E.RecordIndex) + ": " + E.Message);
  for (const PoisonSite &S : V.Reachable) {
    R.Reasons.push_back("reachable poison: " + S.Spec + where(S) + " (" +
                        S.Why + ")");
    R.Reachable.push_back(poisonRecord(S));
  }
  for (const PoisonSite &S : V.Undecided)
    R.Reasons.push_back("poison the verifier may reach: " + S.Spec +
                        where(S));
  for (const std::string &Why : V.Reasons)
    R.Reasons.push_back(Why);
  for (const PoisonSite &S : V.Guarded)
    R.Guarded.push_back(poisonRecord(S));
  return R;
}

} // namespace

std::vector<VerdictRecord> judgeInput(const Program &P, uint32_t Input,
                                      ArrayRef<CoreResult> Results,
                                      const VerdictOptions &Opts) {
  std::vector<VerdictRecord> Out;
  if (!P.Object) {
    VerdictRecord R;
    R.Input = Input;
    R.Program = "*";
    R.Kind = VerdictKind::Unknown;
    if (!P.ObjectError.empty())
      R.Reasons.push_back("cannot read the object's programs: " +
                          P.ObjectError);
    else if (P.M.Version < 2)
      R.Reasons.push_back("manifest version " + std::to_string(P.M.Version) +
                          " carries no program code; rebuild it with this "
                          "btfgen's plugin (version 2) or pass the BPF "
                          "object");
    else
      R.Reasons.push_back("the manifest carries no program code: " +
                          P.M.NoCode);
    Out.push_back(std::move(R));
    return Out;
  }
  for (const BPFProgram &BP : P.Object->Programs)
    Out.push_back(toRecord(Input, judgeProgram(*P.Object, BP, Results, Opts)));
  return Out;
}

namespace {

/// The question: everything judgeInput() reads of the kernel and the
/// relocations, length-prefixed (the input itself is added by the callers).
std::array<uint8_t, 32> questionKey(ArrayRef<CoreResult> Results,
                                    const VerdictOptions &Opts) {
  BLAKE3 H;
  auto Num = [&](uint64_t V) {
    uint8_t B[8];
    support::endian::write64le(B, V);
    H.update(ArrayRef<uint8_t>(B, 8));
  };
  auto Str = [&](StringRef S) {
    Num(S.size());
    H.update(S);
  };
  Num(Opts.Budget);
  for (Support S : Opts.Caps.S)
    Num(uint64_t(S));
  Str(Opts.Caps.Basis);
  Num(Results.size());
  for (const CoreResult &R : Results) {
    Num(uint64_t(R.Outcome));
    Num(R.OrigVal);
    Num(R.NewVal);
    Num(uint64_t(R.Poison) | uint64_t(R.Validate) << 1 |
        uint64_t(R.FailMemsz) << 2);
    Num(uint64_t(R.OrigSz) << 32 | R.NewSz);
    Str(R.Message);
  }
  return H.final();
}

} // namespace

std::vector<VerdictRecord> VerdictMemo::judge(const Program &P, uint32_t Input,
                                              ArrayRef<CoreResult> Results,
                                              const VerdictOptions &Opts) {
  std::array<uint8_t, 32> Question = questionKey(Results, Opts);
  std::array<uint8_t, 4> In;
  support::endian::write32le(In.data(), Input);
  std::array<uint8_t, 32> Key =
      KeyBuilder().add(StringRef(reinterpret_cast<const char *>(In.data()), 4))
          .add(Question)
          .final();
  {
    std::lock_guard<std::mutex> L(Mu);
    auto It = Done.find(Key);
    if (It != Done.end()) {
      ++Hits;
      return It->second;
    }
  }
  // Outside the lock: two workers asking the same question at once both
  // walk (or read) and store equal answers. Only real walks are cached on
  // disk: an input without programs gets its reasons from its own path.
  bool UseDisk = Disk && Disk->enabled() && P.Object;
  CacheKey DiskKey{};
  std::vector<VerdictRecord> V;
  std::string Problem;
  bool FromDisk = false;
  if (UseDisk) {
    DiskKey = KeyBuilder()
                  .add("btfgen-verdict")
                  .add(toolIdentity())
                  .add(P.Digest)
                  .add(Question)
                  .final();
    CacheProblem CP;
    switch (Disk->lookupVerdicts(DiskKey, Input, V, CP)) {
    case CacheLookup::Hit:
      FromDisk = true;
      break;
    case CacheLookup::Corrupt:
      Problem = "cache entry '" + CP.Path + "' for the verdicts of '" +
                P.Path + "' is corrupt (" + CP.Why + "): ignored and replaced";
      break;
    case CacheLookup::Miss:
      break;
    }
  }
  if (!FromDisk) {
    V = judgeInput(P, Input, Results, Opts);
    if (UseDisk)
      if (Error E = Disk->storeVerdicts(DiskKey, V)) {
        if (!Problem.empty())
          Problem += "; ";
        Problem += toString(std::move(E));
      }
  }
  std::lock_guard<std::mutex> L(Mu);
  if (FromDisk) {
    ++Hits;
    ++DiskHits;
  }
  if (!Problem.empty())
    Problems.push_back(std::move(Problem));
  Done.try_emplace(Key, V);
  return V;
}

uint64_t VerdictMemo::hits() const {
  std::lock_guard<std::mutex> L(Mu);
  return Hits;
}

uint64_t VerdictMemo::diskHits() const {
  std::lock_guard<std::mutex> L(Mu);
  return DiskHits;
}

std::vector<std::string> VerdictMemo::problems() const {
  std::lock_guard<std::mutex> L(Mu);
  return Problems;
}

std::optional<FailOn> parseFailOn(StringRef S) {
  if (S == "never")
    return FailOn::Never;
  if (S == "error")
    return FailOn::Error;
  if (S == "unloadable")
    return FailOn::Unloadable;
  if (S == "unknown")
    return FailOn::Unknown;
  return std::nullopt;
}

const char *failOnName(FailOn F) {
  switch (F) {
  case FailOn::Never:
    return "never";
  case FailOn::Error:
    return "error";
  case FailOn::Unloadable:
    return "unloadable";
  case FailOn::Unknown:
    return "unknown";
  }
  return "?";
}

bool tripsFailOn(const VerdictRecord &V, FailOn F) {
  switch (F) {
  case FailOn::Never:
    return false;
  case FailOn::Error:
    return V.HardError;
  case FailOn::Unloadable:
    return V.Kind == VerdictKind::Fails;
  case FailOn::Unknown:
    return V.Kind != VerdictKind::Loads;
  }
  return false;
}

std::string specPath(StringRef Spec) {
  // "<kind> [id] struct name.field (access @ offset N)"
  size_t Close = Spec.find("] ");
  StringRef Rest = Close == StringRef::npos ? Spec : Spec.drop_front(Close + 2);
  size_t Paren = Rest.rfind(" (");
  if (Paren != StringRef::npos)
    Rest = Rest.take_front(Paren);
  return Rest.str();
}

} // namespace btfgen
