//===- DedupTree.cpp - Identical outputs become relative symlinks ---------===//
//
// Grouping uses an ordered std::map keyed by digest; only lookups are made
// on it, the decision order is the output index order.
//
//===----------------------------------------------------------------------===//

#include "DedupTree.h"
#include "Commands.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Path.h"
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

namespace {

/// Tailored outputs are KBs; a "previous output" larger than this is not
/// one of ours and is left alone.
constexpr uint64_t MaxOldOutputSize = 256u << 20;

/// The bytes behind RelPath if it is a symlink that stays inside the tree
/// (as dedup links do) and resolves to a regular file, else nothing.
std::optional<std::string> readOldLinkedOutput(const OutputTree &Tree,
                                               StringRef RelPath) {
  std::optional<std::string> Text = Tree.dir().readLink(RelPath);
  if (!Text || Text->empty() || sys::path::is_absolute(*Text))
    return std::nullopt;
  // Resolve lexically against the link's directory; it must not climb
  // above the root.
  SmallVector<StringRef, 8> Parts;
  StringRef Dir = sys::path::parent_path(RelPath);
  if (!Dir.empty())
    Dir.split(Parts, '/');
  SmallVector<StringRef, 8> TextParts;
  StringRef(*Text).split(TextParts, '/');
  for (StringRef C : TextParts) {
    if (C == "..") {
      if (Parts.empty())
        return std::nullopt;
      Parts.pop_back();
    } else if (C != "." && !C.empty()) {
      Parts.push_back(C);
    }
  }
  if (Parts.empty())
    return std::nullopt;
  Expected<std::string> Bytes =
      Tree.dir().readFile(join(Parts, "/"), MaxOldOutputSize);
  if (!Bytes) {
    consumeError(Bytes.takeError());
    return std::nullopt;
  }
  return std::move(*Bytes);
}

/// The tree writer's state: one slot per kernel.
class DedupTreeWriter {
public:
  DedupTreeWriter(const OutputTree &Tree, ArrayRef<KernelJob> Jobs,
                  MutableArrayRef<KernelSlot> Slots)
      : Tree(Tree), Jobs(Jobs), Slots(Slots) {
    W.LinkText.resize(Jobs.size());
    W.Leader.resize(Jobs.size());
  }

  TreeWrite run() {
    findLinks();
    rememberOldLinkedOutputs();
    writeLeaders();
    writeLinks();
    restoreOldLinkedOutputs();
    return std::move(W);
  }

private:
  void findLinks() {
    std::vector<const std::string *> Outputs(Jobs.size(), nullptr);
    for (size_t I = 0; I < Jobs.size(); ++I)
      if (Slots[I].OK)
        Outputs[I] = &Slots[I].Result.Bytes;
    LinkTo = findDuplicates(Outputs);
  }

  /// A failed kernel keeps its previous output. When that output is a
  /// dedup symlink, the file it points to may be rewritten below with
  /// another kernel's new bytes: remember the old bytes, and put them back
  /// as a regular file if they changed.
  void rememberOldLinkedOutputs() {
    for (size_t I = 0; I < Jobs.size(); ++I)
      if (!Slots[I].OK)
        if (std::optional<std::string> Old =
                readOldLinkedOutput(Tree, Jobs[I].OutRelPath))
          KeepOld.emplace_back(I, std::move(*Old));
  }

  void writeFailed(size_t I, Error E) {
    reportError(toString(std::move(E)));
    Slots[I].OK = false;
    Slots[I].Error = "write failed";
  }

  void writeLeaders() {
    for (size_t I = 0; I < Jobs.size(); ++I) {
      if (!Slots[I].OK || LinkTo[I])
        continue;
      if (Error E = Tree.writeFile(Jobs[I].OutRelPath, Slots[I].Result.Bytes)) {
        writeFailed(I, std::move(E));
        continue;
      }
      ++W.Unique;
      W.UniqueBytes += Slots[I].Result.Bytes.size();
    }
  }

  void writeLinks() {
    for (size_t I = 0; I < Jobs.size(); ++I) {
      if (!Slots[I].OK || !LinkTo[I])
        continue;
      if (!Slots[*LinkTo[I]].OK) {
        // Its leader could not be written: write the bytes instead.
        if (Error E =
                Tree.writeFile(Jobs[I].OutRelPath, Slots[I].Result.Bytes))
          writeFailed(I, std::move(E));
        continue;
      }
      std::string Text = relativeLinkTarget(Jobs[I].OutRelPath,
                                            Jobs[*LinkTo[I]].OutRelPath);
      if (Error E = Tree.writeSymlink(Jobs[I].OutRelPath, Text)) {
        writeFailed(I, std::move(E));
        continue;
      }
      W.LinkText[I] = std::move(Text);
      W.Leader[I] = LinkTo[I];
    }
  }

  void restoreOldLinkedOutputs() {
    for (const auto &[I, Old] : KeepOld) {
      std::optional<std::string> Now =
          readOldLinkedOutput(Tree, Jobs[I].OutRelPath);
      if (Now && *Now == Old)
        continue;
      if (Error E = Tree.writeFile(Jobs[I].OutRelPath, Old))
        reportError(toString(std::move(E)));
    }
  }

  const OutputTree &Tree;
  ArrayRef<KernelJob> Jobs;
  MutableArrayRef<KernelSlot> Slots;
  std::vector<std::optional<size_t>> LinkTo;
  std::vector<std::pair<size_t, std::string>> KeepOld;
  TreeWrite W;
};

} // namespace

TreeWrite writeDedupTree(const OutputTree &Tree, ArrayRef<KernelJob> Jobs,
                         MutableArrayRef<KernelSlot> Slots) {
  return DedupTreeWriter(Tree, Jobs, Slots).run();
}

} // namespace btfgen
