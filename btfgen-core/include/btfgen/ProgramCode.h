//===- ProgramCode.h - A BPF object's programs, as a manifest keeps them -*- C++ -*-===//
//
// What load verdicts need of a BPF object's programs (BPFObject.h), in a
// form that needs no ELF file: every function's instructions as its ELF
// section holds them, its line records and the references on its
// instructions, the CO-RE records in .BTF.ext order, and per entry point
// the functions libbpf 1.1.2 links into it with the instructions linking
// rewrites. The clang plugin records it in a version 2 manifest
// (docs/manifest.md, "code") from the object the BPF backend emits for the
// module; readManifest reads it back and programsFromCode() (BPFObject.h)
// rebuilds the BPFObject that readBPFObjectPrograms() gives for that
// object, so both modes feed the same judgeProgram().
//
// The records below are shared with BPFObject.h; instruction indices in a
// CodeFunction are relative to the function, in a BPFProgram to the linked
// program.
//
//===----------------------------------------------------------------------===//

#ifndef BTFGEN_PROGRAMCODE_H
#define BTFGEN_PROGRAMCODE_H

#include "btfgen/BPFInsn.h"
#include "btfgen/BTFFormat.h"

#include <cstdint>
#include <string>
#include <vector>

namespace btfgen {

/// BTF FUNC linkage (uapi btf.h BTF_FUNC_*) of a function as the kernel
/// sees it: from the func_info record at the function's first instruction,
/// made static by libbpf for a global symbol with hidden or internal
/// visibility (bpf_object__sanitize_and_load_btf's mark_btf_static step).
enum class FuncLinkage : uint8_t { Static, Global, Extern, None };
const char *funcLinkageName(FuncLinkage L); // "static", "global", ...

/// A .BTF.ext line_info record, placed on an instruction of a program.
struct ProgramLine {
  uint32_t Insn = 0;
  uint32_t File = 0; ///< index in BPFObject::Files
  uint32_t Line = 0;
  uint32_t Column = 0;
};

/// What a 64-bit immediate load or a call refers to, from the ELF
/// relocation on it (libbpf.c bpf_program__record_reloc).
enum class InsnRefKind : uint8_t {
  Map,      ///< a map of ".maps" (RELO_LD64): a map pointer
  MapValue, ///< global data (RELO_DATA): a pointer into Section's map value
  Func,     ///< a subprogram's address (RELO_SUBPROG_ADDR, a callback)
  Extern,   ///< an extern variable (__kconfig, __ksym)
  Kfunc,    ///< a call of an extern function (RELO_EXTERN_FUNC)
};

struct InsnRef {
  uint32_t Insn = 0;
  InsnRefKind Kind = InsnRefKind::Map;
  std::string Section; ///< MapValue: the data section (".rodata", ".bss")
  uint64_t Offset = 0; ///< MapValue: byte offset in that section
  uint32_t Target = 0; ///< Func: first instruction of the callee in Insns
  std::string Symbol;
};

/// A function's place in a linked program.
struct ProgramPart {
  uint32_t Function = 0; ///< index in BPFObject::Functions
  uint32_t Start = 0;    ///< its first instruction in BPFProgram::Insns
};

/// A CO-RE record of a function, as libbpf applies it (in .BTF.ext order).
struct FunctionCoreRelo {
  uint32_t Function = 0;
  uint32_t Insn = 0; ///< index in the function
  uint32_t Reloc = 0;
  uint32_t RecordIndex = 0;
};

/// A data section whose contents the verifier sees as constants (libbpf
/// creates ".rodata*" maps read-only for programs and freezes them).
struct ReadOnlySection {
  std::string Name;
  std::string Bytes;
};

/// One function (STT_FUNC symbol of an executable section).
struct CodeFunction {
  std::string Name;
  std::string Section; ///< SEC("...") without libbpf's leading '?'
  bool IsSubprog = false;
  FuncLinkage Linkage = FuncLinkage::None;
  std::vector<BPFInsn> Insns;     ///< as in the ELF section
  std::vector<ProgramLine> Lines; ///< sorted by Insn
  /// The references on its instructions (Func targets are recomputed when
  /// linking: Target is unused here). Empty for a function no program
  /// links.
  std::vector<InsnRef> Refs;
};

/// An instruction of a linked program that differs from its function's
/// copy (a call or a callback address rewritten by linking).
struct InsnPatch {
  uint32_t Insn = 0; ///< index in the linked program
  BPFInsn New;
};

/// An entry point as libbpf links it.
struct CodeProgram {
  uint32_t Function = 0;
  std::vector<ProgramPart> Parts; ///< Parts[0] is {Function, 0}
  std::vector<InsnPatch> Patches; ///< sorted by Insn, unique
  std::string LinkError;          ///< BPFProgram::LinkError
};

/// How the plugin compiled the code it recorded (informative: what the
/// BPF backend was given besides the IR).
struct CodegenSettings {
  std::string CPU;      ///< "target-cpu" ("" = the backend's default)
  std::string Features; ///< "target-features"
  unsigned OptLevel = 2; ///< CodeGenOptLevel: 0 (-O0) to 3
};

struct ProgramCode {
  CodegenSettings Codegen;
  /// Per relocation of the manifest: its root type's ID in the object's
  /// .BTF, which libbpf prints in its messages and patches into
  /// local_type_id relocations.
  std::vector<TypeId> RootIds;
  std::vector<CodeFunction> Functions; ///< in libbpf's program order
  /// Every CO-RE record in .BTF.ext order; Reloc indexes the manifest's
  /// relocations.
  std::vector<FunctionCoreRelo> CoreRelos;
  std::vector<std::string> Files; ///< source files named by line records
  std::vector<ReadOnlySection> ReadOnlyData;
  /// One per entry point (non-subprogram function), in function order.
  std::vector<CodeProgram> Programs;
};

} // namespace btfgen

#endif // BTFGEN_PROGRAMCODE_H
