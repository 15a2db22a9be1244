//===- VerifierWalk.h - The walk behind explorePaths --------------*- C++ -*-===//
//
// Private to VerifierPaths.cpp (the walk, jumps, calls), VerifierMemory.cpp
// (ALU, loads and stores) and VerifierBranch.cpp (conditional jumps).
//
//===----------------------------------------------------------------------===//

#ifndef BTFGEN_VERIFIERWALK_H
#define BTFGEN_VERIFIERWALK_H

#include "VerifierState.h"

#include "btfgen/VerifierPaths.h"

#include "llvm/ADT/Twine.h"

#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

namespace btfgen {
namespace verifier {

/// Per-instruction facts computed once: live registers on entry (bit R)
/// and the instructions where states are compared (jump targets, the
/// fall-through of a jump, function entries).
struct ProgramFacts {
  explicit ProgramFacts(llvm::ArrayRef<BPFInsn> Insns);
  std::vector<uint16_t> LiveIn;
  std::vector<bool> PrunePoint;
};

struct VisitKey {
  uint32_t Pc;
  uint64_t A, B;
  bool operator==(const VisitKey &O) const {
    return Pc == O.Pc && A == O.A && B == O.B;
  }
};
struct VisitKeyHash {
  size_t operator()(const VisitKey &K) const {
    return size_t(K.A ^ (uint64_t(K.Pc) * 0x9e3779b97f4a7c15ULL));
  }
};

class Walker {
public:
  Walker(const BPFObject &Obj, const BPFProgram &P,
         llvm::ArrayRef<BPFInsn> Insns, const PathOptions &Opts);
  PathResult run();

private:
  bool assume(VerifierFeature F) const { return Opts.Assume[unsigned(F)]; }
  void use(uint32_t Deps);
  /// A construct the model approximates; the walk goes on.
  void unsupported(const State &S, const llvm::Twine &What);
  /// A construct the walk cannot follow: this path ends here.
  void incomplete(const State &S, const llvm::Twine &What);
  Value fresh(State &S, uint64_t Lo, uint64_t Hi, bool Exact);

  // The walk (VerifierPaths.cpp).
  State entryState(uint32_t Pc, bool CtxArg);
  void walk(State S);
  void followPath(State S);
  bool seen(State &S);
  void canonicalize(State &S) const;
  void widenIfLooping(State &S);
  void reachPoison(const State &S);
  bool step(State &S);
  bool ldInsn(State &S, const BPFInsn &I);
  Value ldImm64Value(State &S, const BPFInsn &I);
  bool jumpInsn(State &S, const BPFInsn &I);
  bool exitInsn(State &S);

  // Calls (VerifierCalls.cpp).
  bool callInsn(State &S, const BPFInsn &I);
  void helperCall(State &S, const BPFInsn &I);
  void clobberHelperMemory(State &S, int32_t Helper);
  bool subprogCall(State &S, const BPFInsn &I);
  void enqueueEntry(uint32_t Pc, bool Uncertain);
  const BPFFunction *functionStartingAt(uint32_t Pc) const;

  // Values (VerifierMemory.cpp).
  void alu(State &S, const BPFInsn &I);
  Value aluValue(State &S, const BPFInsn &I, const Value &Dst,
                 const Value &Src);
  Value aluUnknown(State &S, const BPFInsn &I, const Value &Dst,
                   const Value &Src);
  Value shiftRight(State &S, const BPFInsn &I, const Value &In, uint64_t C,
                   Value R, const Value &Fuzzy);
  void loadInsn(State &S, const BPFInsn &I);
  void storeInsn(State &S, const BPFInsn &I);
  Value loadFrom(State &S, const Value &Ptr, int64_t Off, unsigned Size,
                 bool SignExtend);
  Value loadStack(State &S, Frame &F, int64_t At, unsigned Size);
  void storeStack(State &S, Frame &F, int64_t At, unsigned Size,
                  const Value &V, bool Imm);
  void clobberStack(Frame &F, int64_t From, int64_t To, bool Fuzzy);
  bool stackAddress(State &S, const Value &Ptr, int64_t Off, unsigned Size,
                    Frame *&F, int64_t &At);

  // Conditional jumps (VerifierBranch.cpp).
  void condJump(State &S, const BPFInsn &I);
  bool decideConst(const BPFInsn &I, const Value &Dst, const Value &Src,
                   bool &Taken);
  void refine(State &S, const Value &Old, std::optional<Value> New);

  const BPFObject &Obj;
  const BPFProgram &P;
  llvm::ArrayRef<BPFInsn> Insns;
  const PathOptions &Opts;
  ProgramFacts Facts;
  bool TypedCtx;

  PathResult Result;
  std::set<std::string> Notes;
  std::vector<State> Work;
  std::unordered_map<VisitKey, bool, VisitKeyHash> Visited; ///< -> uncertain
  std::unordered_map<uint32_t, unsigned> Distinct;
  std::unordered_map<uint32_t, State> LastAt;
  /// Separately verified entries (global functions, callbacks) and
  /// whether they were entered on a certain path.
  std::map<uint32_t, bool> Entries;
  std::vector<uint32_t> EntryQueue;
};

} // namespace verifier
} // namespace btfgen

#endif // BTFGEN_VERIFIERWALK_H
