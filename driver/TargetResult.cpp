//===- TargetResult.cpp - What tailoring one kernel gave ------------------===//
//
// Records, their comparison (--verify) and the counters derived from them.
//
//===----------------------------------------------------------------------===//

#include "TargetResult.h"

#include "llvm/ADT/Twine.h"

using namespace llvm;

namespace btfgen {

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

} // namespace btfgen
