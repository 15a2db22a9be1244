//===- Shrink.h - The shrunk output of the Minimizer --------------*- C++ -*-===//
//
// Private to the core. Shrinker turns the Minimizer's marks into the shrunk
// table (docs/core.md, "Shrinking"): members of composites that no
// TYPE_MATCHES relocation inspects refer to canonical anonymous types, live
// types are ordered by essential name, unobserved composite sizes become the
// smallest that covers the kept members, and a `long` names the pointer
// size. Shrinker::checkAnswers() is the self-check the Minimizer runs on the
// result. Also declares the helpers Minimize.cpp and Shrink.cpp share.
//
//===----------------------------------------------------------------------===//

#ifndef BTFGEN_LIB_SHRINK_H
#define BTFGEN_LIB_SHRINK_H

#include "btfgen/Minimize.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/SmallVector.h"

#include <map>
#include <optional>
#include <tuple>
#include <vector>

namespace btfgen {

/// A candidate's answer to one relocation as the candidate classes compare
/// it (Minimize.cpp, "Signature"): match, calc error, bit offset, poison,
/// fail_memsz_adjust, new value (not for TYPE_ID_TARGET), new size.
using SigEntry = std::tuple<int, int, uint32_t, bool, bool, uint64_t, uint32_t>;
SigEntry sigEntry(const CoreCandidateResult &C, CoreReloKind Kind);

/// Walk a target raw access spec from Root as libbpf resolves it
/// (relo_core.c bpf_core_parse_spec's accessors; bpftool gen.c
/// btfgen_record_field_relo): skip typedefs and modifiers, then take a
/// member of a composite or the element of an array. OnStep(Parent, Index,
/// Child) sees every step after the first, Child as recorded in Parent.
/// Returns the accessed field's type, or an error where the spec does not
/// fit the table.
llvm::Expected<TypeId>
walkTargetSpec(const TypeTable &Target, TypeId Root,
               llvm::ArrayRef<uint32_t> Raw,
               llvm::function_ref<void(TypeId, uint32_t, TypeId)> OnStep);

/// Append kept type Id of Target to Out: its name, the members set in Keep
/// (none if Keep is empty), references through Ref and member types through
/// MemberRef; Size replaces a composite's size.
void emitType(const TypeTable &Target, TypeId Id, const llvm::BitVector &Keep,
              llvm::function_ref<TypeId(TypeId)> Ref,
              llvm::function_ref<TypeId(TypeId)> MemberRef, TypeTable &Out,
              llvm::SmallVectorImpl<uint32_t> &Words,
              std::optional<uint32_t> Size = std::nullopt);

/// Builds the shrunk table from one set of marks. Use once: run() fills the
/// Target -> output ID map and returns the table.
class Shrinker {
public:
  Shrinker(const TypeTable &Target, const Minimizer::MarkState &S,
           llvm::ArrayRef<Minimizer::Column> Columns);

  /// The shrunk table; NewId receives the Target -> output ID map (0 for
  /// types not in the output).
  TypeTable run(std::vector<TypeId> &NewId);

  /// The self-check: "" if every relocation of Checks answers on Small as on
  /// the full BTF (target IDs mapped through NewId), else the first
  /// difference.
  static std::string checkAnswers(llvm::ArrayRef<Minimizer::Check> Checks,
                                  const TypeTable &Small,
                                  llvm::ArrayRef<TypeId> NewId);

private:
  /// A canonical anonymous type. Elem refers to a kept type (source ID) or,
  /// with ElemSynth, to another canonical type (index into Synths).
  struct Synth {
    Kind K;
    uint32_t Size; ///< INT, FLOAT, STRUCT: byte size; ARRAY: element count
    uint32_t Word; ///< INT: the encoding word
    uint32_t Elem; ///< ARRAY
    bool ElemSynth;
    using Key = std::tuple<Kind, uint32_t, uint32_t, uint32_t, bool>;
    Key key() const { return Key(K, Size, Word, Elem, ElemSynth); }
  };
  /// A member reference: a kept type, or (IsSynth) a canonical one.
  struct Ref {
    uint32_t Id;
    bool IsSynth;
  };

  // Canonical member types.
  Ref makeSynth(const Synth &X);
  /// What member type T becomes in a shrinkable composite (memoized).
  Ref canon(TypeId T);
  Ref canonUncached(TypeId T);
  bool shrinkable(TypeId Id) const;
  /// The kept types Id refers to in the output (see forEachOutRef's body).
  void forEachOutRef(TypeId Id, llvm::function_ref<void(TypeId)> F);

  // Liveness and order.
  void pushLive(TypeId Id);
  void computeLive();
  void computeOrder();
  void place(TypeId Root);
  void pushAnonChildren(TypeId Id);

  // IDs.
  void assignIds(std::vector<TypeId> &NewId);
  void useSynth(Ref R);

  // Sizes.
  void computeObservedSizes();
  void markSizeSeen(TypeId Id);
  bool freeSize(TypeId Id) const;
  uint64_t refSize(Ref R);
  uint64_t canonSize(TypeId Id);

  // Emission.
  TypeId resolveRef(Ref R) const;
  TypeTable emit(llvm::ArrayRef<TypeId> NewId);
  void emitSynth(const Synth &X, TypeTable &Out,
                 llvm::SmallVectorImpl<uint32_t> &Words) const;
  void nameLong(TypeTable &Out) const;

  const TypeTable &Target;
  const Minimizer::MarkState &S;
  llvm::ArrayRef<Minimizer::Column> Columns;
  const uint32_t N;

  std::vector<Synth> Synths;
  std::map<Synth::Key, uint32_t> SynthIndex;
  /// Canon is asked about each kept member several times (liveness, order,
  /// canonical-type order, sizes, emission). Keyed by the few member types,
  /// not sized by the kernel (lookups only).
  llvm::DenseMap<TypeId, Ref> CanonMemo;

  llvm::BitVector Live;
  llvm::SmallVector<TypeId, 64> Work;

  std::vector<TypeId> Order;
  llvm::BitVector Placed;
  llvm::SmallVector<TypeId, 32> Stack;

  uint32_t IndexInt = 0;
  std::vector<uint32_t> SynthOrder; ///< by first use
  llvm::BitVector SynthPlaced;
  std::vector<uint32_t> SynthEmitOrder; ///< SynthOrder sorted by rank
  std::vector<TypeId> SynthId;

  llvm::BitVector SizeSeen;
  std::map<TypeId, uint64_t> SizeMemo;
};

} // namespace btfgen

#endif // BTFGEN_LIB_SHRINK_H
