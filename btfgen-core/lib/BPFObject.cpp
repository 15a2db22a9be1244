//===- BPFObject.cpp - A BPF object's programs as libbpf loads them -------===//
//
// Reads an object as libbpf 1.1.2's bpf_object__open + bpf_object__relocate
// see it (libbpf.c: bpf_object__elf_collect, bpf_object__add_programs,
// bpf_object__collect_prog_relos / bpf_program__record_reloc,
// bpf_object__reloc_code), in four steps:
//
//   1. sections and the symbol table: executable sections, their ELF
//      relocations, read-only data;
//   2. functions: every STT_FUNC symbol of an executable section;
//   3. linking: each entry point with the subprograms it reaches appended;
//   4. .BTF.ext: CO-RE, line and func records placed on the instructions of
//      every program that contains them.
//
// The .BTF/.BTF.ext parsing is ObjectReader's (readBPFObjectBTF).
//
//===----------------------------------------------------------------------===//

#include "btfgen/BPFObject.h"

#include "btfgen/Errors.h"
#include "btfgen/ObjectReader.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/BinaryFormat/ELF.h"
#include "llvm/Object/ELF.h"
#include "llvm/Support/Endian.h"

#include <algorithm>
#include <map>
#include <tuple>

using namespace llvm;
using namespace llvm::object;

namespace btfgen {

const char *funcLinkageName(FuncLinkage L) {
  switch (L) {
  case FuncLinkage::Static:
    return "static";
  case FuncLinkage::Global:
    return "global";
  case FuncLinkage::Extern:
    return "extern";
  case FuncLinkage::None:
    break;
  }
  return "none";
}

const ProgramPart &BPFProgram::partOf(uint32_t Insn) const {
  assert(!Parts.empty() && "a linked program has its entry part");
  const ProgramPart *Best = &Parts.front();
  for (const ProgramPart &P : Parts)
    if (P.Start <= Insn && P.Start >= Best->Start)
      Best = &P;
  return *Best;
}

const ProgramLine *BPFProgram::lineOf(uint32_t Insn) const {
  uint32_t PartStart = partOf(Insn).Start;
  auto It = llvm::upper_bound(Lines, Insn, [](uint32_t I, const ProgramLine &L) {
    return I < L.Insn;
  });
  if (It == Lines.begin())
    return nullptr;
  --It;
  return It->Insn >= PartStart ? &*It : nullptr;
}

const ProgramLine *BPFProgram::relocationLineOf(uint32_t Insn) const {
  const ProgramPart &Part = partOf(Insn);
  uint32_t PartEnd = ~0u;
  for (const ProgramPart &Q : Parts)
    if (Q.Start > Part.Start && Q.Start < PartEnd)
      PartEnd = Q.Start;
  auto It = llvm::lower_bound(
      Lines, Insn, [](const ProgramLine &L, uint32_t I) { return L.Insn < I; });
  // Records with line 0 are compiler-made code of no statement (bitfield
  // extraction after a relocated load, for one): the statement is the
  // next real line.
  while (It != Lines.end() && It->Insn < PartEnd && It->Line == 0)
    ++It;
  if (It != Lines.end() && It->Insn < PartEnd)
    return &*It;
  return lineOf(Insn);
}

const InsnRef *BPFProgram::refOf(uint32_t Insn) const {
  auto It = llvm::lower_bound(
      Refs, Insn, [](const InsnRef &R, uint32_t I) { return R.Insn < I; });
  return It != Refs.end() && It->Insn == Insn ? &*It : nullptr;
}

std::vector<FunctionCoreRelo>
BPFObject::relosAppliedFor(const BPFProgram &P) const {
  std::vector<FunctionCoreRelo> Out;
  for (const FunctionCoreRelo &R : CoreRelos)
    if (R.Function == P.Function || Functions[R.Function].IsSubprog)
      Out.push_back(R);
  return Out;
}

namespace {

using ELFT = ELF64LE;
using Shdr = ELFT::Shdr;
using Sym = ELFT::Sym;

/// An ELF relocation of an executable section, resolved to its symbol.
struct ElfReloc {
  uint32_t Insn = 0; ///< instruction index in the section
  const Sym *Symbol = nullptr;
  std::string SymName;
};

/// An executable section (libbpf: SHT_PROGBITS, SHF_EXECINSTR, size > 0).
struct ExecSection {
  uint32_t Index = 0;
  std::string Name;
  std::vector<BPFInsn> Insns;
  std::vector<ElfReloc> Relocs; ///< sorted by Insn
};

BPFInsn decodeInsn(const uint8_t *P) {
  BPFInsn I;
  I.Code = P[0];
  I.Dst = P[1] & 0x0f;
  I.Src = P[1] >> 4;
  I.Off = static_cast<int16_t>(support::endian::read16le(P + 2));
  I.Imm = static_cast<int32_t>(support::endian::read32le(P + 4));
  return I;
}

/// libbpf.c sym_is_extern().
bool symIsExtern(const Sym &S) {
  unsigned Bind = S.getBinding();
  return S.st_shndx == ELF::SHN_UNDEF &&
         (Bind == ELF::STB_GLOBAL || Bind == ELF::STB_WEAK) &&
         S.getType() == ELF::STT_NOTYPE;
}

/// libbpf.c sym_is_subprog() (1.1.2: weak symbols are not subprograms).
bool symIsSubprog(const Sym &S, uint32_t TextIdx) {
  if (S.st_shndx != TextIdx)
    return false;
  if (S.getBinding() == ELF::STB_LOCAL && S.getType() == ELF::STT_SECTION)
    return true;
  return S.getBinding() == ELF::STB_GLOBAL && S.getType() == ELF::STT_FUNC;
}

/// Reads the ELF side of an object and links its programs.
class ObjectLinker {
public:
  ObjectLinker(MemoryBufferRef Buf, BPFObject &Obj)
      : Name(Buf.getBufferIdentifier()), Buf(Buf), Obj(Obj) {}

