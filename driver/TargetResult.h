//===- TargetResult.h - What tailoring one kernel gave ------------*- C++ -*-===//
//
// The per-kernel result of an archive run (and of min_core_btf): the
// minimized BTF bytes and libbpf's conclusion for every relocation of every
// program. Records are the one source; the counters and hard-error messages
// are derived from them (recountResult), so a result read back from the
// output cache, where the input paths may differ, is recounted, never
// trusted.
//
//===----------------------------------------------------------------------===//

#ifndef BTFGEN_DRIVER_TARGETRESULT_H
#define BTFGEN_DRIVER_TARGETRESULT_H

#include "Inputs.h"
#include "Verdicts.h"

#include "btfgen/CoreMatch.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <string>
#include <vector>

namespace btfgen {

/// libbpf's conclusion for one relocation against one kernel, as kept for
/// reports, --verify and the output cache.
struct RelocRecord {
  RelocOutcome Outcome = RelocOutcome::Error;
  /// The relocated value (NewVal) for Resolved and NotFound; 0 otherwise.
  uint64_t Value = 0;
  /// TYPE_ID_TARGET, Resolved: the target type's name and BTF kind (the ID
  /// itself differs between the full and the minimized BTF).
  std::string TargetName;
  uint32_t TargetKind = 0;
  /// libbpf's reason for Error / Poisoned.
  std::string Message;
};

/// What matching one target against all programs gave.
struct TargetResult {
  std::string Bytes;       ///< minimized raw BTF
  unsigned KeptTypes = 0;  ///< types kept (excluding void)
  unsigned Resolved = 0, NotFound = 0, Poisoned = 0, LoadErrors = 0;
  /// One per relocation, programs in command-line order, each program's
  /// relocations in manifest order.
  std::vector<RelocRecord> Records;
  /// libbpf hard errors (ambiguity, ...): "prog.o: byte_off [3] 0:1: msg".
  std::vector<std::string> LoadErrorMessages;
  /// Per input, per program (libbpf's order): the load verdict on this
  /// kernel; empty when not asked for (min_core_btf).
  std::vector<VerdictRecord> Verdicts;
  /// Set when the shrunk table failed its self-check and the unshrunk one
  /// was written instead (Minimize.h, BuildStatus); not cached.
  std::string ShrinkFallback;
};

/// The record of relocation R whose libbpf answer against Target is Res.
RelocRecord makeRecord(const CoreRelocation &R, const CoreResult &Res,
                       const TypeTable &Target);

/// Why Full and Small differ for relocation R, or "" if they agree.
std::string compareRecords(const CoreRelocation &R, const RelocRecord &Full,
                           const RelocRecord &Small);

/// "'<target>': program '<path>': <kind> [<id>] '<access>'", the prefix of
/// every message about one relocation on one kernel.
std::string whereReloc(llvm::StringRef TargetName, const Program &P,
                       const CoreRelocation &R);

/// Recompute the counters and LoadErrorMessages of R from R.Records.
void recountResult(TargetResult &R, llvm::ArrayRef<Program> Programs,
                   llvm::StringRef TargetName);

} // namespace btfgen

#endif // BTFGEN_DRIVER_TARGETRESULT_H
