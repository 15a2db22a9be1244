//===- CDumper.h - BTF as compilable C, like bpftool format c ----*- C++ -*-===//
//
// Turns a TypeTable into C type definitions, the way libbpf 1.1's BTF-to-C
// converter does (src/btf_dump.c, btf_dump__dump_type) and therefore the
// way `bpftool btf dump file F format c` writes the vmlinux.h that CO-RE
// programs include:
//
//   struct list_head {
//   	struct list_head *next;
//   	struct list_head *prev;
//   };
//
// Two passes per requested type, as in btf_dump.c: a topological sort that
// queues every named definition the type needs (a pointer to a named
// struct needs only a forward declaration, an embedded one its full
// definition), then emission of the queue, which writes forward
// declarations where the sort met a cycle through a pointer. Anonymous
// structs, unions and enums are written inline where they are used; names
// that occur twice get libbpf's `___N` suffix; struct layouts are
// reproduced with explicit padding (`long: 64;`) and
// `__attribute__((packed))`. docs/usage.md ("dump") lists what is printed.
//
// The core knows no files: output goes to a raw_ostream. Output is a pure
// function of the table (and its pointerSize(), which sizes `long` padding).
//
//===----------------------------------------------------------------------===//

#ifndef BTFGEN_CDUMPER_H
#define BTFGEN_CDUMPER_H

#include "btfgen/TypeTable.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Allocator.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/StringSaver.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace btfgen {

class CLayout;

/// One conversion session over one table (libbpf's `struct btf_dump`): types
/// emitted by an earlier dumpType() are not emitted again, and duplicate
/// names are numbered across the whole session. The table must outlive the
/// dumper and must not change while it lives.
class CDumper {
public:
  CDumper(const TypeTable &T, llvm::raw_ostream &OS);
  ~CDumper();

  /// btf_dump__dump_type(): write the definition of Id, preceded by every
  /// type its definition needs that this session has not written yet. Types
  /// that need no definition (INT, PTR, FUNC, VAR, ...) write nothing
  /// themselves. Fails on a type cycle C cannot express ("unsatisfiable
  /// type cycle") and on a type graph nested deeper than MaxDepth; the error
  /// names the type. Id must be a valid ID.
  llvm::Error dumpType(TypeId Id);

  /// Recursion bound of every walk. libbpf has none: bpftool 7.1 overflows
  /// its stack at some 30,000 levels of typedefs or anonymous structs, and
  /// on `typedef t *t`. Real kernels nest a few dozen levels; 1000 levels
  /// take a few hundred KB of stack, also under sanitizers.
  static constexpr unsigned MaxDepth = 1000;

private:
  enum OrderState : uint8_t { NotOrdered, Ordering, Ordered };
  enum EmitState : uint8_t { NotEmitted, Emitting, Emitted };
  /// btf_dump.c's struct btf_dump_type_aux_state, one per type ID.
  struct TypeState {
    OrderState Order = NotOrdered;
    EmitState Emit = NotEmitted;
    bool FwdEmitted = false;
    bool NameResolved = false;
    bool Referenced = false;
  };
  /// A view of this chain's part of DeclStack (btf_dump.c's id_stack):
  /// entries [Base, Base + Cnt), popped from the top. Indices rather than
  /// pointers, because nested declarations push onto the same vector.
  struct DeclFrame {
    size_t Base;
    size_t Cnt;
  };
  class DepthScope;

  // Topological sort (btf_dump_order_type).
  llvm::Expected<bool> orderType(TypeId Id, bool ThroughPtr);
  llvm::Expected<bool> orderComposite(TypeId Id, bool ThroughPtr);
  llvm::Expected<bool> orderFuncProto(TypeId Id, bool ThroughPtr);

  // Top-level emission (btf_dump_emit_type).
  void emitType(TypeId Id, TypeId ContId);
  void emitFwdForCycle(TypeId Id, TypeId ContId);
  void emitComposite(TypeId Id, TypeId ContId);

  // Definitions and forward declarations.
  void emitStructFwd(TypeId Id);
  void emitStructDef(TypeId Id, unsigned Lvl);
  void emitBitPadding(int32_t CurOff, int32_t NextOff, int32_t NextAlign,
                      bool InBitfield, unsigned Lvl);
  void emitEnumFwd(TypeId Id);
  void emitEnumDef(TypeId Id, unsigned Lvl);
  void emitEnumValues(TypeId Id, unsigned Lvl);
  void emitFwdDef(TypeId Id);
  void emitTypedefDef(TypeId Id, unsigned Lvl);
  void emitMissingAliases(TypeId Id);

  // Declarators (btf_dump_emit_type_decl / btf_dump_emit_type_chain).
  void emitTypeDecl(TypeId Id, llvm::StringRef FieldName, unsigned Lvl);
  void emitTypeChain(DeclFrame &F, llvm::StringRef FieldName, unsigned Lvl);
  void emitArrayDecl(DeclFrame &F, TypeId Id, llvm::StringRef FieldName,
                     unsigned Lvl, bool LastWasPtr);
  void emitFuncProtoDecl(DeclFrame &F, TypeId Id, llvm::StringRef FieldName,
                         unsigned Lvl, bool LastWasPtr);
  void emitMods(DeclFrame &F);
  void dropMods(DeclFrame &F);
  void emitName(llvm::StringRef Name, bool LastWasPtr);
  TypeId top(const DeclFrame &F) const { return DeclStack[F.Base + F.Cnt - 1]; }

  // Names (btf_dump_resolve_name and friends).
  llvm::StringRef typeName(TypeId Id) { return resolveName(Id, TypeNames); }
  llvm::StringRef identName(TypeId Id) { return resolveName(Id, IdentNames); }
  llvm::StringRef resolveName(TypeId Id, llvm::StringMap<size_t> &Names);
  static size_t nameDups(llvm::StringMap<size_t> &Names, llvm::StringRef Name);
  bool isBlacklisted(TypeId Id) const;

  void markReferenced();
  void indent(unsigned Lvl);

  const TypeTable &T;
  llvm::raw_ostream &OS;
  /// Alignments, packing and padding (lib/CLayout.h).
  std::unique_ptr<CLayout> Layout;
  std::vector<TypeState> States;
  /// `name___N` for types whose name resolved to a duplicate, else empty.
  std::vector<llvm::StringRef> CachedNames;
  llvm::BumpPtrAllocator NameAlloc;
  llvm::StringSaver NameSaver{NameAlloc};
  /// Occurrences of each struct/union/enum (and INT) name so far.
  llvm::StringMap<size_t> TypeNames;
  /// Occurrences of each typedef and enumerator name so far (one C
  /// namespace of ordinary identifiers).
  llvm::StringMap<size_t> IdentNames;
  std::vector<TypeId> EmitQueue;
  std::vector<TypeId> DeclStack;
  unsigned Depth = 0;
  /// The first type at which a walk went deeper than MaxDepth, or 0.
  TypeId TooDeep = 0;
};

/// The whole table as `bpftool btf dump file F format c` prints it: the
/// `__VMLINUX_H__` guard, the preserve_access_index pragma block (bpftool
/// src/btf.c dump_btf_c), then dumpType() of every ID in order. On error
/// the output stops where bpftool's does (no closing lines).
llvm::Error dumpBTFAsC(const TypeTable &T, llvm::raw_ostream &OS);

} // namespace btfgen

#endif // BTFGEN_CDUMPER_H
