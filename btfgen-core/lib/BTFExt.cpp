//===- BTFExt.cpp - .BTF.ext CO-RE relocation records ---------------------===//
//
// Parses .BTF.ext as libbpf's btf_ext__new() does (src/btf.c
// btf_ext_parse_hdr, btf_ext_setup_info; layouts in src/libbpf_internal.h
// struct btf_ext_header / btf_ext_info_sec and uapi bpf.h bpf_func_info,
// bpf_line_info, bpf_core_relo):
//
//   header   magic u16, version u8, flags u8, hdr_len u32,
//            func_info_off/len, line_info_off/len u32,
//            core_relo_off/len u32 (only when hdr_len >= 32)
//   subsection (at hdr_len + off, len bytes)
//            record_size u32, then blocks until len is used up:
//            { sec_name_off u32, num_info u32, num_info * record_size bytes }
//
// A record may be larger than the fields we read (forward compatibility);
// record_size must be at least the known size and a multiple of 4. Strings
// (section names, file names, source lines, access strings) are offsets into
// the object's .BTF string section and are all range-checked.
//
//===----------------------------------------------------------------------===//

#include "btfgen/BTFExt.h"

#include "btfgen/Errors.h"

#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/Endian.h"

#include <algorithm>

using namespace llvm;

namespace btfgen {

namespace {

constexpr uint32_t MinHdrLen = 24;      // up to line_info_len
constexpr uint32_t CoreReloHdrLen = 32; // up to core_relo_len
constexpr uint32_t FuncInfoSize = 8;    // bpf_func_info
constexpr uint32_t LineInfoSize = 16;   // bpf_line_info
constexpr uint32_t CoreReloSize = 16;   // bpf_core_relo

uint32_t rd32(const char *P) { return support::endian::read32le(P); }

class ExtReader {
public:
  ExtReader(StringRef Bytes, const TypeTable &BTF, StringRef Name)
      : Bytes(Bytes), BTF(BTF), Name(Name) {}

  Expected<BTFExt> read();

private:
  using RecordFn =
      function_ref<Error(StringRef Sec, const char *Rec, uint64_t FileOff)>;
  Error readSubsection(const char *What, uint32_t Off, uint32_t Len,
                       uint32_t MinRecSize, RecordFn Fn);
  Expected<StringRef> str(uint32_t Off, const char *What, uint64_t FileOff) {
    if (Off < BTF.strings().size())
      return BTF.str(Off);
    return malformed(Name,
                     ".BTF.ext: {0} string offset {1} at offset {2} out of "
                     "range (strings {3})",
                     What, Off, FileOff, BTF.strings().size());
  }

  /// Records copy their strings, and many records may name the same long
  /// string: a 1 MB .BTF.ext once took 2.4 GB. Copies are charged against
  /// a budget of max(16 MiB, 16 x (section + string section size)), over
  /// twice what compilers emit (~7 bytes of strings per record byte).
  Error charge(uint64_t N, const char *What, uint64_t At) {
    Copied += N;
    if (Copied <= Budget)
      return Error::success();
    return malformed(Name,
                     ".BTF.ext: {0} at offset {1}: strings referenced by the "
                     "records exceed {2} bytes",
                     What, At, Budget);
  }

