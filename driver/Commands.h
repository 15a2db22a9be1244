//===- Commands.h - btfgen-driver subcommands ---------------------*- C++ -*-===//
//
// The subcommand table (like bpftool's cmds[]) and what every command
// shares: argument parsing helpers, the two error classes main() turns into
// exit codes, and the per-target minimization pipeline.
//
// Exit status is decided only in main.cpp:
//   UsageError        -> 2 (bad command line; message + hint printed by main)
//   FailuresReported  -> 1 (per-input diagnostics were already printed)
//   any other Error   -> 1 (printed by main as "btfgen-driver: error: ...")
//
//===----------------------------------------------------------------------===//

#ifndef BTFGEN_DRIVER_COMMANDS_H
#define BTFGEN_DRIVER_COMMANDS_H

#include "Inputs.h"

#include "btfgen/CoreMatch.h"
#include "btfgen/TypeTable.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

#include <string>
#include <vector>

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

/// The operands of a verb that takes no options: every argument, except
/// that "--" ends option parsing and any other "-x" before it is a usage
/// error naming Verb ("-" alone is an operand).
llvm::Expected<std::vector<std::string>>
positionalArgs(llvm::StringRef Verb, llvm::ArrayRef<llvm::StringRef> Args);

using CommandFn = llvm::Error (*)(llvm::ArrayRef<llvm::StringRef> Args);

struct Command {
  const char *Name;
  CommandFn Run;
  /// One line for the COMMANDS section of the manual.
  const char *Summary;
};

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

/// If Args[I] is option Long ("--archive") or Short ("-o", may be empty),
/// in any of the forms "--archive=V", "--archive V", "-o V", "-oV", store V,
/// advance I past it and return true. A missing value is a UsageError.
llvm::Expected<bool> matchValueOption(llvm::ArrayRef<llvm::StringRef> Args,
                                      size_t &I, llvm::StringRef Long,
                                      llvm::StringRef Short,
                                      llvm::StringRef &Value);

/// True for "-h"/"--help" anywhere before "--".
bool wantsHelp(llvm::ArrayRef<llvm::StringRef> Args);

/// libbpf's conclusion for one relocation against one kernel, as kept for
/// reports, --verify and the output cache.
struct RelocRecord {
  RelocOutcome Outcome = RelocOutcome::Error;
  /// The relocated value (NewVal) for Resolved and NotFound; 0 otherwise.
  uint64_t Value = 0;
  /// TYPE_ID_TARGET, Resolved: the target type's name and BTF kind (the ID
  /// itself differs between the full and the minimized BTF).
  std::string TargetName;
  uint32_t TargetKind = 0;
  /// libbpf's reason for Error / Poisoned.
  std::string Message;
};

/// What matching one target against all programs gave.
struct TargetResult {
  std::string Bytes;       ///< minimized raw BTF
  unsigned KeptTypes = 0;  ///< types kept (excluding void)
  unsigned Resolved = 0, NotFound = 0, Poisoned = 0, LoadErrors = 0;
  /// One per relocation, programs in command-line order, each program's
  /// relocations in manifest order.
  std::vector<RelocRecord> Records;
  /// libbpf hard errors (ambiguity, ...): "prog.o: byte_off [3] 0:1: msg".
  std::vector<std::string> LoadErrorMessages;
  /// Set when the shrunk table failed its self-check and the unshrunk one
  /// was written instead (Minimize.h, BuildStatus); not cached.
  std::string ShrinkFallback;
};

/// Run every relocation of every program against Target (its name index
/// must be built) and minimize. TargetName names Target in errors. With
/// Verify, the minimized bytes are read back and every relocation is
/// matched again; any difference from the full-BTF result is an error.
/// Shrink selects MinimizeOptions::Shrink (off: bpftool's output shape).
llvm::Expected<TargetResult> minimizeTarget(const TypeTable &Target,
                                            llvm::ArrayRef<Program> Programs,
                                            llvm::StringRef TargetName,
                                            bool Verify = false,
                                            bool Shrink = true);

/// Recompute Counts and LoadErrorMessages of R from R.Records (used after
/// reading a result back from the cache, where paths may differ).
void recountResult(TargetResult &R, llvm::ArrayRef<Program> Programs,
                   llvm::StringRef TargetName);

/// Serialize / parse a TargetResult (Bytes, KeptTypes, Records) for the
/// output cache. parse fails on any inconsistency, including a record
/// count that does not match Programs.
std::string serializeResult(const TargetResult &R);
llvm::Expected<TargetResult> parseResult(llvm::StringRef Payload,
                                         llvm::ArrayRef<Program> Programs,
                                         llvm::StringRef TargetName);

/// Total number of relocations over Programs.
size_t countRelocs(llvm::ArrayRef<Program> Programs);

/// Load all program inputs (on up to Jobs threads); every failure is
/// printed, in argument order. Returns FailuresReported if any failed.
llvm::Expected<std::vector<Program>>
loadPrograms(llvm::ArrayRef<std::string> Paths, unsigned Jobs = 1);

/// Print "btfgen-driver: error: " + Msg on stderr.
void reportError(const llvm::Twine &Msg);
void reportWarning(const llvm::Twine &Msg);

// The commands.
llvm::Error runArchiveCommand(llvm::ArrayRef<llvm::StringRef> Args);
llvm::Error runDumpCommand(llvm::ArrayRef<llvm::StringRef> Args);
llvm::Error runMinCoreBTFCommand(llvm::ArrayRef<llvm::StringRef> Args);
llvm::Error runManifestCommand(llvm::ArrayRef<llvm::StringRef> Args);
llvm::Error runEmbedCommand(llvm::ArrayRef<llvm::StringRef> Args);
llvm::Error runHelpCommand(llvm::ArrayRef<llvm::StringRef> Args);

} // namespace btfgen

#endif // BTFGEN_DRIVER_COMMANDS_H
