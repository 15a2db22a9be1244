//===- ObjectReader.h - BPF objects as manifests ------------------*- C++ -*-===//
//
// Object mode: reads a BPF ELF object's .BTF and .BTF.ext and produces the
// same Manifest the plugin would (local types + unique CO-RE relocations,
// source places from .BTF.ext line info where present), so the driver runs
// one pipeline for both. Uses llvm::object for ELF.
//
//===----------------------------------------------------------------------===//

#ifndef BTFGEN_OBJECTREADER_H
#define BTFGEN_OBJECTREADER_H

#include "btfgen/BTFExt.h"
#include "btfgen/Manifest.h"

#include "llvm/Support/Error.h"
#include "llvm/Support/MemoryBufferRef.h"

namespace btfgen {

/// Contents of the named ELF section, or an error naming the file when it
/// is missing or out of bounds. The result borrows from Buf.
llvm::Expected<llvm::StringRef> readELFSection(llvm::MemoryBufferRef Buf,
                                               llvm::StringRef Name);

/// Build a Manifest from a BPF object (ELF with .BTF and, for relocations,
/// .BTF.ext). An object without .BTF.ext yields a manifest with no
/// relocations.
llvm::Expected<Manifest> readBPFObject(llvm::MemoryBufferRef Buf);

/// The same manifest together with the object's parsed .BTF.ext (empty when
/// it has none), for readers that also need the per-instruction records
/// (BPFObject.h).
struct ObjectBTF {
  Manifest M;
  BTFExt Ext;
};
llvm::Expected<ObjectBTF> readBPFObjectBTF(llvm::MemoryBufferRef Buf);

} // namespace btfgen

#endif // BTFGEN_OBJECTREADER_H
