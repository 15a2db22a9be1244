//===- CoreMatch.h - libbpf-exact CO-RE relocation matching -------*- C++ -*-===//
//
// Computes, for one CO-RE relocation of a program (local BTF) against one
// kernel (target BTF), exactly what libbpf computes: candidate search by
// essential name (libbpf.c bpf_core_add_cands), access-spec parsing and
// matching (relo_core.c bpf_core_parse_spec, bpf_core_spec_match), the
// relocated value (bpf_core_calc_relo) and the ambiguity rules of
// bpf_core_calc_relo_insn. Ported from libbpf v1.1 src/relo_core.c; see
// docs/core.md.
//
// A target lacking a type or field is a value (NotFound / Poisoned), not an
// llvm::Error; libbpf's hard errors are the Error outcome with a message.
//
//===----------------------------------------------------------------------===//

#ifndef BTFGEN_COREMATCH_H
#define BTFGEN_COREMATCH_H

#include "btfgen/CoreRelo.h"
#include "btfgen/TypeTable.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/Error.h"

#include <map>
#include <string>
#include <utility>

namespace btfgen {

/// libbpf's BPF_CORE_SPEC_MAX_LEN.
constexpr unsigned CoreSpecMaxLen = 64;

/// One high-level access step: a named member of a struct/union, an array
/// index, or (for enumval kinds) an enumerator.
struct CoreAccessor {
  TypeId Type = 0;     // the struct/union/array/enum being accessed
  uint32_t Idx = 0;    // member/element/enumerator index
  llvm::StringRef Name; // member or enumerator name; empty for array access
};

/// libbpf's struct bpf_core_spec. Names borrow from the TypeTable the spec
/// was built on.
struct CoreSpec {
  TypeId RootType = 0;
  CoreReloKind Kind = CoreReloKind::FieldByteOffset;
  /// High-level spec: named fields and array indices only.
  llvm::SmallVector<CoreAccessor, 8> Spec;
  /// Raw spec: the access string's indices, rebased on this BTF.
  llvm::SmallVector<uint32_t, 8> RawSpec;
  /// Field bit offset (field-based kinds).
  uint32_t BitOffset = 0;
};

/// What libbpf concludes for one relocation against one kernel.
enum class RelocOutcome {
  Resolved, ///< A value was computed (incl. FIELD_EXISTS/TYPE_EXISTS = 1).
  NotFound, ///< No candidate matched; an *_EXISTS/TYPE_MATCHES kind gets 0.
  Poisoned, ///< No candidate matched; the instruction is poisoned.
  Error,    ///< libbpf fails the load (ambiguity, bitfield too big, ...).
};
const char *outcomeName(RelocOutcome O); // "resolved", "not-found", ...

/// One candidate's own answer to a relocation: the per-candidate step of
/// relo_core.c bpf_core_calc_relo_insn() (spec match, then
/// bpf_core_calc_relo() if it matched), independent of the other
/// candidates. The fields are what libbpf's agreement check and the
/// reported result depend on, except the target type IDs (new_type_id),
/// which differ between candidates by construction. Minimization uses them
/// to find interchangeable candidates.
struct CoreCandidateResult {
  TypeId Id = 0;
  int Match = 0;   ///< bpf_core_spec_match(): 1 match, 0 no match, < 0 error
  int CalcErr = 0; ///< bpf_core_calc_relo() error when matched, else 0
  /// When matched without CalcErr: the candidate spec's bit offset and
  /// bpf_core_calc_relo()'s target-side values.
  uint32_t BitOffset = 0;
  bool Poison = false;
  bool FailMemsz = false;
  uint64_t NewVal = 0;
  uint32_t NewSz = 0;
};

/// libbpf's struct bpf_core_relo_res plus what minimization needs.
struct CoreResult {
  RelocOutcome Outcome = RelocOutcome::Error;
  uint64_t OrigVal = 0;
  uint64_t NewVal = 0;
  bool Poison = false;
  bool Validate = true;
  bool FailMemsz = false;
  uint32_t OrigSz = 0, NewSz = 0;
  TypeId OrigType = 0, NewType = 0;
  /// For Error (and Poisoned), libbpf's reason, e.g. "field offset
  /// ambiguity: 16 != 24".
  std::string Message;
  /// The local spec (built on the local BTF).
  CoreSpec LocalSpec;
  /// Target specs of ALL matching candidates, in candidate (ID) order; the
  /// first is the one libbpf reports. For an ambiguity Error this includes
  /// the disagreeing candidate(s) (the scan continues past the first
  /// disagreement so that a minimized BTF keeps every candidate libbpf could
  /// see after its order-dependent candidate pruning). Empty for
  /// NotFound/Poisoned.
  llvm::SmallVector<CoreSpec, 2> TargetSpecs;
  /// For an Error raised while matching a candidate (bpf_core_spec_match()
  /// < 0, e.g. spec too deep), that candidate's ID; else 0.
  TypeId ErrorCandidate = 0;
  /// Field kinds: the partial target specs (up to and including the member)
  /// of the candidates whose spec stops at a zero-length array that is not
  /// a flexible array. libbpf finds no match there, cilium/ebpf fails the
  /// load ("target type has invalid flexible array", btf/core.go
  /// coreFindField: https://github.com/cilium/ebpf/blob/5ba0b3b27a92/btf/core.go#L807);
  /// the minimized BTF keeps these paths so that it fails the same way.
  llvm::SmallVector<CoreSpec, 0> InvalidFlexSpecs;
  /// Every candidate of the full candidate list (bpf_core_find_cands
  /// order), each with its own answer. Empty for TYPE_ID_LOCAL and for an
  /// anonymous root. Added for minimization (Minimize.cpp, candidate
  /// classes); does not affect the fields above.
  llvm::SmallVector<CoreCandidateResult, 2> Candidates;
};

/// libbpf's btf_kind_core_compat(): same kind, or ENUM vs ENUM64.
bool kindsAreCoreCompat(Kind A, Kind B);

/// The candidate list of bpf_core_find_cands()/bpf_core_add_cands() for
/// local type Id: target types with the same essential name and a
/// core-compatible kind, in increasing ID order. Empty when the local type
/// is anonymous. Target's name index must be built.
llvm::SmallVector<TypeId, 4> findCoreCandidates(const TypeTable &Local,
                                                TypeId LocalId,
                                                const TypeTable &Target);

/// The compatibility relations of relo_core.c, with libbpf's tri-state
/// result: 1 compatible, 0 not, < 0 error (bad type ID, too deep).
/// bpf_core_fields_are_compat():
int coreFieldsAreCompat(const TypeTable &Local, TypeId LocalId,
                        const TypeTable &Target, TypeId TargetId);
/// bpf_core_types_are_compat() (level 32):
int coreTypesAreCompat(const TypeTable &Local, TypeId LocalId,
                       const TypeTable &Target, TypeId TargetId);
/// bpf_core_types_match() (behind_ptr false, level 32):
int coreTypesMatch(const TypeTable &Local, TypeId LocalId,
                   const TypeTable &Target, TypeId TargetId);
/// cilium/ebpf's TYPE_MATCHES relation (btf/core.go coreTypesMatch, at
/// 5ba0b3b): true when it finds no difference. Unlike libbpf it compares
/// composites behind pointers member by member, looks members up by exact
/// name (the last target member of that name), and lets an anonymous type
/// match any name. CiliumTypesMatch.cpp.
bool ciliumTypesMatch(const TypeTable &Local, TypeId LocalId,
                      const TypeTable &Target, TypeId TargetId);

/// Matches relocations of one program against one kernel. Cheap to create;
/// the Target's name index must be built (TypeTable::buildNameIndex()).
/// Borrows both tables; results' specs point into them.
class CoreMatcher {
public:
  CoreMatcher(const TypeTable &Local, const TypeTable &Target);

