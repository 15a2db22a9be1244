//===- DebugInfoToBTF.h - DIType graph to BTF records -----------*- C++ -*-===//
//
// Rebuilds, from a module's debug info, the BTF types that LLVM's BPF
// backend (llvm/lib/Target/BPF/BTFDebug.cpp, class BTFDebug) would emit into
// the object's .BTF for the relocation roots, with the same kinds, names,
// sizes, members, offsets and enumerators. This is the only file of the
// plugin that knows DebugInfo.
//
// The choices copied from BTFDebug (LLVM 19), so shapes match the object:
//   - DW_ATE_{signed,signed_char} -> INT SIGNED (no CHAR flag for char),
//     boolean -> INT BOOL, unsigned(_char) -> INT, float -> FLOAT; other
//     base types have no BTF (id 0).
//   - enum: ENUM when the underlying type has <= 32 bits, else ENUM64;
//     kflag = signed underlying type; no underlying type -> unsigned ENUM.
//   - struct/union: kflag = 1 if any member is a bitfield; then member
//     offsets carry the bitfield size in bits 24-31.
//   - arrays: `T x[2][3]` is ARRAY(2) -> ARRAY(3) -> T, a flexible array
//     has 0 elements, and one synthetic unsigned 32-bit INT
//     "__ARRAY_SIZE_TYPE__" is the index type of every array.
//   - pointers with btf_type_tag annotations [t1, t2]:
//     PTR -> TYPE_TAG t2 -> TYPE_TAG t1 -> base; btf_decl_tag annotations on
//     structs, members and typedefs become DECL_TAG records.
//   - _Atomic T has no BTF in LLVM 19: members/pointers to it get type 0.
//   - Pruning: below a struct member, once a (non-tagged) pointer is
//     crossed, a named complete struct/union is not expanded; the pointer
//     is resolved at finish() to a struct of that name translated elsewhere
//     in the same table, or to a FWD record appended at the end.
//   - Relocation roots are always translated in full (BTFDebug's
//     populateType), even when seen before only behind a pointer.
//
// BTFDebug also expands the types of function signatures, arguments and
// globals; a pruned pointee that those make complete in the object is
// expanded here too (addContext), so the manifest has the struct, not a
// FWD. The context types themselves are not emitted.
//
// Type IDs are assigned in visit order (structs before their members,
// arrays after their element type), which is deterministic for a module.
//
//===----------------------------------------------------------------------===//

#ifndef BTFGEN_LLVMPASS_DEBUGINFOTOBTF_H
#define BTFGEN_LLVMPASS_DEBUGINFOTOBTF_H

#include "btfgen/TypeTable.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/ADT/StringSet.h"

#include <memory>

#include <string>
#include <vector>

namespace llvm {
class DIType;
class DIDerivedType;
class DICompositeType;
class DIBasicType;
class DISubroutineType;
class MDTuple;
} // namespace llvm

namespace btfgen {

class DebugInfoToBTF {
public:
  /// Translates Ty and everything it needs as a relocation root. Returns
  /// its type ID (0 when Ty has no BTF, e.g. an unsupported base type). The
  /// DITypes must outlive this object.
  TypeId addRoot(const llvm::DIType *Ty);

  /// Walks Ty as BTFDebug walks the types of globals, function signatures
  /// and arguments, only to learn which named structs/unions the object's
  /// .BTF has in full. Nothing from this walk is emitted; finish() uses it
  /// to expand a pruned pointee instead of emitting a FWD, as BTFDebug's
  /// fixup finds the complete struct by name.
  void addContext(const llvm::DIType *Ty);
  /// The same for a global in a ".maps" section (BTFDebug::visitMapDefType:
  /// key/value pointees are expanded).
  void addMapContext(const llvm::DIType *Ty);

  /// Resolves the pruned pointers and appends every record, in ID order, to
  /// Out, which must be empty. IDs returned by addRoot() are valid in Out.
  void finish(TypeTable &Out);

private:
  /// One pending BTF record; ID = index + 1. Cross references are resolved
  /// in finish(), once every DIType has its ID (BTFDebug's completeType).
  struct Entry {
    Kind K = Kind::Unknown;
    /// The DIType this record translates (nullptr for synthetic records).
    const llvm::DIType *Ty = nullptr;
    std::string Name;
    /// Fixed referenced type (TYPE_TAG chains, tagged PTR, DECL_TAG base,
    /// array element, fixups); used when RefFromTy is false.
    TypeId Ref = 0;
    /// Reference is the ID of Ty's base type at finish().
    bool RefFromTy = false;
    bool KFlag = false;
    uint32_t Size = 0;
    uint32_t Word = 0; // INT word, ARRAY nelems, DECL_TAG component
  };

  TypeId addEntry(Entry E, const llvm::DIType *MapKey);
  TypeId idOf(const llvm::DIType *Ty) const;

  void visit(const llvm::DIType *Ty, TypeId &Id, bool CheckPointer,
             bool SeenPointer);
  void visitBasic(const llvm::DIBasicType *BTy, TypeId &Id);
  void visitSubroutine(const llvm::DISubroutineType *STy, TypeId &Id);
  void visitComposite(const llvm::DICompositeType *CTy, TypeId &Id);
  void visitStruct(const llvm::DICompositeType *CTy, bool IsStruct,
                   TypeId &Id);
  void visitArray(const llvm::DICompositeType *CTy, TypeId &Id);
  void visitEnum(const llvm::DICompositeType *CTy, TypeId &Id);
  void visitDerived(const llvm::DIDerivedType *DTy, TypeId &Id,
                    bool CheckPointer, bool SeenPointer);
  void addDeclTags(const llvm::MDTuple *Annotations, TypeId Base,
                   int Component);
  /// Builds the TYPE_TAG chain of DTy's btf_type_tag annotations; returns
  /// the last tag's ID or 0 when there are none. Base < 0: the first tag
  /// points at DTy's base type.
  TypeId addTypeTags(const llvm::DIDerivedType *DTy, int64_t Base);

  std::vector<Entry> Entries;
  llvm::DenseMap<const llvm::DIType *, TypeId> Ids;
  TypeId ArrayIndexType = 0;
  /// Struct/union records in creation order, for fixup lookup by name.
  std::vector<TypeId> StructIds;
  /// Pruned pointee -> records that must point at it. MapVector: the FWD
  /// records are created in first-seen order.
  llvm::MapVector<const llvm::DICompositeType *, llvm::SmallVector<TypeId, 2>>
      Fixups;
  bool Finished = false;
  /// Names of structs/unions the context walk translated in full.
  llvm::StringSet<> CompleteElsewhere;
  /// The context walk runs in a separate instance.
  std::unique_ptr<DebugInfoToBTF> Context;
  void visitMapDef(const llvm::DIType *Ty);
};

} // namespace btfgen

#endif // BTFGEN_LLVMPASS_DEBUGINFOTOBTF_H
