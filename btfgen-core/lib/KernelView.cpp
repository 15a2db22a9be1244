//===- KernelView.cpp - The part of a kernel BTF that tailoring reads -----===//
//
// kernelView() in two steps: choose what to keep (the named records of the
// kinds kept, and everything they refer to, even a record of a dropped kind,
// which no real kernel has but a hostile file may), then, in the kernel's
// own table, put a `const void` in the place of every other record. The
// string section is the kernel's, whole: keeping it is cheaper than
// rebuilding it, and the stored form keeps only the strings the kept
// records name.
//
// The stored form (writeKernelView, readKernelView; little-endian):
//
//   offset  size
//        0     8  magic "BTFGVIEW"
//        8     4  N, the view's number of type IDs, void included
//       12     4  K, the number of kept records
//       16     B  bitmap, B = (N - 1 + 7) / 8: bit (Id - 1) % 8 of byte
//                 (Id - 1) / 8 is set iff record Id is kept; bits past N - 1
//                 are 0; then zero bytes up to a multiple of 4
//        *     *  the K kept records as raw BTF (BTFWriter.h), in ID order,
//                 record Id numbered by its rank among the kept ones and its
//                 references renumbered alike; the string section holds
//                 the strings they name, in their order in the view's
//
// Kept records only refer to kept records (recordsToKeep closes the set),
// so the renumbering is a bijection and readBTF's checks of the compact
// BTF (references in range, no cycle outside pointers) carry over to the
// expanded table. A 124,000-type Debian view keeps about 14,000 records:
// stored this way it is 40% smaller before compression, and reading it
// checks a ninth of the records.
//
//===----------------------------------------------------------------------===//

#include "btfgen/KernelView.h"

#include "btfgen/BTFReader.h"
#include "btfgen/Errors.h"

#include "llvm/ADT/BitVector.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/bit.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/raw_ostream.h"

#include <cassert>
#include <cstring>
#include <optional>

using namespace llvm;

