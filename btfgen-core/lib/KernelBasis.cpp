//===- KernelBasis.cpp - The part of a kernel one tailoring read ----------===//
//
// writeKernelBasis() in three steps: which records are read (the log's,
// and the type libbpf guesses the pointer size from, so that the basis
// gives the view's pointer size), which are stored (those and, as stubs,
// what they refer to), then the bytes (KernelBasis.h gives the layout).
// readKernelBasis() checks the header, the IDs and the names, then reads
// the view part with readKernelView(), which checks the rest.
//
//===----------------------------------------------------------------------===//

#include "btfgen/KernelBasis.h"

#include "btfgen/Errors.h"
#include "btfgen/KernelView.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cstring>

using namespace llvm;

namespace btfgen {

namespace {

constexpr char BasisMagic[8] = {'B', 'T', 'F', 'G', 'B', 'A', 'S', 'E'};
constexpr size_t BasisHeader = 20;

size_t paddedTo4(size_t N) { return (N + 3) & ~size_t(3); }

/// Step 1: the records a basis holds as the view has them.
BitVector recordsRead(const TypeTable &View, const TableAccessLog &Log) {
  const uint32_t N = View.size();
  BitVector Read = Log.Records;
  Read.resize(N);
  // libbpf's pointer-size guess reads every record up to the first INT
  // named like `long` (TypeTable::longType): a basis holding them guesses
  // as its view does, and a tailoring that looks for the kernel's `long`
  // (Shrink.cpp, nameLong: when no kept type is one) reads no further.
  if (TypeId Long = View.longType())
    Read.set(1, Long + 1);
  // The last record's word-after is the string section's first word
  // (KernelBasis.h): a record without kind data there is never held.
  if (N > 1 && View.data(N - 1).empty())
    Read.reset(N - 1);
  Read.reset(0);
  return Read;
}

/// Step 2: what is stored, the records read and what they refer to.
BitVector recordsStored(const TypeTable &View, const BitVector &Read) {
  const uint32_t N = View.size();
  BitVector Stored = Read;
  for (unsigned Id : Read.set_bits())
    View.forEachRef(Id, [&](TypeId R, RefRole, uint32_t) {
      if (R != 0 && R < N)
        Stored.set(R);
    });
  return Stored;
}

} // namespace

std::string writeKernelBasis(const TypeTable &View, const TableAccessLog &Log) {
  using support::endian::write32le;
  BitVector Read = recordsRead(View, Log);
  KernelViewWriter ViewPart(View, recordsStored(View, Read), Read);

  std::vector<StringRef> Names;
  Names.reserve(Log.Names.size());
  for (const auto &E : Log.Names)
    Names.push_back(E.getKey());
  llvm::sort(Names);
  size_t NameBytes = 0;
  for (StringRef S : Names)
    NameBytes += S.size() + 1;

  std::string Out;
  raw_string_ostream OS(Out);
  char H[BasisHeader];
  std::memcpy(H, BasisMagic, sizeof(BasisMagic));
  write32le(H + 8, Read.count());
  write32le(H + 12, uint32_t(Names.size()));
  write32le(H + 16, uint32_t(NameBytes));
  OS.write(H, sizeof(H));
  for (unsigned Id : Read.set_bits()) {
    char W[4];
    write32le(W, Id);
    OS.write(W, 4);
  }
  for (StringRef S : Names)
    OS << S << '\0';
  OS.write_zeros(paddedTo4(NameBytes) - NameBytes);
  ViewPart.write(OS);
  OS.flush();
  return Out;
}

Expected<KernelBasis> readKernelBasis(MemoryBufferRef Buf) {
  using support::endian::read32le;
  StringRef Name = Buf.getBufferIdentifier();
  StringRef B = Buf.getBuffer();
  if (B.size() < BasisHeader ||
      std::memcmp(B.data(), BasisMagic, sizeof(BasisMagic)) != 0)
    return malformed(Name, "kernel basis: bad magic or short header");
  uint64_t R = read32le(B.data() + 8), M = read32le(B.data() + 12),
           S = read32le(B.data() + 16);
  uint64_t NamesAt = BasisHeader + 4 * R, ViewAt = NamesAt + paddedTo4(S);
  if (ViewAt > B.size())
    return malformed(Name,
                     "kernel basis: {0} IDs and {1} bytes of names do not "
                     "fit in {2} bytes",
                     R, S, B.size());

  KernelBasis Out;
  // The names: M of them, NUL-terminated, ascending, distinct.
  StringRef Rest = B.substr(NamesAt, S);
  if (S && Rest.back() != '\0')
    return malformed(Name, "kernel basis: names are not NUL-terminated");
  while (!Rest.empty()) {
    auto [N, Tail] = Rest.split('\0');
    if (!Out.Names.empty() && !(Out.Names.back() < N))
      return malformed(Name, "kernel basis: names not ascending at '{0}'", N);
    Out.Names.push_back(N.str());
    Rest = Tail;
  }
  if (Out.Names.size() != M)
    return malformed(Name, "kernel basis: {0} names, header says {1}",
                     Out.Names.size(), M);
  for (uint64_t I = NamesAt + S; I < ViewAt; ++I)
    if (B[I] != 0)
      return malformed(Name, "kernel basis: padding byte {0} is not 0", I);

  Expected<TypeTable> T =
      readKernelView(MemoryBufferRef(B.drop_front(ViewAt), Name));
  if (!T)
    return T.takeError();
  Out.Table = std::move(*T);

  // The IDs read: ascending, within the view.
  const uint32_t N = Out.Table.size();
  Out.Read.resize(N);
  uint32_t Prev = 0;
  for (uint64_t I = 0; I < R; ++I) {
    uint32_t Id = read32le(B.data() + BasisHeader + 4 * I);
    if (Id <= Prev || Id >= N)
      return malformed(Name,
                       "kernel basis: ID {0} (entry {1}) not ascending or "
                       "past the view's {2}",
                       Id, I, N);
    Out.Read.set(Id);
    Prev = Id;
  }
  Out.Read.set(0);
  return std::move(Out);
}

void KernelBasis::bound(TableAccessLog &Log) const {
  Log.Within = &Read;
  Log.WithinNames = Names;
}

void KernelBasis::addTo(TableAccessLog &Log) const {
  if (Log.Records.size() != Read.size())
    return;
  Log.Records |= Read;
  Log.Records.reset(0);
  for (const std::string &N : Names)
    Log.Names.insert(N);
}

bool KernelBasis::covers(const TableAccessLog &Log) const {
  if (Log.Records.size() != Read.size())
    return false;
  BitVector Outside = Log.Records;
  Outside.reset(Read);
  if (Outside.any())
    return false;
  return llvm::all_of(Log.Names, [&](const auto &E) {
    return isListedName(Names, E.getKey());
  });
}

} // namespace btfgen
