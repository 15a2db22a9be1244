//===- BPFObject.h - A BPF object's programs as libbpf loads them -*- C++ -*-===//
//
// Object mode for load verdicts: the programs of a BPF ELF object exactly as
// libbpf 1.1.2 hands them to the kernel, with what the verdict engine needs
// per instruction. libbpf.c, v1.1.2:
//
//  - Every STT_FUNC symbol of an executable section is a bpf_program
//    (bpf_object__add_programs), named by its symbol; programs are ordered
//    by (section index, offset) (cmp_progs). Functions of ".text" are
//    subprograms when the object has more than one function
//    (prog_is_subprog); the others are entry points.
//  - A main program is its function's instructions followed by every
//    subprogram it calls or takes the address of, transitively, appended in
//    the order bpf_object__reloc_code meets them, with call immediates
//    rewritten to the new positions. Subprograms must live in ".text".
//  - .BTF.ext records (CO-RE relocations, line info, func info) are keyed by
//    (ELF section, instruction offset); they follow the instructions into
//    every program that contains them.
//
// Each CO-RE record is mapped to its unique relocation: the index in the
// Manifest's Relocs that ObjectReader builds for the same object, so a
// caller can hand over one result per unique relocation.
//
//===----------------------------------------------------------------------===//

#ifndef BTFGEN_BPFOBJECT_H
#define BTFGEN_BPFOBJECT_H

#include "btfgen/BPFInsn.h"
#include "btfgen/Manifest.h"
#include "btfgen/ProgramCode.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/MemoryBufferRef.h"

#include <cstdint>
#include <string>
#include <vector>

namespace btfgen {

/// A function of the object: one STT_FUNC symbol in an executable section.
struct BPFFunction {
  std::string Name;
  std::string Section;
  uint32_t SectionIndex = 0;
  uint32_t SecInsnOff = 0; ///< first instruction, in the section
  uint32_t NumInsns = 0;
  bool IsSubprog = false;  ///< libbpf 1.1.2 prog_is_subprog()
  FuncLinkage Linkage = FuncLinkage::None;
  std::vector<BPFInsn> Insns; ///< as in the section (before linking)
};

/// One .BTF.ext CO-RE record, placed on an instruction of a program.
struct ProgramCoreRelo {
  uint32_t Insn = 0;        ///< index in BPFProgram::Insns
  uint32_t Reloc = 0;       ///< index in BPFObject::M.Relocs
  uint32_t RecordIndex = 0; ///< libbpf's "relo #N": index in its section block
  uint32_t Function = 0;    ///< the function the record belongs to
};

/// An entry point, linked as libbpf links it before loading.
struct BPFProgram {
  std::string Name;    ///< the function symbol (libbpf's program name)
  std::string Section; ///< ELF section, i.e. SEC("...")
  uint32_t Function = 0;
  std::vector<BPFInsn> Insns;
  std::vector<ProgramPart> Parts; ///< Parts[0] is the entry function
  std::vector<ProgramCoreRelo> CoreRelos; ///< sorted by Insn
  std::vector<ProgramLine> Lines;         ///< sorted by Insn
  std::vector<InsnRef> Refs;              ///< sorted by Insn
  /// Why libbpf cannot link this program (a call into nothing, ...); the
  /// other fields are then incomplete. Empty when it links.
  std::string LinkError;

  /// The part that holds Insn.
  const ProgramPart &partOf(uint32_t Insn) const;
  /// The line record that covers Insn as the verifier's log shows it: the
  /// one at Insn or the nearest before it in the same function; null when
  /// there is none.
  const ProgramLine *lineOf(uint32_t Insn) const;
  /// The source line of a relocated instruction: the record at Insn, else
  /// the next one in the same function, else lineOf(). A relocated
  /// instruction materializes a constant (mov, ld_imm64, a load offset)
  /// for the instruction after it; clang gives it no line of its own (line
  /// 0), so the record before it belongs to an earlier statement (the
  /// tracer's field_exists check would show line 98, not 82).
  const ProgramLine *relocationLineOf(uint32_t Insn) const;
  /// The reference on Insn, or null.
  const InsnRef *refOf(uint32_t Insn) const;
};

struct BPFObject {
  /// The same manifest readBPFObject() builds (local types, unique
  /// relocations sorted by (kind, type, access)).
  Manifest M;
  std::vector<BPFFunction> Functions; ///< in libbpf's program order
  std::vector<BPFProgram> Programs;   ///< entry points, in libbpf's order
  /// Every CO-RE record that falls in a function, in .BTF.ext order. When
  /// one program is loaded, libbpf 1.1.2 applies the records of that
  /// program's entry function and of every subprogram (subprograms are never
  /// switched off by bpf_program__set_autoload), called or not.
  std::vector<FunctionCoreRelo> CoreRelos;
  std::vector<std::string> Files; ///< source files named by line info
  std::vector<ReadOnlySection> ReadOnlyData;
  /// Per M.Relocs: the root type's ID in the object's .BTF, where M's IDs
  /// are not the object's (a version 2 manifest, whose types the plugin
  /// numbers itself). Empty: M's IDs are the object's. libbpf prints this
  /// ID in its messages and patches it into local_type_id relocations.
  std::vector<TypeId> RootIds;

  /// The ID libbpf knows relocation I's root type by (RootIds).
  TypeId objectRootId(uint32_t I) const {
    return RootIds.empty() ? M.Relocs[I].LocalType : RootIds[I];
  }
  /// The CO-RE records libbpf applies when only program P is loaded.
  std::vector<FunctionCoreRelo> relosAppliedFor(const BPFProgram &P) const;
};

/// Read a BPF ELF object. Errors name the file: not a little-endian BPF
/// ELF64 relocatable object, no symbol table, a static function outside
/// ".text" (libbpf refuses to open such an object), bad .BTF/.BTF.ext.
llvm::Expected<BPFObject> readBPFObjectPrograms(llvm::MemoryBufferRef Buf);

/// For each of From's relocations, the index of the same relocation in To
/// (same kind and access string, root types of the same kind and name,
/// and of the same size and members where names repeat). From and To
/// describe one program in two numberings: an object's .BTF and a
/// manifest's. Fails if a relocation has no partner or two candidates, or
/// the two sets differ in size.
llvm::Expected<std::vector<uint32_t>> mapRelocations(const Manifest &From,
                                                     const Manifest &To);

/// What a version 2 manifest keeps of Obj's programs (ProgramCode.h), with
/// Obj.M's relocation I renamed RelocMap[I] (mapRelocations(Obj.M, the
/// manifest)). Codegen is left default.
ProgramCode recordProgramCode(const BPFObject &Obj,
                              llvm::ArrayRef<uint32_t> RelocMap);

/// The programs of a version 2 manifest M (M.Code set) as libbpf links
/// them: the BPFObject readBPFObjectPrograms() gives for the object M was
/// recorded from, with M's types and relocations and RootIds set. Errors
/// (a callback address outside its program) name Input.
llvm::Expected<BPFObject> programsFromCode(const Manifest &M,
                                           llvm::StringRef Input);

/// The first difference between the programs of A and B ("" if none):
/// functions, linked instructions, parts, CO-RE records (A's relocation I
/// being B's RelocMap[I]), lines, references, read-only data, link errors.
std::string diffPrograms(const BPFObject &A, const BPFObject &B,
                         llvm::ArrayRef<uint32_t> RelocMap);

} // namespace btfgen

#endif // BTFGEN_BPFOBJECT_H
