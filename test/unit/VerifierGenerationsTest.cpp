//===- VerifierGenerationsTest.cpp - Kernel releases to verifier features -===//
//
// The classification rules of VerifierGenerations.cpp on the release
// strings of the corpus (BTFHub names) and on the boundaries of the
// timeline (docs/verdicts.md): a feature is "yes" from its first release,
// "no" up to the last release known without it, "unknown" in between and
// on distribution kernels with untracked backports.
//
//===----------------------------------------------------------------------===//

#include "btfgen/VerifierGenerations.h"

#include "gtest/gtest.h"

using namespace btfgen;

namespace {

Support of(const VerifierCaps &C, VerifierFeature F) { return C.get(F); }

TEST(VerifierGenerations, UpstreamBoundaries) {
  EXPECT_EQ(of(upstreamCaps(4, 20), VerifierFeature::BranchConstRange),
            Support::No);
  EXPECT_EQ(of(upstreamCaps(5, 0), VerifierFeature::BranchConstRange),
            Support::Yes);
  EXPECT_EQ(of(upstreamCaps(5, 5), VerifierFeature::GlobalFuncs),
            Support::No);
  EXPECT_EQ(of(upstreamCaps(5, 6), VerifierFeature::GlobalFuncs),
            Support::Yes);
  EXPECT_EQ(of(upstreamCaps(6, 7), VerifierFeature::LazyGlobalFuncs),
            Support::No);
  EXPECT_EQ(of(upstreamCaps(6, 8), VerifierFeature::LazyGlobalFuncs),
            Support::Yes);
  // The spill-tracking change is dated to 5.3; 5.0-5.2 are not certain.
  EXPECT_EQ(of(upstreamCaps(4, 19), VerifierFeature::SpillConst64),
            Support::No);
  EXPECT_EQ(of(upstreamCaps(5, 2), VerifierFeature::SpillConst64),
            Support::Unknown);
  EXPECT_EQ(of(upstreamCaps(5, 4), VerifierFeature::SpillConst64),
            Support::Yes);
}

TEST(VerifierGenerations, CorpusReleases) {
  VerifierCaps Debian = verifierCapsFor("6.1.0-48-amd64", "debian", "12");
  EXPECT_EQ(Debian.Basis, "upstream 6.1");
  EXPECT_EQ(of(Debian, VerifierFeature::SpillConstNarrow), Support::Yes);
  EXPECT_EQ(of(Debian, VerifierFeature::LazyGlobalFuncs), Support::No);

  VerifierCaps Android = verifierCapsFor("a12-5.10-2021-09-arm64", "android");
  EXPECT_EQ(Android.Basis, "upstream 5.10");
  EXPECT_EQ(of(Android, VerifierFeature::GlobalFuncs), Support::Yes);
  EXPECT_EQ(of(Android, VerifierFeature::SpillConstNarrow), Support::No);

  VerifierCaps Host = verifierCapsFor("6.18.44-fc-v769");
  for (Support S : Host.S)
    EXPECT_EQ(S, Support::Yes);
}

TEST(VerifierGenerations, BackportingDistributions) {
  VerifierCaps Centos =
      verifierCapsFor("4.18.0-147.5.1.el8_1.aarch64", "centos", "8");
  EXPECT_EQ(of(Centos, VerifierFeature::BranchConstImm), Support::Yes);
  EXPECT_EQ(of(Centos, VerifierFeature::BoundedLoops), Support::Unknown);
  EXPECT_NE(Centos.Basis.find("backports"), std::string::npos);
  VerifierCaps Kylin =
      verifierCapsFor("4.19.90-24.4.v2101.ky10.aarch64", "kylin", "V10");
  EXPECT_EQ(of(Kylin, VerifierFeature::GlobalFuncs), Support::Unknown);
  // The same release numbers without the distribution's marker are
  // upstream.
  EXPECT_EQ(of(verifierCapsFor("4.19.90"), VerifierFeature::GlobalFuncs),
            Support::No);
}

TEST(VerifierGenerations, UnparsableReleaseIsUnknown) {
  VerifierCaps C = verifierCapsFor("not-a-release");
  for (Support S : C.S)
    EXPECT_EQ(S, Support::Unknown);
}

TEST(VerifierGenerations, EveryFeatureHasAName) {
  for (unsigned F = 0; F < NumVerifierFeatures; ++F)
    EXPECT_STRNE(featureName(VerifierFeature(F)), "");
  EXPECT_STREQ(featureName(VerifierFeature::SpillConst64), "spill-const-64");
}

} // namespace