  /// Compute the relocation as libbpf's bpf_core_calc_relo_insn() would,
  /// with candidates from bpf_core_find_cands() semantics. A local spec
  /// that cannot be parsed (corrupt program BTF) is an llvm::Error; every
  /// target-dependent outcome is a CoreResult.
  llvm::Expected<CoreResult> calc(const CoreRelocation &R) const;

  /// The same with an explicit candidate list instead of the full one, e.g.
  /// libbpf's pruned per-root candidate cache when simulating a load
  /// relocation by relocation. Cands must be target IDs in increasing order.
  llvm::Expected<CoreResult> calc(const CoreRelocation &R,
                                  llvm::ArrayRef<TypeId> Cands) const;

private:
  llvm::Expected<CoreResult> calcImpl(const CoreRelocation &R,
                                      const llvm::ArrayRef<TypeId> *Cands) const;

  const TypeTable &Local;
  const TypeTable &Target;
};

/// One BPF object's relocations as libbpf applies them at load time, in
/// order: libbpf keeps one candidate list per local root type for the whole
/// object (libbpf.c bpf_object__relocate_core: cand_cache, filled by
/// bpf_core_find_cands on first use), and every relocation that matches
/// some candidate shrinks that list to the candidates that matched
/// (relo_core.c bpf_core_calc_relo_insn: `if (j > 0) cands->len = j`). So
/// a relocation's answer can depend on the relocations of the same root
/// before it; CoreMatcher::calc answers against the full list.
class CoreLoadSession {
public:
  CoreLoadSession(const TypeTable &Local, const TypeTable &Target);

  /// libbpf's answer for R after the relocations already passed to calc().
  /// Full, if given, must be CoreMatcher::calc(R) on the same tables: it is
  /// reused when the cached list is still the full one.
  llvm::Expected<CoreResult> calc(const CoreRelocation &R,
                                  const CoreResult *Full = nullptr);

private:
  const TypeTable &Local;
  const TypeTable &Target;
  CoreMatcher Matcher;
  /// Per local root type: the current list, and whether it was pruned.
  std::map<TypeId, std::pair<llvm::SmallVector<TypeId, 4>, bool>> Cands;
};

/// Parse an access string ("0:1:2") against Local into a spec (libbpf
/// bpf_core_parse_spec). Exposed for tests and the manifest validator.
llvm::Expected<CoreSpec> parseCoreSpec(const TypeTable &Local, TypeId Root,
                                       CoreReloKind Kind,
                                       llvm::StringRef Access);

} // namespace btfgen

#endif // BTFGEN_COREMATCH_H
