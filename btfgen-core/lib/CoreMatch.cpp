//===- CoreMatch.cpp - libbpf-exact CO-RE relocation matching -------------===//
//
// A re-implementation (not a copy) of the CO-RE algorithm of libbpf v1.1.2
// (Debian libbpf 1:1.1.2-0+deb12u1, src/relo_core.c and src/libbpf.c; the
// same code is tools/lib/bpf/relo_core.c of Linux 6.1). Every function below
// names the libbpf function whose behaviour it reproduces.
//
// The pipeline for one relocation R = (kind, local root, access string):
//
//   1. candidates  libbpf.c bpf_core_find_cands()/bpf_core_add_cands(): all
//                  target types with the local root's essential name
//                  ("task_struct___v1" -> "task_struct") and a
//                  core-compatible kind, in increasing ID order;
//   2. local spec  relo_core.c bpf_core_parse_spec(): the access string
//                  "0:1:2" as a raw spec (one index per step, anonymous
//                  members included) and a high-level spec (named members,
//                  array indices), plus the field bit offset;
//   3. matching    bpf_core_spec_match(): replays the high-level spec on each
//                  candidate by member *name* (searching anonymous members
//                  recursively, bpf_core_match_member()) and checks kinds
//                  (bpf_core_fields_are_compat / types_are_compat /
//                  types_match, in CoreCompat.cpp);
//   4. values      bpf_core_calc_relo(): the original (local) and new
//                  (target) value of the instruction;
//   5. agreement   bpf_core_calc_relo_insn(): every matching candidate must
//                  give the same bit offset, poison flag and new value.
//
// Worked example: local `struct s { int a; struct { int b; }; }`, access
// "0:1:0" (s->b). Raw spec [0,1,0]; high-level spec [s[0], .b]. Against a
// kernel `struct s { long x; int b; }`, member b is found directly at index
// 1, bit offset 64, so FIELD_BYTE_OFFSET relocates 4 -> 8.
//
// Malformed input where libbpf 1.1.2 has undefined behaviour (negative access
// indices, a zero-sized bitfield base type) is an error here instead.
//===----------------------------------------------------------------------===//

#include "btfgen/CoreMatch.h"

#include "CoreCompat.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FormatVariadic.h"

using namespace llvm;
using namespace btfgen::detail;

