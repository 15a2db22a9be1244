//===- Options.cpp - One option parser for every verb ---------------------===//
//
// The spelling rules of Options.h, in one place.
//
//===----------------------------------------------------------------------===//

#include "Options.h"
#include "Commands.h"

using namespace llvm;

namespace btfgen {

namespace {

/// How argument A matches Spec: not at all, as the whole option (a value, if
/// any, is the next argument), or with its value attached ("--o=V", "-oV").
enum class Match { None, Whole, Attached };

Match matchSpec(const OptionSpec &Spec, StringRef A, StringRef &Attached) {
  if (A == Spec.Long || (!Spec.Short.empty() && A == Spec.Short))
    return Match::Whole;
  if (!Spec.TakesValue)
    return Match::None;
  if (A.starts_with(Spec.Long) &&
      A.drop_front(Spec.Long.size()).starts_with("=")) {
    Attached = A.drop_front(Spec.Long.size() + 1);
    return Match::Attached;
  }
  if (!Spec.Short.empty() && A.starts_with(Spec.Short) &&
      A.size() > Spec.Short.size() && !A.starts_with("--")) {
    Attached = A.drop_front(Spec.Short.size());
    return Match::Attached;
  }
  return Match::None;
}

} // namespace

Expected<std::vector<std::string>> parseOptions(StringRef Verb,
                                                ArrayRef<OptionSpec> Table,
                                                ArrayRef<StringRef> Args) {
  std::string Prefix = Verb.empty() ? "" : (Verb + ": ").str();
  std::vector<std::string> Operands;
  bool OptionsDone = false;
  for (size_t I = 0; I < Args.size(); ++I) {
    StringRef A = Args[I];
    if (OptionsDone || A == "-" || !A.starts_with("-")) {
      Operands.push_back(A.str());
      continue;
    }
    if (A == "--") {
      OptionsDone = true;
      continue;
    }
    const OptionSpec *Found = nullptr;
    StringRef Value;
    for (const OptionSpec &Spec : Table) {
      Match M = matchSpec(Spec, A, Value);
      if (M == Match::None)
        continue;
      Found = &Spec;
      if (M == Match::Whole && Spec.TakesValue) {
        if (I + 1 >= Args.size())
          return usageError(Prefix + "option '" + A + "' requires a value");
        Value = Args[++I];
      }
      break;
    }
    if (!Found)
      return usageError(Prefix + "unknown option '" + A + "'");
    if (Error E = Found->Set(Value))
      return E;
  }
  return Operands;
}

std::function<Error(StringRef)> setFlag(bool &Dst, bool Value) {
  return [&Dst, Value](StringRef) {
    Dst = Value;
    return Error::success();
  };
}

std::function<Error(StringRef)> setString(std::string &Dst) {
  return [&Dst](StringRef V) {
    Dst = V.str();
    return Error::success();
  };
}

std::function<Error(StringRef)> setStringOnce(std::string &Dst,
                                              StringRef Opt) {
  return [&Dst, Opt, Seen = false](StringRef V) mutable -> Error {
    if (Seen)
      return usageError(Opt + " given more than once");
    Seen = true;
    Dst = V.str();
    return Error::success();
  };
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

} // namespace btfgen
