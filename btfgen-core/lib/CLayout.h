//===- CLayout.h - How a C compiler lays out BTF structs ---------*- C++ -*-===//
//
// The layout reasoning of libbpf's BTF-to-C converter, apart from its
// printing: the natural alignment of a type (btf.c btf__align_of), whether
// a struct must have been packed (btf_dump.c btf_is_struct_packed), and
// which anonymous bitfields recreate a gap between members
// (btf_dump.c btf_dump_emit_bit_padding). Private to CDumper.
//
//===----------------------------------------------------------------------===//

#ifndef BTFGEN_LIB_CLAYOUT_H
#define BTFGEN_LIB_CLAYOUT_H

#include "btfgen/TypeTable.h"

#include "llvm/ADT/STLFunctionalExtras.h"

#include <cstdint>
#include <vector>

namespace btfgen {

class CLayout {
public:
  /// Alignments are memoized per table; T must outlive the layout.
  CLayout(const TypeTable &T, unsigned MaxDepth);

  /// btf__align_of(): bytes; 0 for kinds that have none (void, FWD,
  /// FUNC_PROTO, ...) and for a struct containing one.
  int32_t alignOf(TypeId Id);
  /// btf_is_struct_packed() for a STRUCT or UNION.
  bool isStructPacked(TypeId Id);

  /// One anonymous bitfield, `Type: Bits;` (Bits 0 is an alignment mark).
  struct Pad {
    const char *Type;
    int32_t Bits;
  };
  /// Call Emit, in order, with the bitfields that fill [CurOff, NextOff)
  /// (bit offsets) before a member aligned to NextAlign bytes, after a
  /// bitfield if InBitfield. Streamed: a huge gap is millions of them.
  void padding(int32_t CurOff, int32_t NextOff, int32_t NextAlign,
               bool InBitfield, llvm::function_ref<void(Pad)> Emit) const;

  /// The first type whose alignment needed more than MaxDepth levels of
  /// recursion (its result is then a made-up 1), or 0.
  TypeId tooDeep() const { return TooDeep; }

private:
  int32_t computeAlign(TypeId Id);

  const TypeTable &T;
  const unsigned MaxDepth;
  /// Memoized alignOf(); -1 until computed (libbpf recomputes each time).
  std::vector<int32_t> Aligns;
  unsigned Depth = 0;
  TypeId TooDeep = 0;
};

} // namespace btfgen

#endif // BTFGEN_LIB_CLAYOUT_H
