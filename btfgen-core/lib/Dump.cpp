//===- Dump.cpp - Canonical text dump of BTF ------------------------------===//
//
// Reproduces `bpftool btf dump file F` (format raw) of bpftool 7.1 byte for
// byte: one header line per type, `[id] KIND 'name'` plus kind-specific
// fields, then one TAB-indented line per member/param/value/var. The layout
// follows bpftool's dump_btf_type() (tools/bpf/bpftool/btf.c) and is checked
// against the installed bpftool by DumpTest.
//
//===----------------------------------------------------------------------===//

#include "btfgen/Dump.h"

using namespace llvm;

namespace btfgen {

namespace {

/// bpftool's btf_str(): offset 0 is "(anon)", an offset outside the string
/// section "(invalid)".
StringRef dumpStr(const TypeTable &T, StrOffset Off) {
  if (Off == 0)
    return "(anon)";
  if (Off >= T.strings().size())
    return "(invalid)";
  return T.str(Off);
}

/// bpftool prints unknown encodings and linkages this way.
const char *encodingOrUnknown(uint32_t Enc) {
  const char *N = intEncodingName(Enc);
  return N ? N : "UNKN";
}

const char *linkageOrUnknown(uint32_t L) {
  const char *N = linkageName(L);
  return N ? N : "(unknown)";
}

} // namespace

void dumpType(const TypeTable &T, TypeId Id, raw_ostream &OS) {
  const BTFType &Ty = T.type(Id);
  const Kind K = Ty.kind();
  OS << '[' << Id << "] " << kindName(K) << " '" << dumpStr(T, Ty.NameOff)
     << '\'';
  const uint32_t Vlen = Ty.vlen();
  ArrayRef<uint32_t> D = T.data(Id);

  switch (K) {
  case Kind::Int: {
    uint32_t W = D[0];
    OS << " size=" << Ty.SizeOrType << " bits_offset=" << intOffset(W)
       << " nr_bits=" << intBits(W)
       << " encoding=" << encodingOrUnknown(intEncoding(W));
    break;
  }
  case Kind::Ptr:
  case Kind::Const:
  case Kind::Volatile:
  case Kind::Restrict:
  case Kind::Typedef:
  case Kind::TypeTag:
    OS << " type_id=" << Ty.SizeOrType;
    break;
  case Kind::Array: {
    const BTFArray &A = T.array(Id);
    OS << " type_id=" << A.ElemType << " index_type_id=" << A.IndexType
       << " nr_elems=" << A.NElems;
    break;
  }
  case Kind::Struct:
  case Kind::Union: {
    OS << " size=" << Ty.SizeOrType << " vlen=" << Vlen;
    bool KFlag = Ty.kflag();
    for (const BTFMember &M : T.members(Id)) {
      OS << "\n\t'" << dumpStr(T, M.NameOff) << "' type_id=" << M.Type
         << " bits_offset=" << memberBitOffset(KFlag, M);
      if (uint32_t BitSize = memberBitfieldSize(KFlag, M))
        OS << " bitfield_size=" << BitSize;
    }
    break;
  }
  case Kind::Enum: {
    bool Signed = Ty.kflag();
    OS << " encoding=" << (Signed ? "SIGNED" : "UNSIGNED")
       << " size=" << Ty.SizeOrType << " vlen=" << Vlen;
    for (const BTFEnum &E : T.enums(Id)) {
      OS << "\n\t'" << dumpStr(T, E.NameOff) << "' val=";
      if (Signed)
        OS << E.Val;
      else
        OS << uint32_t(E.Val);
    }
    break;
  }
  case Kind::Enum64: {
    bool Signed = Ty.kflag();
    OS << " encoding=" << (Signed ? "SIGNED" : "UNSIGNED")
       << " size=" << Ty.SizeOrType << " vlen=" << Vlen;
    for (const BTFEnum64 &E : T.enums64(Id)) {
      uint64_t V = (uint64_t(E.ValHi32) << 32) | E.ValLo32;
      OS << "\n\t'" << dumpStr(T, E.NameOff) << "' val=";
      if (Signed)
        OS << int64_t(V) << "LL";
      else
        OS << V << "ULL";
    }
    break;
  }
  case Kind::Fwd:
    OS << " fwd_kind=" << (Ty.kflag() ? "union" : "struct");
    break;
  case Kind::Func:
    OS << " type_id=" << Ty.SizeOrType << " linkage=" << linkageOrUnknown(Vlen);
    break;
  case Kind::FuncProto:
    OS << " ret_type_id=" << Ty.SizeOrType << " vlen=" << Vlen;
    for (const BTFParam &P : T.params(Id))
      OS << "\n\t'" << dumpStr(T, P.NameOff) << "' type_id=" << P.Type;
    break;
  case Kind::Var:
    OS << " type_id=" << Ty.SizeOrType
       << ", linkage=" << linkageOrUnknown(T.varLinkage(Id));
    break;
  case Kind::Datasec:
    OS << " size=" << Ty.SizeOrType << " vlen=" << Vlen;
    for (const BTFVarSecinfo &V : T.secinfos(Id)) {
      OS << "\n\ttype_id=" << V.Type << " offset=" << V.Offset
         << " size=" << V.Size;
      if (T.isValid(V.Type))
        OS << " (" << kindName(T.kind(V.Type)) << " '"
           << dumpStr(T, T.type(V.Type).NameOff) << "')";
    }
    break;
  case Kind::Float:
    OS << " size=" << Ty.SizeOrType;
    break;
  case Kind::DeclTag:
    OS << " type_id=" << Ty.SizeOrType
       << " component_idx=" << T.declTagComponent(Id);
    break;
  case Kind::Unknown:
    break;
  }
  OS << '\n';
}

void dumpBTF(const TypeTable &T, raw_ostream &OS) {
  for (TypeId Id = 1, N = T.size(); Id < N; ++Id)
    dumpType(T, Id, OS);
}

} // namespace btfgen
