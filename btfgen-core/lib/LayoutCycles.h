//===- LayoutCycles.h - Reference cycles outside pointers ------*- C++ -*-===//
//
// The reader's last check (BTFReader.cpp): no type may contain itself
// other than through a pointer. LayoutCycles.cpp says why and how.
//
//===----------------------------------------------------------------------===//

#ifndef BTFGEN_LIB_LAYOUTCYCLES_H
#define BTFGEN_LIB_LAYOUTCYCLES_H

#include "btfgen/TypeTable.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

namespace btfgen {

/// A MalformedBTF error naming Name and spelling the first cycle met, if
/// a type of T reaches itself over layout edges (members, elements,
/// modifiers, typedefs, variables, section entries) alone.
llvm::Error checkLayoutCycles(const TypeTable &T, llvm::StringRef Name);

} // namespace btfgen

#endif // BTFGEN_LIB_LAYOUTCYCLES_H
