//===- CoreAccessCollector.cpp - Record a module's CO-RE relocations ------===//
//
// Liveness. A relocation global can survive in IR although the backend will
// never emit an instruction for it: e.g. BPF_KPROBE passes an unused
// argument through llvm.bpf.passthrough, and BPFCheckAndAdjustIR later
// deletes the passthrough and the now-dead chain. So a use counts only if
// its value flows (through any chain of users; passthrough calls forward
// their argument) into an instruction with side effects or a terminator.
// With that rule the unique (kind, root, access) set equalled the object's
// .BTF.ext at -O0..-O3 (test/llvm-pass/*objdump* check it against
// llvm-objdump; the passes are LLVM 19's BPFAbstractMemberAccess.cpp and
// BPFCheckAndAdjustIR.cpp in llvm/lib/Target/BPF).
//
// Source places. BPFAbstractMemberAccess creates its loads without a
// DebugLoc, so for each live load we take the first instruction with a
// DebugLoc in breadth-first order over its users. "function" is the
// DISubprogram of that location's own scope: the innermost function, i.e.
// the inlined callee when the access was inlined (file and line are the
// callee's too, so the triple stays consistent). "file" is the DIFile path
// joined to its directory when relative, as the debug info spells it.
//
//===----------------------------------------------------------------------===//

#include "CoreAccessCollector.h"
#include "CodeRecorder.h"
#include "DebugInfoToBTF.h"
#include "Diagnostics.h"
#include "ManifestPath.h"
#include "PluginOptions.h"

#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/IR/DebugInfoMetadata.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/IntrinsicInst.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/Path.h"
#include "llvm/TargetParser/Triple.h"
#include "llvm/Support/raw_ostream.h"

#include <deque>

using namespace llvm;

namespace btfgen {

namespace {

/// Attribute names set by the BPF backend (BPFCoreSharedInfo::AmaAttr and
/// TypeIdAttr in llvm/lib/Target/BPF/BPFCORE.h).
constexpr const char *AmaAttr = "btf_ama";
constexpr const char *TypeIdAttr = "btf_type_id";

bool isPassthrough(const Instruction *I) {
  const auto *CI = dyn_cast<CallInst>(I);
  if (!CI)
    return false;
  const Function *F = CI->getCalledFunction();
  return F && F->getName().starts_with("llvm.bpf.passthrough");
}

/// Does V's value reach an instruction the backend must keep? Positive
/// answers are cached; negative ones only within one query, because a
/// "no" computed inside a PHI cycle may be incomplete.
class LivenessWalk {
public:
  bool isLive(const Value *V) {
    SmallPtrSet<const Value *, 32> Visiting;
    return valueLive(V, Visiting);
  }

private:
  DenseSet<const Value *> Live;

  bool valueLive(const Value *V, SmallPtrSetImpl<const Value *> &Visiting) {
    if (Live.count(V))
      return true;
    if (!Visiting.insert(V).second)
      return false;
    for (const User *U : V->users()) {
      if (userLive(U, Visiting)) {
        Live.insert(V);
        return true;
      }
    }
    return false;
  }

