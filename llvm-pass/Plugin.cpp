//===- Plugin.cpp - libBTFGenPass.so entry point --------------------------===//
//
// Registers CoreAccessCollectorPass
//   - for `clang -fpass-plugin=libBTFGenPass.so` at OptimizerLastEP, so only
//     relocations that survive optimization are recorded (LLVM 19 also runs
//     OptimizerLastEP callbacks in the -O0 pipeline), and
//   - as the pipeline name `btfgen-collect` for
//     `opt -load-pass-plugin=libBTFGenPass.so -passes=btfgen-collect`.
// The BPF target registers its CO-RE rewriting passes at PipelineStartEP
// before plugins load, so the pass always sees the relocation globals, not
// the raw intrinsics.
//
//===----------------------------------------------------------------------===//

#include "CoreAccessCollector.h"

#include "llvm/Passes/PassBuilder.h"
#include "llvm/Passes/PassPlugin.h"

using namespace llvm;

static void registerCallbacks(PassBuilder &PB) {
  PB.registerOptimizerLastEPCallback(
      [](ModulePassManager &MPM, OptimizationLevel Level) {
        MPM.addPass(btfgen::CoreAccessCollectorPass(Level.getSpeedupLevel()));
      });
  PB.registerPipelineParsingCallback(
      [](StringRef Name, ModulePassManager &MPM,
         ArrayRef<PassBuilder::PipelineElement>) {
        if (Name != "btfgen-collect")
          return false;
        MPM.addPass(btfgen::CoreAccessCollectorPass());
        return true;
      });
}

extern "C" LLVM_ATTRIBUTE_WEAK LLVM_ATTRIBUTE_VISIBILITY_DEFAULT
    PassPluginLibraryInfo
    llvmGetPassPluginInfo() {
  return {LLVM_PLUGIN_API_VERSION, "BTFGenPass", LLVM_VERSION_STRING,
          registerCallbacks};
}
