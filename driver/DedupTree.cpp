//===- DedupTree.cpp - Writing the outputs of a run, deduplicated ---------===//
//
// Grouping uses an ordered std::map keyed by digest; only lookups are made
// on it, the decision order is the output index order.
//
//===----------------------------------------------------------------------===//

#include "DedupTree.h"
#include "Commands.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SHA256.h"


#include <array>
#include <map>

using namespace llvm;

namespace btfgen {

std::string contentPath(StringRef Bytes) {
  std::array<uint8_t, 32> D = SHA256::hash(arrayRefFromStringRef(Bytes));
  return "blobs/" + toHex(D, /*LowerCase=*/true) + ".btf";
}

std::optional<TreeLayout> parseTreeLayout(StringRef S) {
  if (S == "tree")
    return TreeLayout::Tree;
  if (S == "content")
    return TreeLayout::Content;
  return std::nullopt;
}

std::optional<LinkScope> parseLinkScope(StringRef S) {
  if (S == "dir")
    return LinkScope::Dir;
  if (S == "distro")
    return LinkScope::Distro;
  if (S == "tree")
    return LinkScope::Tree;
  if (S == "none")
    return LinkScope::None;
  return std::nullopt;
}

std::vector<std::optional<size_t>>
findDuplicates(ArrayRef<const std::string *> Outputs,
               ArrayRef<std::string> Groups) {
  std::vector<std::optional<size_t>> LinkTo(Outputs.size());
  // (group, digest) -> leaders with that digest (more than one only on a
  // collision).
  std::map<std::pair<std::string, std::array<uint8_t, 32>>,
           SmallVector<size_t, 1>>
      Leaders;
  for (size_t I = 0; I < Outputs.size(); ++I) {
    const std::string *Bytes = Outputs[I];
    if (!Bytes)
      continue;
    std::array<uint8_t, 32> Digest = SHA256::hash(ArrayRef<uint8_t>(
        reinterpret_cast<const uint8_t *>(Bytes->data()), Bytes->size()));
    SmallVector<size_t, 1> &Group =
        Leaders[{Groups.empty() ? std::string() : Groups[I], Digest}];
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

/// The link scope of output path RelPath.
std::string scopeOf(StringRef RelPath, LinkScope Scope, size_t Index) {
  switch (Scope) {
  case LinkScope::Dir:
    return sys::path::parent_path(RelPath, sys::path::Style::posix).str();
  case LinkScope::Distro:
    return RelPath.split('/').first.str();
  case LinkScope::Tree:
    return "";
  case LinkScope::None:
    return std::to_string(Index);
  }
  return "";
}

/// The writer's state: one slot per kernel.
class OutputsWriter {
public:
  OutputsWriter(const OutputTree &Tree, ArrayRef<KernelJob> Jobs,
                MutableArrayRef<KernelSlot> Slots,
                ArrayRef<ArchiveAlias> Aliases, ArrayRef<std::string> OldOwned,
                TreeLayout Layout, LinkScope Scope)
      : Tree(Tree), Jobs(Jobs), Slots(Slots), Aliases(Aliases),
        OldOwned(OldOwned), Layout(Layout), Scope(Scope) {
    W.File.resize(Jobs.size());
    W.LinkText.resize(Jobs.size());
    W.Leader.resize(Jobs.size());
  }

  TreeWrite run() {
    if (Layout == TreeLayout::Content) {
      writeBlobs();
    } else {
      findLinks();
      rememberOldLinkedOutputs();
      writeLeaders();
      writeLinks();
      restoreOldLinkedOutputs();
      keepFailedOutputs();
      writeAliases();
    }
    collectRows();
    llvm::sort(W.Owned);
    W.Owned.erase(std::unique(W.Owned.begin(), W.Owned.end()), W.Owned.end());
    return std::move(W);
  }

private:
  void writeFailed(size_t I, Error E) {
    reportError(toString(std::move(E)));
    Slots[I].OK = false;
    Slots[I].Error = "write failed";
  }

  void writeBlobs() {
    std::map<std::string, size_t> Written; // name -> first kernel
    for (size_t I = 0; I < Jobs.size(); ++I) {
      if (!Slots[I].OK)
        continue;
      const std::string &Bytes = Slots[I].Result->Bytes;
      std::string Path = contentPath(Bytes);
      if (Written.emplace(Path, I).second) {
        if (Error E = Tree.writeFile(Path, Bytes)) {
          writeFailed(I, std::move(E));
          Written.erase(Path);
          continue;
        }
        ++W.Unique;
        W.UniqueBytes += Bytes.size();
        W.Owned.push_back(Path);
      }
      W.File[I] = Path;
    }
  }

  void findLinks() {
    std::vector<const std::string *> Outputs(Jobs.size(), nullptr);
    std::vector<std::string> Groups(Jobs.size());
    for (size_t I = 0; I < Jobs.size(); ++I) {
      if (Slots[I].OK)
        Outputs[I] = &Slots[I].Result->Bytes;
      Groups[I] = scopeOf(Jobs[I].OutRelPath, Scope, I);
    }
    LinkTo = findDuplicates(Outputs, Groups);
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

  void writeLeaders() {
    for (size_t I = 0; I < Jobs.size(); ++I) {
      if (!Slots[I].OK || LinkTo[I])
        continue;
      if (Error E = Tree.writeFile(Jobs[I].OutRelPath, Slots[I].Result->Bytes)) {
        writeFailed(I, std::move(E));
        continue;
      }
      W.File[I] = Jobs[I].OutRelPath;
      W.Owned.push_back(Jobs[I].OutRelPath);
      ++W.Unique;
      W.UniqueBytes += Slots[I].Result->Bytes.size();
    }
  }

  void writeLinks() {
    for (size_t I = 0; I < Jobs.size(); ++I) {
      if (!Slots[I].OK || !LinkTo[I])
        continue;
      if (!Slots[*LinkTo[I]].OK) {
        // Its leader could not be written: write the bytes instead.
        if (Error E =
                Tree.writeFile(Jobs[I].OutRelPath, Slots[I].Result->Bytes)) {
          writeFailed(I, std::move(E));
          continue;
        }
        W.File[I] = Jobs[I].OutRelPath;
        W.Owned.push_back(Jobs[I].OutRelPath);
        continue;
      }
      std::string Text = relativeLinkTarget(Jobs[I].OutRelPath,
                                            Jobs[*LinkTo[I]].OutRelPath);
      if (Error E = Tree.writeSymlink(Jobs[I].OutRelPath, Text)) {
        writeFailed(I, std::move(E));
        continue;
      }
      W.File[I] = Jobs[*LinkTo[I]].OutRelPath;
      W.LinkText[I] = std::move(Text);
      W.Leader[I] = LinkTo[I];
      W.Owned.push_back(Jobs[I].OutRelPath);
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

  /// The previous output of a failed kernel stays, and stays owned if the
  /// previous run owned it.
  void keepFailedOutputs() {
    for (size_t I = 0; I < Jobs.size(); ++I)
      if (!Slots[I].OK &&
          std::binary_search(OldOwned.begin(), OldOwned.end(),
                             Jobs[I].OutRelPath))
        W.Owned.push_back(Jobs[I].OutRelPath);
  }

  /// Mirror the archive's directory aliases whose target exists in OUT.
  void writeAliases() {
    for (const ArchiveAlias &A : Aliases) {
      Expected<int> Target = Tree.dir().dirFd(A.Target, /*Create=*/false);
      if (!Target) {
        consumeError(Target.takeError());
        continue;
      }
      if (Error E =
              Tree.writeSymlink(A.Path, relativeLinkTarget(A.Path, A.Target))) {
        reportError(toString(std::move(E)));
        continue;
      }
      W.Owned.push_back(A.Path);
    }
  }

  /// Every name each written kernel answers to, with its file.
  void collectRows() {
    for (size_t I = 0; I < Jobs.size(); ++I) {
      if (!Slots[I].OK || W.File[I].empty())
        continue;
      W.Rows.push_back({Jobs[I].Id, W.File[I], I});
      StringRef Dir =
          sys::path::parent_path(Jobs[I].RelPath, sys::path::Style::posix);
      for (const std::string &AliasDir : aliasDirsOf(Dir, Aliases))
        W.Rows.push_back(
            {kernelIdOf(AliasDir + "/" + Jobs[I].Release + ".btf"),
             W.File[I], I});
    }
    llvm::stable_sort(W.Rows, [](const IndexRow &A, const IndexRow &B) {
      return A.Id.key() < B.Id.key();
    });
  }

  const OutputTree &Tree;
  ArrayRef<KernelJob> Jobs;
  MutableArrayRef<KernelSlot> Slots;
  ArrayRef<ArchiveAlias> Aliases;
  ArrayRef<std::string> OldOwned;
  TreeLayout Layout;
  LinkScope Scope;
  std::vector<std::optional<size_t>> LinkTo;
  std::vector<std::pair<size_t, std::string>> KeepOld;
  TreeWrite W;
};

} // namespace

TreeWrite writeOutputs(const OutputTree &Tree, ArrayRef<KernelJob> Jobs,
                       MutableArrayRef<KernelSlot> Slots,
                       ArrayRef<ArchiveAlias> Aliases,
                       ArrayRef<std::string> OldOwned, TreeLayout Layout,
                       LinkScope Scope) {
  return OutputsWriter(Tree, Jobs, Slots, Aliases, OldOwned, Layout, Scope)
      .run();
}

} // namespace btfgen
