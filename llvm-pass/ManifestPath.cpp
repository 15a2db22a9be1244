//===- ManifestPath.cpp - Where the plugin writes its manifest ------------===//
//
// The pass runs inside clang (or opt); the object file name is not in the
// Module (getSourceFileName() is the input), so it is read from the
// process's own command line. /proc/self/cmdline reports size 0, hence
// getFileAsStream.
//
//===----------------------------------------------------------------------===//

#include "ManifestPath.h"
#include "PluginOptions.h"

#include "llvm/Support/Allocator.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/StringSaver.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <cstdlib>
#include <cstring>

using namespace llvm;

namespace btfgen {

std::string findOutputArg(const std::vector<std::string> &Args) {
  std::string Out;
  for (size_t I = 1; I < Args.size(); ++I) {
    StringRef A = Args[I];
    if ((A == "-o" || A == "--output") && I + 1 < Args.size())
      Out = Args[++I];
    else if (A.starts_with("--output="))
      Out = A.drop_front(strlen("--output=")).str();
    else if (A.starts_with("-o") && A.size() > 2 && !A.starts_with("-objc") &&
             !A.starts_with("-object"))
      Out = A.drop_front(2).str();
  }
  return Out;
}

std::vector<std::string> readSelfCmdline() {
  std::vector<std::string> Args;
  ErrorOr<std::unique_ptr<MemoryBuffer>> Buf =
      MemoryBuffer::getFileAsStream("/proc/self/cmdline");
  if (!Buf)
    return Args;
  StringRef Rest = (*Buf)->getBuffer();
  while (!Rest.empty()) {
    auto [Arg, Tail] = Rest.split('\0');
    Args.push_back(Arg.str());
    Rest = Tail;
  }
  // `clang @args.rsp`: the -o may be inside a response file (GNU quoting,
  // as clang reads them on Linux). Nested files are expanded once.
  BumpPtrAllocator Alloc;
  StringSaver Saver(Alloc);
  std::vector<std::string> Expanded;
  for (size_t I = 0; I < Args.size(); ++I) {
    StringRef A = Args[I];
    ErrorOr<std::unique_ptr<MemoryBuffer>> Rsp =
        I > 0 && A.starts_with("@") ? MemoryBuffer::getFile(A.drop_front())
                                    : ErrorOr<std::unique_ptr<MemoryBuffer>>(
                                          std::error_code());
    if (I == 0 || !A.starts_with("@") || !Rsp) {
      Expanded.push_back(Args[I]);
      continue;
    }
    SmallVector<const char *, 32> Toks;
    cl::TokenizeGNUCommandLine((*Rsp)->getBuffer(), Saver, Toks);
    for (const char *T : Toks)
      if (T)
        Expanded.push_back(T);
  }
  return Expanded;
}

static std::string defaultObjectFor(StringRef Source) {
  if (Source.empty() || Source == "-")
    return "-.o";
  SmallString<128> Obj(sys::path::stem(Source));
  Obj += ".o";
  return std::string(Obj);
}

ManifestTarget chooseManifestTarget(StringRef Source) {
  ManifestTarget T;
  std::vector<std::string> Args = readSelfCmdline();
  T.Object = findOutputArg(Args);
  bool ObjectFromArgs = !T.Object.empty();
  // `-o -` writes the object to stdout: there is nothing to sit beside.
  if (T.Object == "-")
    T.Object.clear(), ObjectFromArgs = false;
  std::string Base = ObjectFromArgs ? T.Object : defaultObjectFor(Source);
  if (!ObjectFromArgs && !Args.empty() &&
      sys::path::filename(Args[0]).contains("clang"))
    T.Object = Base; // clang's implicit -o

  if (!manifestPathOption().empty()) {
    T.Path = manifestPathOption();
    return T;
  }
  if (const char *Env = std::getenv("BTFGEN_MANIFEST"); Env && *Env) {
    StringRef E(Env);
    if (E.ends_with("/") || sys::fs::is_directory(E)) {
      SmallString<256> P(E);
      sys::path::append(P, sys::path::filename(Base) + ".btfgen.json");
      T.Path = std::string(P);
    } else {
      T.Path = E.str();
    }
    return T;
  }
  T.Path = Base + ".btfgen.json";
  return T;
}

} // namespace btfgen