namespace btfgen {

bool isDroppedFromView(Kind K) {
  return K == Kind::Func || K == Kind::Var || K == Kind::Datasec ||
         K == Kind::DeclTag;
}

namespace {

/// The records the view keeps: the named ones of kept kinds (the only
/// possible candidates), closed under references so that no kept record
/// ever refers to a stub.
BitVector recordsToKeep(const TypeTable &Kernel) {
  const TypeId N = Kernel.size();
  BitVector Keep(N);
  SmallVector<TypeId, 64> Work;
  for (TypeId Id = 1; Id < N; ++Id)
    if (!isDroppedFromView(Kernel.kind(Id)) && !Kernel.name(Id).empty()) {
      Keep.set(Id);
      Work.push_back(Id);
    }
  while (!Work.empty()) {
    TypeId Id = Work.pop_back_val();
    Kernel.forEachRef(Id, [&](TypeId R, RefRole, uint32_t) {
      if (R == 0 || R >= N || Keep.test(R))
        return;
      Keep.set(R);
      Work.push_back(R);
    });
  }
  return Keep;
}

} // namespace

TypeTable kernelView(TypeTable Kernel, BitVector &Kept) {
  Kept = recordsToKeep(Kernel);
  BTFType Stub{};
  Stub.Info = BTFType::makeInfo(Kind::Const, 0, false);
  Kernel.stubRecords(Kept, Stub);
  return Kernel;
}

TypeTable kernelView(TypeTable Kernel) {
  BitVector Kept;
  return kernelView(std::move(Kernel), Kept);
}

namespace {

constexpr char ViewMagic[8] = {'B', 'T', 'F', 'G', 'V', 'I', 'E', 'W'};
constexpr size_t ViewHeader = 16;

size_t bitmapBytes(uint32_t NumTypes) { return (size_t(NumTypes) - 1 + 7) / 8; }
size_t paddedTo4(size_t N) { return (N + 3) & ~size_t(3); }

} // namespace

namespace {

/// Where the string offsets are among a record's kind-specific words
/// (members', enumerators', parameters' names): the stride between them,
/// starting at word 0; 0 if there are none.
uint32_t nameStride(Kind K) {
  switch (K) {
  case Kind::Struct:
  case Kind::Union:
    return sizeof(BTFMember) / 4;
  case Kind::Enum:
    return sizeof(BTFEnum) / 4;
  case Kind::Enum64:
    return sizeof(BTFEnum64) / 4;
  case Kind::FuncProto:
    return sizeof(BTFParam) / 4;
  default:
    return 0;
  }
}

bool isStub(const TypeTable &T, TypeId Id) {
  const BTFType &R = T.type(Id);
  return R.NameOff == 0 && R.SizeOrType == 0 &&
         R.Info == BTFType::makeInfo(Kind::Const, 0, false);
}

/// The strings a set of records name, gathered into a new string section
/// in their order in the old one. A used offset's new place is found by
/// its rank among the used ones (a popcount per 64 offsets, no hashing).
class StringCompactor {
public:
  explicit StringCompactor(StringRef Old) : Old(Old), Used(Old.size()) {}
  void use(StrOffset Off) {
    if (Off < Old.size())
      Used.set(Off);
  }
  /// Build the new section; use() no more after this.
  void finish() {
    ArrayRef<uintptr_t> Bits = Used.getData();
    RankBefore.assign(Bits.size() + 1, 0);
    for (size_t W = 0; W < Bits.size(); ++W)
      RankBefore[W + 1] = RankBefore[W] + llvm::popcount(Bits[W]);
    NewOff.resize(RankBefore.back());
    New.assign(1, '\0');
    uint32_t Rank = 0;
    for (unsigned Off : Used.set_bits()) {
      if (Off == 0) {
        NewOff[Rank++] = 0;
        continue;
      }
      NewOff[Rank++] = StrOffset(New.size());
      New.append(Old.data() + Off); // NUL-terminated: readBTF checked
      New.push_back('\0');
    }
  }
  StrOffset map(StrOffset Off) const {
    if (Off >= Old.size())
      return Off;
    ArrayRef<uintptr_t> Bits = Used.getData();
    size_t W = Off / WordBits;
    uintptr_t Below = Bits[W] & ((uintptr_t(1) << (Off % WordBits)) - 1);
    return NewOff[RankBefore[W] + llvm::popcount(Below)];
  }
  const std::string &section() const { return New; }

private:
  static constexpr unsigned WordBits = sizeof(uintptr_t) * 8;
  StringRef Old;
  BitVector Used;
  std::vector<uint32_t> RankBefore;
  std::vector<StrOffset> NewOff;
  std::string New;
};

} // namespace

namespace {

/// Which records a view stores: all but the stubs no record refers to (a
/// stub refers to nothing, so a referred-to one is a real `const void`).
/// On a kernelView() result, that is exactly the kept records.
BitVector storedRecords(const TypeTable &View) {
  const uint32_t N = View.size();
  BitVector Store(N), Referred(N);
  for (TypeId Id = 1; Id < N; ++Id)
    if (!isStub(View, Id)) {
      Store.set(Id);
      View.forEachRef(Id, [&](TypeId R, RefRole, uint32_t) {
        if (R < N)
          Referred.set(R);
      });
    }
  Referred.reset(0);
  Store |= Referred;
  return Store;
}

} // namespace

/// What writeKernelView stores: the records, their new numbers, the strings.
struct KernelViewWriter::Plan {
  const TypeTable &View;
  BitVector Store;
  std::vector<TypeId> NewId;
  uint32_t K = 0;
  size_t Words = 0;
  StringCompactor Strs;

  /// Stored records outside Real are written as stubs (none if empty).
  BitVector Real;