  Error readElf();
  Error placeBTFExt(const BTFExt &Ext);
  void linkPrograms();

private:
  Error readSections(const ELFFile<ELFT> &F, ArrayRef<Shdr> Secs);
  Error readRelocs(const ELFFile<ELFT> &F, ArrayRef<Shdr> Secs,
                   const Shdr &RelSec, const Shdr &SymTab, StringRef StrTab);
  Error readFunctions(ArrayRef<Sym> Syms, StringRef StrTab);
  void setLinkage(const BTFExt &Ext);
  Error placeCoreRelos(const BTFExt &Ext);
  void placeLines(const BTFExt &Ext);
  void linkProgram(BPFProgram &P);
  Error linkPart(BPFProgram &P, size_t PartIdx,
                 std::map<uint32_t, uint32_t> &Placed);
  void annotatePart(BPFProgram &P, const ProgramPart &Part);
  void copyRecords(BPFProgram &P, const ProgramPart &Part);
  const ExecSection *section(uint32_t Index) const;
  const ExecSection *sectionNamed(StringRef SecName) const;
  /// libbpf.c find_prog_by_sec_insn(): the function containing Insn.
  const BPFFunction *functionAt(uint32_t SecIdx, uint32_t Insn,
                                uint32_t *FnIdx = nullptr) const;
  const ElfReloc *relocAt(const ExecSection &S, uint32_t Insn) const;