  bool userLive(const User *U, SmallPtrSetImpl<const Value *> &Visiting) {
    if (const auto *I = dyn_cast<Instruction>(U)) {
      if (isPassthrough(I))
        return valueLive(I, Visiting);
      if (I->isTerminator() || I->mayHaveSideEffects())
        return true;
      return valueLive(I, Visiting);
    }
    if (isa<Constant>(U))
      return valueLive(U, Visiting);
    return true; // unknown kind of user: keep, to be safe
  }
};

/// The first DebugLoc at or after I, breadth-first over users.
const DILocation *findLocation(const Instruction *Start) {
  std::deque<const Instruction *> Work{Start};
  SmallPtrSet<const Instruction *, 16> Seen{Start};
  while (!Work.empty()) {
    const Instruction *I = Work.front();
    Work.pop_front();
    if (const DILocation *DL = I->getDebugLoc().get())
      if (DL->getLine() != 0)
        return DL;
    for (const User *U : I->users())
      if (const auto *UI = dyn_cast<Instruction>(U))
        if (Seen.insert(UI).second)
          Work.push_back(UI);
  }
  return nullptr;
}

SourceLoc toSourceLoc(const DILocation *DL) {
  SourceLoc L;
  // The DIFile name is relative to its directory (clang's compilation
  // directory) unless absolute; record a path usable from anywhere.
  SmallString<256> File(DL->getFilename());
  if (!File.empty() && sys::path::is_relative(File) &&
      !DL->getDirectory().empty()) {
    File = DL->getDirectory();
    sys::path::append(File, DL->getFilename());
  }
  L.File = std::string(File);
  L.Line = DL->getLine();
  L.Column = DL->getColumn();
  if (const DISubprogram *SP = DL->getScope()->getSubprogram())
    L.Function = SP->getName().str();
  return L;
}

/// Instructions that use G directly or through constant expressions.
void collectInstUsers(const Value *V, SmallVectorImpl<const Instruction *> &Out,
                      SmallPtrSetImpl<const Value *> &Seen) {
  for (const User *U : V->users()) {
    if (!Seen.insert(U).second)
      continue;
    if (const auto *I = dyn_cast<Instruction>(U))
      Out.push_back(I);
    else if (isa<ConstantExpr>(U))
      collectInstUsers(U, Out, Seen);
  }
}

struct ParsedName {
  CoreReloKind Kind;
  std::string Access;
};

/// Splits a relocation global's name as BTFDebug::generatePatchImmReloc
/// does. Returns std::nullopt if it does not have the expected shape.
std::optional<ParsedName> parseGlobalName(StringRef Name, bool IsAma) {
  size_t Dollar = Name.find('$');
  if (Dollar == StringRef::npos)
    return std::nullopt;
  StringRef KindStr;
  std::string Access;
  if (IsAma) {
    size_t C1 = Name.find(':');
    size_t C2 = C1 == StringRef::npos ? C1 : Name.find(':', C1 + 1);
    if (C2 == StringRef::npos || C2 > Dollar)
      return std::nullopt;
    KindStr = Name.slice(C1 + 1, C2);
    Access = Name.substr(Dollar + 1).str();
  } else {
    KindStr = Name.substr(Dollar + 1);
    Access = "0";
  }
  unsigned K;
  if (KindStr.getAsInteger(10, K) || K >= NumCoreReloKinds || Access.empty())
    return std::nullopt;
  return ParsedName{static_cast<CoreReloKind>(K), std::move(Access)};
}

/// Shows DebugInfoToBTF the types BTFDebug expands besides the relocation
/// roots (BTFDebug::beginFunctionImpl, processFuncPrototypes,
/// processGlobals), so that a struct complete in the object is complete in
/// the manifest too, not a FWD.
void addBTFDebugContext(const Module &M, DebugInfoToBTF &Types) {
  for (const GlobalVariable &G : M.globals()) {
    SmallVector<DIGlobalVariableExpression *, 1> GVs;
    G.getDebugInfo(GVs);
    if (GVs.empty())
      continue;
    const DIType *Ty = GVs.front()->getVariable()->getType();
    if (G.hasSection() && G.getSection().starts_with(".maps"))
      Types.addMapContext(Ty);
    else
      Types.addContext(Ty);
  }
  for (const Function &F : M) {
    const DISubprogram *SP = F.getSubprogram();
    if (!SP)
      continue;
    if (!F.isDeclaration())
      for (const DINode *DN : SP->getRetainedNodes())
        if (const auto *DV = dyn_cast<DILocalVariable>(DN))
          if (DV->getArg())
            Types.addContext(DV->getType());
    Types.addContext(SP->getType());
  }
}

} // namespace

Manifest collectCoreRelocations(Module &M) {
  Manifest Out;
  Out.Source = M.getSourceFileName();
  DebugInfoToBTF Types;
  LivenessWalk Liveness;

  for (GlobalVariable &G : M.globals()) {
    bool IsAma = G.hasAttribute(AmaAttr);
    if (!IsAma && !G.hasAttribute(TypeIdAttr))
      continue;

    SmallVector<const Instruction *, 8> Users;
    SmallPtrSet<const Value *, 16> Seen;
    collectInstUsers(&G, Users, Seen);
    SmallVector<const Instruction *, 8> LiveUsers;
    for (const Instruction *I : Users)
      if (Liveness.isLive(I))
        LiveUsers.push_back(I);
    if (LiveUsers.empty())
      continue;

    std::optional<ParsedName> P = parseGlobalName(G.getName(), IsAma);
    if (!P) {
      reportDiag(M, "cannot parse CO-RE relocation global '" + G.getName() +
                        "': relocation not recorded",
                 DS_Warning);
      continue;
    }
    const auto *Root = dyn_cast_or_null<DIType>(
        G.getMetadata(LLVMContext::MD_preserve_access_index));
    if (!Root) {
      reportDiag(M, "CO-RE relocation global '" + G.getName() +
                        "' has no !llvm.preserve.access.index type: "
                        "relocation not recorded",
                 DS_Warning);
      continue;
    }
    TypeId RootId = Types.addRoot(Root);
    if (!RootId) {
      reportDiag(M, "CO-RE relocation global '" + G.getName() +
                        "': root type has no BTF: relocation not recorded",
                 DS_Warning);
      continue;
    }

    CoreRelocation R;
    R.Kind = P->Kind;
    R.LocalType = RootId;
    R.Access = std::move(P->Access);
    for (const Instruction *I : LiveUsers)
      if (const DILocation *DL = findLocation(I))
        R.Locs.push_back(toSourceLoc(DL));
    Out.Relocs.push_back(std::move(R));
  }

  addBTFDebugContext(M, Types);
  Types.finish(Out.Types);
  canonicalizeRelocs(Out);
  return Out;
}

PreservedAnalyses CoreAccessCollectorPass::run(Module &M,
                                               ModuleAnalysisManager &) {
  // Only BPF modules have CO-RE relocations; loading the plugin into a host
  // compile (e.g. a shared CFLAGS) must not litter manifests.
  if (!Triple(M.getTargetTriple()).isBPF())
    return PreservedAnalyses::all();
  Manifest Mf = collectCoreRelocations(M);
  if (recordCodeOption())
    recordCode(M, OptLevel, Mf);
  else
    Mf.NoCode = "not recorded (-btfgen-record-code=false or "
                "BTFGEN_RECORD_CODE=0)";
  ManifestTarget Target = chooseManifestTarget(M.getSourceFileName());
  Mf.Object = Target.Object;
  Error E = writeToOutput(Target.Path, [&](raw_ostream &OS) {
    writeManifest(Mf, OS);
    return Error::success();
  });
  if (E)
    reportDiag(M, "cannot write manifest '" + Target.Path +
                      "': " + toString(std::move(E)));
  return PreservedAnalyses::all();
}

} // namespace btfgen
