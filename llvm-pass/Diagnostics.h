//===- Diagnostics.h - Plugin diagnostics through LLVMContext ---*- C++ -*-===//
//
// All user-facing problems of the plugin (manifest cannot be written, a
// relocation global that cannot be parsed) are reported as a DiagnosticInfo
// on the module's LLVMContext, so clang prints them as its own diagnostics
// ("error: btfgen: ...") and decides whether the compile fails. The plugin
// never aborts or exits.
//
//===----------------------------------------------------------------------===//

#ifndef BTFGEN_LLVMPASS_DIAGNOSTICS_H
#define BTFGEN_LLVMPASS_DIAGNOSTICS_H

#include "llvm/IR/DiagnosticInfo.h"
#include "llvm/ADT/Twine.h"

namespace llvm {
class Module;
} // namespace llvm

namespace btfgen {

class BTFGenDiagnostic : public llvm::DiagnosticInfo {
public:
  BTFGenDiagnostic(const llvm::Twine &Msg, llvm::DiagnosticSeverity Severity);
  void print(llvm::DiagnosticPrinter &DP) const override;
  static bool classof(const llvm::DiagnosticInfo *DI);

private:
  static int kindId();
  std::string Msg;
};

/// Report Msg on M's context with the given severity.
void reportDiag(llvm::Module &M, const llvm::Twine &Msg,
                llvm::DiagnosticSeverity Severity = llvm::DS_Error);

} // namespace btfgen

#endif // BTFGEN_LLVMPASS_DIAGNOSTICS_H
