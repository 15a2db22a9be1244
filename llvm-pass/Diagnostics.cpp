//===- Diagnostics.cpp - Plugin diagnostics through LLVMContext -----------===//
//
// A plugin diagnostic kind allocated from LLVM's plugin range, printed as
// "btfgen: <message>".
//
//===----------------------------------------------------------------------===//

#include "Diagnostics.h"

#include "llvm/IR/DiagnosticPrinter.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"

using namespace llvm;

namespace btfgen {

int BTFGenDiagnostic::kindId() {
  // Allocated once per process, on first use.
  static const int Id = getNextAvailablePluginDiagnosticKind();
  return Id;
}

BTFGenDiagnostic::BTFGenDiagnostic(const Twine &Msg,
                                   DiagnosticSeverity Severity)
    : DiagnosticInfo(kindId(), Severity), Msg(Msg.str()) {}

void BTFGenDiagnostic::print(DiagnosticPrinter &DP) const {
  DP << "btfgen: " << Msg;
}

bool BTFGenDiagnostic::classof(const DiagnosticInfo *DI) {
  return DI->getKind() == kindId();
}

void reportDiag(Module &M, const Twine &Msg, DiagnosticSeverity Severity) {
  M.getContext().diagnose(BTFGenDiagnostic(Msg, Severity));
}

} // namespace btfgen
