//===- main.cpp - btfgen-driver entry point -------------------------------===//
//
// Picks the subcommand (the first argument if it names one, else "run") and
// turns its result into the exit status: 0 success, 1 an input or kernel
// failed, 2 usage error. This is the only place that decides exit codes;
// the one exception is SIGINT/SIGTERM/SIGHUP, after which the process
// removes its temporary files and dies of that signal (shell status
// 128 + signal; TempFiles.h, installInterruptHandler).
// Also the help dispatch: `--help` (whole manual), `CMD --help` (that
// command's page; `help CMD` is the same), and the "not a command" error
// for a first argument that looks like a mistyped command.
//
//===----------------------------------------------------------------------===//

#include "Commands.h"
#include "Options.h"
#include "TempFiles.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

#include <optional>
#include <string>
#include <vector>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

using namespace llvm;
using namespace btfgen;

/// A word that reads like a command name ("bogus", "min-core-btf"), as
/// opposed to a path ("x.o", "dir/prog", "-").
static bool looksLikeCommand(StringRef A) {
  if (A.empty() || !isAlpha(A.front()))
    return false;
  return llvm::all_of(A, [](char C) {
    return isAlnum(C) || C == '_' || C == '-';
  });
}

/// Anything at Path, even a dangling symlink (run then reports it).
static bool pathExists(StringRef Path) {
  sys::fs::file_status St;
  return !sys::fs::status(Path, St, /*Follow=*/false) &&
         St.type() != sys::fs::file_type::file_not_found;
}

int main(int Argc, char **Argv) {
#if defined(__GLIBC__)
  // Every kernel allocates (and frees) tens of MiB: decoded BTF, type
  // tables, name indexes. glibc serves such blocks with mmap/munmap by
  // default, so each kernel re-faults (and the kernel re-zeroes) all of
  // them: on the 64-kernel corpus that was ~60% of the CPU of a warm run.
  // Keep them in the heap and reuse the pages instead.
  mallopt(M_MMAP_THRESHOLD, 256 << 20);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
#endif
  InitLLVM X(Argc, Argv);
  // After InitLLVM (it installs LLVM's handlers), before any thread.
  installInterruptHandler(ToolName);
  // https://no-color.org: set and non-empty disables colored prefixes.
  if (std::optional<std::string> NoColor = sys::Process::GetEnv("NO_COLOR"))
    if (!NoColor->empty()) {
      errs().enable_colors(false);
      outs().enable_colors(false);
    }
  std::vector<StringRef> Args(Argv + 1, Argv + Argc);
  if (!Args.empty() && (Args[0] == "-h" || Args[0] == "--help")) {
    printHelp(outs());
    return 0;
  }
  if (!Args.empty() && Args[0] == "--version") {
    printVersion(outs());
    return 0;
  }

  const Command *Cmd = Args.empty() ? nullptr : findCommand(Args[0]);
  ArrayRef<StringRef> CmdArgs(Args);
  // Where a usage error points: the named command's page, else the manual.
  std::string HelpHint = std::string(ToolName) + " --help";
  if (Cmd) {
    CmdArgs = CmdArgs.drop_front();
    HelpHint = std::string(ToolName) + " " + Cmd->Name + " --help";
  } else {
    // `btfgen-driver bogus`: without this, "bogus" would be an INPUT of run
    // and fail as a missing file, which hides the typo.
    if (!Args.empty() && looksLikeCommand(Args[0]) && !pathExists(Args[0])) {
      WithColor::error(errs(), ToolName)
          << "'" << Args[0] << "': no such file, and not a command (commands: "
          << commandList() << "); see '" << ToolName << " --help'\n";
      return 2;
    }
    Cmd = &defaultCommand();
  }
  if (wantsHelp(CmdArgs)) {
    printCommandHelp(Cmd->Name, outs());
    return 0;
  }

  int Status = 0;
  handleAllErrors(
      Cmd->Run(CmdArgs),
      [&](const UsageError &E) {
        WithColor::error(errs(), ToolName) << E.message() << "\n";
        errs() << "Run '" << HelpHint << "' for usage.\n";
        Status = 2;
      },
      [&](const FailuresReported &) { Status = 1; },
      [&](const ErrorInfoBase &E) {
        WithColor::error(errs(), ToolName) << E.message() << "\n";
        Status = 1;
      });
  return Status;
}