  StringRef Name;
  MemoryBufferRef Buf;
  BPFObject &Obj;
  std::vector<ExecSection> Exec; ///< in section index order
  std::map<uint32_t, std::string> SectionNames;
  uint32_t TextIdx = 0;
  uint32_t MapsIdx = 0;
  std::map<uint32_t, bool> DataSections; ///< index -> read-only
  /// Per function: a global symbol with hidden/internal visibility.
  std::vector<bool> MarkStatic;
  /// Per function: its line records (instruction in the function).
  std::vector<std::vector<ProgramLine>> FnLines;
};

const ExecSection *ObjectLinker::section(uint32_t Index) const {
  for (const ExecSection &S : Exec)
    if (S.Index == Index)
      return &S;
  return nullptr;
}

const ExecSection *ObjectLinker::sectionNamed(StringRef SecName) const {
  for (const ExecSection &S : Exec)
    if (S.Name == SecName)
      return &S;
  return nullptr;
}

const BPFFunction *ObjectLinker::functionAt(uint32_t SecIdx, uint32_t Insn,
                                            uint32_t *FnIdx) const {
  for (size_t I = 0; I < Obj.Functions.size(); ++I) {
    const BPFFunction &F = Obj.Functions[I];
    if (F.SectionIndex == SecIdx && Insn >= F.SecInsnOff &&
        Insn < F.SecInsnOff + F.NumInsns) {
      if (FnIdx)
        *FnIdx = static_cast<uint32_t>(I);
      return &F;
    }
  }
  return nullptr;
}

const ElfReloc *ObjectLinker::relocAt(const ExecSection &S,
                                      uint32_t Insn) const {
  auto It = llvm::lower_bound(S.Relocs, Insn, [](const ElfReloc &R, uint32_t I) {
    return R.Insn < I;
  });
  return It != S.Relocs.end() && It->Insn == Insn ? &*It : nullptr;
}

Error ObjectLinker::readElf() {
  Expected<ELFFile<ELFT>> F = ELFFile<ELFT>::create(Buf.getBuffer());
  if (!F)
    return malformed(Name, "invalid ELF file: {0}", toString(F.takeError()));
  const auto &Hdr = F->getHeader();
  if (Hdr.e_ident[ELF::EI_CLASS] != ELF::ELFCLASS64 ||
      Hdr.e_ident[ELF::EI_DATA] != ELF::ELFDATA2LSB)
    return malformed(Name, "not a little-endian ELF64 file");
  if (Hdr.e_type != ELF::ET_REL ||
      (Hdr.e_machine && Hdr.e_machine != ELF::EM_BPF))
    return malformed(Name,
                     "not a BPF relocatable object (e_type {0}, e_machine {1})",
                     unsigned(Hdr.e_type), unsigned(Hdr.e_machine));
  Expected<ArrayRef<Shdr>> Secs = F->sections();
  if (!Secs)
    return malformed(Name, "invalid ELF sections: {0}",
                     toString(Secs.takeError()));
  const Shdr *SymTab = nullptr;
  for (const Shdr &S : *Secs) {
    if (S.sh_type != ELF::SHT_SYMTAB)
      continue;
    if (SymTab)
      return malformed(Name, "more than one symbol table");
    SymTab = &S;
  }
  if (!SymTab)
    return malformed(Name, "no symbol table (stripped object file?)");
  auto Syms = F->symbols(SymTab);
  if (!Syms)
    return malformed(Name, "invalid symbol table: {0}",
                     toString(Syms.takeError()));
  Expected<StringRef> StrTab = F->getStringTableForSymtab(*SymTab, *Secs);
  if (!StrTab)
    return malformed(Name, "invalid symbol string table: {0}",
                     toString(StrTab.takeError()));
  if (Error E = readSections(*F, *Secs))
    return E;
  for (const Shdr &S : *Secs)
    if (S.sh_type == ELF::SHT_REL)
      if (Error E = readRelocs(*F, *Secs, S, *SymTab, *StrTab))
        return E;
  return readFunctions(ArrayRef<Sym>(Syms->begin(), Syms->end()), *StrTab);
}

Error ObjectLinker::readSections(const ELFFile<ELFT> &F, ArrayRef<Shdr> Secs) {
  Expected<StringRef> ShStrTab = F.getSectionStringTable(Secs);
  if (!ShStrTab)
    return malformed(Name, "invalid section name table: {0}",
                     toString(ShStrTab.takeError()));
  for (size_t Idx = 0; Idx < Secs.size(); ++Idx) {
    const Shdr &S = Secs[Idx];
    Expected<StringRef> SecName = F.getSectionName(S, *ShStrTab);
    if (!SecName)
      return malformed(Name, "invalid ELF section name: {0}",
                       toString(SecName.takeError()));
    SectionNames[Idx] = SecName->str();
    bool IsData = *SecName == ".data" || SecName->starts_with(".data.");
    bool IsRO = *SecName == ".rodata" || SecName->starts_with(".rodata.");
    bool IsBss = *SecName == ".bss" || SecName->starts_with(".bss.");
    if (*SecName == ".maps")
      MapsIdx = Idx;
    if (S.sh_type == ELF::SHT_NOBITS && IsBss)
      DataSections[Idx] = false;
    if (S.sh_type != ELF::SHT_PROGBITS || S.sh_size == 0)
      continue;
    Expected<ArrayRef<uint8_t>> Bytes = F.getSectionContents(S);
    if (!Bytes)
      return malformed(Name, "ELF section {0}: {1}", *SecName,
                       toString(Bytes.takeError()));
    if (S.sh_flags & ELF::SHF_EXECINSTR) {
      if (*SecName == ".text")
        TextIdx = Idx;
      ExecSection E;
      E.Index = Idx;
      E.Name = SecName->str();
      for (size_t Off = 0; Off + 8 <= Bytes->size(); Off += 8)
        E.Insns.push_back(decodeInsn(Bytes->data() + Off));
      Exec.push_back(std::move(E));
    } else if (IsData || IsRO) {
      DataSections[Idx] = IsRO;
      if (IsRO)
        Obj.ReadOnlyData.push_back(
            {SecName->str(), std::string(Bytes->begin(), Bytes->end())});
    }
  }
  return Error::success();
}

Error ObjectLinker::readRelocs(const ELFFile<ELFT> &F, ArrayRef<Shdr> Secs,
                               const Shdr &RelSec, const Shdr &SymTab,
                               StringRef StrTab) {
  auto It = llvm::find_if(
      Exec, [&](const ExecSection &S) { return S.Index == RelSec.sh_info; });
  if (It == Exec.end())
    return Error::success(); // libbpf relocates executable sections only
  auto Rels = F.rels(RelSec);
  if (!Rels)
    return malformed(Name, "relocations of section {0}: {1}", It->Name,
                     toString(Rels.takeError()));
  for (const ELFT::Rel &R : *Rels) {
    if (R.r_offset % 8)
      return malformed(Name, "relocation at offset {0} of section {1} is not "
                             "on an instruction boundary",
                       uint64_t(R.r_offset), It->Name);
    Expected<const Sym *> S = F.getRelocationSymbol(R, &SymTab);
    if (!S || !*S)
      return malformed(Name, "relocation at offset {0} of section {1}: bad "
                             "symbol",
                       uint64_t(R.r_offset), It->Name);
    ElfReloc E;
    E.Insn = static_cast<uint32_t>(R.r_offset / 8);
    E.Symbol = *S;
    if ((*S)->getType() == ELF::STT_SECTION) {
      auto N = SectionNames.find((*S)->st_shndx);
      E.SymName = N != SectionNames.end() ? N->second : "";
    } else if (Expected<StringRef> N = (*S)->getName(StrTab)) {
      E.SymName = N->str();
    } else {
      consumeError(N.takeError());
    }
    It->Relocs.push_back(std::move(E));
  }
  (void)Secs; // the symbol table was validated with them
  llvm::stable_sort(It->Relocs, [](const ElfReloc &A, const ElfReloc &B) {
    return A.Insn < B.Insn;
  });
  return Error::success();
}

Error ObjectLinker::readFunctions(ArrayRef<Sym> Syms, StringRef StrTab) {
  for (const ExecSection &S : Exec) {
    for (const Sym &Y : Syms) {
      if (Y.st_shndx != S.Index || Y.getType() != ELF::STT_FUNC)
        continue;
      Expected<StringRef> FnName = Y.getName(StrTab);
      if (!FnName)
        return malformed(Name, "section '{0}': bad function symbol name: {1}",
                         S.Name, toString(FnName.takeError()));
      uint64_t Off = Y.st_value, Size = Y.st_size;
      if (Off + Size > uint64_t(S.Insns.size()) * 8 || Size == 0 ||
          Size % 8 || Off % 8)
        return malformed(Name,
                         "section '{0}': function '{1}' at offset {2} (size "
                         "{3}) does not fit its section",
                         S.Name, *FnName, Off, Size);
      if (S.Index != TextIdx && Y.getBinding() == ELF::STB_LOCAL)
        return malformed(Name,
                         "section '{0}': program '{1}' is static, which "
                         "libbpf does not support",
                         S.Name, *FnName);
      BPFFunction F;
      F.Name = FnName->str();
      F.Section = S.Name.size() > 1 && S.Name[0] == '?' ? S.Name.substr(1)
                                                         : S.Name;
      F.SectionIndex = S.Index;
      F.SecInsnOff = static_cast<uint32_t>(Off / 8);
      F.NumInsns = static_cast<uint32_t>(Size / 8);
      F.Insns.assign(S.Insns.begin() + F.SecInsnOff,
                     S.Insns.begin() + F.SecInsnOff + F.NumInsns);
      unsigned Vis = Y.st_other & 0x3;
      MarkStatic.push_back(Y.getBinding() != ELF::STB_LOCAL &&
                           (Vis == ELF::STV_HIDDEN || Vis == ELF::STV_INTERNAL));
      Obj.Functions.push_back(std::move(F));
    }
  }
  // cmp_progs: by section index, then offset. MarkStatic follows along.
  std::vector<size_t> Order(Obj.Functions.size());
  for (size_t I = 0; I < Order.size(); ++I)
    Order[I] = I;
  llvm::stable_sort(Order, [&](size_t A, size_t B) {
    const BPFFunction &X = Obj.Functions[A], &Y = Obj.Functions[B];
    return std::tie(X.SectionIndex, X.SecInsnOff) <
           std::tie(Y.SectionIndex, Y.SecInsnOff);
  });
  std::vector<BPFFunction> Sorted;
  std::vector<bool> Marks;
  for (size_t I : Order) {
    Sorted.push_back(std::move(Obj.Functions[I]));
    Marks.push_back(MarkStatic[I]);
  }
  Obj.Functions = std::move(Sorted);
  MarkStatic = std::move(Marks);
  for (BPFFunction &F : Obj.Functions)
    F.IsSubprog = F.SectionIndex == TextIdx && Obj.Functions.size() > 1;
  return Error::success();
}

void ObjectLinker::setLinkage(const BTFExt &Ext) {
  for (const BTFExtFuncInfo &FI : Ext.FuncInfos) {
    const ExecSection *S = sectionNamed(FI.Section);
    if (!S || FI.InsnOff % 8 || Obj.M.Types.kind(FI.Type) != Kind::Func)
      continue;
    uint32_t FnIdx;
    const BPFFunction *F = functionAt(S->Index, FI.InsnOff / 8, &FnIdx);
    if (!F || F->SecInsnOff != FI.InsnOff / 8)
      continue;
    uint32_t L = Obj.M.Types.vlen(FI.Type);
    FuncLinkage &Out = Obj.Functions[FnIdx].Linkage;
    Out = L == 0 ? FuncLinkage::Static
          : L == 1 ? FuncLinkage::Global
                   : FuncLinkage::Extern;
    if (Out == FuncLinkage::Global && MarkStatic[FnIdx] && F->IsSubprog)
      Out = FuncLinkage::Static;
  }
}

Error ObjectLinker::placeCoreRelos(const BTFExt &Ext) {
  const std::vector<CoreRelocation> &Unique = Obj.M.Relocs;
  auto Key = [](uint32_t K, TypeId T, StringRef A) {
    return std::make_tuple(K, T, A);
  };
  uint32_t Index = 0;
  for (size_t I = 0; I < Ext.CoreRelos.size(); ++I) {
    const BTFExtCoreRelo &R = Ext.CoreRelos[I];
    // libbpf numbers records within their section's block.
    Index = I > 0 && Ext.CoreRelos[I - 1].Section == R.Section ? Index + 1 : 0;
    if (R.InsnOff % 8)
      return malformed(Name,
                       ".BTF.ext: CO-RE relocation #{0} of section '{1}' is "
                       "at byte {2}, not on an instruction",
                       Index, R.Section, R.InsnOff);
    const ExecSection *S = sectionNamed(R.Section);
    uint32_t FnIdx;
    if (!S || !functionAt(S->Index, R.InsnOff / 8, &FnIdx))
      continue; // libbpf skips records of eliminated weak subprograms
    auto KeyR = Key(uint32_t(R.Kind), R.Type, R.Access);
    auto It = llvm::lower_bound(Unique, KeyR,
                                [&](const CoreRelocation &C, const auto &K) {
                                  return Key(uint32_t(C.Kind), C.LocalType,
                                             C.Access) < K;
                                });
    assert(It != Unique.end() &&
           Key(uint32_t(It->Kind), It->LocalType, It->Access) == KeyR &&
           "ObjectReader keeps every record's unique relocation");
    FunctionCoreRelo FR;
    FR.Function = FnIdx;
    FR.Insn = R.InsnOff / 8 - Obj.Functions[FnIdx].SecInsnOff;
    FR.Reloc = static_cast<uint32_t>(It - Unique.begin());
    FR.RecordIndex = Index;
    Obj.CoreRelos.push_back(FR);
  }
  return Error::success();
}

void ObjectLinker::placeLines(const BTFExt &Ext) {
  FnLines.assign(Obj.Functions.size(), {});
  std::map<std::string, uint32_t> FileIdx;
  for (const BTFExtLineInfo &LI : Ext.LineInfos) {
    const ExecSection *S = sectionNamed(LI.Section);
    uint32_t FnIdx;
    if (!S || LI.InsnOff % 8 || !functionAt(S->Index, LI.InsnOff / 8, &FnIdx))
      continue;
    auto [It, New] = FileIdx.try_emplace(
        LI.File, static_cast<uint32_t>(Obj.Files.size()));
    if (New)
      Obj.Files.push_back(LI.File);
    ProgramLine L;
    L.Insn = LI.InsnOff / 8 - Obj.Functions[FnIdx].SecInsnOff;
    L.File = It->second;
    L.Line = LI.LineNum;
    L.Column = LI.Column;
    FnLines[FnIdx].push_back(L);
  }
  for (std::vector<ProgramLine> &V : FnLines)
    llvm::stable_sort(V, [](const ProgramLine &A, const ProgramLine &B) {
      return A.Insn < B.Insn;
    });
}

Error ObjectLinker::placeBTFExt(const BTFExt &Ext) {
  setLinkage(Ext);
  placeLines(Ext);
  return placeCoreRelos(Ext);
}

Error ObjectLinker::linkPart(BPFProgram &P, size_t PartIdx,
                             std::map<uint32_t, uint32_t> &Placed) {
  const ProgramPart Part = P.Parts[PartIdx];
  const BPFFunction &Fn = Obj.Functions[Part.Function];
  const ExecSection &S = *section(Fn.SectionIndex);
  for (uint32_t I = 0; I < Fn.NumInsns; ++I) {
    const BPFInsn &In = P.Insns[Part.Start + I];
    const ElfReloc *R = relocAt(S, Fn.SecInsnOff + I);
    bool IsCall = isSubprogCall(In);
    bool IsAddr = isLdImm64(In) && R && symIsSubprog(*R->Symbol, TextIdx);
    if (!IsCall && !IsAddr)
      continue;
    if (IsCall && R && symIsExtern(*R->Symbol))
      continue; // a kfunc call
    uint64_t Sub;
    if (IsCall && R) {
      if (R->Symbol->st_shndx != TextIdx || TextIdx == 0)
        return createStringError(inconvertibleErrorCode(),
                                 "bad call relocation against '%s'",
                                 R->SymName.c_str());
      Sub = R->Symbol->st_value / 8 + int64_t(In.Imm) + 1;
    } else if (IsAddr) {
      Sub = (R->Symbol->st_value + int64_t(In.Imm)) / 8;
    } else {
      Sub = int64_t(Fn.SecInsnOff) + I + int64_t(In.Imm) + 1;
    }
    uint32_t Target;
    if (!TextIdx || !functionAt(TextIdx, static_cast<uint32_t>(Sub), &Target))
      return createStringError(inconvertibleErrorCode(),
                               "instruction #%u calls into .text instruction "
                               "%llu, which is in no function",
                               Part.Start + I, (unsigned long long)Sub);
    auto [It, New] =
        Placed.try_emplace(Target, static_cast<uint32_t>(P.Insns.size()));
    if (New) {
      const BPFFunction &T = Obj.Functions[Target];
      const ExecSection &TS = *section(T.SectionIndex);
      P.Insns.insert(P.Insns.end(), TS.Insns.begin() + T.SecInsnOff,
                     TS.Insns.begin() + T.SecInsnOff + T.NumInsns);
      P.Parts.push_back({Target, It->second});
      if (Error E = linkPart(P, P.Parts.size() - 1, Placed))
        return E;
    }
    P.Insns[Part.Start + I].Imm =
        static_cast<int32_t>(int64_t(It->second) - (Part.Start + I) - 1);
  }
  return Error::success();
}

void ObjectLinker::annotatePart(BPFProgram &P, const ProgramPart &Part) {
  const BPFFunction &Fn = Obj.Functions[Part.Function];
  const ExecSection &S = *section(Fn.SectionIndex);
  for (const ElfReloc &R : S.Relocs) {
    if (R.Insn < Fn.SecInsnOff || R.Insn >= Fn.SecInsnOff + Fn.NumInsns)
      continue;
    uint32_t At = Part.Start + (R.Insn - Fn.SecInsnOff);
    const BPFInsn &In = P.Insns[At];
    InsnRef Ref;
    Ref.Insn = At;
    Ref.Symbol = R.SymName;
    bool IsCall = In.Code == bpf::CallCode;
    if (symIsExtern(*R.Symbol)) {
      Ref.Kind = IsCall ? InsnRefKind::Kfunc : InsnRefKind::Extern;
    } else if (IsCall) {
      continue; // a subprogram call, linked already
    } else if (!isLdImm64(In)) {
      P.LinkError = "relocation against '" + R.SymName +
                    "' on an instruction that is neither a call nor a 64-bit "
                    "immediate load";
      return;
    } else if (symIsSubprog(*R.Symbol, TextIdx)) {
      // bpf_object__relocate_calls marks it so (insn_is_pseudo_func).
      P.Insns[At].Src = bpf::PseudoFunc;
      Ref.Kind = InsnRefKind::Func;
      Ref.Target = static_cast<uint32_t>(int64_t(At) + In.Imm + 1);
    } else if (R.Symbol->st_shndx == MapsIdx && MapsIdx) {
      Ref.Kind = InsnRefKind::Map;
    } else if (DataSections.count(R.Symbol->st_shndx)) {
      Ref.Kind = InsnRefKind::MapValue;
      Ref.Section = SectionNames[R.Symbol->st_shndx];
      Ref.Offset = uint64_t(int64_t(In.Imm) + int64_t(R.Symbol->st_value));
    } else {
      P.LinkError = "relocation against '" + R.SymName +
                    "' in a section that is neither maps nor data";
      return;
    }
    P.Refs.push_back(std::move(Ref));
  }
}

void ObjectLinker::copyRecords(BPFProgram &P, const ProgramPart &Part) {
  for (const FunctionCoreRelo &R : Obj.CoreRelos)
    if (R.Function == Part.Function)
      P.CoreRelos.push_back(
          {Part.Start + R.Insn, R.Reloc, R.RecordIndex, R.Function});
  for (ProgramLine L : FnLines[Part.Function]) {
    L.Insn += Part.Start;
    P.Lines.push_back(L);
  }
}

void ObjectLinker::linkProgram(BPFProgram &P) {
  const BPFFunction &Fn = Obj.Functions[P.Function];
  const ExecSection &S = *section(Fn.SectionIndex);
  P.Name = Fn.Name;
  P.Section = Fn.Section;
  P.Insns.assign(S.Insns.begin() + Fn.SecInsnOff,
                 S.Insns.begin() + Fn.SecInsnOff + Fn.NumInsns);
  P.Parts.push_back({P.Function, 0});
  std::map<uint32_t, uint32_t> Placed;
  if (Error E = linkPart(P, 0, Placed)) {
    P.LinkError = toString(std::move(E));
    return;
  }
  for (const ProgramPart &Part : P.Parts) {
    annotatePart(P, Part);
    copyRecords(P, Part);
  }
  auto ByInsn = [](const auto &A, const auto &B) { return A.Insn < B.Insn; };
  llvm::stable_sort(P.CoreRelos, ByInsn);
  llvm::stable_sort(P.Lines, ByInsn);
  llvm::stable_sort(P.Refs, ByInsn);
}

void ObjectLinker::linkPrograms() {
  for (size_t I = 0; I < Obj.Functions.size(); ++I) {
    if (Obj.Functions[I].IsSubprog)
      continue;
    BPFProgram P;
    P.Function = static_cast<uint32_t>(I);
    linkProgram(P);
    Obj.Programs.push_back(std::move(P));
  }
}

} // namespace

Expected<BPFObject> readBPFObjectPrograms(MemoryBufferRef Buf) {
  Expected<ObjectBTF> BTF = readBPFObjectBTF(Buf);
  if (!BTF)
    return BTF.takeError();
  BPFObject Obj;
  Obj.M = std::move(BTF->M);
  ObjectLinker L(Buf, Obj);
  if (Error E = L.readElf())
    return std::move(E);
  if (Error E = L.placeBTFExt(BTF->Ext))
    return std::move(E);
  L.linkPrograms();
  return Obj;
}

} // namespace btfgen
