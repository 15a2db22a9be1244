//===- BTFWriter.cpp - Canonical BTF serialization ------------------------===//
//
// The canonical raw layout: a 24-byte header (magic 0xEB9F, version 1,
// flags 0, hdr_len 24, type_off 0, str_off = type_len), the type section in
// ID order, then the string section exactly as the table holds it. This is
// the layout the kernel exposes in /sys/kernel/btf/vmlinux and that BTFHub
// ships, so a table read from such a file re-serializes byte-identically.
//
//===----------------------------------------------------------------------===//

#include "btfgen/BTFWriter.h"

#include "llvm/Support/Endian.h"

#include <cassert>
#include <cstring>

using namespace llvm;

namespace btfgen {

Error checkClassicBTF(const TypeTable &T) {
  for (TypeId Id = 1, N = T.size(); Id < N; ++Id)
    if (T.vlen(Id) > BTFMaxVlen)
      return createStringError(
          inconvertibleErrorCode(),
          "type [%u] %s '%s': vlen %u does not fit the classic BTF format "
          "(at most %u), which is the only one btfgen writes",
          Id, kindName(T.kind(Id)), T.name(Id).str().c_str(), T.vlen(Id),
          BTFMaxVlen);
  return Error::success();
}

std::string writeBTFToString(const TypeTable &T) {
  using support::endian::write16le;
  using support::endian::write32le;
  const uint64_t TypeLen = T.typeSectionSize();
  const std::string &Strs = T.strings();
  assert(TypeLen + Strs.size() <= UINT32_MAX && "BTF larger than 4 GiB");

  std::string Out(sizeof(BTFHeader) + TypeLen + Strs.size(), '\0');
  char *P = Out.data();
  write16le(P, BTFMagic);
  P[2] = char(BTFVersion);
  P[3] = 0; // flags
  write32le(P + 4, sizeof(BTFHeader));
  write32le(P + 8, 0);
  write32le(P + 12, uint32_t(TypeLen));
  write32le(P + 16, uint32_t(TypeLen));
  write32le(P + 20, uint32_t(Strs.size()));
  P += sizeof(BTFHeader);

  for (TypeId Id = 1, N = T.size(); Id < N; ++Id) {
    const BTFType &Ty = T.type(Id);
    write32le(P, Ty.NameOff);
    write32le(P + 4, Ty.Info);
    write32le(P + 8, Ty.SizeOrType);
    P += 12;
    ArrayRef<uint32_t> D = T.data(Id);
    if (sys::IsLittleEndianHost) {
      if (!D.empty())
        std::memcpy(P, D.data(), D.size() * 4);
      P += D.size() * 4;
    } else {
      for (uint32_t W : D) {
        write32le(P, W);
        P += 4;
      }
    }
  }
  if (!Strs.empty())
    std::memcpy(P, Strs.data(), Strs.size());
  return Out;
}

void writeBTF(const TypeTable &T, raw_ostream &OS) {
  OS << writeBTFToString(T);
}

} // namespace btfgen