  StringRef Bytes;
  const TypeTable &BTF;
  StringRef Name;
  uint32_t HdrLen = 0;
  uint64_t Copied = 0;
  const uint64_t Budget =
      std::max<uint64_t>(16ull << 20, 16 * (uint64_t(Bytes.size()) +
                                             BTF.strings().size()));
};

} // namespace

Error ExtReader::readSubsection(const char *What, uint32_t Off, uint32_t Len,
                                uint32_t MinRecSize, RecordFn Fn) {
  if (Len == 0)
    return Error::success();
  uint64_t Begin = uint64_t(HdrLen) + Off, End = Begin + Len;
  if (End > Bytes.size())
    return malformed(Name,
                     ".BTF.ext: {0} section [{1}, {2}) exceeds section "
                     "size {3}",
                     What, Begin, End, Bytes.size());
  if (Off % 4)
    return malformed(Name,
                     ".BTF.ext: {0} section offset {1} is not 4-byte "
                     "aligned",
                     What, Off);
  if (Len < 4)
    return malformed(Name,
                     ".BTF.ext: {0} section is {1} bytes, too short for "
                     "the record size",
                     What, Len);
  uint32_t RecSize = rd32(Bytes.data() + Begin);
  if (RecSize < MinRecSize || RecSize % 4)
    return malformed(Name,
                     ".BTF.ext: {0} record size {1} is invalid (need a "
                     "multiple of 4, at least {2})",
                     What, RecSize, MinRecSize);
  uint64_t Pos = Begin + 4;
  while (Pos < End) {
    if (End - Pos < 8)
      return malformed(Name,
                       ".BTF.ext: {0} block header at offset {1} is "
                       "truncated",
                       What, Pos);
    uint32_t SecNameOff = rd32(Bytes.data() + Pos);
    uint32_t NumInfo = rd32(Bytes.data() + Pos + 4);
    Expected<StringRef> Sec = str(SecNameOff, "section name", Pos);
    if (!Sec)
      return Sec.takeError();
    if (NumInfo == 0)
      return malformed(Name,
                       ".BTF.ext: {0} block for section {1} at offset "
                       "{2} has no records",
                       What, quoteBounded(*Sec), Pos);
    Pos += 8;
    uint64_t Need = uint64_t(NumInfo) * RecSize;
    if (Need > End - Pos)
      return malformed(Name,
                       ".BTF.ext: {0} block for section {1}: {2} "
                       "records of {3} bytes overflow the section ({4} "
                       "bytes left)",
                       What, quoteBounded(*Sec), NumInfo, RecSize, End - Pos);
    for (uint32_t I = 0; I < NumInfo; ++I, Pos += RecSize)
      if (Error E = Fn(*Sec, Bytes.data() + Pos, Pos))
        return E;
  }
  return Error::success();
}

Expected<BTFExt> ExtReader::read() {
  using support::endian::read16le;
  if (Bytes.size() < 8)
    return malformed(Name, ".BTF.ext: truncated header ({0} bytes)",
                     Bytes.size());
  uint16_t Magic = read16le(Bytes.data());
  if (Magic == 0x9FEB)
    return malformed(Name, ".BTF.ext: big-endian .BTF.ext is not supported");
  if (Magic != BTFMagic)
    return malformed(Name, ".BTF.ext: bad magic {0:x4} (expected 0xeb9f)",
                     Magic);
  if (uint8_t(Bytes[2]) != BTFVersion)
    return malformed(Name, ".BTF.ext: unsupported version {0}",
                     unsigned(uint8_t(Bytes[2])));
  if (Bytes[3] != 0)
    return malformed(Name, ".BTF.ext: unsupported flags {0:x2}",
                     unsigned(uint8_t(Bytes[3])));
  HdrLen = rd32(Bytes.data() + 4);
  if (HdrLen < MinHdrLen)
    return malformed(Name, ".BTF.ext: hdr_len {0} is smaller than {1}", HdrLen,
                     MinHdrLen);
  if (HdrLen > Bytes.size())
    return malformed(Name, ".BTF.ext: hdr_len {0} exceeds section size {1}",
                     HdrLen, Bytes.size());
  const char *H = Bytes.data();
  uint32_t FuncOff = rd32(H + 8), FuncLen = rd32(H + 12);
  uint32_t LineOff = rd32(H + 16), LineLen = rd32(H + 20);
  uint32_t ReloOff = 0, ReloLen = 0;
  if (HdrLen >= CoreReloHdrLen) {
    ReloOff = rd32(H + 24);
    ReloLen = rd32(H + 28);
  }

  BTFExt Ext;
  if (Error E = readSubsection(
          "func_info", FuncOff, FuncLen, FuncInfoSize,
          [&](StringRef Sec, const char *R, uint64_t At) -> Error {
            if (Error E = charge(Sec.size(), "func_info", At))
              return E;
            BTFExtFuncInfo FI;
            FI.Section = Sec.str();
            FI.InsnOff = rd32(R);
            FI.Type = rd32(R + 4);
            if (!BTF.isValid(FI.Type))
              return malformed(Name,
                               ".BTF.ext: func_info at offset {0}: "
                               "type_id {1} out of range (types {2})",
                               At, FI.Type, BTF.size());
            Ext.FuncInfos.push_back(std::move(FI));
            return Error::success();
          }))
    return E;

  if (Error E = readSubsection(
          "line_info", LineOff, LineLen, LineInfoSize,
          [&](StringRef Sec, const char *R, uint64_t At) -> Error {
            BTFExtLineInfo LI;
            LI.Section = Sec.str();
            LI.InsnOff = rd32(R);
            Expected<StringRef> File = str(rd32(R + 4), "line_info file", At);
            if (!File)
              return File.takeError();
            Expected<StringRef> Line = str(rd32(R + 8), "line_info line", At);
            if (!Line)
              return Line.takeError();
            if (Error E = charge(Sec.size() + File->size() + Line->size(),
                                 "line_info", At))
              return E;
            LI.File = File->str();
            LI.Line = Line->str();
            uint32_t LineCol = rd32(R + 12);
            LI.LineNum = LineCol >> 10;
            LI.Column = LineCol & 0x3ff;
            Ext.LineInfos.push_back(std::move(LI));
            return Error::success();
          }))
    return E;

  if (Error E = readSubsection(
          "core_relo", ReloOff, ReloLen, CoreReloSize,
          [&](StringRef Sec, const char *R, uint64_t At) -> Error {
            BTFExtCoreRelo CR;
            CR.Section = Sec.str();
            CR.InsnOff = rd32(R);
            CR.Type = rd32(R + 4);
            uint32_t Kind = rd32(R + 12);
            if (!BTF.isValid(CR.Type))
              return malformed(Name,
                               ".BTF.ext: core_relo at offset {0}: "
                               "type_id {1} out of range (types {2})",
                               At, CR.Type, BTF.size());
            if (Kind >= NumCoreReloKinds)
              return malformed(Name,
                               ".BTF.ext: core_relo at offset {0}: "
                               "unknown relocation kind {1}",
                               At, Kind);
            CR.Kind = static_cast<CoreReloKind>(Kind);
            Expected<StringRef> Access =
                str(rd32(R + 8), "core_relo access", At);
            if (!Access)
              return Access.takeError();
            if (Access->empty())
              return malformed(Name,
                               ".BTF.ext: core_relo at offset {0}: "
                               "empty access string",
                               At);
            // What libbpf's bpf_core_parse_spec and the manifest format
            // (docs/manifest.md) accept: a named root type (never void) and
            // an access string N(:N)*. Found by test/fuzz/ObjectReaderFuzzer:
            // such records made manifests that readManifest rejects.
            if (CR.Type == 0)
              return malformed(Name,
                               ".BTF.ext: core_relo at offset {0}: "
                               "type_id 0 (void) cannot be a relocation root",
                               At);
            if (!isAccessString(*Access))
              return malformed(Name,
                               ".BTF.ext: core_relo at offset {0}: access "
                               "string {1} is not N(:N)*",
                               At, quoteBounded(*Access));
            if (Error E = charge(Sec.size() + Access->size(), "core_relo", At))
              return E;
            CR.Access = Access->str();
            Ext.CoreRelos.push_back(std::move(CR));
            return Error::success();
          }))
    return E;
  return Ext;
}

Expected<BTFExt> readBTFExt(StringRef Bytes, const TypeTable &BTF,
                            StringRef Name) {
  return ExtReader(Bytes, BTF, Name).read();
}

} // namespace btfgen
