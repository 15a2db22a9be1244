//===- CodeRecorder.cpp - Record a module's programs as the backend emits them ===//
//
// The passes after OptimizerLastEP are those of LLVM 19's
// PassBuilder::buildModuleOptimizationPipeline (PassBuilderPipelines.cpp):
// GlobalDCE, ConstantMerge and RelLookupTableConverter, plus passes clang
// leaves off by default (hot/cold splitting, the IR outliner, function
// merging). The -O0 pipeline (buildO0DefaultPipeline) runs none. The
// codegen pipeline is set up as clang's BackendUtil (RunCodegenPipeline)
// and llc do: TargetLibraryInfo, TargetTransformInfo, addPassesToEmitFile.
//
//===----------------------------------------------------------------------===//

#include "CodeRecorder.h"

#include "btfgen/BPFObject.h"

#include "llvm/Analysis/TargetLibraryInfo.h"
#include "llvm/Analysis/TargetTransformInfo.h"
#include "llvm/Bitcode/BitcodeReader.h"
#include "llvm/Bitcode/BitcodeWriter.h"
#include "llvm/IR/DiagnosticInfo.h"
#include "llvm/IR/DiagnosticPrinter.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Target/TargetOptions.h"
#include "llvm/TargetParser/Triple.h"
#include "llvm/Transforms/IPO/ConstantMerge.h"
#include "llvm/Transforms/IPO/GlobalDCE.h"
#include "llvm/Transforms/Utils/RelLookupTableConverter.h"

using namespace llvm;

