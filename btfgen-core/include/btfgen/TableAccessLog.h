//===- TableAccessLog.h - What a computation read of a table ----*- C++ -*-===//
//
// A TypeTable given a log (TypeTable::setAccessLog) marks in it every
// record its accessors return and every essential name looked up in its
// name index. KernelBasis.h uses it to know which part of a kernel a
// tailoring read, and then that a later tailoring read nothing else; with
// bounds, the log also says as soon as a read crosses them, so that a
// computation whose result would be thrown away can stop early.
//
//===----------------------------------------------------------------------===//

#ifndef BTFGEN_TABLEACCESSLOG_H
#define BTFGEN_TABLEACCESSLOG_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/BitVector.h"
#include "llvm/ADT/StringSet.h"

#include <algorithm>
#include <string>

namespace btfgen {

struct TableAccessLog {
  /// One bit per type ID of the table: the record was read.
  llvm::BitVector Records;
  /// The essential names looked up (findByEssentialName), found or not.
  llvm::StringSet<> Names;

  /// Bounds, if Within is set: a record outside Within, or a name not in
  /// WithinNames (ascending), sets Escaped when it is read.
  const llvm::BitVector *Within = nullptr;
  llvm::ArrayRef<std::string> WithinNames;
  bool Escaped = false;
};

/// Whether Name is in Sorted (ascending, as WithinNames).
inline bool isListedName(llvm::ArrayRef<std::string> Sorted,
                         llvm::StringRef Name) {
  return std::binary_search(
      Sorted.begin(), Sorted.end(), Name,
      [](llvm::StringRef A, llvm::StringRef B) { return A < B; });
}

} // namespace btfgen

#endif // BTFGEN_TABLEACCESSLOG_H
