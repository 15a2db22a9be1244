//===- VerifierCalls.cpp - Calls in the verifier walk ---------------------===//
//
// What a call does to the verifier's state (kernel/bpf/verifier.c
// check_helper_call, check_func_call, prepare_func_exit):
//
//  - a helper: R0 is its result, R1-R5 are dead; memory the helper writes
//    (a probe_read buffer on the stack) forgets what it held; a callback
//    passed to it is verified too;
//  - a static subprogram: a new frame whose R1-R5 are the caller's, so
//    constants passed as arguments keep deciding branches in the callee;
//  - a global function (BTF_FUNC_GLOBAL, since 5.6): verified once, apart,
//    with unknown arguments (since 6.8 only when a call to it is reached);
//    the caller gets an unknown R0.
//
//===----------------------------------------------------------------------===//

#include "VerifierWalk.h"

#include "llvm/ADT/STLExtras.h"

using namespace llvm;

namespace btfgen {
namespace verifier {

namespace {

constexpr unsigned MaxCallFrames = 8; // MAX_CALL_FRAMES

/// A helper that writes Size bytes (register SizeArg) at the pointer in
/// register PtrArg (uapi enum bpf_func_id).
struct MemWriter {
  int32_t Helper;
  uint8_t PtrArg, SizeArg;
};
constexpr MemWriter Writers[] = {
    {4, 1, 2},   {16, 1, 2},  {45, 1, 2},  {112, 1, 2}, {113, 1, 2},
    {114, 1, 2}, {115, 1, 2}, {148, 1, 2}, {165, 1, 2}, {149, 1, 2},
    {191, 1, 2}, {176, 1, 2}, {67, 2, 3},  {141, 2, 3}, {147, 2, 3},
    {56, 2, 3},  {119, 2, 3}, {26, 3, 4},  {68, 3, 4},  {55, 3, 4},
    {118, 3, 4},
};

/// Helpers that only read the memory they are given.
constexpr int32_t Readers[] = {1,  2,  3,   5,   6,   7,   12,
                               14, 15, 25,  27,  35,  125, 130, 131,
                               132, 133, 177, 186, 190};

/// Helpers taking a callback (a subprogram address).
constexpr int32_t CallbackHelpers[] = {164, 170, 180, 181, 201};

/// Helpers whose result the verifier may know more about than "any value":
/// bounded by a size argument, or a pointer it knows is not NULL.
constexpr int32_t BoundedResult[] = {8,   16,  45,  67,  114, 115, 141,
                                     147, 149, 158, 165, 176};

template <size_t N> bool contains(const int32_t (&A)[N], int32_t V) {
  return llvm::is_contained(A, V);
}

} // namespace

void Walker::use(uint32_t Deps) {
  for (unsigned F = 0; F < NumVerifierFeatures; ++F)
    if (Deps & (1u << F))
      Result.Used[F] = true;
  if (Deps & DepReadOnlyData)
    Result.UsedReadOnlyData = true;
}

void Walker::enqueueEntry(uint32_t Pc, bool Uncertain) {
  auto [It, New] = Entries.try_emplace(Pc, Uncertain);
  if (New || (It->second && !Uncertain)) {
    It->second = Uncertain;
    EntryQueue.push_back(Pc);
  }
}

const BPFFunction *Walker::functionStartingAt(uint32_t Pc) const {
  for (const ProgramPart &Part : P.Parts)
    if (Part.Start == Pc)
      return &Obj.Functions[Part.Function];
  return nullptr;
}

PathResult Walker::run() {
  if (assume(VerifierFeature::GlobalFuncs) &&
      !assume(VerifierFeature::LazyGlobalFuncs))
    for (size_t I = 1; I < P.Parts.size(); ++I)
      if (Obj.Functions[P.Parts[I].Function].Linkage == FuncLinkage::Global)
        enqueueEntry(P.Parts[I].Start, false);
  walk(entryState(0, /*CtxArg=*/true));
  // Global functions and callbacks, each verified apart.
  while (!EntryQueue.empty() && !Result.BudgetExceeded) {
    uint32_t Pc = EntryQueue.front();
    EntryQueue.erase(EntryQueue.begin());
    const BPFFunction *F = functionStartingAt(Pc);
    State S = entryState(Pc, /*CtxArg=*/false);
    S.Uncertain = Entries[Pc];
    // A callback's arguments come from the helper: the model does not
    // know what the verifier passes.
    if (!F || F->Linkage != FuncLinkage::Global ||
        !assume(VerifierFeature::GlobalFuncs))
      for (unsigned R = 1; R <= 5; ++R)
        S.reg(R).Exact = false;
    walk(std::move(S));
  }
  Result.Unsupported.assign(Notes.begin(), Notes.end());
  return Result;
}

bool Walker::callInsn(State &S, const BPFInsn &I) {
  if (I.Src == 0) {
    if (isPoisonCall(I)) {
      reachPoison(S);
      if (Opts.StopAtPoison)
        return false;
      for (unsigned R = 0; R < 10; ++R)
        S.reg(R) = fresh(S, 0, ~0ULL, false);
      ++S.Pc;
      return true;
    }
    helperCall(S, I);
    ++S.Pc;
    return true;
  }
  if (I.Src == bpf::PseudoKfuncCall) {
    S.reg(0) = fresh(S, 0, ~0ULL, false);
    for (unsigned R = 1; R <= 5; ++R)
      S.reg(R) = Value();
    ++S.Pc;
    return true;
  }
  if (I.Src == bpf::PseudoCall)
    return subprogCall(S, I);
  incomplete(S, "call with src_reg " + Twine(unsigned(I.Src)));
  return false;
}

void Walker::helperCall(State &S, const BPFInsn &I) {
  int32_t Helper = I.Imm;
  for (unsigned R = 1; R <= 5; ++R)
    if (S.reg(R).K == VK::FuncPtr)
      enqueueEntry(uint32_t(S.reg(R).V), S.Uncertain);
  clobberHelperMemory(S, Helper);
  // R0 holds "any value" for the helpers the model knows; others may
  // return a range or a pointer the verifier knows more about.
  bool Exact = !contains(BoundedResult, Helper) &&
               (contains(Readers, Helper) ||
                llvm::any_of(Writers, [&](const MemWriter &W) {
                  return W.Helper == Helper;
                }));
  S.reg(0) = fresh(S, 0, ~0ULL, Exact);
  for (unsigned R = 1; R <= 5; ++R)
    S.reg(R) = Value();
}

void Walker::clobberHelperMemory(State &S, int32_t Helper) {
  const MemWriter *W = llvm::find_if(
      Writers, [&](const MemWriter &M) { return M.Helper == Helper; });
  bool Known = W != std::end(Writers);
  bool ReadOnly = contains(Readers, Helper);
  bool Callback = contains(CallbackHelpers, Helper);
  for (unsigned R = 1; R <= 5; ++R) {
    const Value &Ptr = S.reg(R);
    if (Ptr.K != VK::Stack || Ptr.Frame >= S.Frames.size())
      continue;
    Frame &F = S.Frames[Ptr.Frame];
    if (ReadOnly)
      continue;
    if (Callback || !Ptr.OffKnown) {
      clobberStack(F, -512, 0, /*Fuzzy=*/true);
      continue;
    }
    int64_t At = int64_t(Ptr.V);
    if (Known && W->PtrArg == R && S.reg(W->SizeArg).K == VK::Const) {
      clobberStack(F, At, At + int64_t(S.reg(W->SizeArg).V), false);
      continue;
    }
    // An unknown helper, or an unknown size: everything above the pointer
    // may have been written.
    clobberStack(F, At, 0, /*Fuzzy=*/true);
  }
}

bool Walker::subprogCall(State &S, const BPFInsn &I) {
  uint32_t Target = uint32_t(int64_t(S.Pc) + 1 + I.Imm);
  const BPFFunction *F = functionStartingAt(Target);
  if (!F) {
    incomplete(S, "call into the middle of a function");
    return false;
  }
  if (F->Linkage == FuncLinkage::Global &&
      assume(VerifierFeature::GlobalFuncs)) {
    if (assume(VerifierFeature::LazyGlobalFuncs))
      enqueueEntry(Target, S.Uncertain);
    S.reg(0) = fresh(S, 0, ~0ULL, true);
    for (unsigned R = 1; R <= 5; ++R)
      S.reg(R) = Value();
    ++S.Pc;
    return true;
  }
  if (S.Frames.size() >= MaxCallFrames) {
    incomplete(S, "more than 8 call frames");
    return false;
  }
  if (llvm::any_of(S.Frames,
                   [&](const Frame &Fr) { return Fr.FuncStart == Target; })) {
    incomplete(S, "recursive call");
    return false;
  }
  Frame Callee;
  Callee.ReturnTo = S.Pc + 1;
  Callee.FuncStart = Target;
  for (unsigned R = 1; R <= 5; ++R) {
    Callee.Regs[R] = S.reg(R);
    if (Callee.Regs[R].K == VK::Const)
      Callee.Regs[R].Deps |= dep(VerifierFeature::StaticSubprogs);
    S.reg(R) = Value();
  }
  Callee.Regs[10].K = VK::Stack;
  Callee.Regs[10].Frame = uint16_t(S.Frames.size());
  S.Frames.push_back(std::move(Callee));
  S.Pc = Target;
  return true;
}

} // namespace verifier
} // namespace btfgen