namespace btfgen {

namespace {

/// libbpf btf__resolve_size() as relo_core.c uses it: <0 on error.
int64_t resolveSize(const TypeTable &T, TypeId Id) {
  if (!T.isValid(Id))
    return ErrInval;
  int64_t Sz = T.resolveSize(Id);
  return Sz < 0 ? ErrInval : Sz;
}

/// The 32-bit word that follows type Id's common record in the raw BTF
/// layout (header | types | strings). libbpf 1.1.2's FIELD_SIGNED applies
/// btf_int_encoding() to any field type, reading this word even for
/// non-INT types (fixed upstream after 1.1 by checking btf_is_int()).
uint32_t wordAfterType(const TypeTable &T, TypeId Id) {
  ArrayRef<uint32_t> D = T.data(Id);
  if (!D.empty())
    return D[0];
  if (Id + 1 < T.size())
    return T.type(Id + 1).NameOff;
  // The last type: the string section follows the type section.
  const std::string &S = T.strings();
  uint32_t W = 0;
  for (unsigned I = 0; I < 4 && I < S.size(); ++I)
    W |= uint32_t(uint8_t(S[I])) << (8 * I);
  return W;
}

/// libbpf btf_int_encoding() on a type of any kind (see wordAfterType).
uint32_t intEncodingOf(const TypeTable &T, TypeId Id) {
  return intEncoding(wordAfterType(T, Id));
}

//===----------------------------------------------------------------------===//
// Specs (relo_core.c bpf_core_parse_spec / bpf_core_spec_match)
//===----------------------------------------------------------------------===//

/// libbpf is_flex_arr(): an array of 0 elements that is the last member of
/// the enclosing struct, where Prev is the accessor of that member.
bool isFlexArray(const TypeTable &T, const CoreAccessor *Prev,
                 const BTFArray &A) {
  if (!Prev || Prev->Name.empty() || A.NElems > 0)
    return false;
  return Prev->Idx == T.vlen(Prev->Type) - 1;
}

/// Parse "0:1:2" like libbpf's sscanf("%d%n") loop. Returns an error string
/// or the indices.
Expected<SmallVector<int64_t, 8>> parseAccessString(StringRef Access) {
  SmallVector<int64_t, 8> Out;
  if (Access.empty() || Access.front() == ':')
    return createStringError(inconvertibleErrorCode(),
                             "invalid access string '%s'",
                             Access.str().c_str());
  StringRef S = Access;
  while (!S.empty()) {
    if (S.front() == ':')
      S = S.drop_front();
    // %d: optional whitespace and sign, then digits.
    StringRef Rest = S.ltrim(" \t\n\v\f\r");
    size_t Len = 0;
    if (!Rest.empty() && (Rest[0] == '-' || Rest[0] == '+'))
      ++Len;
    size_t Digits = 0;
    while (Len + Digits < Rest.size() && isDigit(Rest[Len + Digits]))
      ++Digits;
    int64_t V;
    if (Digits == 0 || Rest.take_front(Len + Digits).getAsInteger(10, V) ||
        V > INT32_MAX || V < INT32_MIN)
      return createStringError(inconvertibleErrorCode(),
                               "invalid access string '%s'",
                               Access.str().c_str());
    if (Out.size() == CoreSpecMaxLen)
      return createStringError(inconvertibleErrorCode(),
                               "access string '%s' longer than %u",
                               Access.str().c_str(), CoreSpecMaxLen);
    Out.push_back(V);
    S = Rest.drop_front(Len + Digits);
  }
  return Out;
}

Error specError(const TypeTable &Local, TypeId Root, StringRef Access,
                const Twine &Why) {
  StringRef N = Local.isValid(Root) ? Local.name(Root) : "";
  return createStringError(
      inconvertibleErrorCode(),
      formatv("parsing [{0}] {1} {2} + {3} failed: {4}", Root,
              Local.isValid(Root) ? kindName(Local.kind(Root)) : "UNKNOWN",
              N.empty() ? "<anon>" : N, Access, Why.str())
          .str());
}

/// bpf_core_match_member(): find Local's named member accessor LAcc in
/// target composite TId (searching anonymous members depth-first). Appends
/// to Spec's raw spec and high-level spec; NextId gets the member type.
int matchMember(const TypeTable &L, const CoreAccessor &LAcc,
                const TypeTable &T, TypeId TId, CoreSpec &Spec,
                TypeId &NextId) {
  if (!skipModsTypedefs(T, TId, TId))
    return ErrInval;
  if (!isComposite(T.kind(TId)))
    return 0;
  const BTFMember &LM = L.members(LAcc.Type)[LAcc.Idx];
  StringRef LName = L.str(LM.NameOff);
  bool KF = T.kflag(TId);
  ArrayRef<BTFMember> Members = T.members(TId);
  for (uint32_t I = 0; I < Members.size(); ++I) {
    const BTFMember &M = Members[I];
    uint32_t Bit = memberBitOffset(KF, M);
    if (Spec.RawSpec.size() == CoreSpecMaxLen)
      return Err2Big;
    // Speculate this member is the one.
    Spec.BitOffset += Bit;
    Spec.RawSpec.push_back(I);
    StringRef TName = T.str(M.NameOff);
    if (TName.empty()) {
      // Embedded anonymous struct/union: go deeper.
      int Found = matchMember(L, LAcc, T, M.Type, Spec, NextId);
      if (Found)
        return Found;
    } else if (LName == TName) {
      Spec.Spec.push_back(CoreAccessor{TId, I, TName});
      NextId = M.Type;
      int Found = fieldsAreCompat(L, LM.Type, T, M.Type);
      if (!Found)
        Spec.Spec.pop_back();
      return Found;
    }
    Spec.BitOffset -= Bit;
    Spec.RawSpec.pop_back();
  }
  return 0;
}

/// bpf_core_spec_match() of LSpec on TId (Bad: CoreResult::InvalidFlexSpecs).
int specMatch(const TypeTable &L, const CoreSpec &LSpec, const TypeTable &T,
              TypeId TId, CoreSpec &TSpec, SmallVectorImpl<CoreSpec> &Bad) {
  TSpec = CoreSpec();
  TSpec.RootType = TId;
  TSpec.Kind = LSpec.Kind;

  if (isTypeBased(LSpec.Kind)) {
    if (LSpec.Kind == CoreReloKind::TypeMatches)
      return typesMatch(L, LSpec.RootType, T, TId, false, 32);
    return typesAreCompat(L, LSpec.RootType, T, TId, 32);
  }

  if (isEnumvalBased(LSpec.Kind)) {
    if (!skipModsTypedefs(T, TId, TId))
      return ErrInval; // libbpf would dereference NULL; never in valid BTF
    if (!isAnyEnum(T.kind(TId)))
      return 0;
    StringRef LName = essentialName(LSpec.Spec[0].Name);
    for (uint32_t I = 0, E = T.vlen(TId); I < E; ++I) {
      StringRef TName = T.enumName(TId, I);
      if (essentialName(TName) != LName)
        continue;
      TSpec.Spec.push_back(CoreAccessor{TId, I, TName});
      TSpec.RawSpec.push_back(I);
      return 1;
    }
    return 0;
  }

  if (!isFieldBased(LSpec.Kind))
    return ErrInval;

  for (size_t I = 0; I < LSpec.Spec.size(); ++I) {
    const CoreAccessor &LAcc = LSpec.Spec[I];
    if (!skipModsTypedefs(T, TId, TId))
      return ErrInval;
    if (!LAcc.Name.empty()) {
      int Matched = matchMember(L, LAcc, T, TId, TSpec, TId);
      if (Matched <= 0)
        return Matched;
      continue;
    }
    // For I == 0 the root itself is the "array element".
    if (I > 0) {
      if (T.kind(TId) != Kind::Array)
        return 0;
      const BTFArray &A = T.array(TId);
      bool Flex = isFlexArray(T, &TSpec.Spec[I - 1], A);
      if (!Flex && LAcc.Idx >= A.NElems) {
        if (A.NElems == 0) // cilium/ebpf: an error (InvalidFlexSpecs)
          Bad.push_back(TSpec);
        return 0;
      }
      if (!skipModsTypedefs(T, A.ElemType, TId))
        return ErrInval;
    }
    if (TSpec.RawSpec.size() == CoreSpecMaxLen)
      return Err2Big;
    TSpec.Spec.push_back(CoreAccessor{TId, LAcc.Idx, StringRef()});
    TSpec.RawSpec.push_back(LAcc.Idx);
    int64_t Sz = resolveSize(T, TId);
    if (Sz < 0)
      return int(Sz);
    // libbpf: __u32 idx * int sz * 8, all modulo 2^32.
    TSpec.BitOffset += uint32_t(LAcc.Idx * uint32_t(int32_t(Sz)) * 8u);
  }
  return 1;
}

//===----------------------------------------------------------------------===//
// Values (relo_core.c bpf_core_calc_*_relo)
//===----------------------------------------------------------------------===//

struct SideValue {
  uint64_t Val = 0;
  uint32_t FieldSz = 0;
  TypeId TypeId_ = 0;
};

/// bpf_core_calc_field_relo(). Spec null means "not found". Validate is
/// only computed for the local side (libbpf passes NULL for the target).
int calcFieldRelo(const TypeTable &Tab, CoreReloKind Kind,
                  const CoreSpec *Spec, SideValue &Out, bool *Validate,
                  std::string &Msg) {
  Out.FieldSz = 0;
  if (Kind == CoreReloKind::FieldExists) {
    Out.Val = Spec ? 1 : 0;
    return 0;
  }
  if (!Spec)
    return ErrUClean;

  const CoreAccessor &Acc = Spec->Spec.back();
  if (Acc.Name.empty()) {
    // a[n] accessor.
    if (Kind == CoreReloKind::FieldByteOffset) {
      Out.Val = Spec->BitOffset / 8;
      int64_t Sz = resolveSize(Tab, Acc.Type);
      if (Sz < 0)
        return ErrInval;
      Out.FieldSz = uint32_t(Sz);
      Out.TypeId_ = Acc.Type;
    } else if (Kind == CoreReloKind::FieldByteSize) {
      int64_t Sz = resolveSize(Tab, Acc.Type);
      if (Sz < 0)
        return ErrInval;
      Out.Val = uint64_t(Sz);
    } else {
      Msg = formatv("relo {0} can't be applied to array access",
                    unsigned(Kind))
                .str();
      return ErrInval;
    }
    if (Validate)
      *Validate = true;
    return 0;
  }

  const BTFMember &M = Tab.members(Acc.Type)[Acc.Idx];
  TypeId FieldType;
  if (!skipModsTypedefs(Tab, M.Type, FieldType))
    return ErrInval;
  uint32_t BitOff = Spec->BitOffset;
  uint32_t BitSz = memberBitfieldSize(Tab.kflag(Acc.Type), M);
  uint32_t ByteSz, ByteOff;
  bool Bitfield = BitSz > 0;
  if (Bitfield) {
    ByteSz = Tab.type(FieldType).SizeOrType;
    // libbpf divides by mt->size: a zero size would trap there.
    if (ByteSz == 0) {
      Msg = "bitfield of zero-sized type";
      return ErrInval;
    }
    ByteOff = BitOff / 8 / ByteSz * ByteSz;
    // Smallest power-of-two load that covers the bitfield.
    while (BitOff + BitSz - ByteOff * 8 > ByteSz * 8) {
      if (ByteSz >= 8) {
        Msg = formatv("relo {0} can't be satisfied for bitfield",
                      unsigned(Kind))
                  .str();
        return Err2Big;
      }
      ByteSz *= 2;
      ByteOff = BitOff / 8 / ByteSz * ByteSz;
    }
  } else {
    int64_t Sz = resolveSize(Tab, FieldType);
    if (Sz < 0)
      return ErrInval;
    ByteSz = uint32_t(Sz);
    ByteOff = Spec->BitOffset / 8;
    BitSz = ByteSz * 8;
  }

  // Bitfield aspects may legitimately disagree with the compiler: only
  // signedness and the right shift are validated for them.
  if (Validate)
    *Validate = !Bitfield;

  switch (Kind) {
  case CoreReloKind::FieldByteOffset:
    Out.Val = ByteOff;
    if (!Bitfield) {
      Out.FieldSz = ByteSz;
      Out.TypeId_ = FieldType;
    }
    break;
  case CoreReloKind::FieldByteSize:
    Out.Val = ByteSz;
    break;
  case CoreReloKind::FieldSigned: {
    btfgen::Kind FK = Tab.kind(FieldType);
    // libbpf 1.1.2 applies btf_int_encoding() to every kind (see
    // wordAfterType); for INT that is the real encoding word.
    Out.Val = (isAnyEnum(FK) && Tab.kflag(FieldType)) ||
              (FieldType != 0 &&
               (intEncodingOf(Tab, FieldType) & BTFIntSigned));
    if (Validate)
      *Validate = true;
    break;
  }
  case CoreReloKind::FieldLShiftU64:
    // Little-endian formula; u32 arithmetic, zero-extended to u64.
    Out.Val = uint32_t(64u - (BitOff + BitSz - ByteOff * 8));
    break;
  case CoreReloKind::FieldRShiftU64:
    Out.Val = uint32_t(64u - BitSz);
    if (Validate)
      *Validate = true;
    break;
  default:
    return ErrNotSupp;
  }
  return 0;
}

/// bpf_core_calc_type_relo().
int calcTypeRelo(const TypeTable &Tab, CoreReloKind Kind, const CoreSpec *Spec,
                 uint64_t &Val, bool *Validate) {
  if (Validate)
    *Validate = true;
  if (!Spec) {
    Val = 0;
    return 0;
  }
  switch (Kind) {
  case CoreReloKind::TypeIdTarget:
    Val = Spec->RootType;
    if (Validate)
      *Validate = false;
    return 0;
  case CoreReloKind::TypeExists:
  case CoreReloKind::TypeMatches:
    Val = 1;
    return 0;
  case CoreReloKind::TypeSize: {
    int64_t Sz = resolveSize(Tab, Spec->RootType);
    if (Sz < 0)
      return ErrInval;
    Val = uint64_t(Sz);
    return 0;
  }
  default:
    return ErrNotSupp;
  }
}

/// bpf_core_calc_enumval_relo(). An ENUM value is a __s32 assigned to a
/// __u64, i.e. always sign-extended (whatever the enum's kflag says).
int calcEnumvalRelo(const TypeTable &Tab, CoreReloKind Kind,
                    const CoreSpec *Spec, uint64_t &Val) {
  switch (Kind) {
  case CoreReloKind::EnumvalExists:
    Val = Spec ? 1 : 0;
    return 0;
  case CoreReloKind::EnumvalValue: {
    if (!Spec)
      return ErrUClean;
    const CoreAccessor &A = Spec->Spec[0];
    if (Tab.kind(A.Type) == Kind::Enum)
      Val = uint64_t(int64_t(Tab.enums(A.Type)[A.Idx].Val));
    else
      Val = Tab.enumValue(A.Type, A.Idx);
    return 0;
  }
  default:
    return ErrNotSupp;
  }
}

/// bpf_core_calc_relo(): local and target values for one candidate (TSpec
/// null: no candidate matched).
int calcRelo(const TypeTable &L, const TypeTable &T, const CoreSpec &LSpec,
             const CoreSpec *TSpec, CoreResult &Res, std::string &Msg) {
  Res.OrigVal = Res.NewVal = 0;
  Res.Poison = false;
  Res.Validate = true;
  Res.FailMemsz = false;
  Res.OrigSz = Res.NewSz = 0;
  Res.OrigType = Res.NewType = 0;
  int Err = ErrNotSupp;
  CoreReloKind K = LSpec.Kind;
  if (isFieldBased(K)) {
    SideValue O, N;
    Err = calcFieldRelo(L, K, &LSpec, O, &Res.Validate, Msg);
    Res.OrigVal = O.Val;
    Res.OrigSz = O.FieldSz;
    Res.OrigType = O.TypeId_;
    if (!Err) {
      Err = calcFieldRelo(T, K, TSpec, N, nullptr, Msg);
      Res.NewVal = N.Val;
      Res.NewSz = N.FieldSz;
      Res.NewType = N.TypeId_;
    }
    if (!Err && Res.OrigSz != Res.NewSz) {
      // Load/store size may only change for pointers, or unsigned ints
      // (zero-extension keeps the value).
      Kind OK = L.kind(Res.OrigType), NK = T.kind(Res.NewType);
      bool Safe = (OK == Kind::Ptr && NK == Kind::Ptr) ||
                  (OK == Kind::Int && NK == Kind::Int &&
                   intEncoding(L.intWord(Res.OrigType)) != BTFIntSigned &&
                   intEncoding(T.intWord(Res.NewType)) != BTFIntSigned);
      Res.FailMemsz = !Safe;
    }
  } else if (isTypeBased(K)) {
    Err = calcTypeRelo(L, K, &LSpec, Res.OrigVal, &Res.Validate);
    if (!Err)
      Err = calcTypeRelo(T, K, TSpec, Res.NewVal, nullptr);
  } else if (isEnumvalBased(K)) {
    Err = calcEnumvalRelo(L, K, &LSpec, Res.OrigVal);
    if (!Err)
      Err = calcEnumvalRelo(T, K, TSpec, Res.NewVal);
  }
  if (Err == ErrUClean) {
    Res.Poison = true;
    return 0;
  }
  if (Err == ErrNotSupp && Msg.empty())
    Msg = formatv("unrecognized CO-RE relocation {0} ({1})", reloKindName(K),
                  unsigned(K))
              .str();
  return Err;
}

} // namespace

//===----------------------------------------------------------------------===//
// Public API
//===----------------------------------------------------------------------===//

const char *outcomeName(RelocOutcome O) {
  static const char *const Names[] = {"resolved", "not-found", "poisoned",
                                      "error"}; // RelocOutcome order
  unsigned I = static_cast<unsigned>(O);
  return I < std::size(Names) ? Names[I] : "unknown";
}

SmallVector<TypeId, 4> findCoreCandidates(const TypeTable &Local,
                                          TypeId LocalId,
                                          const TypeTable &Target) {
  SmallVector<TypeId, 4> Out;
  if (!Local.isValid(LocalId) || LocalId == 0)
    return Out;
  StringRef Name = Local.name(LocalId);
  if (Name.empty())
    return Out;
  Kind LK = Local.kind(LocalId);
  // bpf_core_add_cands() scans IDs upwards; the index is sorted by ID.
  for (TypeId Id : Target.findByEssentialName(essentialName(Name)))
    if (kindsAreCoreCompat(Target.kind(Id), LK))
      Out.push_back(Id);
  return Out;
}

Expected<CoreSpec> parseCoreSpec(const TypeTable &Local, TypeId Root,
                                 CoreReloKind Kind, StringRef Access) {
  // relo_core.c bpf_core_parse_spec().
  if (!Local.isValid(Root))
    return specError(Local, Root, Access, "type id out of range");
  if (unsigned(Kind) >= NumCoreReloKinds)
    return specError(Local, Root, Access, "unknown relocation kind");
  CoreSpec Spec;
  Spec.RootType = Root;
  Spec.Kind = Kind;
  if (Access.empty() || Access.front() == ':')
    return specError(Local, Root, Access, "invalid access string");
  if (isTypeBased(Kind)) {
    if (Access != "0")
      return specError(Local, Root, Access,
                       "type-based relocation needs access string \"0\"");
    return Spec;
  }
  auto Raw = parseAccessString(Access);
  if (!Raw)
    return specError(Local, Root, Access, toString(Raw.takeError()));
  for (int64_t V : *Raw)
    // libbpf 1.1.2 does not reject negative indices (undefined behaviour
    // in bpf_core_parse_spec); later libbpf returns -EINVAL. So do we.
    if (V < 0)
      return specError(Local, Root, Access, "negative access index");
  for (int64_t V : *Raw)
    Spec.RawSpec.push_back(uint32_t(V));

  TypeId Id;
  if (!skipModsTypedefs(Local, Root, Id))
    return specError(Local, Root, Access, "bad type chain");
  uint32_t Idx0 = Spec.RawSpec[0];
  Spec.Spec.push_back(CoreAccessor{Id, Idx0, StringRef()});

  if (isEnumvalBased(Kind)) {
    if (!isAnyEnum(Local.kind(Id)) || Spec.RawSpec.size() > 1 ||
        Idx0 >= Local.vlen(Id))
      return specError(Local, Root, Access, "invalid enumerator access");
    Spec.Spec[0].Name = Local.enumName(Id, Idx0);
    return Spec;
  }

  int64_t Sz = resolveSize(Local, Id);
  if (Sz < 0)
    return specError(Local, Root, Access, "cannot resolve root type size");
  Spec.BitOffset = uint32_t(uint64_t(Idx0) * uint64_t(Sz) * 8);

  for (size_t I = 1; I < Spec.RawSpec.size(); ++I) {
    if (!skipModsTypedefs(Local, Id, Id))
      return specError(Local, Root, Access, "bad type chain");
    uint32_t Idx = Spec.RawSpec[I];
    btfgen::Kind K = Local.kind(Id);
    if (isComposite(K)) {
      if (Idx >= Local.vlen(Id))
        return specError(Local, Root, Access,
                         formatv("member index {0} out of range", Idx));
      const BTFMember &M = Local.members(Id)[Idx];
      Spec.BitOffset += memberBitOffset(Local.kflag(Id), M);
      if (M.NameOff) {
        StringRef Name = Local.str(M.NameOff);
        if (Name.empty())
          return specError(Local, Root, Access, "bad member name");
        Spec.Spec.push_back(CoreAccessor{Id, Idx, Name});
      }
      Id = M.Type;
    } else if (K == Kind::Array) {
      const BTFArray &A = Local.array(Id);
      if (!skipModsTypedefs(Local, A.ElemType, Id))
        return specError(Local, Root, Access, "bad type chain");
      bool Flex = isFlexArray(Local, &Spec.Spec.back(), A);
      if (!Flex && Idx >= A.NElems)
        return specError(Local, Root, Access,
                         formatv("array index {0} out of range", Idx));
      Spec.Spec.push_back(CoreAccessor{Id, Idx, StringRef()});
      int64_t ESz = resolveSize(Local, Id);
      if (ESz < 0)
        return specError(Local, Root, Access,
                         "cannot resolve element size");
      Spec.BitOffset += uint32_t(uint64_t(Idx) * uint64_t(ESz) * 8);
    } else {
      return specError(Local, Root, Access,
                       formatv("captures type [{0}] of unexpected kind {1}",
                               Id, kindName(K)));
    }
  }
  return Spec;
}

CoreMatcher::CoreMatcher(const TypeTable &Local, const TypeTable &Target)
    : Local(Local), Target(Target) {
  assert(Target.hasNameIndex() && "Target.buildNameIndex() first");
}

CoreLoadSession::CoreLoadSession(const TypeTable &Local,
                                 const TypeTable &Target)
    : Local(Local), Target(Target), Matcher(Local, Target) {}

Expected<CoreResult> CoreLoadSession::calc(const CoreRelocation &R,
                                           const CoreResult *Full) {
  // bpf_core_resolve_relo(): TYPE_ID_LOCAL never looks at candidates.
  if (R.Kind == CoreReloKind::TypeIdLocal || !Local.isValid(R.LocalType))
    return Full ? Expected<CoreResult>(*Full) : Matcher.calc(R);
  auto [It, New] = Cands.try_emplace(R.LocalType);
  if (New)
    It->second.first = findCoreCandidates(Local, R.LocalType, Target);
  Expected<CoreResult> Res = Full && !It->second.second
                                 ? Expected<CoreResult>(*Full)
                                 : Matcher.calc(R, It->second.first);
  if (!Res)
    return Res;
  // An error fails the whole load in libbpf; keep going (the report shows
  // every relocation) with the list libbpf would have had at that point.
  if (!Res->TargetSpecs.empty() && Res->Outcome != RelocOutcome::Error) {
    SmallVector<TypeId, 4> Kept;
    for (const CoreSpec &S : Res->TargetSpecs)
      Kept.push_back(S.RootType);
    if (Kept != It->second.first) {
      It->second.first = std::move(Kept);
      It->second.second = true;
    }
  }
  return Res;
}

Expected<CoreResult> CoreMatcher::calc(const CoreRelocation &R) const {
  return calcImpl(R, nullptr);
}

Expected<CoreResult> CoreMatcher::calc(const CoreRelocation &R,
                                       ArrayRef<TypeId> Cands) const {
  return calcImpl(R, &Cands);
}

Expected<CoreResult> CoreMatcher::calcImpl(const CoreRelocation &R,
                                           const ArrayRef<TypeId> *Given) const {
  // relo_core.c bpf_core_calc_relo_insn(), with the candidate list of
  // libbpf.c bpf_core_resolve_relo()/bpf_core_find_cands() (computed fresh:
  // libbpf's per-object candidate cache prunes candidates across
  // relocations in load order, which a per-relocation answer cannot model;
  // see docs/core.md).
  CoreResult Res;
  if (!Local.isValid(R.LocalType))
    return createStringError(inconvertibleErrorCode(),
                             "relocation root type [%u] out of range",
                             R.LocalType);
  StringRef LocalName = Local.name(R.LocalType);
  const char *KindStr = reloKindName(R.Kind);

  // bpf_core_find_cands() refuses anonymous roots before any parsing.
  if (R.Kind != CoreReloKind::TypeIdLocal && LocalName.empty()) {
    auto Spec = parseCoreSpec(Local, R.LocalType, R.Kind, R.Access);
    if (!Spec)
      return Spec.takeError();
    Res.LocalSpec = *Spec;
    Res.Outcome = RelocOutcome::Error;
    Res.Message = formatv("<{0}> ({1}) relocation doesn't support anonymous "
                          "types",
                          KindStr, unsigned(R.Kind))
                      .str();
    return Res;
  }

  auto Spec = parseCoreSpec(Local, R.LocalType, R.Kind, R.Access);
  if (!Spec)
    return Spec.takeError();
  Res.LocalSpec = std::move(*Spec);
  const CoreSpec &LSpec = Res.LocalSpec;

  if (R.Kind == CoreReloKind::TypeIdLocal) {
    Res.Outcome = RelocOutcome::Resolved;
    Res.Validate = false;
    Res.Poison = false;
    Res.OrigVal = Res.NewVal = R.LocalType;
    return Res;
  }

  SmallVector<TypeId, 4> Cands;
  if (Given) {
    for (TypeId C : *Given)
      if (!Target.isValid(C) || C == 0)
        return createStringError(inconvertibleErrorCode(),
                                 "candidate [%u] out of range", C);
    Cands.assign(Given->begin(), Given->end());
  } else {
    Cands = findCoreCandidates(Local, R.LocalType, Target);
  }
  bool HaveFirst = false;
  bool Failed = false;
  CoreSpec FirstSpec;
  Res.Candidates.reserve(Cands.size());
  for (size_t I = 0; I < Cands.size(); ++I) {
    CoreSpec CandSpec;
    int Err = specMatch(Local, LSpec, Target, Cands[I], CandSpec,
                        Res.InvalidFlexSpecs);
    CoreCandidateResult &CR = Res.Candidates.emplace_back();
    CR.Id = Cands[I];
    CR.Match = Err < 0 ? Err : Err > 0 ? 1 : 0;
    if (Err < 0) {
      if (!Failed) {
        Failed = true;
        Res.ErrorCandidate = Cands[I];
        Res.Message = formatv("error matching candidate #{0} [{1}]: {2}", I,
                              Cands[I], Err)
                          .str();
      }
      continue;
    }
    if (Err == 0)
      continue;
    // Every matching candidate is recorded, also past a failure, with its
    // own values (calcRelo is a pure function of the two specs).
    Res.TargetSpecs.push_back(CandSpec);
    CoreResult CandRes;
    std::string Msg;
    Err = calcRelo(Local, Target, LSpec, &CandSpec, CandRes, Msg);
    CR.CalcErr = Err;
    if (!Err) {
      CR.BitOffset = CandSpec.BitOffset;
      CR.Poison = CandRes.Poison;
      CR.FailMemsz = CandRes.FailMemsz;
      CR.NewVal = CandRes.NewVal;
      CR.NewSz = CandRes.NewSz;
    }
    if (Failed)
      continue;
    if (Err) {
      Failed = true;
      Res.Message = Msg.empty() ? formatv("relocation failed: {0}", Err).str()
                                : Msg;
      continue;
    }
    if (!HaveFirst) {
      HaveFirst = true;
      FirstSpec = CandSpec;
      Res.OrigVal = CandRes.OrigVal;
      Res.NewVal = CandRes.NewVal;
      Res.Poison = CandRes.Poison;
      Res.Validate = CandRes.Validate;
      Res.FailMemsz = CandRes.FailMemsz;
      Res.OrigSz = CandRes.OrigSz;
      Res.NewSz = CandRes.NewSz;
      Res.OrigType = CandRes.OrigType;
      Res.NewType = CandRes.NewType;
    } else if (CandSpec.BitOffset != FirstSpec.BitOffset) {
      Failed = true;
      Res.Message = formatv("field offset ambiguity: {0} != {1}",
                            CandSpec.BitOffset, FirstSpec.BitOffset)
                        .str();
    } else if (CandRes.Poison != Res.Poison || CandRes.NewVal != Res.NewVal) {
      Failed = true;
      Res.Message =
          formatv("relocation decision ambiguity: {0} {1} != {2} {3}",
                  CandRes.Poison ? "failure" : "success", CandRes.NewVal,
                  Res.Poison ? "failure" : "success", Res.NewVal)
              .str();
    }
  }

  if (Failed) {
    Res.Outcome = RelocOutcome::Error;
    return Res;
  }
  if (HaveFirst) {
    Res.Outcome = RelocOutcome::Resolved;
    return Res;
  }

  // No candidate matched: compute the single "not found" result.
  std::string Msg;
  int Err = calcRelo(Local, Target, LSpec, nullptr, Res, Msg);
  if (Err) {
    Res.Outcome = RelocOutcome::Error;
    Res.Message = Msg.empty() ? formatv("relocation failed: {0}", Err).str()
                              : Msg;
    return Res;
  }
  Res.Outcome = Res.Poison ? RelocOutcome::Poisoned : RelocOutcome::NotFound;
  return Res;
}

} // namespace btfgen
