//===- TableAccessLog.h - What a computation read of a table ----*- C++ -*-===//
//
// A TypeTable given a log (TypeTable::setAccessLog) marks in it every
// record its accessors return and every essential name looked up in its
// name index. KernelBasis.h uses it to know which part of a kernel a
// tailoring read, and then that a later tailoring read nothing else.
//
//===----------------------------------------------------------------------===//

#ifndef BTFGEN_TABLEACCESSLOG_H
#define BTFGEN_TABLEACCESSLOG_H

#include "llvm/ADT/BitVector.h"
#include "llvm/ADT/StringSet.h"

namespace btfgen {

struct TableAccessLog {
  /// One bit per type ID of the table: the record was read.
  llvm::BitVector Records;
  /// The essential names looked up (findByEssentialName), found or not.
  llvm::StringSet<> Names;
};

} // namespace btfgen

#endif // BTFGEN_TABLEACCESSLOG_H