  /// Kept: the view's kept IDs from kernelView(), or none to find them.
  Plan(const TypeTable &View, std::optional<BitVector> Kept)
      : View(View), NewId(View.size(), 0), Strs(View.strings()) {
    // 1. Which records are stored.
    if (Kept) {
      Store = std::move(*Kept);
      assert(Store == storedRecords(View) &&
             "kept IDs given are not the view's stored records");
    } else {
      Store = storedRecords(View);
    }
    number();
  }
  /// Part of View: Stored, the records outside Real as stubs.
  Plan(const TypeTable &View, BitVector Stored, const BitVector &RealIds)
      : View(View), Store(std::move(Stored)), NewId(View.size(), 0),
        Strs(View.strings()), Real(RealIds) {
    Real.resize(View.size());
    Store.reset(0);
    number();
  }

  bool stub(TypeId Id) const { return !Real.empty() && !Real.test(Id); }

  /// 2. The stored records' dense numbers, and the strings they name.
  void number() {
    for (unsigned Id : Store.set_bits()) {
      NewId[Id] = ++K;
      if (stub(Id))
        continue;
      ArrayRef<uint32_t> D = View.data(Id);
      Words += D.size();
      Strs.use(View.type(Id).NameOff);
      if (uint32_t Stride = nameStride(View.kind(Id)))
        for (size_t W = 0; W < D.size(); W += Stride)
          Strs.use(D[W]);
    }
    Strs.finish();
  }

