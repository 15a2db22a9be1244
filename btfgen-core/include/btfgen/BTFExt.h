//===- BTFExt.h - .BTF.ext CO-RE relocation records ---------------*- C++ -*-===//
//
// Parses the .BTF.ext section (struct btf_ext_header in libbpf's
// libbpf_internal.h): func_info, line_info and core_relo subsections, each a
// list of per-ELF-section blocks. Bounds-checked like the BTF reader.
//
//===----------------------------------------------------------------------===//

#ifndef BTFGEN_BTFEXT_H
#define BTFGEN_BTFEXT_H

#include "btfgen/CoreRelo.h"
#include "btfgen/TypeTable.h"

#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace btfgen {

/// One struct bpf_core_relo with its ELF section name resolved.
struct BTFExtCoreRelo {
  std::string Section; // ELF section of the instruction ("kprobe/foo")
  uint32_t InsnOff = 0;
  TypeId Type = 0;
  std::string Access;
  CoreReloKind Kind = CoreReloKind::FieldByteOffset;
};

/// One struct bpf_line_info with strings resolved.
struct BTFExtLineInfo {
  std::string Section;
  uint32_t InsnOff = 0;
  std::string File;
  std::string Line;
  uint32_t LineNum = 0;
  uint32_t Column = 0;
};

/// One struct bpf_func_info: the function starting at InsnOff (bytes).
struct BTFExtFuncInfo {
  std::string Section;
  uint32_t InsnOff = 0;
  TypeId Type = 0; // a FUNC in the object's .BTF
};

/// Records in file order (section block by section block).
struct BTFExt {
  std::vector<BTFExtCoreRelo> CoreRelos;
  std::vector<BTFExtLineInfo> LineInfos;
  std::vector<BTFExtFuncInfo> FuncInfos;
};

/// Parse .BTF.ext bytes. Strings (section names, access strings) come from
/// the object's .BTF string section, i.e. from BTF. Name is used in errors.
llvm::Expected<BTFExt> readBTFExt(llvm::StringRef Bytes, const TypeTable &BTF,
                                  llvm::StringRef Name);

} // namespace btfgen

#endif // BTFGEN_BTFEXT_H