namespace btfgen {

namespace {

/// Swallows the copy's diagnostics (the real compile reports its own)
/// and keeps the first error. The handler of the copy's own context.
class QuietHandler : public DiagnosticHandler {
public:
  std::string FirstError;
  bool handleDiagnostics(const DiagnosticInfo &DI) override {
    if (DI.getSeverity() == DS_Error && FirstError.empty()) {
      raw_string_ostream OS(FirstError);
      DiagnosticPrinterRawOStream DP(OS);
      DI.print(DP);
    }
    return true;
  }
};

/// The module's CPU and features: every defined function's "target-cpu"
/// and "target-features" (clang sets them from -mcpu and -m options).
Expected<std::pair<std::string, std::string>> cpuAndFeatures(const Module &M) {
  std::optional<std::pair<std::string, std::string>> Out;
  for (const Function &F : M) {
    if (F.isDeclaration())
      continue;
    std::pair<std::string, std::string> Mine(
        F.getFnAttribute("target-cpu").getValueAsString().str(),
        F.getFnAttribute("target-features").getValueAsString().str());
    if (Out && *Out != Mine)
      return createStringError(
          inconvertibleErrorCode(),
          "function '" + F.getName() + "' is compiled for CPU '" +
              Mine.first + "' '" + Mine.second + "', another for '" +
              Out->first + "' '" + Out->second + "'");
    Out = std::move(Mine);
  }
  return Out.value_or(std::make_pair(std::string(), std::string()));
}

unsigned defaultOptLevel(const Module &M) {
  for (const Function &F : M)
    if (!F.isDeclaration() && !F.hasOptNone())
      return 2;
  return 0;
}

/// The module passes the default pipeline runs after OptimizerLastEP.
void runLatePasses(Module &Clone, TargetMachine &TM) {
  LoopAnalysisManager LAM;
  FunctionAnalysisManager FAM;
  CGSCCAnalysisManager CGAM;
  ModuleAnalysisManager MAM;
  PassBuilder PB(&TM);
  PB.registerModuleAnalyses(MAM);
  PB.registerCGSCCAnalyses(CGAM);
  PB.registerFunctionAnalyses(FAM);
  PB.registerLoopAnalyses(LAM);
  PB.crossRegisterProxies(LAM, FAM, CGAM, MAM);
  ModulePassManager MPM;
  MPM.addPass(GlobalDCEPass());
  MPM.addPass(ConstantMergePass());
  MPM.addPass(RelLookupTableConverterPass());
  MPM.run(Clone, MAM);
}

/// Compiles a copy of M to an ELF object in Out.
Error emitObject(const Module &M, unsigned OptLevel, const std::string &CPU,
                 const std::string &Features, SmallVectorImpl<char> &Out) {
  auto Fail = [](const Twine &Msg) {
    return createStringError(inconvertibleErrorCode(), Msg);
  };
  Triple TT(M.getTargetTriple());
  std::string Err;
  const Target *T = TargetRegistry::lookupTarget(TT.str(), Err);
  if (!T)
    return Fail("no BPF target in this compiler: " + Err);
  TargetOptions Options;
  std::optional<Reloc::Model> RM;
  if (M.getPICLevel() != PICLevel::NotPIC)
    RM = Reloc::PIC_;
  std::unique_ptr<TargetMachine> TM(T->createTargetMachine(
      TT.str(), CPU, Features, Options, RM, std::nullopt,
      static_cast<CodeGenOptLevel>(OptLevel)));
  if (!TM)
    return Fail("cannot create the BPF target machine");

  // The copy goes through bitcode, with the use-lists' order kept, into a
  // context of its own. CloneModule does not keep that order, and
  // instruction selection and register allocation depend on it
  // (profiler2.c's code differed in one register); the own context keeps
  // the copy's diagnostics away from the user's.
  SmallVector<char, 0> Bitcode;
  {
    raw_svector_ostream BOS(Bitcode);
    WriteBitcodeToFile(M, BOS, /*ShouldPreserveUseListOrder=*/true);
  }
  LLVMContext Ctx;
  auto Quiet = std::make_unique<QuietHandler>();
  QuietHandler *Q = Quiet.get();
  Ctx.setDiagnosticHandler(std::move(Quiet));
  Expected<std::unique_ptr<Module>> CloneOr = parseBitcodeFile(
      MemoryBufferRef(StringRef(Bitcode.data(), Bitcode.size()),
                      M.getModuleIdentifier()),
      Ctx);
  if (!CloneOr)
    return Fail("cannot copy the module: " + toString(CloneOr.takeError()));
  std::unique_ptr<Module> Clone = std::move(*CloneOr);
  if (OptLevel > 0)
    runLatePasses(*Clone, *TM);

  legacy::PassManager PM;
  TargetLibraryInfoImpl TLII(TT);
  PM.add(new TargetLibraryInfoWrapperPass(TLII));
  PM.add(createTargetTransformInfoWrapperPass(TM->getTargetIRAnalysis()));
  raw_svector_ostream OS(Out);
  if (TM->addPassesToEmitFile(PM, OS, nullptr, CodeGenFileType::ObjectFile,
                              /*DisableVerify=*/true))
    return Fail("the BPF target cannot emit an object file");

  PM.run(*Clone);
  if (!Q->FirstError.empty())
    return Fail("BPF codegen failed: " + Q->FirstError);
  return Error::success();
}

Error recordInto(Module &M, std::optional<unsigned> Level, Manifest &Mf) {
  Expected<std::pair<std::string, std::string>> CF = cpuAndFeatures(M);
  if (!CF)
    return CF.takeError();
  unsigned OptLevel = Level ? std::min(*Level, 3u) : defaultOptLevel(M);
  SmallVector<char, 0> Elf;
  if (Error E = emitObject(M, OptLevel, CF->first, CF->second, Elf))
    return E;
  std::string Name = "<object compiled in memory from '" +
                     M.getSourceFileName() + "'>";
  Expected<BPFObject> Obj =
      readBPFObjectPrograms(MemoryBufferRef(StringRef(Elf.data(), Elf.size()),
                                            Name));
  if (!Obj)
    return Obj.takeError();
  Expected<std::vector<uint32_t>> Map = mapRelocations(Obj->M, Mf);
  if (!Map)
    return createStringError(inconvertibleErrorCode(),
                             "the object's CO-RE relocations differ from the "
                             "manifest's: " +
                                 toString(Map.takeError()));
  Mf.Code = recordProgramCode(*Obj, *Map);
  Mf.Code->Codegen = {CF->first, CF->second, OptLevel};
  // Keep the code only if the driver will rebuild exactly these programs.
  Expected<BPFObject> Back = programsFromCode(Mf, Name);
  std::string Diff = Back ? diffPrograms(*Obj, *Back, *Map)
                          : toString(Back.takeError());
  if (!Diff.empty()) {
    Mf.Code.reset();
    return createStringError(inconvertibleErrorCode(),
                             "the recorded code does not give back the "
                             "object's programs: " +
                                 Diff);
  }
  return Error::success();
}

} // namespace

void recordCode(Module &M, std::optional<unsigned> OptLevel, Manifest &Mf) {
  Mf.Code.reset();
  Mf.NoCode.clear();
  // Without a CO-RE relocation there is nothing to judge (the driver
  // refuses such an input): spare the compile.
  if (Mf.Relocs.empty()) {
    Mf.NoCode = "no CO-RE relocation, nothing to judge";
    return;
  }
  if (Error E = recordInto(M, OptLevel, Mf)) {
    Mf.Code.reset();
    Mf.NoCode = toString(std::move(E));
  }
}

} // namespace btfgen