  size_t btfBegin() const {
    return paddedTo4(ViewHeader + bitmapBytes(View.size()));
  }
  uint64_t typeLen() const { return 12 * uint64_t(K) + 4 * uint64_t(Words); }
};

KernelViewWriter::KernelViewWriter(const TypeTable &View)
    : P(std::make_unique<Plan>(View, std::nullopt)) {}
KernelViewWriter::KernelViewWriter(const TypeTable &View, BitVector Kept)
    : P(std::make_unique<Plan>(View, std::move(Kept))) {}
KernelViewWriter::KernelViewWriter(const TypeTable &View, BitVector Stored,
                                   const BitVector &Real)
    : P(std::make_unique<Plan>(View, std::move(Stored), Real)) {}
KernelViewWriter::~KernelViewWriter() = default;

uint64_t KernelViewWriter::size() const {
  return P->btfBegin() + sizeof(BTFHeader) + P->typeLen() +
         P->Strs.section().size();
}

void KernelViewWriter::write(raw_ostream &OS) const {
  using support::endian::write16le;
  using support::endian::write32le;
  const TypeTable &View = P->View;
  const uint32_t N = View.size();
  // Header and bitmap, then the records as raw BTF (BTFWriter's layout),
  // written record by record: no second table, no whole copy in memory.
  std::string Head(P->btfBegin() + sizeof(BTFHeader), '\0');
  char *H = Head.data();
  std::memcpy(H, ViewMagic, sizeof(ViewMagic));
  write32le(H + 8, N);
  write32le(H + 12, P->K);
  for (unsigned Id : P->Store.set_bits())
    H[ViewHeader + (Id - 1) / 8] |= char(1u << ((Id - 1) % 8));
  H += P->btfBegin();
  const std::string &NewStrs = P->Strs.section();
  write16le(H, BTFMagic);
  H[2] = char(BTFVersion);
  write32le(H + 4, sizeof(BTFHeader));
  write32le(H + 8, 0);
  write32le(H + 12, uint32_t(P->typeLen()));
  write32le(H + 16, uint32_t(P->typeLen()));
  write32le(H + 20, uint32_t(NewStrs.size()));
  OS << Head;
  SmallVector<uint32_t, 64> D;
  SmallVector<char, 256> Rec;
  for (unsigned Id : P->Store.set_bits()) {
    if (P->stub(Id)) {
      // `const void`: no name to map (offset 0 need not be a used one).
      Rec.assign(12, '\0');
      write32le(Rec.data() + 4, BTFType::makeInfo(Kind::Const, 0, false));
      OS.write(Rec.data(), Rec.size());
      continue;
    }
    BTFType T = View.type(Id);
    D.assign(View.data(Id).begin(), View.data(Id).end());
    T.NameOff = P->Strs.map(T.NameOff);
    if (uint32_t Stride = nameStride(T.kind()))
      for (size_t W = 0; W < D.size(); W += Stride)
        D[W] = P->Strs.map(D[W]);
    remapRecordRefs(T, D, [&](TypeId R) { return R < N ? P->NewId[R] : R; });
    Rec.resize(12 + 4 * D.size());
    char *R = Rec.data();
    write32le(R, T.NameOff);
    write32le(R + 4, T.Info);
    write32le(R + 8, T.SizeOrType);
    R += 12;
    for (uint32_t W : D) {
      write32le(R, W);
      R += 4;
    }
    OS.write(Rec.data(), Rec.size());
  }
  OS << NewStrs;
}

std::string writeKernelView(const TypeTable &View) {
  KernelViewWriter W(View);
  std::string Out;
  Out.reserve(W.size());
  raw_string_ostream OS(Out);
  W.write(OS);
  OS.flush();
  return Out;
}

namespace {

/// Step 1 of reading a view: from its first ViewHeader bytes, where its
/// BTF begins (after the bitmap and padding), or the header's error.
Expected<size_t> viewBTFBegin(StringRef Name, StringRef Head) {
  if (std::memcmp(Head.data(), ViewMagic, sizeof(ViewMagic)) != 0)
    return malformed(Name, "kernel view: bad magic");
  uint32_t N = support::endian::read32le(Head.data() + 8);
  if (N == 0 || N - 1 > BTFMaxType)
    return malformed(Name, "kernel view: {0} type IDs (1 to {1} allowed)", N,
                     uint64_t(BTFMaxType) + 1);
  return paddedTo4(ViewHeader + bitmapBytes(N));
}

/// Step 2: the IDs the bitmap marks, in order, after 0 (OldId[rank] is the
/// ID of the stored record of that rank), checked against the header;
/// Prefix is everything before the view's BTF.
Expected<std::vector<TypeId>> viewKeptIds(StringRef Name, StringRef Prefix) {
  uint32_t N = support::endian::read32le(Prefix.data() + 8);
  uint32_t K = support::endian::read32le(Prefix.data() + 12);
  size_t MapBytes = bitmapBytes(N);
  const uint8_t *Map =
      reinterpret_cast<const uint8_t *>(Prefix.data()) + ViewHeader;
  std::vector<TypeId> OldId;
  OldId.reserve(K < N ? K + 1 : N);
  OldId.push_back(0);
  for (size_t Byte = 0; Byte < MapBytes; ++Byte)
    for (uint32_t Bits = Map[Byte]; Bits; Bits &= Bits - 1) {
      uint64_t Id = Byte * 8 + llvm::countr_zero(Bits) + 1;
      if (Id >= N)
        return malformed(Name, "kernel view: bitmap marks type {0} of {1}", Id,
                         N);
      OldId.push_back(TypeId(Id));
    }
  for (size_t I = ViewHeader + MapBytes; I < Prefix.size(); ++I)
    if (Prefix[I] != 0)
      return malformed(Name, "kernel view: padding byte {0} is not 0", I);
  if (OldId.size() - 1 != K)
    return malformed(Name,
                     "kernel view: bitmap marks {0} types, header says {1}",
                     OldId.size() - 1, K);
  return std::move(OldId);
}

/// Step 3: the stored records back at their IDs, in place, stubs between
/// them.
Expected<TypeTable> spreadView(StringRef Name, Expected<TypeTable> View,
                               ArrayRef<TypeId> OldId, uint32_t N) {
  if (!View)
    return View.takeError();
  uint32_t K = uint32_t(OldId.size() - 1);
  if (View->size() != K + 1)
    return malformed(Name, "kernel view: {0} records for {1} kept types",
                     View->size() - 1, K);
  BTFType Stub{};
  Stub.Info = BTFType::makeInfo(Kind::Const, 0, false);
  View->spreadRecords(OldId, N, Stub);
  for (TypeId I = 1; I <= K; ++I)
    View->remapRefs(OldId[I], [&](TypeId R) { return OldId[R]; });
  View->setKnownPointerSize(View->guessPointerSize());
  return View;
}

} // namespace

/// The bytes before the view's BTF are gathered (the bitmap is an eighth
/// of a byte per type: 70 KB for CentOS 8's 562,000), then checked; the
/// rest goes straight to a BTFStreamReader.
struct KernelViewStreamReader::Impl {
  std::string Name;
  uint64_t Size;
  /// The header, then everything up to the BTF.
  std::string Prefix;
  /// ViewHeader until the header is read, then where the BTF begins.
  size_t PrefixEnd = ViewHeader;
  /// The first error of the prefix, which outranks the BTF's.
  std::optional<Error> Err;
  std::vector<TypeId> OldId;
  std::optional<BTFStreamReader> BTF;

