//===- ManifestValidation.cpp - What a manifest may hold ------------------===//
//
// The checks a Manifest must pass whatever it was built from: a JSON file
// (readManifest) or a BPF object's .BTF/.BTF.ext (readBPFObject). They are
// the rules of docs/manifest.md that a TypeTable or a CoreRelocation can
// break, where JSON syntax cannot: an INT that does not fit its size, an
// unknown encoding or linkage, a reference out of range, a relocation root
// that is not a type, a malformed access string. Errors name the JSON path
// the value has (or would have) in the manifest ("types[3].nr_bits: 200 out
// of range [0, 128]"), so both readers report alike.
//
//===----------------------------------------------------------------------===//

#include "btfgen/Manifest.h"

#include "btfgen/Errors.h"

#include "llvm/Support/FormatVariadic.h"

#include <optional>

using namespace llvm;

namespace btfgen {

namespace {

/// The manifest key of a reference of role Role at list position I.
std::string refKey(RefRole Role, uint32_t I) {
  switch (Role) {
  case RefRole::Return:
    return "ret_type_id";
  case RefRole::Param:
    return formatv("params[{0}].type_id", I).str();
  case RefRole::Index:
    return "index_type_id";
  case RefRole::Member:
    return formatv("members[{0}].type_id", I).str();
  case RefRole::Var:
    return formatv("vars[{0}].type_id", I).str();
  case RefRole::Pointee:
  case RefRole::Type:
  case RefRole::Elem:
    break;
  }
  return "type_id";
}

/// The first problem of type Id as "<key>: <what>" relative to its path
/// ("nr_bits: 200 out of range [0, 128]"; ": ..." for the whole type), or
/// std::nullopt.
std::optional<std::string> checkType(const TypeTable &T, TypeId Id) {
  const BTFType &Ty = T.type(Id);
  switch (Ty.kind()) {
  case Kind::Unknown:
    return formatv(".kind: unknown kind '{0}'", kindName(Ty.kind())).str();
  case Kind::Int: {
    uint32_t W = T.intWord(Id);
    if (intBits(W) > 128)
      return formatv(".nr_bits: {0} out of range [0, 128]", intBits(W)).str();
    if (!intEncodingName(intEncoding(W)))
      return std::string(".encoding: unknown encoding '(invalid)'");
    if (Ty.SizeOrType > 16 ||
        uint64_t(intOffset(W)) + intBits(W) > uint64_t(Ty.SizeOrType) * 8)
      return formatv(": bits_offset {0} + nr_bits {1} do not fit size {2}",
                     intOffset(W), intBits(W), Ty.SizeOrType)
          .str();
    break;
  }
  case Kind::Func:
    if (!linkageName(Ty.vlen()))
      return std::string(".linkage: unknown linkage '(invalid)'");
    break;
  case Kind::Var:
    if (!linkageName(T.varLinkage(Id)))
      return std::string(".linkage: unknown linkage '(invalid)'");
    break;
  case Kind::DeclTag:
    if (T.declTagComponent(Id) < -1)
      return formatv(".component_idx: {0} out of range [-1, {1}]",
                     T.declTagComponent(Id), INT32_MAX)
          .str();
    break;
  default:
    break;
  }
  std::optional<std::string> Bad;
  T.forEachRef(Id, [&](TypeId Ref, RefRole Role, uint32_t I) {
    if (!Bad && !T.isValid(Ref))
      Bad = formatv(".{0}: {1} out of range (types {2})", refKey(Role, I), Ref,
                    T.size() - 1)
                .str();
  });
  return Bad;
}

} // namespace

Error validateManifest(const Manifest &M, StringRef Input) {
  const TypeTable &T = M.Types;
  if (T.size() - 1 > BTFMaxType)
    return malformed(Input, "types: {0} types exceed the BTF limit {1}",
                     T.size() - 1, BTFMaxType);
  for (TypeId Id = 1; Id < T.size(); ++Id)
    if (std::optional<std::string> Bad = checkType(T, Id))
      return malformed(Input, "types[{0}]{1}", Id - 1, *Bad);
  for (size_t I = 0; I < M.Relocs.size(); ++I) {
    const CoreRelocation &R = M.Relocs[I];
    if (uint32_t(R.Kind) >= NumCoreReloKinds)
      return malformed(Input, "relocations[{0}].kind_id: {1} out of range "
                              "[0, {2}]",
                       I, uint32_t(R.Kind), NumCoreReloKinds - 1);
    if (R.LocalType < 1 || !T.isValid(R.LocalType))
      return malformed(Input, "relocations[{0}].type: {1} out of range "
                              "(types {2})",
                       I, R.LocalType, T.size() - 1);
    if (!isAccessString(R.Access))
      return malformed(Input,
                       "relocations[{0}].access: {1} is not an access string",
                       I, quoteBounded(R.Access));
  }
  return Error::success();
}

} // namespace btfgen
