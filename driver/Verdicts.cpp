//===- Verdicts.cpp - Per program, per kernel: does it load? --------------===//
//
// judgeInput() runs the core's judgeProgram() on every program of an object
// input and keeps what the report needs: the verdict, its reasons as text,
// and the reachable and guarded poisons with their source places.
//
//===----------------------------------------------------------------------===//

#include "Verdicts.h"

#include "llvm/ADT/Twine.h"

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
    R.Reasons.push_back(P.ObjectError.empty()
                            ? "manifest input: its manifest carries no "
                              "control-flow skeleton; pass the BPF object "
                              "for verdicts"
                            : "cannot read the object's programs: " +
                                  P.ObjectError);
    Out.push_back(std::move(R));
    return Out;
  }
  for (const BPFProgram &BP : P.Object->Programs)
    Out.push_back(toRecord(Input, judgeProgram(*P.Object, BP, Results, Opts)));
  return Out;
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
