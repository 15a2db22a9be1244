//===- Dump.h - Canonical text dump of BTF ------------------------*- C++ -*-===//
//
// Prints a TypeTable in exactly the format of `bpftool btf dump file F`
// (format raw), so our dumps can be diffed against bpftool's and read in
// FileCheck lines:
//
//   [2] STRUCT 'task_struct' size=9472 vlen=3
//   	'pid' type_id=5 bits_offset=18944
//
//===----------------------------------------------------------------------===//

#ifndef BTFGEN_DUMP_H
#define BTFGEN_DUMP_H

#include "btfgen/TypeTable.h"

#include "llvm/Support/raw_ostream.h"

namespace btfgen {

void dumpBTF(const TypeTable &T, llvm::raw_ostream &OS);
void dumpType(const TypeTable &T, TypeId Id, llvm::raw_ostream &OS);

} // namespace btfgen

#endif // BTFGEN_DUMP_H
