//===- main.cpp - btfgen-driver entry point -------------------------------===//
//
// Picks the subcommand (the first argument if it names one, else "run") and
// turns its result into the exit status: 0 success, 1 an input or kernel
// failed, 2 usage error. This is the only place that decides exit codes.
//
//===----------------------------------------------------------------------===//

#include "Commands.h"

#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

#include <vector>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

using namespace llvm;
using namespace btfgen;

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
  std::vector<StringRef> Args(Argv + 1, Argv + Argc);
  if (!Args.empty() && (Args[0] == "-h" || Args[0] == "--help" ||
                        Args[0] == "help")) {
    printHelp(outs());
    return 0;
  }
  if (!Args.empty() && Args[0] == "--version") {
    printVersion(outs());
    return 0;
  }

  const Command *Cmd = Args.empty() ? nullptr : findCommand(Args[0]);
  ArrayRef<StringRef> CmdArgs(Args);
  if (Cmd)
    CmdArgs = CmdArgs.drop_front();
  else
    Cmd = &defaultCommand();

  int Status = 0;
  handleAllErrors(
      Cmd->Run(CmdArgs),
      [&](const UsageError &E) {
        WithColor::error(errs(), ToolName) << E.message() << "\n";
        errs() << "Run '" << ToolName << " --help' for usage.\n";
        Status = 2;
      },
      [&](const FailuresReported &) { Status = 1; },
      [&](const ErrorInfoBase &E) {
        WithColor::error(errs(), ToolName) << E.message() << "\n";
        Status = 1;
      });
  return Status;
}
