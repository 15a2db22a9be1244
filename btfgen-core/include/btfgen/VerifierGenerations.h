//===- VerifierGenerations.h - What each kernel's verifier prunes -*- C++ -*-===//
//
// The load verdict proves a poisoned instruction unreachable by replaying
// how the kernel's verifier prunes branches whose outcome it knows. Which
// patterns a verifier decides depends on the kernel: this file names those
// patterns (VerifierFeature) and classifies a kernel by its release string,
// upstream version first, then a small table of distribution kernels whose
// verifier is known to differ from their upstream base. docs/verdicts.md
// gives the commits and versions behind every row.
//
//===----------------------------------------------------------------------===//

#ifndef BTFGEN_VERIFIERGENERATIONS_H
#define BTFGEN_VERIFIERGENERATIONS_H

#include "llvm/ADT/StringRef.h"

#include <array>
#include <cstdint>
#include <string>

namespace btfgen {

/// Whether a verifier has a behaviour: known yes, known no, or unknown
/// (a kernel whose verifier we cannot place).
enum class Support : uint8_t { No, Yes, Unknown };
const char *supportName(Support S); // "no", "yes", "unknown"

/// Verifier behaviours the reachability analysis relies on.
enum class VerifierFeature : uint8_t {
  /// JEQ/JNE of a register holding a known constant against an immediate
  /// is decided (the taken branch only is explored).
  BranchConstImm,
  /// The other conditional jumps (JGT, JSGE, JSET, ...) against an
  /// immediate, on a known constant, are decided (is_branch_taken).
  BranchConstRange,
  /// The JMP32 class exists and its jumps are decided on constants.
  Jmp32,
  /// A jump comparing two registers that both hold constants is decided.
  BranchConstRegs,
  /// A constant spilled to the stack with an 8-byte store reads back as
  /// that constant.
  SpillConst64,
  /// A constant spilled with a 4-, 2- or 1-byte store to an 8-byte aligned
  /// slot reads back, with the same size, as that constant.
  SpillConstNarrow,
  /// A narrower load of an 8-byte spilled constant reads its low bytes.
  NarrowFill,
  /// A store of an immediate (BPF_ST) to the stack is tracked.
  StoreImmToStack,
  /// bpf-to-bpf calls: the callee is verified in the caller's context,
  /// with the caller's argument values.
  StaticSubprogs,
  /// Functions with BTF_FUNC_GLOBAL linkage are verified once, apart, with
  /// unknown arguments; the caller gets an unknown return value.
  GlobalFuncs,
  /// Global functions are verified only when a call to them is reached.
  LazyGlobalFuncs,
  /// Loads from a frozen read-only map (.rodata) at a constant offset are
  /// constants.
  ReadOnlyMapConst,
  /// Verified loops (back edges) are allowed.
  BoundedLoops,
  /// A comparison of a never-NULL pointer with 0 is decided.
  PtrNullBranch,
  /// The BPF_XOR of constants is a constant (tnum tracking of XOR).
  XorConst,
  /// Instruction set v4: sign-extending loads and moves, gotol, sdiv/smod,
  /// bswap.
  IsaV4,
  /// may_goto.
  MayGoto,
};
constexpr unsigned NumVerifierFeatures = 17;
const char *featureName(VerifierFeature F); // "branch-const-imm", ...

/// One verifier's behaviours.
struct VerifierCaps {
  std::array<Support, NumVerifierFeatures> S{};
  /// How the kernel was classified, e.g. "upstream 5.10 (android GKI)".
  std::string Basis;

  Support get(VerifierFeature F) const { return S[unsigned(F)]; }
  void set(VerifierFeature F, Support V) { S[unsigned(F)] = V; }
};

/// Every feature set to V (tests, and "the newest verifier").
VerifierCaps uniformCaps(Support V);

/// The upstream verifier of version Major.Minor.
VerifierCaps upstreamCaps(unsigned Major, unsigned Minor);

/// Classify a kernel by its release string (uname -r), and optionally its
/// BTFHub distribution and version ("centos", "8"): the upstream version
/// from the release, then known distribution backports. A release that
/// does not parse, or a distribution kernel whose backports are not
/// known, gets Unknown where upstream and backports may differ.
VerifierCaps verifierCapsFor(llvm::StringRef Release,
                             llvm::StringRef Distro = "",
                             llvm::StringRef DistroVersion = "");

} // namespace btfgen

#endif // BTFGEN_VERIFIERGENERATIONS_H
