//===- DebugInfoToBTF.cpp - DIType graph to BTF records -------------------===//
//
// The walk mirrors BTFDebug::visitTypeEntry and friends in
// llvm/lib/Target/BPF/BTFDebug.cpp (LLVM 19): records are created while
// walking, references are filled in afterwards. See the header for the list
// of BTFDebug's choices reproduced here.
//
//===----------------------------------------------------------------------===//

#include "DebugInfoToBTF.h"

#include "llvm/BinaryFormat/Dwarf.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/DebugInfoMetadata.h"

#include <cassert>

using namespace llvm;

namespace btfgen {

static uint32_t bitsToBytes(uint64_t Bits) {
  return static_cast<uint32_t>((Bits + 7) / 8);
}

/// BTFDebug::IsForwardDeclCandidate: a named, complete struct or union.
static bool isFwdCandidate(const DIType *Base) {
  const auto *CTy = dyn_cast<DICompositeType>(Base);
  if (!CTy)
    return false;
  unsigned Tag = CTy->getTag();
  return (Tag == dwarf::DW_TAG_structure_type ||
          Tag == dwarf::DW_TAG_union_type) &&
         !CTy->getName().empty() && !CTy->isForwardDecl();
}

static bool hasAnnotations(const DIDerivedType *DTy) {
  return DTy->getAnnotations().get() != nullptr;
}

static Kind derivedKindOf(unsigned Tag) {
  switch (Tag) {
  case dwarf::DW_TAG_pointer_type:
    return Kind::Ptr;
  case dwarf::DW_TAG_const_type:
    return Kind::Const;
  case dwarf::DW_TAG_volatile_type:
    return Kind::Volatile;
  case dwarf::DW_TAG_typedef:
    return Kind::Typedef;
  case dwarf::DW_TAG_restrict_type:
    return Kind::Restrict;
  }
  return Kind::Unknown;
}

TypeId DebugInfoToBTF::addEntry(Entry E, const DIType *MapKey) {
  Entries.push_back(std::move(E));
  TypeId Id = static_cast<TypeId>(Entries.size());
  if (MapKey)
    Ids[MapKey] = Id;
  return Id;
}

TypeId DebugInfoToBTF::idOf(const DIType *Ty) const {
  return Ty ? Ids.lookup(Ty) : 0;
}

TypeId DebugInfoToBTF::addRoot(const DIType *Ty) {
  assert(!Finished && "addRoot after finish");
  TypeId Id = 0;
  visit(Ty, Id, /*CheckPointer=*/false, /*SeenPointer=*/false);
  return Id;
}

void DebugInfoToBTF::addContext(const DIType *Ty) {
  if (!Context)
    Context = std::make_unique<DebugInfoToBTF>();
  TypeId Tmp;
  Context->visit(Ty, Tmp, false, false);
}

void DebugInfoToBTF::addMapContext(const DIType *Ty) {
  if (!Context)
    Context = std::make_unique<DebugInfoToBTF>();
  Context->visitMapDef(Ty);
}

void DebugInfoToBTF::visitMapDef(const DIType *Ty) {
  if (!Ty || Ids.count(Ty))
    return;
  if (const auto *DTy = dyn_cast<DIDerivedType>(Ty)) {
    if (derivedKindOf(DTy->getTag()) != Kind::Unknown)
      visitMapDef(DTy->getBaseType());
  } else if (const auto *CTy = dyn_cast<DICompositeType>(Ty)) {
    if (CTy->getTag() == dwarf::DW_TAG_array_type) {
      visitMapDef(CTy->getBaseType());
    } else if (CTy->getTag() == dwarf::DW_TAG_structure_type) {
      // Members that are composites may be the real map definition inside
      // a wrapper; the rest are walked normally.
      for (const DINode *Element : CTy->getElements()) {
        const auto *M = dyn_cast<DIDerivedType>(Element);
        if (!M)
          continue;
        const DIType *Base = M->getBaseType();
        if (isa_and_nonnull<DICompositeType>(Base))
          visitMapDef(Base);
        else {
          TypeId Tmp;
          visit(Base, Tmp, false, false);
        }
      }
    }
  }
  TypeId Tmp;
  visit(Ty, Tmp, false, false);
}

void DebugInfoToBTF::visit(const DIType *Ty, TypeId &Id, bool CheckPointer,
                           bool SeenPointer) {
  Id = 0;
  if (!Ty)
    return;
  auto It = Ids.find(Ty);
  if (It != Ids.end()) {
    Id = It->second;
    // Seen before, maybe behind a pointer that stopped the walk: keep going
    // down the chain of derived types until the first untranslated base
    // (BTFDebug::visitTypeEntry, the "struct t / _t" case).
    if (CheckPointer && SeenPointer)
      return;
    const auto *DTy = dyn_cast<DIDerivedType>(Ty);
    while (DTy) {
      const DIType *Base = DTy->getBaseType();
      if (!Base)
        break;
      if (Ids.count(Base)) {
        DTy = dyn_cast<DIDerivedType>(Base);
        continue;
      }
      if (CheckPointer && DTy->getTag() == dwarf::DW_TAG_pointer_type &&
          !hasAnnotations(DTy)) {
        SeenPointer = true;
        if (isFwdCandidate(Base))
          break;
      }
      TypeId Tmp;
      visit(Base, Tmp, CheckPointer, SeenPointer);
      break;
    }
    return;
  }

  if (const auto *BTy = dyn_cast<DIBasicType>(Ty))
    visitBasic(BTy, Id);
  else if (const auto *STy = dyn_cast<DISubroutineType>(Ty))
    visitSubroutine(STy, Id);
  else if (const auto *CTy = dyn_cast<DICompositeType>(Ty))
    visitComposite(CTy, Id);
  else if (const auto *DTy = dyn_cast<DIDerivedType>(Ty))
    visitDerived(DTy, Id, CheckPointer, SeenPointer);
}

void DebugInfoToBTF::visitBasic(const DIBasicType *BTy, TypeId &Id) {
  Entry E;
  E.Ty = BTy;
  E.Name = BTy->getName().str();
  uint32_t Enc;
  switch (BTy->getEncoding()) {
  case dwarf::DW_ATE_boolean:
    Enc = BTFIntBool;
    break;
  case dwarf::DW_ATE_signed:
  case dwarf::DW_ATE_signed_char:
    Enc = BTFIntSigned;
    break;
  case dwarf::DW_ATE_unsigned:
  case dwarf::DW_ATE_unsigned_char:
    Enc = 0;
    break;
  case dwarf::DW_ATE_float:
    E.K = Kind::Float;
    E.Size = bitsToBytes(BTy->getSizeInBits());
    Id = addEntry(std::move(E), BTy);
    return;
  default:
    return; // no BTF for this base type
  }
  E.K = Kind::Int;
  E.Size = bitsToBytes(BTy->getSizeInBits());
  E.Word = Enc << 24 | (static_cast<uint32_t>(BTy->getOffsetInBits()) & 0xff)
                           << 16 |
           (static_cast<uint32_t>(BTy->getSizeInBits()) & 0xff);
  Id = addEntry(std::move(E), BTy);
}

void DebugInfoToBTF::visitSubroutine(const DISubroutineType *STy,
                                     TypeId &Id) {
  DITypeRefArray Elements = STy->getTypeArray();
  if (Elements.size() == 0 || Elements.size() - 1 > BTFMaxVlen)
    return;
  Entry E;
  E.K = Kind::FuncProto;
  E.Ty = STy;
  Id = addEntry(std::move(E), STy);
  for (const DIType *Element : Elements) {
    TypeId Tmp;
    visit(Element, Tmp, false, false);
  }
}

void DebugInfoToBTF::visitComposite(const DICompositeType *CTy, TypeId &Id) {
  unsigned Tag = CTy->getTag();
  if (Tag == dwarf::DW_TAG_structure_type || Tag == dwarf::DW_TAG_union_type) {
    if (CTy->isForwardDecl()) {
      Entry E;
      E.K = Kind::Fwd;
      E.Ty = CTy;
      E.Name = CTy->getName().str();
      E.KFlag = Tag == dwarf::DW_TAG_union_type;
      Id = addEntry(std::move(E), CTy);
    } else {
      visitStruct(CTy, Tag == dwarf::DW_TAG_structure_type, Id);
    }
  } else if (Tag == dwarf::DW_TAG_array_type) {
    visitArray(CTy, Id);
  } else if (Tag == dwarf::DW_TAG_enumeration_type) {
    visitEnum(CTy, Id);
  }
}

void DebugInfoToBTF::visitStruct(const DICompositeType *CTy, bool IsStruct,
                                 TypeId &Id) {
  DINodeArray Elements = CTy->getElements();
  if (Elements.size() > BTFMaxVlen)
    return;
  bool HasBitField = false;
  for (const DINode *Element : Elements)
    if (const auto *M = dyn_cast<DIDerivedType>(Element))
      HasBitField |= M->isBitField();

  Entry E;
  E.K = IsStruct ? Kind::Struct : Kind::Union;
  E.Ty = CTy;
  E.Name = CTy->getName().str();
  E.KFlag = HasBitField;
  E.Size = bitsToBytes(CTy->getSizeInBits());
  Id = addEntry(std::move(E), CTy);
  StructIds.push_back(Id);

  addDeclTags(CTy->getAnnotations().get(), Id, -1);
  int FieldNo = 0;
  for (const DINode *Element : Elements) {
    const auto *M = dyn_cast<DIDerivedType>(Element);
    if (!M)
      continue;
    TypeId Tmp;
    visit(M, Tmp, false, false);
    addDeclTags(M->getAnnotations().get(), Id, FieldNo);
    ++FieldNo;
  }
}

void DebugInfoToBTF::visitArray(const DICompositeType *CTy, TypeId &Id) {
  TypeId ElemId;
  visit(CTy->getBaseType(), ElemId, false, false);

  // Innermost dimension first: `T x[2][3]` is ARRAY(2) -> ARRAY(3) -> T and
  // the outermost record stands for the DIType.
  DINodeArray Dims = CTy->getElements();
  for (int I = static_cast<int>(Dims.size()) - 1; I >= 0; --I) {
    const auto *SR = dyn_cast_or_null<DISubrange>(Dims[I]);
    if (!SR)
      continue;
    int64_t Count = 0;
    if (auto *CI = dyn_cast_if_present<ConstantInt *>(SR->getCount()))
      Count = CI->getSExtValue();
    Entry E;
    E.K = Kind::Array;
    E.Ref = ElemId;
    // A flexible array member has count -1.
    E.Word = Count >= 0 ? static_cast<uint32_t>(Count) : 0;
    ElemId = addEntry(std::move(E), I == 0 ? CTy : nullptr);
  }
  Id = ElemId;

  if (!ArrayIndexType) {
    Entry E;
    E.K = Kind::Int;
    E.Name = "__ARRAY_SIZE_TYPE__";
    E.Size = 4;
    E.Word = 32;
    ArrayIndexType = addEntry(std::move(E), nullptr);
  }
}

void DebugInfoToBTF::visitEnum(const DICompositeType *CTy, TypeId &Id) {
  DINodeArray Elements = CTy->getElements();
  if (Elements.size() > BTFMaxVlen)
    return;
  bool IsSigned = false;
  uint64_t NumBits = 32;
  // No underlying type: a forward declaration, emitted as an empty ENUM.
  if (const auto *BTy = dyn_cast_or_null<DIBasicType>(CTy->getBaseType())) {
    IsSigned = BTy->getEncoding() == dwarf::DW_ATE_signed ||
               BTy->getEncoding() == dwarf::DW_ATE_signed_char;
    NumBits = BTy->getSizeInBits();
  }
  Entry E;
  E.K = NumBits <= 32 ? Kind::Enum : Kind::Enum64;
  E.Ty = CTy;
  E.Name = CTy->getName().str();
  E.KFlag = IsSigned;
  E.Size = bitsToBytes(CTy->getSizeInBits());
  Id = addEntry(std::move(E), CTy);
}

void DebugInfoToBTF::addDeclTags(const MDTuple *Annotations, TypeId Base,
                                 int Component) {
  if (!Annotations)
    return;
  for (const MDOperand &Op : Annotations->operands()) {
    const auto *MD = dyn_cast_or_null<MDNode>(Op.get());
    if (!MD || MD->getNumOperands() < 2)
      continue;
    const auto *Name = dyn_cast_or_null<MDString>(MD->getOperand(0));
    const auto *Value = dyn_cast_or_null<MDString>(MD->getOperand(1));
    if (!Name || !Value || Name->getString() != "btf_decl_tag")
      continue;
    Entry E;
    E.K = Kind::DeclTag;
    E.Name = Value->getString().str();
    E.Ref = Base;
    E.Word = static_cast<uint32_t>(Component);
    addEntry(std::move(E), nullptr);
  }
}

TypeId DebugInfoToBTF::addTypeTags(const DIDerivedType *DTy, int64_t Base) {
  SmallVector<StringRef, 4> Tags;
  if (const MDTuple *Annots = DTy->getAnnotations().get()) {
    for (const MDOperand &Op : Annots->operands()) {
      const auto *MD = dyn_cast_or_null<MDNode>(Op.get());
      if (!MD || MD->getNumOperands() < 2)
        continue;
      const auto *Name = dyn_cast_or_null<MDString>(MD->getOperand(0));
      const auto *Value = dyn_cast_or_null<MDString>(MD->getOperand(1));
      if (Name && Value && Name->getString() == "btf_type_tag")
        Tags.push_back(Value->getString());
    }
  }
  if (Tags.empty())
    return 0;
  // "int __t1 __t2 *p": [t1, t2] becomes PTR -> t2 -> t1 -> int, so t1 is
  // created first and points at the base.
  TypeId Prev = 0;
  for (size_t I = 0; I < Tags.size(); ++I) {
    Entry E;
    E.K = Kind::TypeTag;
    E.Name = Tags[I].str();
    if (I == 0 && Base < 0) {
      E.Ty = DTy;
      E.RefFromTy = true;
    } else {
      E.Ref = I == 0 ? static_cast<TypeId>(Base) : Prev;
    }
    Prev = addEntry(std::move(E), nullptr);
  }
  return Prev;
}

void DebugInfoToBTF::visitDerived(const DIDerivedType *DTy, TypeId &Id,
                                  bool CheckPointer, bool SeenPointer) {
  unsigned Tag = DTy->getTag();
  Kind K = derivedKindOf(Tag);
  // LLVM 19 has no BTF for _Atomic (or any other derived tag): whatever
  // refers to it gets type 0, and the walk stops here.
  if (K == Kind::Unknown && Tag != dwarf::DW_TAG_member)
    return;

  if (CheckPointer && !SeenPointer)
    SeenPointer = Tag == dwarf::DW_TAG_pointer_type && !hasAnnotations(DTy);

  if (CheckPointer && SeenPointer && K != Kind::Unknown) {
    const DIType *Base = DTy->getBaseType();
    if (Base && isFwdCandidate(Base)) {
      // Do not expand the pointee here; finish() points this record at a
      // translated struct of the same name or at a FWD.
      Entry E;
      E.K = K;
      E.Ty = DTy;
      E.Name = DTy->getName().str();
      Id = addEntry(std::move(E), DTy);
      Fixups[cast<DICompositeType>(Base)].push_back(Id);
      return;
    }
  }

  if (Tag == dwarf::DW_TAG_pointer_type) {
    if (TypeId Tag = addTypeTags(DTy, -1)) {
      Entry E;
      E.K = Kind::Ptr;
      E.Name = DTy->getName().str();
      E.Ref = Tag;
      Id = addEntry(std::move(E), DTy);
    } else {
      Entry E;
      E.K = Kind::Ptr;
      E.Ty = DTy;
      E.Name = DTy->getName().str();
      E.RefFromTy = true;
      Id = addEntry(std::move(E), DTy);
    }
  } else if (K != Kind::Unknown) {
    Entry E;
    E.K = K;
    E.Ty = DTy;
    E.Name = DTy->getName().str();
    E.RefFromTy = true;
    Id = addEntry(std::move(E), DTy);
    if (K == Kind::Typedef)
      addDeclTags(DTy->getAnnotations().get(), Id, -1);
  }

  TypeId Tmp;
  if (Tag == dwarf::DW_TAG_member)
    visit(DTy->getBaseType(), Tmp, true, false);
  else
    visit(DTy->getBaseType(), Tmp, CheckPointer, SeenPointer);
}

void DebugInfoToBTF::finish(TypeTable &Out) {
  assert(!Finished && Out.size() == 1 && "finish into an empty table once");
  Finished = true;

  // A pruned pointee that the object has in full because of some function
  // or global is expanded here as well. Expanding can prune new pointees,
  // so repeat until nothing changes.
  if (Context) {
    for (TypeId S : Context->StructIds)
      CompleteElsewhere.insert(Context->Entries[S - 1].Name);
    for (size_t I = 0; I < Fixups.size(); ++I) {
      const DICompositeType *CTy = (Fixups.begin() + I)->first;
      if (!CompleteElsewhere.contains(CTy->getName()))
        continue;
      bool Have = llvm::any_of(StructIds, [&](TypeId S) {
        return Entries[S - 1].Name == CTy->getName();
      });
      if (!Have) {
        TypeId Tmp;
        visit(CTy, Tmp, false, false);
      }
    }
  }

  // Pruned pointees: the first translated struct/union with the same name
  // (BTFDebug matches by name only), else a new FWD.
  for (auto &[CTy, Users] : Fixups) {
    TypeId Target = 0;
    for (TypeId S : StructIds)
      if (Entries[S - 1].Name == CTy->getName()) {
        Target = S;
        break;
      }
    if (!Target) {
      Entry E;
      E.K = Kind::Fwd;
      E.Name = CTy->getName().str();
      E.KFlag = CTy->getTag() == dwarf::DW_TAG_union_type;
      Target = addEntry(std::move(E), nullptr);
    }
    for (TypeId U : Users) {
      const auto *DTy = cast<DIDerivedType>(Entries[U - 1].Ty);
      TypeId Tagged = addTypeTags(DTy, Target);
      Entries[U - 1].Ref = Tagged ? Tagged : Target;
    }
  }

  for (const Entry &E : Entries) {
    BTFType T{Out.addString(E.Name), 0, 0};
    SmallVector<uint32_t, 16> Data;
    uint32_t Vlen = 0;
    switch (E.K) {
    case Kind::Int:
      T.SizeOrType = E.Size;
      Data.push_back(E.Word);
      break;
    case Kind::Float:
      T.SizeOrType = E.Size;
      break;
    case Kind::Ptr:
    case Kind::Const:
    case Kind::Volatile:
    case Kind::Restrict:
    case Kind::Typedef:
    case Kind::TypeTag:
      T.SizeOrType =
          E.RefFromTy ? idOf(cast<DIDerivedType>(E.Ty)->getBaseType()) : E.Ref;
      break;
    case Kind::Fwd:
      break;
    case Kind::DeclTag:
      T.SizeOrType = E.Ref;
      Data.push_back(E.Word);
      break;
    case Kind::Array:
      Data.append({E.Ref, ArrayIndexType, E.Word});
      break;
    case Kind::Struct:
    case Kind::Union: {
      T.SizeOrType = E.Size;
      for (const DINode *Element : cast<DICompositeType>(E.Ty)->getElements()) {
        const auto *M = dyn_cast<DIDerivedType>(Element);
        if (!M)
          continue;
        uint32_t Off = static_cast<uint32_t>(M->getOffsetInBits());
        if (E.KFlag && M->isBitField())
          Off = (Off & 0xffffff) |
                static_cast<uint32_t>(M->getSizeInBits()) << 24;
        Data.append({Out.addString(M->getName()), idOf(M->getBaseType()), Off});
        ++Vlen;
      }
      break;
    }
    case Kind::Enum:
    case Kind::Enum64:
      T.SizeOrType = E.Size;
      for (const DINode *Element : cast<DICompositeType>(E.Ty)->getElements()) {
        const auto *En = dyn_cast<DIEnumerator>(Element);
        if (!En)
          continue;
        uint64_t V = En->isUnsigned()
                         ? En->getValue().getZExtValue()
                         : static_cast<uint64_t>(En->getValue().getSExtValue());
        Data.push_back(Out.addString(En->getName()));
        Data.push_back(static_cast<uint32_t>(V));
        if (E.K == Kind::Enum64)
          Data.push_back(static_cast<uint32_t>(V >> 32));
        ++Vlen;
      }
      break;
    case Kind::FuncProto: {
      DITypeRefArray Types = cast<DISubroutineType>(E.Ty)->getTypeArray();
      T.SizeOrType = idOf(Types[0]);
      for (unsigned I = 1, N = Types.size(); I < N; ++I) {
        // A null element (the trailing "...") is {0, 0}.
        Data.append({0, idOf(Types[I])});
        ++Vlen;
      }
      break;
    }
    default:
      assert(false && "kind not produced from debug info");
      break;
    }
    T.Info = BTFType::makeInfo(E.K, Vlen, E.KFlag);
    Out.addType(T, Data);
  }
}

} // namespace btfgen
