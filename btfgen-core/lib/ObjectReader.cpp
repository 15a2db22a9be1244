//===- ObjectReader.cpp - BPF objects as manifests ------------------------===//
//
// Object mode: turns a BPF ELF object into the Manifest the plugin would
// have written for it. The local types are the object's whole .BTF; the
// relocations are the unique (kind, root type, access string) triples of its
// .BTF.ext core_relo records. Each relocation gets the source places of its
// instructions from .BTF.ext line_info: the record at the same section and
// instruction offset, else the nearest preceding one in that section (the
// loads BPFAbstractMemberAccess creates often carry no line of their own);
// the function is the FUNC of the nearest preceding func_info record.
//
//===----------------------------------------------------------------------===//

#include "btfgen/ObjectReader.h"

#include "btfgen/BTFExt.h"
#include "btfgen/BTFReader.h"
#include "btfgen/Errors.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Object/ELFObjectFile.h"
#include "llvm/Object/ObjectFile.h"
#include "llvm/Support/JSON.h"

#include <algorithm>
#include <map>
#include <optional>
#include <tuple>

using namespace llvm;

namespace btfgen {

/// The named section's contents, std::nullopt when the object has none.
static Expected<std::optional<StringRef>> findSection(MemoryBufferRef Buf,
                                                      StringRef SecName) {
  StringRef Name = Buf.getBufferIdentifier();
  if (!isELF(Buf.getBuffer()))
    return malformed(Name, "not an ELF file");
  Expected<std::unique_ptr<object::ObjectFile>> Obj =
      object::ObjectFile::createELFObjectFile(Buf);
  if (!Obj)
    return malformed(Name, "invalid ELF file: {0}", toString(Obj.takeError()));
  for (const object::SectionRef &S : (*Obj)->sections()) {
    Expected<StringRef> N = S.getName();
    if (!N)
      return malformed(Name, "invalid ELF section name: {0}",
                       toString(N.takeError()));
    if (*N != SecName)
      continue;
    Expected<StringRef> Contents = S.getContents();
    if (!Contents)
      return malformed(Name, "ELF section {0}: {1}", SecName,
                       toString(Contents.takeError()));
    return std::optional<StringRef>(*Contents);
  }
  return std::optional<StringRef>();
}

Expected<StringRef> readELFSection(MemoryBufferRef Buf, StringRef SecName) {
  Expected<std::optional<StringRef>> S = findSection(Buf, SecName);
  if (!S)
    return S.takeError();
  if (!*S)
    return malformed(Buf.getBufferIdentifier(), "ELF file has no {0} section",
                     SecName);
  return **S;
}

namespace {

/// Records of one kind sorted by (section, insn_off) for nearest-preceding
/// lookups. Stable sort keeps file order among equal keys.
template <typename Rec>
std::vector<const Rec *> sortedByPlace(const std::vector<Rec> &Recs) {
  std::vector<const Rec *> Out;
  Out.reserve(Recs.size());
  for (const Rec &R : Recs)
    Out.push_back(&R);
  llvm::stable_sort(Out, [](const Rec *A, const Rec *B) {
    return std::tie(A->Section, A->InsnOff) < std::tie(B->Section, B->InsnOff);
  });
  return Out;
}

/// The last record in Sec with InsnOff <= Off, or null.
template <typename Rec>
const Rec *nearestPreceding(const std::vector<const Rec *> &Sorted,
                            StringRef Sec, uint32_t Off) {
  auto It = std::upper_bound(
      Sorted.begin(), Sorted.end(), std::make_pair(Sec, Off),
      [](const std::pair<StringRef, uint32_t> &K, const Rec *R) {
        return std::make_pair(K.first, K.second) <
               std::make_pair(StringRef(R->Section), R->InsnOff);
      });
  if (It == Sorted.begin())
    return nullptr;
  --It;
  if ((*It)->Section != Sec)
    return nullptr;
  return *It;
}

/// A manifest is JSON, which holds only UTF-8 (llvm::json asserts on, or
/// in release builds silently rewrites, anything else). Returns the first
/// type whose own, member, enumerator or parameter name is not UTF-8, or 0.
/// Found by test/fuzz/ObjectReaderFuzzer.
TypeId firstNonUTF8Name(const TypeTable &T) {
  for (TypeId Id = 1; Id < T.size(); ++Id) {
    bool Ok = json::isUTF8(T.name(Id));
    switch (T.kind(Id)) {
    case Kind::Struct:
    case Kind::Union:
      for (const BTFMember &M : T.members(Id))
        Ok = Ok && json::isUTF8(T.str(M.NameOff));
      break;
    case Kind::Enum:
    case Kind::Enum64:
      for (uint32_t I = 0; I < T.vlen(Id); ++I)
        Ok = Ok && json::isUTF8(T.enumName(Id, I));
      break;
    case Kind::FuncProto:
      for (const BTFParam &P : T.params(Id))
        Ok = Ok && json::isUTF8(T.str(P.NameOff));
      break;
    default:
      break;
    }
    if (!Ok)
      return Id;
  }
  return 0;
}

/// The driver treats object mode and plugin manifests alike, so the result
/// must pass the manifest rules; an object's BTF can hold what the manifest
/// format excludes (e.g. an INT wider than 16 bytes, which the kernel's
/// btf_int_check_meta allows). Found by test/fuzz/ObjectReaderFuzzer.
Error checkRepresentable(const Manifest &M, StringRef Name) {
  Error E = validateManifest(M, Name);
  if (!E)
    return Error::success();
  std::string Detail;
  handleAllErrors(
      std::move(E), [&](const MalformedInput &E) { Detail = E.detail(); },
      [&](const ErrorInfoBase &E) { Detail = E.message(); });
  return malformed(Name, "object cannot be represented as a manifest: {0}",
                   Detail);
}

} // namespace

Expected<Manifest> readBPFObject(MemoryBufferRef Buf) {
  Expected<ObjectBTF> Obj = readBPFObjectBTF(Buf);
  if (!Obj)
    return Obj.takeError();
  return std::move(Obj->M);
}

Expected<ObjectBTF> readBPFObjectBTF(MemoryBufferRef Buf) {
  StringRef Name = Buf.getBufferIdentifier();
  Expected<StringRef> BTFBytes = readELFSection(Buf, ".BTF");
  if (!BTFBytes)
    return BTFBytes.takeError();
  Expected<TypeTable> Types = readBTF(MemoryBufferRef(*BTFBytes, Name));
  if (!Types)
    return Types.takeError();

  if (TypeId Bad = firstNonUTF8Name(*Types))
    return malformed(Name, "type [{0}] {1}: a name is not valid UTF-8", Bad,
                     kindName(Types->kind(Bad)));

  ObjectBTF Out;
  Manifest &M = Out.M;
  M.Object = Name.str();
  M.Types = std::move(*Types);
  // Object tables are small; make them usable as builders (addString).
  M.Types.indexStrings();

  Expected<std::optional<StringRef>> ExtBytes = findSection(Buf, ".BTF.ext");
  if (!ExtBytes)
    return ExtBytes.takeError();
  if (!*ExtBytes) {
    if (Error E = checkRepresentable(M, Name))
      return std::move(E);
    return Out;
  }
  Expected<BTFExt> Ext = readBTFExt(**ExtBytes, M.Types, Name);
  if (!Ext)
    return Ext.takeError();

  auto Lines = sortedByPlace(Ext->LineInfos);
  auto Funcs = sortedByPlace(Ext->FuncInfos);

  // Each relocation record copies its place's file and function name, and
  // many records may share one long name: bound the copies as BTFExt does
  // (max(16 MiB, 16 x object size)) so memory stays a multiple of the input.
  const uint64_t Budget =
      std::max<uint64_t>(16ull << 20, 16 * uint64_t(Buf.getBufferSize()));
  uint64_t Copied = 0;

  // Keyed exactly as canonicalizeRelocs() orders: (kind, type, access).
  std::map<std::tuple<uint32_t, TypeId, std::string>, CoreRelocation> Unique;
  for (const BTFExtCoreRelo &R : Ext->CoreRelos) {
    auto Key = std::make_tuple(uint32_t(R.Kind), R.Type, R.Access);
    auto It = Unique.find(Key);
    if (It == Unique.end()) {
      CoreRelocation CR;
      CR.Kind = R.Kind;
      CR.LocalType = R.Type;
      CR.Access = R.Access;
      It = Unique.emplace(std::move(Key), std::move(CR)).first;
    }
    const BTFExtLineInfo *LI = nearestPreceding(Lines, R.Section, R.InsnOff);
    if (!LI)
      continue;
    SourceLoc L;
    // Only informational: keep the place, replace bytes JSON cannot hold.
    L.File = json::isUTF8(LI->File) ? LI->File : json::fixUTF8(LI->File);
    L.Line = LI->LineNum;
    L.Column = LI->Column;
    if (const BTFExtFuncInfo *FI =
            nearestPreceding(Funcs, R.Section, R.InsnOff))
      if (M.Types.kind(FI->Type) == Kind::Func)
        L.Function = M.Types.name(FI->Type).str();
    Copied += L.File.size() + L.Function.size() + R.Access.size();
    if (Copied > Budget)
      return malformed(Name,
                       ".BTF.ext: source places of the relocations need more "
                       "than {0} bytes of strings",
                       Budget);
    It->second.Locs.push_back(std::move(L));
  }

  M.Relocs.reserve(Unique.size());
  for (auto &KV : Unique) {
    CoreRelocation &CR = KV.second;
    llvm::sort(CR.Locs);
    CR.Locs.erase(std::unique(CR.Locs.begin(), CR.Locs.end()), CR.Locs.end());
    M.Relocs.push_back(std::move(CR));
  }
  canonicalizeRelocs(M);
  if (Error E = checkRepresentable(M, Name))
    return std::move(E);
  Out.Ext = std::move(*Ext);
  return Out;
}

} // namespace btfgen
