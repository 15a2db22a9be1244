//===- CmdMinCoreBTF.cpp - bpftool-compatible min_core_btf ----------------===//
//
// `btfgen-driver min_core_btf INPUT OUTPUT OBJECT...` with the argument order
// and meaning of `bpftool gen min_core_btf` (bpftool src/gen.c
// do_min_core_btf): INPUT is the full kernel BTF (raw or ELF), OUTPUT the
// minimized raw BTF, OBJECTs the programs (BPF objects or btfgen manifests),
// minimized together. `gen min_core_btf ...` is the same command, so a
// script calling bpftool needs only the binary name changed. --shrink
// writes run's default (shrunk) shape instead of bpftool's.
//
//===----------------------------------------------------------------------===//

#include "Archive.h"
#include "Commands.h"
#include "KernelPipeline.h"
#include "Options.h"
#include "AnchoredDir.h"

#include "btfgen/BTFReader.h"

#include "llvm/Support/MemoryBufferRef.h"

using namespace llvm;

namespace btfgen {

Error cmdMinCoreBTF(ArrayRef<StringRef> Args) {
  bool Shrink = false;
  const OptionSpec Table[] = {{"--shrink", "", false, setFlag(Shrink)}};
  Expected<std::vector<std::string>> PositionalOr =
      parseOptions("min_core_btf", Table, Args);
  if (!PositionalOr)
    return PositionalOr.takeError();
  const std::vector<std::string> &Positional = *PositionalOr;
  if (Positional.size() < 3)
    return usageError("min_core_btf: expected INPUT OUTPUT OBJECT...");
  StringRef Input = Positional[0], Output = Positional[1];

  Expected<std::vector<Program>> Programs =
      loadPrograms(ArrayRef<std::string>(Positional).drop_front(2));
  if (!Programs)
    return Programs.takeError();

  Expected<std::string> Bytes = loadBTFFile(Input, "kernel BTF (INPUT)");
  if (!Bytes)
    return Bytes.takeError();
  Expected<TypeTable> Target = readBTFAny(MemoryBufferRef(*Bytes, Input));
  if (!Target)
    return Target.takeError();
  TypeTable &T = *Target;
  T.buildNameIndex();
  Expected<TargetResult> R =
      minimizeTarget(T, *Programs, Input, /*Verify=*/false, Shrink);
  if (!R)
    return R.takeError();
  for (const std::string &Msg : R->LoadErrorMessages)
    reportWarning(Msg + " (libbpf would fail to load this relocation)");
  return writeFileAtomic(Output, R->Bytes);
}

Error cmdGen(ArrayRef<StringRef> Args) {
  // bpftool's `gen` has other subcommands (skeleton, object, subskeleton);
  // btfgen is a drop-in for min_core_btf only.
  if (Args.empty() || Args.front() != "min_core_btf")
    return usageError("gen: only 'gen min_core_btf INPUT OUTPUT OBJECT...' "
                      "is supported (the drop-in for bpftool gen "
                      "min_core_btf)");
  return cmdMinCoreBTF(Args.drop_front());
}

} // namespace btfgen
