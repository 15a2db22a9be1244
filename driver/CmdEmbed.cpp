//===- CmdEmbed.cpp - "embed": tailored BTF tree as a C source file -------===//
//
// `btfgen-driver embed TREE -o OUT.c [--symbol NAME] [--header OUT.h]`
// turns the output tree of `run` (or its --index JSON) into one C file that
// an application compiles and links, so it ships its tailored BTFs inside
// its binary instead of beside it:
//
//   static const unsigned char NAME_blob_0[1166] = { 0x9f, 0xeb, ... };
//   const struct btfgen_entry NAME_entries[] = {
//     {"debian", "12", "x86_64", "6.1.0-48-amd64", NAME_blob_0, 1166}, ...
//   };
//   const size_t NAME_count = 5;
//
// which btfgen_index_from_entries() takes as is. Each distinct content is
// emitted once (kernels deduplicated by `run` into symlinks, or whose files
// happen to hold the same bytes, share one array), entries are sorted by
// (distro, version, arch, release) and arrays are numbered in the order of
// their first entry, so the output is a pure function of the tree's names
// and bytes (not of its location, the directory order or the file times).
//
// A tree written by run is listed from its record (OUT/.btfgen-tree.json,
// OutputTree.h): exactly the kernels of its last run, aliases included,
// whatever else lies in the directory. A directory without a record (made
// by hand) is walked:
// the walk follows the runtime's directory index (runtime/src/index.c
// scan_level): <distro>/<version>/<arch>/<release>.btf, regular files or
// symlinks; names starting with '.', other suffixes and other depths are
// ignored. Unlike the runtime it is strict, because its input is a build
// artifact: directory symlinks, file symlinks that resolve outside TREE,
// dangling symlinks, files that are not valid BTF and two entries that the
// runtime would treat as the same kernel are errors naming the path.
//
//===----------------------------------------------------------------------===//

#include "Archive.h"
#include "Commands.h"
#include "Options.h"
#include "OutputTree.h"
#include "AnchoredDir.h"

#include "btfgen/BTFReader.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <map>
#include <tuple>

using namespace llvm;

