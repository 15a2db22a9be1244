//===- Inputs.cpp - Programs given to the driver --------------------------===//
//
// Content sniffing and up-front validation of program inputs.
//
//===----------------------------------------------------------------------===//

#include "Inputs.h"
#include "AnchoredDir.h"
#include "Commands.h"
#include "Parallel.h"

#include "btfgen/BTFReader.h"
#include "btfgen/CoreMatch.h"
#include "btfgen/ObjectReader.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/BLAKE3.h"
#include "llvm/Support/MemoryBuffer.h"

#include <optional>

using namespace llvm;

namespace btfgen {

namespace {

constexpr uint16_t EMachineBPF = 247;

/// e_machine of an ELF image, if its header is there.
std::optional<uint16_t> elfMachine(StringRef Bytes) {
  if (Bytes.size() < 20)
    return std::nullopt;
  bool Little = Bytes[5] == 1; // EI_DATA: ELFDATA2LSB
  uint8_t Lo = uint8_t(Bytes[18]), Hi = uint8_t(Bytes[19]);
  return Little ? uint16_t(Lo | Hi << 8) : uint16_t(Hi | Lo << 8);
}

/// An object input: its programs (for verdicts) and its manifest, from one
/// parse. If its programs cannot be linked as libbpf links them, the
/// manifest alone is still good for tailoring; verdicts will say why not.
Error readObjectInput(MemoryBufferRef Ref, Program &P) {
  P.IsObject = true;
  Expected<BPFObject> Obj = readBPFObjectPrograms(Ref);
  if (Obj) {
    P.M = Obj->M;
    P.Object = std::make_shared<const BPFObject>(std::move(*Obj));
    return Error::success();
  }
  P.ObjectError = toString(Obj.takeError());
  Expected<Manifest> M = readBPFObject(Ref);
  if (!M)
    return M.takeError();
  P.M = std::move(*M);
  return Error::success();
}

/// Why an input with no CO-RE relocation adds nothing, and how to compile
/// one that does.
std::string noRelocMessage(const Program &P) {
  return "'" + P.Path + "': no CO-RE relocation" +
         (P.IsObject ? std::string(" (the object has no .BTF.ext CO-RE "
                                   "records: compile with clang "
                                   "--target=bpf -g -O2, and access kernel "
                                   "types through BPF_CORE_READ() or "
                                   "preserve_access_index types)")
                     : std::string());
}

/// A run whose inputs have no CO-RE relocation at all has nothing to tailor
/// for: refuse it. One such input among others (bcc's cpufreq beside its
/// CO-RE tools) needs no kernel BTF; bpftool gen min_core_btf skips it too
/// (btfgen_record_obj in tools/bpf/bpftool/gen.c returns early when
/// core_relo_info is empty), so say so and go on. Returns the number of
/// inputs refused.
size_t checkTailorable(ArrayRef<Program> Programs) {
  if (countRelocs(Programs) != 0) {
    for (const Program &P : Programs)
      if (P.M.Relocs.empty())
        reportWarning(noRelocMessage(P) +
                      "; it needs no kernel BTF and adds nothing to the "
                      "tailored files");
    return 0;
  }
  for (const Program &P : Programs)
    reportError(noRelocMessage(P) + ", nothing to tailor BTF for");
  return Programs.size();
}

} // namespace

Expected<Program> loadProgram(StringRef Path) {
  auto Fail = [&](const Twine &Msg) {
    return createStringError(inconvertibleErrorCode(), "'" + Path + "': " + Msg);
  };
  Expected<std::unique_ptr<MemoryBuffer>> Buf =
      readInputBytes(Path, "program input");
  if (!Buf)
    return Buf.takeError();
  StringRef Bytes = (*Buf)->getBuffer();
  MemoryBufferRef Ref(Bytes, Path);

  Program P;
  P.Path = Path.str();
  P.Digest = BLAKE3::hash(arrayRefFromStringRef(Bytes));
  StringRef Trimmed = Bytes.ltrim(" \t\r\n");
  if (Trimmed.starts_with("{")) {
    Expected<Manifest> M = readManifest(Ref);
    if (!M)
      return M.takeError();
    P.M = std::move(*M);
    // A version 2 manifest's code gives the programs object mode reads.
    if (P.M.Code) {
      Expected<BPFObject> Obj = programsFromCode(P.M, Path);
      if (!Obj)
        return Obj.takeError();
      P.Object = std::make_shared<const BPFObject>(std::move(*Obj));
      P.M.Code.reset(); // the object holds what verdicts need
    }
  } else if (isELF(Bytes)) {
    if (std::optional<uint16_t> Machine = elfMachine(Bytes);
        Machine && *Machine != EMachineBPF)
      return Fail("not a BPF object (ELF machine " + Twine(*Machine) +
                  "); compile the BPF program with clang --target=bpf -g "
                  "-O2 -c");
    if (Error E = readObjectInput(Ref, P))
      return std::move(E);
  } else {
    return Fail("not a btfgen manifest (JSON) or a BPF object (ELF)");
  }

  for (const CoreRelocation &R : P.M.Relocs) {
    Expected<CoreSpec> S =
        parseCoreSpec(P.M.Types, R.LocalType, R.Kind, R.Access);
    if (!S)
      return Fail(Twine("relocation ") + reloKindName(R.Kind) + " type [" +
                  Twine(R.LocalType) + "] access '" + R.Access +
                  "': " + toString(S.takeError()));
  }
  return P;
}

Expected<std::vector<Program>> loadPrograms(ArrayRef<std::string> Paths,
                                            unsigned Jobs, bool Tailoring) {
  // Objects are independent and parsing one is not cheap: parse them in
  // parallel, then report failures in command-line order.
  std::vector<std::optional<Program>> Slots(Paths.size());
  std::vector<std::string> Errors(Paths.size());
  parallelForEachIndex(Paths.size(), Jobs, [&](size_t I) {
    Expected<Program> Prog = loadProgram(Paths[I]);
    if (Prog)
      Slots[I] = std::move(*Prog);
    else
      Errors[I] = toString(Prog.takeError());
  });
  std::vector<Program> Programs;
  Programs.reserve(Paths.size());
  size_t Failed = 0;
  for (size_t I = 0; I < Paths.size(); ++I) {
    if (!Slots[I]) {
      reportError(Errors[I]);
      ++Failed;
      continue;
    }
    Programs.push_back(std::move(*Slots[I]));
  }
  if (Failed)
    return make_error<FailuresReported>(Failed);
  if (Tailoring)
    if (size_t Refused = checkTailorable(Programs))
      return make_error<FailuresReported>(Refused);
  return Programs;
}

size_t countRelocs(ArrayRef<Program> Programs) {
  size_t N = 0;
  for (const Program &P : Programs)
    N += P.M.Relocs.size();
  return N;
}

} // namespace btfgen