  void take(StringRef Bytes) {
    while (!Bytes.empty() && !Err) {
      if (BTF) {
        BTF->take(Bytes);
        return;
      }
      size_t N = std::min(Bytes.size(), PrefixEnd - Prefix.size());
      Prefix.append(Bytes.data(), N);
      Bytes = Bytes.drop_front(N);
      if (Prefix.size() < PrefixEnd)
        return;
      if (PrefixEnd == ViewHeader)
        headerRead();
      else
        prefixRead();
    }
  }

  void headerRead() {
    Expected<size_t> Begin = viewBTFBegin(Name, Prefix);
    if (!Begin) {
      Err.emplace(Begin.takeError());
      return;
    }
    PrefixEnd = *Begin;
    Prefix.reserve(PrefixEnd);
  }

  void prefixRead() {
    Expected<std::vector<TypeId>> Ids = viewKeptIds(Name, Prefix);
    if (!Ids) {
      Err.emplace(Ids.takeError());
      return;
    }
    OldId = std::move(*Ids);
    // The table is reserved for the kept records and then for the view's
    // IDs, so that spreadView() moves the records within it.
    BTF.emplace(Name, Size > PrefixEnd ? Size - PrefixEnd : 0,
                uint32_t(OldId.size() - 1),
                support::endian::read32le(Prefix.data() + 8));
  }

  Expected<TypeTable> finish() {
    if (Err)
      return std::move(*Err);
    if (Prefix.size() < ViewHeader)
      return malformed(Name, "kernel view: {0} bytes, shorter than its header",
                       Prefix.size());
    if (!BTF)
      return malformed(Name,
                       "kernel view: bitmap of {0} types needs {1} bytes, {2} "
                       "left",
                       support::endian::read32le(Prefix.data() + 8) - 1,
                       PrefixEnd - ViewHeader, Prefix.size() - ViewHeader);
    return spreadView(Name, BTF->finish(), OldId,
                      support::endian::read32le(Prefix.data() + 8));
  }
};

KernelViewStreamReader::KernelViewStreamReader(StringRef Name, uint64_t Size)
    : P(new Impl{Name.str(), Size, {}, ViewHeader, {}, {}, {}}) {}

KernelViewStreamReader::~KernelViewStreamReader() {
  if (P && P->Err)
    consumeError(std::move(*P->Err));
}

void KernelViewStreamReader::take(StringRef Bytes) { P->take(Bytes); }

Expected<TypeTable> KernelViewStreamReader::finish() { return P->finish(); }

Expected<TypeTable> readKernelView(MemoryBufferRef Buf) {
  KernelViewStreamReader R(Buf.getBufferIdentifier(), Buf.getBufferSize());
  R.take(Buf.getBuffer());
  return R.finish();
}

} // namespace btfgen
