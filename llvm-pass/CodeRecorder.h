//===- CodeRecorder.h - Record a module's programs as the backend emits them -*- C++ -*-===//
//
// Load verdicts need the programs' instructions, which do not exist before
// codegen. At OptimizerLastEP the module is what the backend will compile,
// up to the few module passes the default pipeline runs after that point
// (GlobalDCE, ConstantMerge, RelLookupTableConverter). The recorder copies
// the module (through bitcode, keeping use-list order, into a context of
// its own), runs those passes on the copy, and compiles it with the BPF
// target in memory, with the CPU and features of the module's functions
// and the compile's optimization level, to an ELF object that it reads as
// object mode does (readBPFObjectPrograms). The programs then go into the
// manifest (ProgramCode.h) if they survive the round trip exactly.
//
// Whatever it cannot do (no BPF target, functions built for different
// CPUs, a backend error, a relocation set that differs from the
// manifest's) leaves the manifest without code and says why in NoCode;
// the driver's verdict is then `unknown`, never a guess. Diagnostics of the
// copy's codegen are kept from the user: the real codegen reports them.
//
//===----------------------------------------------------------------------===//

#ifndef BTFGEN_LLVMPASS_CODERECORDER_H
#define BTFGEN_LLVMPASS_CODERECORDER_H

#include "btfgen/Manifest.h"

#include <optional>

namespace llvm {
class Module;
} // namespace llvm

namespace btfgen {

/// Sets Mf.Code (or Mf.NoCode) from M, whose relocations Mf records.
/// OptLevel: the compile's -O level (0-3, -Os/-Oz count as 2), or
/// std::nullopt outside a clang pipeline (opt -passes=btfgen-collect):
/// then 0 if every function is optnone, else 2.
void recordCode(llvm::Module &M, std::optional<unsigned> OptLevel,
                Manifest &Mf);

} // namespace btfgen

#endif // BTFGEN_LLVMPASS_CODERECORDER_H
