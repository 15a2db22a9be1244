//===- KernelView.cpp - The part of a kernel BTF that tailoring reads -----===//
//
// kernelView() in two steps: choose what to keep (the named records of the
// kinds kept, and everything they refer to, even a record of a dropped kind,
// which no real kernel has but a hostile file may), then copy kept records
// through Shrink.cpp's emitType with their own IDs, and put a `const void`
// in the place of each other one.
//
//===----------------------------------------------------------------------===//

#include "btfgen/KernelView.h"

#include "Shrink.h"

#include "llvm/ADT/BitVector.h"

using namespace llvm;

namespace btfgen {

bool isDroppedFromView(Kind K) {
  return K == Kind::Func || K == Kind::Var || K == Kind::Datasec ||
         K == Kind::DeclTag;
}

namespace {

/// The records the view keeps: the named ones of kept kinds (the only
/// possible candidates), closed under references so that no kept record
/// ever refers to a stub.
BitVector recordsToKeep(const TypeTable &Kernel) {
  const TypeId N = Kernel.size();
  BitVector Keep(N);
  SmallVector<TypeId, 64> Work;
  for (TypeId Id = 1; Id < N; ++Id)
    if (!isDroppedFromView(Kernel.kind(Id)) && !Kernel.name(Id).empty()) {
      Keep.set(Id);
      Work.push_back(Id);
    }
  while (!Work.empty()) {
    TypeId Id = Work.pop_back_val();
    Kernel.forEachRef(Id, [&](TypeId R, RefRole, uint32_t) {
      if (R == 0 || R >= N || Keep.test(R))
        return;
      Keep.set(R);
      Work.push_back(R);
    });
  }
  return Keep;
}

} // namespace

TypeTable kernelView(const TypeTable &Kernel) {
  BitVector Keep = recordsToKeep(Kernel);
  // A kept record keeps all its words: reserve them exactly, since growth
  // by doubling would hold up to twice the view's size (33 MB instead of
  // 25 MB for the CentOS 8 kernel of the corpus, the largest).
  size_t Words = 0;
  for (unsigned Id : Keep.set_bits())
    Words += Kernel.data(Id).size();
  TypeTable View;
  View.reserve(Kernel.size() - 1, Words);
  auto Same = [](TypeId Id) { return Id; };
  SmallVector<uint32_t, 64> Scratch;
  BitVector AllMembers;
  BTFType Stub{};
  Stub.Info = BTFType::makeInfo(Kind::Const, 0, false);
  for (TypeId Id = 1; Id < Kernel.size(); ++Id) {
    if (!Keep.test(Id)) {
      View.addType(Stub, {});
      continue;
    }
    AllMembers.clear();
    if (isComposite(Kernel.kind(Id)))
      AllMembers.resize(Kernel.vlen(Id), true);
    emitType(Kernel, Id, AllMembers, Same, Same, View, Scratch);
  }
  View.setKnownPointerSize(Kernel.knownPointerSize());
  return View;
}

} // namespace btfgen
