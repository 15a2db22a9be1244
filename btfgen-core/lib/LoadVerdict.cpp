//===- LoadVerdict.cpp - Will this program load on that kernel? -----------===//
//
// The verdict as a sequence of steps: libbpf's hard errors, the patched
// instructions, what the program needs from the verifier at all, the walks
// under each set of assumptions, and the conclusion (see LoadVerdict.h).
//
//===----------------------------------------------------------------------===//

#include "btfgen/LoadVerdict.h"

#include "btfgen/CorePatch.h"
#include "btfgen/VerifierPaths.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/FormatVariadic.h"

#include <map>
#include <set>

using namespace llvm;

namespace btfgen {

const char *verdictKindName(VerdictKind K) {
  switch (K) {
  case VerdictKind::Loads:
    return "loads";
  case VerdictKind::Fails:
    return "fails";
  case VerdictKind::Unknown:
    break;
  }
  return "unknown";
}

namespace {

/// libbpf's btf_kind_str().
const char *btfKindStr(Kind K) {
  switch (K) {
  case Kind::Int:
    return "int";
  case Kind::Ptr:
    return "ptr";
  case Kind::Array:
    return "array";
  case Kind::Struct:
    return "struct";
  case Kind::Union:
    return "union";
  case Kind::Enum:
    return "enum";
  case Kind::Fwd:
    return "fwd";
  case Kind::Typedef:
    return "typedef";
  case Kind::Volatile:
    return "volatile";
  case Kind::Const:
    return "const";
  case Kind::Restrict:
    return "restrict";
  case Kind::Func:
    return "func";
  case Kind::FuncProto:
    return "func_proto";
  case Kind::Var:
    return "var";
  case Kind::Datasec:
    return "datasec";
  case Kind::Float:
    return "float";
  case Kind::DeclTag:
    return "decl_tag";
  case Kind::TypeTag:
    return "type_tag";
  case Kind::Enum64:
    return "enum64";
  default:
    return "unknown";
  }
}

/// Whether the control-flow graph has a back edge, as the verifier's
/// check_cfg() looks for one: a depth-first walk from the entry that also
/// enters called subprograms and callbacks, where an edge to an instruction
/// still on the walk's stack is a loop.
bool hasBackEdge(ArrayRef<BPFInsn> Insns) {
  enum : uint8_t { New, OnStack, Done };
  std::vector<uint8_t> Mark(Insns.size(), New);
  auto Succ = [&](uint32_t Pc) {
    SmallVector<uint32_t, 3> Out;
    const BPFInsn &I = Insns[Pc];
    uint8_t Cls = I.cls();
    bool JmpCls = Cls == bpf::JMP || Cls == bpf::JMP32;
    if (isLdImm64(I)) {
      Out.push_back(Pc + 2);
      if (I.Src == bpf::PseudoFunc)
        Out.push_back(uint32_t(int64_t(Pc) + 1 + I.Imm));
    } else if (!JmpCls) {
      Out.push_back(Pc + 1);
    } else if (I.op() == bpf::CALL) {
      Out.push_back(Pc + 1);
      if (I.Src == bpf::PseudoCall)
        Out.push_back(uint32_t(int64_t(Pc) + 1 + I.Imm));
    } else if (I.op() == bpf::JA) {
      Out.push_back(uint32_t(int64_t(Pc) + 1 +
                             (Cls == bpf::JMP32 ? I.Imm : I.Off)));
    } else if (I.op() != bpf::EXIT) {
      Out.push_back(Pc + 1);
      Out.push_back(uint32_t(int64_t(Pc) + 1 + I.Off));
    }
    return Out;
  };
  // Iterative DFS: (instruction, index of the next successor to try).
  std::vector<std::pair<uint32_t, unsigned>> Stack;
  if (Insns.empty())
    return false;
  Stack.push_back({0, 0});
  Mark[0] = OnStack;
  while (!Stack.empty()) {
    auto &[Pc, Next] = Stack.back();
    SmallVector<uint32_t, 3> S = Succ(Pc);
    if (Next == S.size()) {
      Mark[Pc] = Done;
      Stack.pop_back();
      continue;
    }
    uint32_t T = S[Next++];
    if (T >= Insns.size())
      continue;
    if (Mark[T] == OnStack)
      return true;
    if (Mark[T] == New) {
      Mark[T] = OnStack;
      Stack.push_back({T, 0});
    }
  }
  return false;
}

/// A poisoned instruction before the walks: which record poisoned it.
struct Poisoned {
  uint32_t Reloc = 0;
  uint32_t RecordIndex = 0;
  std::string Why;
};

/// The walks' combined findings.
struct Walks {
  bool AnyPessimisticReach = false; ///< some poison reached, least pruning
  bool Incomplete = false;          ///< budget, or a path not followed
  std::set<uint32_t> PessimisticReach;
  /// Reached by the least pruning walk that goes on past poisons.
  std::set<uint32_t> ReachPastPoisons;
  std::vector<uint32_t> CertainOrder; ///< certain in every variant, ordered
  std::set<std::string> Notes;
  std::set<unsigned> Used;
  bool UsedReadOnlyData = false;
  uint64_t Steps = 0;
};

class Judge {
public:
  Judge(const BPFObject &Obj, const BPFProgram &P, ArrayRef<CoreResult> Res,
        const VerdictOptions &Opts)
      : Obj(Obj), P(P), Results(Res), Opts(Opts) {
    V.Program = P.Name;
    V.Section = P.Section;
    // libbpf patches the object's own ID into local_type_id relocations;
    // a manifest's types are numbered otherwise (BPFObject::RootIds).
    if (Obj.RootIds.empty())
      return;
    Own.assign(Res.begin(), Res.end());
    for (uint32_t I = 0; I < Own.size(); ++I)
      if (Obj.M.Relocs[I].Kind == CoreReloKind::TypeIdLocal &&
          Own[I].Outcome == RelocOutcome::Resolved)
        Own[I].OrigVal = Own[I].NewVal = Obj.RootIds[I];
    Results = Own;
  }
  ProgramVerdict run();

private:
  void collectErrors();
  void patchProgram();
  bool checkRequirements();
  void walkVariants();
  void conclude();
  PoisonSite site(uint32_t Insn) const;
  PathResult walk(bool Optimistic, bool Global, bool Lazy,
                  bool StopAtPoison = true);
  bool hasGlobalSubprogs() const;

