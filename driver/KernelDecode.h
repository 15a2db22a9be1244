//===- KernelDecode.h - A kernel's table straight from its tarball -*- C++ -*-===//
//
// The cold path's first step: a BTFHub tarball (`<release>.btf.tar.xz`)
// into the kernel's TypeTable without ever holding the decoded bytes. The
// tar stream is decoded window by window (TarXz.h) and the entry's bytes go
// to a BTFStreamReader (BTFReader.h) as they come, so a worker holds the
// table being built and one window, not the 27 MB BTF beside its table.
// An entry that is an ELF file (a vmlinux; BTFHub ships raw BTF) is
// gathered whole and read with readBTFAny.
//
// The result, table or error, is the one readBTFAny would give over the
// extracted entry; tarball errors come first, as with readTarXzEntry.
//
//===----------------------------------------------------------------------===//

#ifndef BTFGEN_DRIVER_KERNELDECODE_H
#define BTFGEN_DRIVER_KERNELDECODE_H

#include "btfgen/TypeTable.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

namespace btfgen {

/// The BTF of the tar entry Wanted in the .tar.xz bytes Compressed; Name
/// (the tarball's path) names it in errors.
llvm::Expected<TypeTable> decodeKernelTable(llvm::StringRef Compressed,
                                            llvm::StringRef Wanted,
                                            llvm::StringRef Name);

} // namespace btfgen

#endif // BTFGEN_DRIVER_KERNELDECODE_H