namespace btfgen {

namespace {

struct EmbedOptions {
  std::string Input;
  std::string Output;
  std::string Header;
  std::string Symbol = "btfgen_btf";
};

/// One kernel of the tree.
struct EmbedEntry {
  KernelId Id;
  std::string RelPath; ///< as found under TREE (or the index's "file")
  std::string Path;    ///< file to read
  size_t Blob = 0;     ///< index into the unique contents
};

Error pathError(StringRef Path, const Twine &Msg) {
  return createStringError(inconvertibleErrorCode(),
                           "'" + Path + "': " + Msg);
}

bool isCIdentifier(StringRef S) {
  if (S.empty() || !(isAlpha(S.front()) || S.front() == '_'))
    return false;
  return all_of(S, [](char C) { return isAlnum(C) || C == '_'; });
}

/// Is Path (already made real) Root itself or below it?
bool isInside(StringRef Path, StringRef Root) {
  if (!Path.starts_with(Root))
    return false;
  return Path.size() == Root.size() || Root.ends_with("/") ||
         Path[Root.size()] == '/';
}

Expected<EmbedOptions> parseEmbedArgs(ArrayRef<StringRef> Args) {
  EmbedOptions O;
  bool HaveOutput = false;
  const OptionSpec Table[] = {
      {"--output", "-o", true,
       [&](StringRef V) {
         O.Output = V.str();
         HaveOutput = true;
         return Error::success();
       }},
      {"--symbol", "", true, setString(O.Symbol)},
      {"--header", "", true, setString(O.Header)},
  };
  Expected<std::vector<std::string>> OperandsOr =
      parseOptions("embed", Table, Args);
  if (!OperandsOr)
    return OperandsOr.takeError();
  const std::vector<std::string> &Operands = *OperandsOr;
  if (Operands.size() != 1)
    return usageError("embed: expected exactly one TREE (a directory written "
                      "by run, or its --index file)");
  O.Input = Operands.front();
  if (!HaveOutput || O.Output.empty())
    return usageError("embed: -o OUT.c is required");
  if (!isCIdentifier(O.Symbol))
    return usageError("embed: --symbol '" + O.Symbol +
                      "' is not a C identifier");
  if (O.Header == O.Output)
    return usageError("embed: --header and -o name the same file");
  return O;
}

/// Checks that Path (a symlink found under the tree whose real path is
/// RealRoot, or an index's "file") resolves to a regular file inside it.
Error checkInside(StringRef Path, StringRef RealRoot, StringRef RootName) {
  SmallString<256> Real;
  if (std::error_code EC = sys::fs::real_path(Path, Real))
    return pathError(Path, "cannot resolve (dangling symlink?): " +
                               EC.message());
  if (!isInside(Real, RealRoot))
    return pathError(Path, "resolves to '" + Real +
                               "', outside '" + RootName +
                               "'; embed does not follow symlinks out of "
                               "the tree");
  sys::fs::file_status St;
  if (std::error_code EC = sys::fs::status(Real, St))
    return pathError(Path, EC.message());
  if (St.type() != sys::fs::file_type::regular_file)
    return pathError(Path, "does not resolve to a regular file");
  return Error::success();
}

/// The tree walk: level 0..2 are distro, version, arch directories, level 3
/// holds <release>.btf. Children are visited in sorted order (the final
/// order is fixed by sorting the entries anyway).
Error walkLevel(StringRef Dir, StringRef RelDir, unsigned Level,
                std::vector<std::string> &Names, StringRef RealRoot,
                StringRef RootName, std::vector<EmbedEntry> &Out) {
  std::error_code EC;
  std::vector<std::string> Children;
  for (sys::fs::directory_iterator It(Dir, EC, /*FollowSymlinks=*/false), End;
       It != End && !EC; It.increment(EC))
    Children.push_back(sys::path::filename(It->path()).str());
  if (EC)
    return pathError(Dir, "cannot read directory: " + EC.message());
  llvm::sort(Children);
  for (const std::string &Name : Children) {
    if (StringRef(Name).starts_with("."))
      continue; // temporary files of run, hidden files
    std::string Path = (Dir + "/" + Name).str();
    std::string Rel = RelDir.empty() ? Name : (RelDir + "/" + Name).str();
    sys::fs::file_status St;
    if (std::error_code SEC = sys::fs::status(Path, St, /*Follow=*/false))
      return pathError(Path, SEC.message());
    bool IsLink = St.type() == sys::fs::file_type::symlink_file;
    if (Level < 3) {
      if (IsLink) {
        sys::fs::file_status T;
        if (!sys::fs::status(Path, T) &&
            T.type() == sys::fs::file_type::directory_file)
          return pathError(Path, "directory symlink; embed does not follow "
                                 "directory symlinks (run never writes one)");
        continue;
      }
      if (St.type() != sys::fs::file_type::directory_file)
        continue; // e.g. index.json, a report
      Names.push_back(Name);
      if (Error E = walkLevel(Path, Rel, Level + 1, Names, RealRoot, RootName,
                              Out))
        return E;
      Names.pop_back();
      continue;
    }
    StringRef Release(Name);
    if (!Release.consume_back(".btf") || Release.empty())
      continue;
    if (IsLink) {
      if (Error E = checkInside(Path, RealRoot, RootName))
        return E;
    } else if (St.type() != sys::fs::file_type::regular_file) {
      continue;
    }
    EmbedEntry En;
    En.Id = {Names[0], Names[1], Names[2], Release.str()};
    En.RelPath = Rel;
    En.Path = Path;
    Out.push_back(std::move(En));
  }
  return Error::success();
}

Expected<std::vector<EmbedEntry>> listTree(StringRef Root) {
  SmallString<256> RealRoot;
  if (std::error_code EC = sys::fs::real_path(Root, RealRoot))
    return pathError(Root, EC.message());
  std::vector<EmbedEntry> Out;
  std::vector<std::string> Names;
  if (Error E = walkLevel(Root, "", 0, Names, RealRoot, Root, Out))
    return E;
  return Out;
}

/// Entries of a JSON index (docs/runtime.md, "btfgen-index" version 1) or
/// of a tree's record (OutputTree.h, "btfgen-tree" version 1: the same
/// "kernels" rows); "file" names are relative to the file's directory and
/// must stay in it.
Expected<std::vector<EmbedEntry>> listIndex(StringRef IndexPath,
                                            StringRef Format = "btfgen-index") {
  ErrorOr<std::unique_ptr<MemoryBuffer>> Buf =
      MemoryBuffer::getFile(IndexPath, /*IsText=*/false,
                            /*RequiresNullTerminator=*/false);
  if (!Buf)
    return pathError(IndexPath, Buf.getError().message());
  Expected<json::Value> Doc = json::parse((*Buf)->getBuffer());
  if (!Doc)
    return pathError(IndexPath, "neither a directory nor a JSON index: " +
                                    toString(Doc.takeError()));
  auto Bad = [&](const Twine &Why) { return pathError(IndexPath, Why); };
  const json::Object *Top = Doc->getAsObject();
  if (!Top)
    return Bad("not a btfgen-index: the document is not an object");
  std::optional<StringRef> Fmt = Top->getString("format");
  std::optional<int64_t> Version = Top->getInteger("version");
  const json::Array *Kernels = Top->getArray("kernels");
  if (!Fmt || *Fmt != Format || !Version || !Kernels)
    return Bad("not a " + Format + ": needs \"format\": \"" + Format +
               "\", \"version\" and \"kernels\"");
  if (*Version != 1)
    return Bad("unsupported " + Format + " version " + Twine(*Version));
  SmallString<256> Base(sys::path::parent_path(IndexPath));
  if (Base.empty())
    Base = ".";
  SmallString<256> RealBase;
  if (std::error_code EC = sys::fs::real_path(Base, RealBase))
    return pathError(Base, EC.message());

  std::vector<EmbedEntry> Out;
  for (size_t I = 0; I < Kernels->size(); ++I) {
    const json::Object *K = (*Kernels)[I].getAsObject();
    std::string Where = "kernels[" + std::to_string(I) + "]";
    if (!K)
      return Bad(Where + " is not an object");
    EmbedEntry En;
    std::string File;
    std::pair<const char *, std::string *> Fields[] = {
        {"distro", &En.Id.Distro}, {"version", &En.Id.Version},
        {"arch", &En.Id.Arch},     {"release", &En.Id.Release},
        {"file", &File}};
    for (auto &[Key, Dst] : Fields) {
      std::optional<StringRef> V = K->getString(Key);
      if (!V)
        return Bad(Where + " lacks the string \"" + Key + "\"");
      *Dst = V->str();
    }
    // "file": relative, '/'-separated, no empty, '.' or '..' component.
    SmallVector<StringRef, 8> Parts;
    StringRef(File).split(Parts, '/');
    if (File.empty() || File[0] == '/' ||
        any_of(Parts, [](StringRef P) { return !validComponent(P); }))
      return Bad(Where + ": bad \"file\" '" + File +
                 "' (must be relative, without '.', '..' or empty "
                 "components)");
    En.RelPath = File;
    En.Path = (Base + "/" + File).str();
    sys::fs::file_status St;
    if (std::error_code EC = sys::fs::status(En.Path, St, /*Follow=*/false))
      return pathError(En.Path, EC.message());
    // Every component must stay in the index's directory, also through
    // symlinked directories.
    if (Error E = checkInside(En.Path, RealBase, Base))
      return E;
    Out.push_back(std::move(En));
  }
  return Out;
}

/// A C string literal for S: printable ASCII as is, everything else (and
/// '"', '\\', '?' against trigraphs) as three-digit octal escapes.
std::string cString(StringRef S) {
  std::string Out = "\"";
  for (unsigned char C : S) {
    if (C >= 0x20 && C < 0x7f && C != '"' && C != '\\' && C != '?') {
      Out += char(C);
      continue;
    }
    char Buf[5];
    snprintf(Buf, sizeof(Buf), "\\%03o", C);
    Out += Buf;
  }
  return Out + "\"";
}

/// Text of a C comment: no "*/" and no control characters.
std::string commentText(StringRef S) {
  std::string Out;
  for (char C : S)
    Out += (C < 0x20 || C == 0x7f) ? '?' : C;
  size_t P;
  while ((P = Out.find("*/")) != std::string::npos)
    Out.replace(P, 2, "*\\/");
  return Out;
}

std::string renderHeader(StringRef Symbol) {
  std::string S;
  raw_string_ostream OS(S);
  std::string Guard = "BTFGEN_EMBED_" + StringRef(Symbol).upper() + "_H";
  OS << "/* Generated by btfgen-driver embed; do not edit. */\n"
     << "#ifndef " << Guard << "\n#define " << Guard << "\n\n"
     << "#include <stddef.h>\n#include <btfgen/btfgen_runtime.h>\n\n"
     << "#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n"
     << "/* The embedded tailored BTFs, for\n"
     << " * btfgen_index_from_entries(" << Symbol << "_entries, " << Symbol
     << "_count, &idx, &err). */\n"
     << "extern const struct btfgen_entry " << Symbol << "_entries[];\n"
     << "extern const size_t " << Symbol << "_count;\n\n"
     << "#ifdef __cplusplus\n}\n#endif\n\n#endif /* " << Guard << " */\n";
  return S;
}

} // namespace

Error cmdEmbed(ArrayRef<StringRef> Args) {
  Expected<EmbedOptions> Opts = parseEmbedArgs(Args);
  if (!Opts)
    return Opts.takeError();
  const std::string &Sym = Opts->Symbol;

  sys::fs::file_status InSt;
  if (std::error_code EC = sys::fs::status(Opts->Input, InSt))
    return pathError(Opts->Input, "cannot read the tree or index to embed: " +
                                      EC.message());
  bool IsTree = InSt.type() == sys::fs::file_type::directory_file;
  // A tree written by run carries its record: its kernels are exactly that
  // run's (never a stale listing, never a foreign file). A directory
  // without one (made by hand) is walked strictly.
  std::string Record = Opts->Input + "/" + TreeRecordName;
  Expected<std::vector<EmbedEntry>> Listed =
      !IsTree                    ? listIndex(Opts->Input)
      : sys::fs::exists(Record) ? listIndex(Record, "btfgen-tree")
                                 : listTree(Opts->Input);
  if (!Listed)
    return Listed.takeError();
  std::vector<EmbedEntry> &Entries = *Listed;
  if (Entries.empty())
    return pathError(Opts->Input,
                     IsTree ? "no <distro>/<version>/<arch>/<release>.btf "
                              "file in the tree"
                            : "the index lists no kernel");

  for (const EmbedEntry &E : Entries)
    for (const std::string *C :
         {&E.Id.Distro, &E.Id.Version, &E.Id.Arch, &E.Id.Release})
      if (!validComponent(*C) || C->size() > 4095)
        return pathError(E.Path, "bad name component '" + commentText(*C) +
                                     "'");

  // The order of btfgen_index_from_entries() and of the JSON index: byte-
  // wise by (distro, version, arch, release).
  llvm::sort(Entries, [&](const EmbedEntry &A, const EmbedEntry &B) {
    return A.Id.key() < B.Id.key();
  });
  // Two entries the runtime would reject as one kernel (amd64/ vs x86_64/,
  // Debian/ vs debian/) fail here, at build time, not at start-up.
  std::map<std::tuple<std::string, std::string, std::string, std::string>,
           const EmbedEntry *>
      Seen;
  for (const EmbedEntry &E : Entries) {
    auto [It, New] =
        Seen.try_emplace({StringRef(E.Id.Distro).lower(), E.Id.Version,
                          canonicalArch(E.Id.Arch), E.Id.Release},
                         &E);
    if (!New)
      return pathError(E.Path, "same kernel as '" + It->second->Path +
                                   "' for btfgen_runtime (distro compared "
                                   "lowercase, arch canonical); remove one");
  }

  // Unique contents, numbered by first use. The map is only looked up,
  // never iterated.
  std::vector<std::string> Blobs;
  std::vector<std::vector<const EmbedEntry *>> Users;
  std::map<std::string, size_t> ByContent;
  for (EmbedEntry &E : Entries) {
    ErrorOr<std::unique_ptr<MemoryBuffer>> Buf =
        MemoryBuffer::getFile(E.Path, /*IsText=*/false,
                              /*RequiresNullTerminator=*/false);
    if (!Buf)
      return pathError(E.Path, Buf.getError().message());
    StringRef Bytes = (*Buf)->getBuffer();
    if (Expected<TypeTable> T = readBTF(MemoryBufferRef(Bytes, E.Path)); !T)
      return pathError(E.Path, "not a valid BTF file: " +
                                   toString(T.takeError()));
    auto [It, New] = ByContent.try_emplace(Bytes.str(), Blobs.size());
    if (New) {
      Blobs.push_back(Bytes.str());
      Users.emplace_back();
    }
    E.Blob = It->second;
    Users[E.Blob].push_back(&E);
  }

  size_t Total = 0;
  for (const std::string &B : Blobs)
    Total += B.size();
  std::string C;
  raw_string_ostream OS(C);
  OS << "/* Generated by btfgen-driver embed; do not edit.\n"
     << " * " << Entries.size() << " kernels, " << Blobs.size()
     << " distinct tailored BTFs, " << Total << " bytes.\n"
     << " * Use: btfgen_index_from_entries(" << Sym << "_entries, " << Sym
     << "_count, &idx, &err). */\n"
     << "#include <stddef.h>\n#include <btfgen/btfgen_runtime.h>\n\n"
     << "#if defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L\n"
     << "#define BTFGEN_EMBED_ALIGN _Alignas(8)\n#else\n"
     << "#define BTFGEN_EMBED_ALIGN __attribute__((aligned(8)))\n#endif\n";
  for (size_t B = 0; B < Blobs.size(); ++B) {
    OS << "\n/* " << Users[B].size() << " kernel(s):";
    // The kernel's names, not the file read: a tree and its index give
    // the same text.
    for (const EmbedEntry *E : Users[B])
      OS << "\n *   "
         << commentText(E->Id.Distro + "/" + E->Id.Version + "/" +
                        E->Id.Arch + "/" + E->Id.Release);
    OS << " */\nstatic BTFGEN_EMBED_ALIGN const unsigned char " << Sym
       << "_blob_" << B << "[" << Blobs[B].size() << "] = {";
    const std::string &Bytes = Blobs[B];
    for (size_t I = 0; I < Bytes.size(); ++I) {
      OS << (I % 12 ? " " : "\n  ")
         << format("0x%02x", unsigned(uint8_t(Bytes[I])))
         << (I + 1 < Bytes.size() ? "," : "");
    }
    OS << "\n};\n";
  }
  OS << "\nconst struct btfgen_entry " << Sym << "_entries[] = {\n";
  for (const EmbedEntry &E : Entries)
    OS << "  {" << cString(E.Id.Distro) << ", " << cString(E.Id.Version)
       << ", " << cString(E.Id.Arch) << ", " << cString(E.Id.Release) << ", "
       << Sym
       << "_blob_" << E.Blob << ", sizeof(" << Sym << "_blob_" << E.Blob
       << ")},\n";
  OS << "};\n\nconst size_t " << Sym << "_count = " << Entries.size()
     << ";\n";
  OS.flush();

  if (!Opts->Header.empty())
    if (Error E = writeFileAtomic(Opts->Header, renderHeader(Sym)))
      return E;
  return writeFileAtomic(Opts->Output, C);
}

} // namespace btfgen
