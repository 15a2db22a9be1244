//===- VerifierGenerations.cpp - What each kernel's verifier prunes -------===//
//
// The first upstream release of each verifier behaviour, and the rules
// that place a kernel release string on that timeline. Sources (commit
// titles and ids) are in docs/verdicts.md; "checked" rows were read in
// kernel/bpf/verifier.c of that release.
//
//===----------------------------------------------------------------------===//

#include "btfgen/VerifierGenerations.h"

#include "llvm/ADT/StringExtras.h"

using namespace llvm;

namespace btfgen {

namespace {

/// A version as Major * 1000 + Minor.
constexpr unsigned ver(unsigned Major, unsigned Minor) {
  return Major * 1000 + Minor;
}

/// The first release with the feature, and the last release known not to
/// have it (releases in between are Unknown: the change's release is not
/// certain).
struct Introduced {
  VerifierFeature F;
  unsigned Since;
  unsigned LastWithout;
};

constexpr Introduced Timeline[] = {
    {VerifierFeature::BranchConstImm, ver(4, 0), ver(3, 0)},
    {VerifierFeature::BranchConstRange, ver(5, 0), ver(4, 20)},
    {VerifierFeature::Jmp32, ver(5, 1), ver(5, 0)},
    {VerifierFeature::BranchConstRegs, ver(5, 10), ver(4, 20)},
    {VerifierFeature::SpillConst64, ver(5, 3), ver(4, 20)},
    {VerifierFeature::SpillConstNarrow, ver(5, 16), ver(5, 13)},
    {VerifierFeature::NarrowFill, ver(6, 9), ver(6, 7)},
    {VerifierFeature::StoreImmToStack, ver(6, 3), ver(6, 1)},
    {VerifierFeature::StaticSubprogs, ver(4, 16), ver(4, 15)},
    {VerifierFeature::GlobalFuncs, ver(5, 6), ver(5, 5)},
    {VerifierFeature::LazyGlobalFuncs, ver(6, 8), ver(6, 7)},
    {VerifierFeature::ReadOnlyMapConst, ver(5, 5), ver(5, 4)},
    {VerifierFeature::BoundedLoops, ver(5, 3), ver(5, 2)},
    {VerifierFeature::PtrNullBranch, ver(5, 10), ver(4, 20)},
    {VerifierFeature::XorConst, ver(5, 10), ver(5, 8)},
    {VerifierFeature::IsaV4, ver(6, 6), ver(6, 5)},
    {VerifierFeature::MayGoto, ver(6, 9), ver(6, 8)},
};
static_assert(std::size(Timeline) == NumVerifierFeatures,
              "one timeline row per feature");

/// "5.10.0-...": the leading MAJOR.MINOR, or false.
bool parseVersion(StringRef Release, unsigned &Major, unsigned &Minor) {
  StringRef S = Release;
  // Android BTFHub names: "a12-5.10-...".
  if (S.size() > 4 && S[0] == 'a' && isDigit(S[1]) && S.contains('-'))
    S = S.split('-').second;
  StringRef A, B;
  std::tie(A, B) = S.split('.');
  StringRef MinorStr = B.take_while(isDigit);
  return !A.getAsInteger(10, Major) && !MinorStr.empty() &&
         !MinorStr.getAsInteger(10, Minor) && Major >= 2 && Major < 100;
}

/// Distribution kernels whose verifier is a backport of later upstream
/// work onto an older base: every feature newer than the base is unknown.
struct Backported {
  const char *Distro;  ///< BTFHub distro directory, or "" for any
  const char *Marker;  ///< substring of the release
  const char *Why;
};
constexpr Backported Backports[] = {
    {"centos", ".el8", "RHEL/CentOS 8 backport BPF from later kernels "
                       "(per minor release, not tracked here)"},
    {"rhel", ".el8", "RHEL 8 backports BPF from later kernels"},
    {"", ".el9", "RHEL 9 backports BPF from later kernels"},
    {"kylin", ".ky10", "Kylin V10 kernels carry backports not tracked here"},
    {"", ".oe1", "openEuler kernels carry backports not tracked here"},
};

} // namespace

const char *supportName(Support S) {
  switch (S) {
  case Support::No:
    return "no";
  case Support::Yes:
    return "yes";
  case Support::Unknown:
    break;
  }
  return "unknown";
}

const char *featureName(VerifierFeature F) {
  static const char *const Names[] = {
      "branch-const-imm", "branch-const-range", "jmp32",
      "branch-const-regs", "spill-const-64",    "spill-const-narrow",
      "narrow-fill",       "store-imm-to-stack", "static-subprogs",
      "global-funcs",      "lazy-global-funcs", "read-only-map-const",
      "bounded-loops",     "ptr-null-branch",   "xor-const",
      "isa-v4",            "may-goto"};
  static_assert(std::size(Names) == NumVerifierFeatures, "one name each");
  return Names[unsigned(F)];
}

VerifierCaps uniformCaps(Support V) {
  VerifierCaps C;
  C.S.fill(V);
  C.Basis = std::string("every feature: ") + supportName(V);
  return C;
}

VerifierCaps upstreamCaps(unsigned Major, unsigned Minor) {
  VerifierCaps C;
  unsigned V = ver(Major, Minor);
  for (const Introduced &I : Timeline)
    C.set(I.F, V >= I.Since          ? Support::Yes
               : V <= I.LastWithout ? Support::No
                                    : Support::Unknown);
  C.Basis = "upstream " + std::to_string(Major) + "." + std::to_string(Minor);
  return C;
}

VerifierCaps verifierCapsFor(StringRef Release, StringRef Distro,
                             StringRef DistroVersion) {
  unsigned Major, Minor;
  if (!parseVersion(Release, Major, Minor)) {
    VerifierCaps C = uniformCaps(Support::Unknown);
    C.Basis = "release '" + Release.str() + "' has no version";
    return C;
  }
  VerifierCaps C = upstreamCaps(Major, Minor);
  for (const Backported &B : Backports) {
    bool DistroMatch = !*B.Distro || Distro.equals_insensitive(B.Distro);
    if (!Release.contains(B.Marker) || !DistroMatch)
      continue;
    for (Support &S : C.S)
      if (S == Support::No)
        S = Support::Unknown;
    C.Basis += std::string(" + backports (") + B.Why + ")";
    break;
  }
  (void)DistroVersion;
  return C;
}

} // namespace btfgen
