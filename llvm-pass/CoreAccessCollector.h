//===- CoreAccessCollector.h - Record a module's CO-RE relocations -*- C++ -*-===//
//
// The pass. After the BPF target's own passes have rewritten the CO-RE
// intrinsics (BPFAbstractMemberAccess, BPFPreserveDIType run at
// PipelineStartEP, before any plugin pass), every CO-RE relocation of a
// module is a global variable:
//
//   @"llvm.<root>:<kind>:<patch imm>$<access>"   attribute "btf_ama"
//   @"llvm.btf_type_id.<seq>$<kind>"              attribute "btf_type_id"
//
// each with !llvm.preserve.access.index naming the root DIType. The
// collector keeps those whose value still reaches something the backend
// will emit (see isLive in the .cpp), translates every root with
// DebugInfoToBTF, and returns a Manifest: unique (kind, root type, access)
// relocations with their source places, plus the local types.
//
// The name is parsed the way BTFDebug::generatePatchImmReloc does; type-id
// relocations have the access string "0".
//
//===----------------------------------------------------------------------===//

#ifndef BTFGEN_LLVMPASS_COREACCESSCOLLECTOR_H
#define BTFGEN_LLVMPASS_COREACCESSCOLLECTOR_H

#include "btfgen/Manifest.h"

#include "llvm/IR/PassManager.h"

#include <optional>

namespace btfgen {

/// Builds the manifest of M (Object left empty). Problems with individual
/// globals are reported as warnings on M's context and the global skipped.
Manifest collectCoreRelocations(llvm::Module &M);

/// Collects and writes the manifest of each module it runs on. Stateless:
/// several modules in one process each get their own manifest.
class CoreAccessCollectorPass
    : public llvm::PassInfoMixin<CoreAccessCollectorPass> {
public:
  /// OptLevel: the compile's -O level (0-3) when the pass runs in clang's
  /// pipeline, for the code recorder (CodeRecorder.h).
  explicit CoreAccessCollectorPass(std::optional<unsigned> OptLevel = {})
      : OptLevel(OptLevel) {}
  llvm::PreservedAnalyses run(llvm::Module &M, llvm::ModuleAnalysisManager &);
  static bool isRequired() { return true; }

private:
  std::optional<unsigned> OptLevel;
};

} // namespace btfgen

#endif // BTFGEN_LLVMPASS_COREACCESSCOLLECTOR_H
