//===- TestBTFBuilder.h - Fluent in-memory BTF builder for tests -*- C++ -*-===//
//
// Builds a TypeTable type by type, so unit tests read like the C they model:
//
//   TestBTFBuilder B;
//   TypeId Int = B.addInt("int", 4, /*Signed=*/true);
//   TypeId S = B.addStruct("s", 8, {{"a", Int, 0}, {"b", Int, 32}});
//   const TypeTable &T = B.done(); // name index built, B owns it
//
// Members take bit offsets; a non-zero bitfield size switches the struct to
// kind_flag encoding (size << 24 | offset), as the kernel does. IDs are
// returned in creation order; nextId() allows forward references (a pointer
// to a struct created later). No validation: tests may build odd shapes.
//
//===----------------------------------------------------------------------===//

#ifndef BTFGEN_TEST_TESTBTFBUILDER_H
#define BTFGEN_TEST_TESTBTFBUILDER_H

#include "btfgen/TypeTable.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <initializer_list>
#include <utility>
#include <vector>

namespace btfgen {
namespace test {

struct MemberSpec {
  llvm::StringRef Name;
  TypeId Type;
  uint32_t BitOffset;
  uint32_t BitfieldSize = 0;
};

struct EnumSpec {
  llvm::StringRef Name;
  int64_t Val;
};

struct ParamSpec {
  llvm::StringRef Name;
  TypeId Type;
};

class TestBTFBuilder {
public:
  TypeId nextId() const { return T.size(); }

  TypeId addInt(llvm::StringRef Name, uint32_t Size, bool Signed = false,
                uint32_t Bits = 0, uint32_t Offset = 0, uint32_t Enc = 0) {
    if (!Bits)
      Bits = Size * 8;
    uint32_t Encoding = Enc | (Signed ? BTFIntSigned : 0);
    uint32_t W = (Encoding << 24) | (Offset << 16) | Bits;
    return add(Kind::Int, Name, 0, false, Size, {W});
  }
  TypeId addFloat(llvm::StringRef Name, uint32_t Size) {
    return add(Kind::Float, Name, 0, false, Size, {});
  }
  TypeId addPtr(TypeId To) { return add(Kind::Ptr, "", 0, false, To, {}); }
  TypeId addTypedef(llvm::StringRef Name, TypeId To) {
    return add(Kind::Typedef, Name, 0, false, To, {});
  }
  TypeId addConst(TypeId To) { return add(Kind::Const, "", 0, false, To, {}); }
  TypeId addVolatile(TypeId To) {
    return add(Kind::Volatile, "", 0, false, To, {});
  }
  TypeId addRestrict(TypeId To) {
    return add(Kind::Restrict, "", 0, false, To, {});
  }
  TypeId addTypeTag(llvm::StringRef Name, TypeId To) {
    return add(Kind::TypeTag, Name, 0, false, To, {});
  }
  TypeId addFwd(llvm::StringRef Name, bool IsUnion = false) {
    return add(Kind::Fwd, Name, 0, IsUnion, 0, {});
  }
  TypeId addArray(TypeId Elem, uint32_t NElems, TypeId Index = 0) {
    return add(Kind::Array, "", 0, false, 0, {Elem, Index, NElems});
  }
  TypeId addStruct(llvm::StringRef Name, uint32_t Size,
                   std::initializer_list<MemberSpec> Members) {
    return addComposite(Kind::Struct, Name, Size, Members);
  }
  TypeId addUnion(llvm::StringRef Name, uint32_t Size,
                  std::initializer_list<MemberSpec> Members) {
    return addComposite(Kind::Union, Name, Size, Members);
  }
  TypeId addComposite(Kind K, llvm::StringRef Name, uint32_t Size,
                      llvm::ArrayRef<MemberSpec> Members) {
    bool KFlag = false;
    for (const MemberSpec &M : Members)
      KFlag |= M.BitfieldSize != 0;
    std::vector<uint32_t> W;
    for (const MemberSpec &M : Members) {
      W.push_back(T.addString(M.Name));
      W.push_back(M.Type);
      W.push_back(KFlag ? (M.BitfieldSize << 24) | M.BitOffset : M.BitOffset);
    }
    return add(K, Name, Members.size(), KFlag, Size, W);
  }
  TypeId addEnum(llvm::StringRef Name, uint32_t Size,
                 std::initializer_list<EnumSpec> Vals, bool Signed = false) {
    std::vector<uint32_t> W;
    for (const EnumSpec &E : Vals) {
      W.push_back(T.addString(E.Name));
      W.push_back(uint32_t(E.Val));
    }
    return add(Kind::Enum, Name, Vals.size(), Signed, Size, W);
  }
  TypeId addEnum64(llvm::StringRef Name, uint32_t Size,
                   std::initializer_list<EnumSpec> Vals, bool Signed = false) {
    std::vector<uint32_t> W;
    for (const EnumSpec &E : Vals) {
      W.push_back(T.addString(E.Name));
      W.push_back(uint32_t(uint64_t(E.Val)));
      W.push_back(uint32_t(uint64_t(E.Val) >> 32));
    }
    return add(Kind::Enum64, Name, Vals.size(), Signed, Size, W);
  }
  TypeId addFuncProto(TypeId Ret, std::initializer_list<ParamSpec> Params) {
    std::vector<uint32_t> W;
    for (const ParamSpec &P : Params) {
      W.push_back(T.addString(P.Name));
      W.push_back(P.Type);
    }
    return add(Kind::FuncProto, "", Params.size(), false, Ret, W);
  }
  TypeId addFunc(llvm::StringRef Name, TypeId Proto, uint32_t Linkage = 1) {
    return add(Kind::Func, Name, Linkage, false, Proto, {});
  }
  TypeId addVar(llvm::StringRef Name, TypeId Type, uint32_t Linkage = 1) {
    return add(Kind::Var, Name, 0, false, Type, {Linkage});
  }

  /// Direct access, e.g. to patch a forward reference.
  TypeTable &table() { return T; }

  /// The finished table, name index built in place. (Moving a TypeTable
  /// after buildNameIndex() can leave the index pointing into a moved
  /// short-string buffer, so the builder keeps ownership.)
  const TypeTable &done() {
    T.buildNameIndex();
    return T;
  }

private:
  TypeId add(Kind K, llvm::StringRef Name, uint32_t Vlen, bool KFlag,
             uint32_t SizeOrType, llvm::ArrayRef<uint32_t> Words) {
    BTFType BT{T.addString(Name), BTFType::makeInfo(K, Vlen, KFlag),
               SizeOrType};
    return T.addType(BT, Words);
  }

  TypeTable T;
};

} // namespace test
} // namespace btfgen

#endif // BTFGEN_TEST_TESTBTFBUILDER_H
