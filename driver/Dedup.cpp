//===- Dedup.cpp - Identical outputs become relative symlinks -------------===//
//
// Grouping uses an ordered std::map keyed by digest; only lookups are made
// on it, the decision order is the output index order.
//
//===----------------------------------------------------------------------===//

#include "Dedup.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/SHA256.h"

#include <array>
#include <map>

using namespace llvm;

namespace btfgen {

std::vector<std::optional<size_t>>
findDuplicates(ArrayRef<const std::string *> Outputs) {
  std::vector<std::optional<size_t>> LinkTo(Outputs.size());
  // Digest -> leaders with that digest (more than one only on a collision).
  std::map<std::array<uint8_t, 32>, SmallVector<size_t, 1>> Leaders;
  for (size_t I = 0; I < Outputs.size(); ++I) {
    const std::string *Bytes = Outputs[I];
    if (!Bytes)
      continue;
    std::array<uint8_t, 32> Digest = SHA256::hash(ArrayRef<uint8_t>(
        reinterpret_cast<const uint8_t *>(Bytes->data()), Bytes->size()));
    SmallVector<size_t, 1> &Group = Leaders[Digest];
    for (size_t L : Group)
      if (*Outputs[L] == *Bytes) {
        LinkTo[I] = L;
        break;
      }
    if (!LinkTo[I])
      Group.push_back(I);
  }
  return LinkTo;
}

std::string relativeLinkTarget(StringRef From, StringRef To) {
  SmallVector<StringRef, 8> FromParts, ToParts;
  From.split(FromParts, '/');
  To.split(ToParts, '/');
  // Directories only for From; To keeps its file name.
  size_t FromDirs = FromParts.size() - 1;
  size_t Common = 0;
  while (Common < FromDirs && Common + 1 < ToParts.size() &&
         FromParts[Common] == ToParts[Common])
    ++Common;
  std::string Out;
  for (size_t I = Common; I < FromDirs; ++I)
    Out += "../";
  for (size_t I = Common; I < ToParts.size(); ++I) {
    Out += ToParts[I].str();
    if (I + 1 < ToParts.size())
      Out += "/";
  }
  return Out;
}

} // namespace btfgen
