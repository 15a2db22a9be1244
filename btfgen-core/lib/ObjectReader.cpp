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

} // namespace

Expected<Manifest> readBPFObject(MemoryBufferRef Buf) {
  StringRef Name = Buf.getBufferIdentifier();
  Expected<StringRef> BTFBytes = readELFSection(Buf, ".BTF");
  if (!BTFBytes)
    return BTFBytes.takeError();
  Expected<TypeTable> Types = readBTF(MemoryBufferRef(*BTFBytes, Name));
  if (!Types)
    return Types.takeError();

  Manifest M;
  M.Object = Name.str();
  M.Types = std::move(*Types);
  // Object tables are small; make them usable as builders (addString).
  M.Types.indexStrings();

  Expected<std::optional<StringRef>> ExtBytes = findSection(Buf, ".BTF.ext");
  if (!ExtBytes)
    return ExtBytes.takeError();
  if (!*ExtBytes)
    return M;
  Expected<BTFExt> Ext = readBTFExt(**ExtBytes, M.Types, Name);
  if (!Ext)
    return Ext.takeError();

  auto Lines = sortedByPlace(Ext->LineInfos);
  auto Funcs = sortedByPlace(Ext->FuncInfos);

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
    L.File = LI->File;
    L.Line = LI->LineNum;
    L.Column = LI->Column;
    if (const BTFExtFuncInfo *FI =
            nearestPreceding(Funcs, R.Section, R.InsnOff))
      if (M.Types.kind(FI->Type) == Kind::Func)
        L.Function = M.Types.name(FI->Type).str();
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
  return M;
}

} // namespace btfgen
