//===- Commands.h - btfgen-driver subcommands ---------------------*- C++ -*-===//
//
// The subcommand table (like bpftool's cmds[]) and what every command
// shares: the two error classes main() turns into exit codes and the
// diagnostics helpers. Options are parsed by Options.h.
//
// Exit status is decided only in main.cpp:
//   UsageError        -> 2 (bad command line; message + hint printed by main)
//   FailuresReported  -> 1 (per-input diagnostics were already printed)
//   any other Error   -> 1 (printed by main as "btfgen-driver: error: ...")
//
//===----------------------------------------------------------------------===//

#ifndef BTFGEN_DRIVER_COMMANDS_H
#define BTFGEN_DRIVER_COMMANDS_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

#include <string>

namespace btfgen {

constexpr const char *ToolName = "btfgen-driver";

/// A bad command line.
class UsageError : public llvm::ErrorInfo<UsageError> {
public:
  static char ID;
  explicit UsageError(std::string Msg) : Msg(std::move(Msg)) {}
  void log(llvm::raw_ostream &OS) const override { OS << Msg; }
  std::error_code convertToErrorCode() const override {
    return llvm::inconvertibleErrorCode();
  }

private:
  std::string Msg;
};

/// Some inputs failed; each was already reported on stderr.
class FailuresReported : public llvm::ErrorInfo<FailuresReported> {
public:
  static char ID;
  explicit FailuresReported(size_t N) : Count(N) {}
  void log(llvm::raw_ostream &OS) const override {
    OS << Count << " input(s) failed";
  }
  std::error_code convertToErrorCode() const override {
    return llvm::inconvertibleErrorCode();
  }
  size_t count() const { return Count; }

private:
  size_t Count;
};

llvm::Error usageError(const llvm::Twine &Msg);

using CommandFn = llvm::Error (*)(llvm::ArrayRef<llvm::StringRef> Args);

struct Command {
  const char *Name;
  CommandFn Run;
  /// One line for the COMMANDS section of the manual.
  const char *Summary;
};

/// Every command, in manual order.
llvm::ArrayRef<Command> commands();

/// The command named Name, or nullptr.
const Command *findCommand(llvm::StringRef Name);

/// The default command ("run") used when the first argument is not a verb.
const Command &defaultCommand();

/// "run, embed, dump, min_core_btf, manifest, help" (table order).
std::string commandList();

/// The whole-tool manual (--help, `help`).
void printHelp(llvm::raw_ostream &OS);

/// The page of one command (`CMD --help`, `help CMD`); false if Name is
/// not a command.
bool printCommandHelp(llvm::StringRef Name, llvm::raw_ostream &OS);

void printVersion(llvm::raw_ostream &OS);

/// Print "btfgen-driver: error: " + Msg on stderr.
void reportError(const llvm::Twine &Msg);
void reportWarning(const llvm::Twine &Msg);

// The commands, one file each (CmdRun.cpp, ...).
llvm::Error cmdRun(llvm::ArrayRef<llvm::StringRef> Args);
llvm::Error cmdEmbed(llvm::ArrayRef<llvm::StringRef> Args);
llvm::Error cmdDump(llvm::ArrayRef<llvm::StringRef> Args);
llvm::Error cmdMinCoreBTF(llvm::ArrayRef<llvm::StringRef> Args);
llvm::Error cmdCache(llvm::ArrayRef<llvm::StringRef> Args);
llvm::Error cmdGen(llvm::ArrayRef<llvm::StringRef> Args);
llvm::Error cmdManifest(llvm::ArrayRef<llvm::StringRef> Args);
llvm::Error cmdHelp(llvm::ArrayRef<llvm::StringRef> Args);

} // namespace btfgen

#endif // BTFGEN_DRIVER_COMMANDS_H