  const BPFObject &Obj;
  const BPFProgram &P;
  ArrayRef<CoreResult> Results;
  std::vector<CoreResult> Own; ///< Results, with the object's type IDs
  const VerdictOptions &Opts;
  ProgramVerdict V;
  std::vector<BPFInsn> Insns;
  std::map<uint32_t, Poisoned> Poisons;
  Walks W;
};

void Judge::collectErrors() {
  // libbpf 1.1.2 bpf_object__relocate_core(): the records of every loaded
  // program and subprogram, in .BTF.ext order; the first failure stops it.
  for (const FunctionCoreRelo &R : Obj.relosAppliedFor(P)) {
    const CoreResult &Res = Results[R.Reloc];
    const BPFFunction &F = Obj.Functions[R.Function];
    LoadError E;
    E.Reloc = R.Reloc;
    E.RecordIndex = R.RecordIndex;
    E.Function = F.Name;
    if (Res.Outcome == RelocOutcome::Error) {
      E.Message = "failed to relocate: " + Res.Message;
      V.Errors.push_back(std::move(E));
      continue;
    }
    // bpf_core_patch_insn() on the function's own copy of the instruction.
    const BPFProgram *Owner = nullptr;
    for (const BPFProgram &Q : Obj.Programs)
      if (!Owner && llvm::any_of(Q.Parts, [&](const ProgramPart &Part) {
            return Part.Function == R.Function;
          }))
        Owner = &Q;
    if (!Owner)
      continue; // an uncalled subprogram: patched in no linked program
    uint32_t Start = llvm::find_if(Owner->Parts, [&](const ProgramPart &X) {
                       return X.Function == R.Function;
                     })->Start;
    std::vector<BPFInsn> Copy(Owner->Insns.begin() + Start,
                              Owner->Insns.begin() + Start + F.NumInsns);
    CorePatchResult X = patchCoreInsn(Copy, R.Insn, Res);
    if (X.Outcome == PatchOutcome::Failed) {
      E.Message = "failed to patch insn #" + std::to_string(R.Insn) + ": " +
                  X.Message;
      V.Errors.push_back(std::move(E));
    }
  }
}

void Judge::patchProgram() {
  Insns = P.Insns;
  for (const ProgramCoreRelo &R : P.CoreRelos) {
    const CoreResult &Res = Results[R.Reloc];
    if (Res.Outcome == RelocOutcome::Error)
      continue;
    CorePatchResult X = patchCoreInsn(Insns, R.Insn, Res);
    if (X.Outcome == PatchOutcome::Poisoned)
      Poisons[R.Insn] = {R.Reloc, R.RecordIndex, X.Message};
  }
}

/// Instructions some kernels' verifiers reject outright: the program
/// cannot load there, CO-RE or not. Where the kernel's verifier rejects or
/// may reject them, the verdict is unknown: not a CO-RE failure, and no
/// proof that it loads.
bool Judge::checkRequirements() {
  std::map<VerifierFeature, std::string> Needs;
  for (uint32_t Pc = 0; Pc < Insns.size(); ++Pc) {
    const BPFInsn &I = Insns[Pc];
    uint8_t Cls = I.cls();
    bool Jump = (Cls == bpf::JMP || Cls == bpf::JMP32) &&
                I.op() != bpf::CALL && I.op() != bpf::EXIT;
    if (Cls == bpf::JMP32)
      Needs.try_emplace(VerifierFeature::Jmp32, "JMP32 instructions");
    if (Jump && I.op() == bpf::JCOND)
      Needs.try_emplace(VerifierFeature::MayGoto, "may_goto");
    bool V4 = (Cls == bpf::LDX && I.mode() == bpf::MEMSX) ||
              (Cls == bpf::ALU64 && I.op() == bpf::MOV && I.Off != 0) ||
              ((Cls == bpf::ALU || Cls == bpf::ALU64) &&
               (I.op() == bpf::DIV || I.op() == bpf::MOD) && I.Off == 1) ||
              (Cls == bpf::ALU64 && I.op() == bpf::END) ||
              (Cls == bpf::JMP32 && I.op() == bpf::JA);
    if (V4)
      Needs.try_emplace(VerifierFeature::IsaV4, "ISA v4 instructions");
    if (isLdImm64(I))
      ++Pc;
  }
  if (hasBackEdge(Insns))
    Needs.try_emplace(VerifierFeature::BoundedLoops, "a loop");
  bool Ok = true;
  for (const auto &[F, What] : Needs) {
    Support S = Opts.Caps.get(F);
    if (S == Support::Yes)
      continue;
    std::string Msg = "the program has " + What + ", which " +
                      (S == Support::No ? "this kernel's verifier rejects"
                                        : "this kernel's verifier may reject") +
                      " (" + featureName(F) + ")";
    V.Reasons.push_back(Msg);
    Ok = false;
  }
  return Ok;
}

bool Judge::hasGlobalSubprogs() const {
  for (size_t I = 1; I < P.Parts.size(); ++I)
    if (Obj.Functions[P.Parts[I].Function].Linkage == FuncLinkage::Global)
      return true;
  return false;
}

PathResult Judge::walk(bool Optimistic, bool Global, bool Lazy,
                       bool StopAtPoison) {
  PathOptions PO;
  PO.Budget = Opts.Budget;
  PO.StopAtPoison = StopAtPoison;
  for (unsigned F = 0; F < NumVerifierFeatures; ++F) {
    Support S = Opts.Caps.S[F];
    PO.Assume[F] = S == Support::Yes || (S == Support::Unknown && Optimistic);
  }
  PO.Assume[unsigned(VerifierFeature::GlobalFuncs)] = Global;
  PO.Assume[unsigned(VerifierFeature::LazyGlobalFuncs)] = Lazy;
  return explorePaths(Obj, P, Insns, PO);
}

void Judge::walkVariants() {
  // The handling of global functions is not a matter of pruning more or
  // less: every variant the kernel may use is walked, and must agree.
  auto Values = [](Support S) -> std::vector<bool> {
    if (S == Support::Yes)
      return {true};
    if (S == Support::No)
      return {false};
    return {false, true};
  };
  std::vector<std::pair<bool, bool>> Variants;
  std::vector<bool> Gs = hasGlobalSubprogs()
                             ? Values(Opts.Caps.get(VerifierFeature::GlobalFuncs))
                             : std::vector<bool>{false};
  for (bool Gv : Gs) {
    std::vector<bool> Ls =
        Gv ? Values(Opts.Caps.get(VerifierFeature::LazyGlobalFuncs))
           : std::vector<bool>{false};
    for (bool Lv : Ls)
      Variants.push_back({Gv, Lv});
  }
  std::vector<uint32_t> Certain;
  bool First = true;
  for (auto [Gv, Lv] : Variants) {
    PathResult Pess = walk(false, Gv, Lv);
    PathResult Opt = walk(true, Gv, Lv);
    PathResult Past = Poisons.empty() ? PathResult() : walk(false, Gv, Lv, false);
    for (const PoisonReach &X : Past.Poisons)
      W.ReachPastPoisons.insert(X.Insn);
    for (const PathResult *R : {&Pess, &Opt, &Past}) {
      W.Steps += R->Steps;
      W.Incomplete |= R->BudgetExceeded || R->Incomplete;
      W.Notes.insert(R->Unsupported.begin(), R->Unsupported.end());
      if (R->BudgetExceeded)
        W.Notes.insert(formatv("the walk exceeded its budget of {0} "
                               "instructions",
                               Opts.Budget));
    }
    for (const PoisonReach &X : Pess.Poisons)
      W.PessimisticReach.insert(X.Insn);
    W.AnyPessimisticReach |= !Pess.Poisons.empty();
    for (unsigned F = 0; F < NumVerifierFeatures; ++F)
      if (Pess.Used[F])
        W.Used.insert(F);
    W.UsedReadOnlyData |= Pess.UsedReadOnlyData;
    std::vector<uint32_t> Here;
    for (const PoisonReach &X : Opt.Poisons)
      if (X.Certain)
        Here.push_back(X.Insn);
    if (First)
      Certain = Here;
    else
      llvm::erase_if(Certain, [&](uint32_t I) {
        return !llvm::is_contained(Here, I);
      });
    First = false;
  }
  W.CertainOrder = Certain;
}

PoisonSite Judge::site(uint32_t Insn) const {
  const Poisoned &X = Poisons.at(Insn);
  PoisonSite S;
  S.Insn = Insn;
  S.Reloc = X.Reloc;
  S.RecordIndex = X.RecordIndex;
  S.Why = X.Why;
  S.Spec = formatCoreSpec(Obj.M.Types, Results[X.Reloc].LocalSpec,
                          Obj.objectRootId(X.Reloc));
  S.Function = Obj.Functions[P.partOf(Insn).Function].Name;
  if (const ProgramLine *L = P.relocationLineOf(Insn)) {
    S.File = Obj.Files[L->File];
    S.Line = L->Line;
    S.Column = L->Column;
  }
  return S;
}

void Judge::conclude() {
  for (uint32_t Insn : W.CertainOrder)
    V.Reachable.push_back(site(Insn));
  for (const auto &[Insn, X] : Poisons) {
    if (llvm::is_contained(W.CertainOrder, Insn))
      continue;
    if (W.PessimisticReach.count(Insn) || W.Incomplete)
      V.Undecided.push_back(site(Insn));
    else if (W.ReachPastPoisons.count(Insn))
      V.Shadowed.push_back(site(Insn));
    else
      V.Guarded.push_back(site(Insn));
  }
  V.Reasons.insert(V.Reasons.end(), W.Notes.begin(), W.Notes.end());
  if (!V.Errors.empty()) {
    V.Kind = VerdictKind::Fails;
    return;
  }
  if (!V.Reachable.empty()) {
    V.Kind = VerdictKind::Fails;
    return;
  }
  if (!W.AnyPessimisticReach && !W.Incomplete) {
    V.Kind = VerdictKind::Loads;
    for (unsigned F : W.Used)
      V.ReliesOn.push_back(VerifierFeature(F));
    V.DependsOnReadOnlyData = W.UsedReadOnlyData;
    return;
  }
  V.Kind = VerdictKind::Unknown;
  for (const PoisonSite &S : V.Undecided)
    V.Reasons.push_back(formatv("insn {0} ({1}) may be reachable: the proof "
                                "needs what the verifier of {2} may not "
                                "prune, or values the model does not track",
                                S.Insn, S.Spec, Opts.Caps.Basis)
                            .str());
}

ProgramVerdict Judge::run() {
  if (!P.LinkError.empty()) {
    V.Kind = VerdictKind::Unknown;
    V.Reasons.push_back("libbpf cannot link the program: " + P.LinkError);
    return V;
  }
  collectErrors();
  patchProgram();
  if (!checkRequirements()) {
    V.Kind = VerdictKind::Unknown;
    return V;
  }
  walkVariants();
  conclude();
  V.Steps = W.Steps;
  return V;
}

} // namespace

std::string formatCoreSpec(const TypeTable &Local, const CoreSpec &Spec,
                           TypeId ShownRoot) {
  std::string Out;
  raw_string_ostream OS(Out);
  TypeId Root = Spec.RootType;
  StringRef Name = Local.isValid(Root) ? Local.name(Root) : "";
  OS << '<' << reloKindName(Spec.Kind) << "> ["
     << (ShownRoot ? ShownRoot : Root) << "] "
     << (Local.isValid(Root) ? btfKindStr(Local.kind(Root)) : "unknown") << ' '
     << (Name.empty() ? StringRef("<anon>") : Name);
  if (isTypeBased(Spec.Kind))
    return Out;
  if (isEnumvalBased(Spec.Kind)) {
    TypeId E = Local.skipModsAndTypedefs(Root);
    if (Spec.RawSpec.empty() || !Local.isValid(E))
      return Out;
    uint32_t I = Spec.RawSpec[0];
    uint64_t Val = Local.enumValue(E, I);
    bool Signed = Local.kflag(E);
    OS << "::" << Local.enumName(E, I) << " = ";
    if (Local.kind(E) == Kind::Enum)
      Signed ? OS << int32_t(Val) : OS << uint32_t(Val);
    else
      Signed ? OS << int64_t(Val) : OS << Val;
    return Out;
  }
  for (size_t I = 0; I < Spec.Spec.size(); ++I) {
    const CoreAccessor &A = Spec.Spec[I];
    if (!A.Name.empty())
      OS << '.' << A.Name;
    else if (I > 0 || A.Idx > 0)
      OS << '[' << A.Idx << ']';
  }
  OS << " (";
  for (size_t I = 0; I < Spec.RawSpec.size(); ++I)
    OS << (I ? ":" : "") << int32_t(Spec.RawSpec[I]);
  if (Spec.BitOffset % 8)
    OS << " @ offset " << Spec.BitOffset / 8 << '.' << Spec.BitOffset % 8
       << ')';
  else
    OS << " @ offset " << Spec.BitOffset / 8 << ')';
  return Out;
}

ProgramVerdict judgeProgram(const BPFObject &Obj, const BPFProgram &P,
                            ArrayRef<CoreResult> Results,
                            const VerdictOptions &Opts) {
  assert(Results.size() == Obj.M.Relocs.size() &&
         "one result per unique relocation");
  return Judge(Obj, P, Results, Opts).run();
}

} // namespace btfgen
