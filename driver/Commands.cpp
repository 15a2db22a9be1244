//===- Commands.cpp - btfgen-driver subcommands ---------------------------===//
//
// The command table, the two error classes main() maps to exit codes, and
// the `help` verb. The manual text is in HelpPages.cpp, option parsing in
// Options.cpp, the per-kernel pipeline in KernelPipeline.cpp.
//
//===----------------------------------------------------------------------===//

#include "Commands.h"

#include "llvm/Config/llvm-config.h"
#include "llvm/Support/WithColor.h"

using namespace llvm;

namespace btfgen {

char UsageError::ID;
char FailuresReported::ID;

Error usageError(const Twine &Msg) {
  return make_error<UsageError>(Msg.str());
}

void reportError(const Twine &Msg) {
  WithColor::error(errs(), ToolName) << Msg << "\n";
}

void reportWarning(const Twine &Msg) {
  WithColor::warning(errs(), ToolName) << Msg << "\n";
}

static const Command Commands[] = {
    {"run", cmdRun,
     "minimize every kernel BTF of a BTFHub-layout archive (default)"},
    {"embed", cmdEmbed,
     "write a tailored tree as a C source file to link into a program"},
    {"dump", cmdDump, "print BTF like `bpftool btf dump file`"},
    {"min_core_btf", cmdMinCoreBTF,
     "minimize one kernel BTF like `bpftool gen min_core_btf`"},
    {"gen", cmdGen, "`gen min_core_btf ...`: the same, in bpftool's words"},
    {"manifest", cmdManifest,
     "list the CO-RE relocations of a manifest or BPF object"},
    {"cache", cmdCache, "show or trim the cache of run"},
    {"help", cmdHelp, "print this manual, or the page of one command"},
};

ArrayRef<Command> commands() { return Commands; }

const Command *findCommand(StringRef Name) {
  for (const Command &C : Commands)
    if (Name == C.Name)
      return &C;
  return nullptr;
}

const Command &defaultCommand() { return Commands[0]; }

std::string commandList() {
  std::string S;
  for (const Command &C : Commands) {
    if (!S.empty())
      S += ", ";
    S += C.Name;
  }
  return S;
}

void printVersion(raw_ostream &OS) {
  OS << ToolName << " 0.1.0 (LLVM " << LLVM_VERSION_STRING << ")\n";
}

Error cmdHelp(ArrayRef<StringRef> Args) {
  if (Args.empty()) {
    printHelp(outs());
    return Error::success();
  }
  if (Args.size() > 1)
    return usageError("help: expected at most one COMMAND");
  if (!printCommandHelp(Args[0], outs()))
    return usageError("help: unknown command '" + Args[0] +
                      "' (commands: " + commandList() + ")");
  return Error::success();
}

} // namespace btfgen
