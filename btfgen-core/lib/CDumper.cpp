//===- CDumper.cpp - BTF as compilable C, like bpftool format c -----------===//
//
// Follows libbpf 1.1's src/btf_dump.c (Linux 6.1 tools/lib/bpf/btf_dump.c,
// the copy Debian bookworm's bpftool 7.1 is built with) function by
// function, so that the text is byte-identical to `bpftool btf dump file F
// format c`. Each function names its btf_dump.c counterpart; the comments
// say why the C looks the way it does, the code was written from them.
//
// Output order matters to the byte: names are numbered (`___2`) in the
// order the emitter first asks for them, and an enumerator name is counted
// again each time its enum definition is written. So the walks below keep
// btf_dump.c's visiting order exactly, including its quirks (INT names
// count as struct tags; a typedef emitted early for a pointer cycle).
//
//===----------------------------------------------------------------------===//

#include "btfgen/CDumper.h"

#include "CLayout.h"

#include <algorithm>

using namespace llvm;

namespace btfgen {

/// Counts one level of recursion; past MaxDepth it records the type and
/// tells the caller to stop (every walk then unwinds with a neutral value
/// and dumpType() reports the error).
class CDumper::DepthScope {
public:
  DepthScope(CDumper &D, TypeId Id) : D(D) {
    if (++D.Depth > MaxDepth && !D.TooDeep)
      D.TooDeep = Id;
  }
  ~DepthScope() { --D.Depth; }
  bool tooDeep() const { return D.Depth > MaxDepth; }

private:
  CDumper &D;
};

namespace {

bool hasName(const TypeTable &T, TypeId Id) {
  return T.type(Id).NameOff != 0;
}

} // namespace

CDumper::CDumper(const TypeTable &T, raw_ostream &OS)
    : T(T), OS(OS), Layout(std::make_unique<CLayout>(T, MaxDepth)),
      States(T.size()), CachedNames(T.size()) {
  // VOID is always defined (btf_dump_resize).
  States[0].Order = Ordered;
  States[0].Emit = Emitted;
  markReferenced();
}

CDumper::~CDumper() = default;

/// btf_dump_mark_referenced(): an anonymous enum that no type refers to is a
/// top-level declaration of constants; a referenced one is written inline
/// where it is used.
void CDumper::markReferenced() {
  for (TypeId Id = 1, N = T.size(); Id < N; ++Id)
    T.forEachRef(Id, [&](TypeId Ref, RefRole, uint32_t) {
      if (T.isValid(Ref))
        States[Ref].Referenced = true;
    });
}

Error CDumper::dumpType(TypeId Id) {
  assert(T.isValid(Id) && "dumpType of an ID outside the table");
  EmitQueue.clear();
  Expected<bool> Strong = orderType(Id, /*ThroughPtr=*/false);
  if (!Strong)
    return Strong.takeError();
  for (size_t I = 0; I < EmitQueue.size() && !TooDeep; ++I)
    emitType(EmitQueue[I], /*ContId=*/0);
  // Checked after both passes: a walk that hit the bound unwound quietly.
  if (!TooDeep)
    TooDeep = Layout->tooDeep();
  if (TooDeep)
    return createStringError(
        inconvertibleErrorCode(),
        "type [%u] %s '%s': type graph nested deeper than %u levels",
        TooDeep, kindName(T.kind(TooDeep)), T.name(TooDeep).str().c_str(),
        MaxDepth);
  return Error::success();
}

//===----------------------------------------------------------------------===//
// Topological sort
//===----------------------------------------------------------------------===//

/// btf_dump_order_type(). Returns true if Id is a strong link (its full
/// definition must come first: it is embedded, or anonymous and so written
/// inline), false if a forward declaration is enough (reached through a
/// pointer and named). Queues named definitions in dependency order. Only
/// kinds that can be a definition get an order state; pointers, arrays,
/// modifiers and prototypes are paths to them and are walked each time.
Expected<bool> CDumper::orderType(TypeId Id, bool ThroughPtr) {
  TypeState &S = States[Id];
  if (S.Order == Ordered)
    return true;
  const BTFType &Ty = T.type(Id);
  const Kind K = Ty.kind();
  if (S.Order == Ordering) {
    // A loop through a pointer to a named struct: a forward declaration
    // breaks it. Anything else cannot be written in C.
    if (isComposite(K) && ThroughPtr && Ty.NameOff != 0)
      return false;
    return createStringError(inconvertibleErrorCode(),
                             "type [%u] %s '%s': unsatisfiable type cycle", Id,
                             kindName(K), T.name(Id).str().c_str());
  }
  DepthScope Scope(*this, Id);
  if (Scope.tooDeep())
    return false;

  switch (K) {
  case Kind::Int:
  case Kind::Float:
    S.Order = Ordered;
    return false;
  case Kind::Ptr: {
    Expected<bool> R = orderType(Ty.SizeOrType, /*ThroughPtr=*/true);
    S.Order = Ordered;
    return R;
  }
  case Kind::Array:
    return orderType(T.array(Id).ElemType, /*ThroughPtr=*/false);
  case Kind::Struct:
  case Kind::Union:
    return orderComposite(Id, ThroughPtr);
  case Kind::Enum:
  case Kind::Enum64:
  case Kind::Fwd:
    // Named or unreferenced enums are top-level declarations; the same
    // rule is harmless for FWDs.
    if (Ty.NameOff != 0 || !S.Referenced)
      EmitQueue.push_back(Id);
    S.Order = Ordered;
    return true;
  case Kind::Typedef: {
    Expected<bool> Strong = orderType(Ty.SizeOrType, ThroughPtr);
    if (!Strong)
      return Strong.takeError();
    // Like a struct: through a pointer, a weak target needs no definition.
    if (ThroughPtr && !*Strong)
      return false;
    EmitQueue.push_back(Id);
    States[Id].Order = Ordered;
    return true;
  }
  case Kind::Volatile:
  case Kind::Const:
  case Kind::Restrict:
  case Kind::TypeTag:
    return orderType(Ty.SizeOrType, ThroughPtr);
  case Kind::FuncProto:
    return orderFuncProto(Id, ThroughPtr);
  case Kind::Func:
  case Kind::Var:
  case Kind::Datasec:
  case Kind::DeclTag:
    S.Order = Ordered;
    return false;
  case Kind::Unknown:
    break;
  }
  return createStringError(inconvertibleErrorCode(),
                           "type [%u]: unexpected kind %u", Id, unsigned(K));
}

/// A struct or union is a strong link only when embedded (no pointer on the
/// path) or anonymous (defined inline even behind a pointer); its members
/// are ordered first, then the named definition is queued.
Expected<bool> CDumper::orderComposite(TypeId Id, bool ThroughPtr) {
  const bool Named = hasName(T, Id);
  if (ThroughPtr && Named)
    return false;
  States[Id].Order = Ordering;
  for (const BTFMember &M : T.members(Id)) {
    Expected<bool> R = orderType(M.Type, /*ThroughPtr=*/false);
    if (!R)
      return R.takeError();
  }
  if (Named)
    EmitQueue.push_back(Id);
  States[Id].Order = Ordered;
  return true;
}

/// A prototype is strong if its return type or any parameter is.
Expected<bool> CDumper::orderFuncProto(TypeId Id, bool ThroughPtr) {
  Expected<bool> Ret = orderType(T.type(Id).SizeOrType, ThroughPtr);
  if (!Ret)
    return Ret.takeError();
  bool Strong = *Ret;
  for (const BTFParam &P : T.params(Id)) {
    Expected<bool> R = orderType(P.Type, ThroughPtr);
    if (!R)
      return R.takeError();
    Strong |= *R;
  }
  return Strong;
}

//===----------------------------------------------------------------------===//
// Top-level emission
//===----------------------------------------------------------------------===//

/// btf_dump_emit_type(): write Id's definition if it is a top-level one
/// (ContId == 0), after making sure every type its text names is declared.
/// ContId is the named struct/union (or typedef) being defined around Id,
/// whose own name needs no forward declaration inside it.
void CDumper::emitType(TypeId Id, TypeId ContId) {
  TypeState &S = States[Id];
  if (S.Emit == Emitted)
    return;
  if (S.Emit == Emitting) {
    emitFwdForCycle(Id, ContId);
    return;
  }
  DepthScope Scope(*this, Id);
  if (Scope.tooDeep())
    return;

  const BTFType &Ty = T.type(Id);
  switch (Ty.kind()) {
  case Kind::Int:
    emitMissingAliases(Id);
    S.Emit = Emitted;
    break;
  case Kind::Enum:
  case Kind::Enum64:
    if (ContId == 0) {
      emitEnumDef(Id, 0);
      OS << ";\n\n";
    }
    S.Emit = Emitted;
    break;
  case Kind::Ptr:
  case Kind::Volatile:
  case Kind::Const:
  case Kind::Restrict:
  case Kind::TypeTag:
    emitType(Ty.SizeOrType, ContId);
    break;
  case Kind::Array:
    emitType(T.array(Id).ElemType, ContId);
    break;
  case Kind::Fwd:
    emitFwdDef(Id);
    OS << ";\n\n";
    S.Emit = Emitted;
    break;
  case Kind::Typedef:
    S.Emit = Emitting;
    emitType(Ty.SizeOrType, Id);
    // A typedef is its own forward declaration: it may have been written
    // already for a pointer cycle through it.
    if (!S.FwdEmitted && !isBlacklisted(Id)) {
      emitTypedefDef(Id, 0);
      OS << ";\n\n";
    }
    S.Emit = Emitted;
    break;
  case Kind::Struct:
  case Kind::Union:
    emitComposite(Id, ContId);
    break;
  case Kind::FuncProto:
    emitType(Ty.SizeOrType, ContId);
    for (const BTFParam &P : T.params(Id))
      emitType(P.Type, ContId);
    break;
  default: // FUNC, VAR, DATASEC, DECL_TAG, FLOAT: nothing to define
    break;
  }
}

/// Id is being emitted further up this walk, so something on the way refers
/// back to it: a struct/union gets a forward declaration (unless this is
/// its own body), a typedef is written now, for use through pointers.
void CDumper::emitFwdForCycle(TypeId Id, TypeId ContId) {
  TypeState &S = States[Id];
  if (S.FwdEmitted)
    return;
  switch (T.kind(Id)) {
  case Kind::Struct:
  case Kind::Union:
    // Self-reference from inside the definition, or an anonymous loop
    // (which libbpf only warns about).
    if (Id == ContId || !hasName(T, Id))
      return;
    emitStructFwd(Id);
    OS << ";\n\n";
    S.FwdEmitted = true;
    break;
  case Kind::Typedef:
    if (!isBlacklisted(Id)) {
      emitTypedefDef(Id, 0);
      OS << ";\n\n";
    }
    S.FwdEmitted = true;
    break;
  default:
    break;
  }
}

/// A top-level or anonymous struct/union has its members written out, so
/// their types are declared first; a named one used from elsewhere only
/// needs a forward declaration. Only a top-level one is written here; an
/// anonymous one is written inline by its user.
void CDumper::emitComposite(TypeId Id, TypeId ContId) {
  TypeState &S = States[Id];
  const bool TopLevel = ContId == 0;
  const bool Named = hasName(T, Id);
  S.Emit = Emitting;
  if (TopLevel || !Named) {
    const TypeId NewContId = Named ? Id : ContId;
    for (const BTFMember &M : T.members(Id))
      emitType(M.Type, NewContId);
  } else if (!S.FwdEmitted && Id != ContId) {
    emitStructFwd(Id);
    OS << ";\n\n";
    S.FwdEmitted = true;
  }
  if (TopLevel) {
    emitStructDef(Id, 0);
    OS << ";\n\n";
    S.Emit = Emitted;
  } else {
    S.Emit = NotEmitted;
  }
}

/// btf_dump_is_blacklisted(): __builtin_va_list is the compiler's own.
bool CDumper::isBlacklisted(TypeId Id) const {
  return hasName(T, Id) && T.name(Id) == "__builtin_va_list";
}

/// btf_dump_emit_missing_aliases(): GCC's Arm SIMD typedefs name internal
/// __PolyN_t types that clang lacks; alias them to standard integers.
void CDumper::emitMissingAliases(TypeId Id) {
  static const struct {
    StringRef Name, Base;
  } Aliases[] = {
      {"__Poly8_t", "unsigned char"},
      {"__Poly16_t", "unsigned short"},
      {"__Poly64_t", "unsigned long long"},
      {"__Poly128_t", "unsigned __int128"},
  };
  StringRef Name = typeName(Id);
  for (const auto &A : Aliases)
    if (Name == A.Name) {
      OS << "typedef " << A.Base << ' ' << Name << ";\n\n";
      break;
    }
}

//===----------------------------------------------------------------------===//
// Definitions and forward declarations
//===----------------------------------------------------------------------===//

/// btf_dump.c's pfx(): one tab per level, at most 13.
void CDumper::indent(unsigned Lvl) {
  static const char Tabs[] = "\t\t\t\t\t\t\t\t\t\t\t\t\t";
  constexpr unsigned MaxTabs = sizeof(Tabs) - 1;
  OS << StringRef(Tabs, std::min(Lvl, MaxTabs));
}

void CDumper::emitStructFwd(TypeId Id) {
  OS << (T.kind(Id) == Kind::Struct ? "struct" : "union")
     << (hasName(T, Id) ? " " : "") << typeName(Id);
}

/// btf_dump_emit_struct_def(): members with explicit padding where the
/// natural layout would differ from the BTF offsets, bitfield widths, and
/// `__attribute__((packed))` when some member is misaligned.
void CDumper::emitStructDef(TypeId Id, unsigned Lvl) {
  const BTFType &Ty = T.type(Id);
  const bool IsStruct = Ty.kind() == Kind::Struct;
  const bool KFlag = Ty.kflag();
  const int32_t Align = Layout->alignOf(Id);
  const bool Packed = IsStruct && Layout->isStructPacked(Id);

  OS << (IsStruct ? "struct" : "union") << (Ty.NameOff ? " " : "")
     << typeName(Id) << " {";
  // libbpf keeps offsets in C ints; uint32_t arithmetic then a cast gives
  // the same wrap-around on absurd sizes, without undefined behaviour.
  int32_t Off = 0;
  bool PrevBitfield = false;
  for (const BTFMember &M : T.members(Id)) {
    int32_t Size = int32_t(memberBitfieldSize(KFlag, M));
    const int32_t MOff = int32_t(memberBitOffset(KFlag, M));
    const int32_t MAlign = Packed ? 1 : Layout->alignOf(M.Type);
    const bool InBitfield = PrevBitfield && Size != 0;

    emitBitPadding(Off, MOff, MAlign, InBitfield, Lvl + 1);
    OS << '\n';
    indent(Lvl + 1);
    emitTypeDecl(M.Type, T.str(M.NameOff), Lvl + 1);
    if (Size) {
      OS << ": " << Size;
      Off = int32_t(uint32_t(MOff) + uint32_t(Size));
      PrevBitfield = true;
    } else {
      Size = int32_t(std::max<int64_t>(0, T.resolveSize(M.Type)));
      Off = int32_t(uint32_t(MOff) + uint32_t(Size) * 8);
      PrevBitfield = false;
    }
    OS << ';';
  }
  if (IsStruct)
    emitBitPadding(Off, int32_t(Ty.SizeOrType * 8), Align, false, Lvl + 1);
  // `struct empty {}` stays on one line.
  if (Ty.vlen() || Ty.SizeOrType) {
    OS << '\n';
    indent(Lvl);
  }
  OS << '}';
  if (Packed)
    OS << " __attribute__((packed))";
}

/// btf_dump_emit_bit_padding(): anonymous bitfields recreate the gap.
void CDumper::emitBitPadding(int32_t CurOff, int32_t NextOff,
                             int32_t NextAlign, bool InBitfield,
                             unsigned Lvl) {
  Layout->padding(CurOff, NextOff, NextAlign, InBitfield,
                  [&](CLayout::Pad P) {
                    OS << '\n';
                    indent(Lvl);
                    OS << P.Type << ": " << P.Bits << ';';
                  });
}

void CDumper::emitEnumFwd(TypeId Id) { OS << "enum " << typeName(Id); }

/// btf_dump_emit_enum_def(): an enum without values is written as a bare
/// `enum name` (a forward declaration).
void CDumper::emitEnumDef(TypeId Id, unsigned Lvl) {
  OS << "enum" << (hasName(T, Id) ? " " : "") << typeName(Id);
  if (!T.vlen(Id))
    return;
  OS << " {";
  emitEnumValues(Id, Lvl);
  OS << '\n';
  indent(Lvl);
  OS << '}';
}

/// btf_dump_emit_enum32_val() / btf_dump_emit_enum64_val(): enumerators
/// share the ordinary-identifier namespace with typedefs, so a repeated
/// one is renamed `name___N`. Values print as the enum's signedness says;
/// ENUM64 values carry an LL/ULL suffix.
void CDumper::emitEnumValues(TypeId Id, unsigned Lvl) {
  const bool Signed = T.kflag(Id);
  const bool Is64 = T.kind(Id) == Kind::Enum64;
  for (uint32_t I = 0, N = T.vlen(Id); I < N; ++I) {
    StringRef Name = T.enumName(Id, I);
    size_t Dups = nameDups(IdentNames, Name);
    OS << '\n';
    indent(Lvl + 1);
    OS << Name;
    if (Dups > 1)
      OS << "___" << Dups;
    OS << " = ";
    if (Is64) {
      const BTFEnum64 &E = T.enums64(Id)[I];
      uint64_t V = (uint64_t(E.ValHi32) << 32) | E.ValLo32;
      if (Signed)
        OS << int64_t(V) << "LL,";
      else
        OS << V << "ULL,";
    } else {
      int32_t V = T.enums(Id)[I].Val;
      if (Signed)
        OS << V << ',';
      else
        OS << uint32_t(V) << ',';
    }
  }
}

/// btf_dump_emit_fwd_def(): kflag tells a union forward from a struct one.
void CDumper::emitFwdDef(TypeId Id) {
  OS << (T.kflag(Id) ? "union " : "struct ") << typeName(Id);
}

/// btf_dump_emit_typedef_def(). Old GCCs describe __gnuc_va_list as a
/// typedef of void; libbpf writes the compilable spelling instead.
void CDumper::emitTypedefDef(TypeId Id, unsigned Lvl) {
  StringRef Name = identName(Id);
  const TypeId Target = T.type(Id).SizeOrType;
  if (Target == 0 && Name == "__gnuc_va_list") {
    OS << "typedef __builtin_va_list __gnuc_va_list";
    return;
  }
  OS << "typedef ";
  emitTypeDecl(Target, Name, Lvl);
}

//===----------------------------------------------------------------------===//
// Declarators
//===----------------------------------------------------------------------===//

/// btf_dump_emit_type_decl(): write `<type> FieldName` in C syntax. BTF
/// chains go outside-in (`[array] -> [ptr] -> [const] -> [int]` for
/// `const int *x[10]`) while C puts qualifiers of a pointer to its right
/// and wraps pointers to arrays and functions in parentheses. So the chain
/// is pushed up to its terminal type (named type, struct, enum, void) and
/// written by emitTypeChain() popping from the terminal end.
void CDumper::emitTypeDecl(TypeId Id, StringRef FieldName, unsigned Lvl) {
  DepthScope Scope(*this, Id);
  if (Scope.tooDeep())
    return;
  const size_t Start = DeclStack.size();
  for (;;) {
    DeclStack.push_back(Id);
    // A pointer loop (`p -> p`) passes the reader's cycle check; stop it.
    if (Id == 0 || DeclStack.size() - Start > MaxDepth)
      break;
    const BTFType &Ty = T.type(Id);
    const Kind K = Ty.kind();
    if (K == Kind::Array)
      Id = T.array(Id).ElemType;
    else if (K == Kind::Ptr || isModifier(K) || K == Kind::FuncProto)
      Id = Ty.SizeOrType;
    else // terminal: named type, struct, union, enum, FWD (or bad kind)
      break;
  }
  if (DeclStack.size() - Start > MaxDepth && !TooDeep)
    TooDeep = Id;
  DeclFrame F{Start, DeclStack.size() - Start};
  emitTypeChain(F, FieldName, Lvl);
  DeclStack.resize(Start);
}

/// btf_dump_emit_mods(): CV qualifiers right above a base type are written
/// before it (`const int`).
void CDumper::emitMods(DeclFrame &F) {
  for (; F.Cnt; --F.Cnt) {
    switch (T.kind(top(F))) {
    case Kind::Volatile:
      OS << "volatile ";
      break;
    case Kind::Const:
      OS << "const ";
      break;
    case Kind::Restrict:
      OS << "restrict ";
      break;
    default:
      return;
    }
  }
}

/// btf_dump_drop_mods(): qualifiers on arrays (a GCC quirk) and on
/// prototypes (GCC's volatile for noreturn) mean nothing in C; drop them.
void CDumper::dropMods(DeclFrame &F) {
  while (F.Cnt && isModifier(T.kind(top(F))))
    --F.Cnt;
}

/// btf_dump_emit_name(): no space between `*` and the name.
void CDumper::emitName(StringRef Name, bool LastWasPtr) {
  if (!Name.empty() && !LastWasPtr)
    OS << ' ';
  OS << Name;
}

/// btf_dump_emit_type_chain(). LastWasPtr glues `*`s together (`int **p`)
/// and starts true, so that a lone pointer inside a function-pointer's
/// parentheses prints `(*f)`.
void CDumper::emitTypeChain(DeclFrame &F, StringRef FieldName, unsigned Lvl) {
  bool LastWasPtr = true;
  while (F.Cnt) {
    const TypeId Id = DeclStack[F.Base + --F.Cnt];
    if (Id == 0) {
      emitMods(F);
      OS << "void";
      LastWasPtr = false;
      continue;
    }
    const Kind K = T.kind(Id);
    switch (K) {
    case Kind::Int:
    case Kind::Float:
      emitMods(F);
      OS << T.name(Id);
      break;
    case Kind::Struct:
    case Kind::Union:
      emitMods(F);
      if (hasName(T, Id))
        emitStructFwd(Id);
      else // anonymous: defined inline
        emitStructDef(Id, Lvl);
      break;
    case Kind::Enum:
    case Kind::Enum64:
      emitMods(F);
      if (hasName(T, Id))
        emitEnumFwd(Id);
      else
        emitEnumDef(Id, Lvl);
      break;
    case Kind::Fwd:
      emitMods(F);
      emitFwdDef(Id);
      break;
    case Kind::Typedef:
      emitMods(F);
      OS << identName(Id);
      break;
    case Kind::Ptr:
      OS << (LastWasPtr ? "*" : " *");
      break;
    case Kind::Volatile:
      OS << " volatile";
      break;
    case Kind::Const:
      OS << " const";
      break;
    case Kind::Restrict:
      OS << " restrict";
      break;
    case Kind::TypeTag:
      emitMods(F);
      OS << " __attribute__((btf_type_tag(\"" << T.name(Id) << "\")))";
      break;
    case Kind::Array:
      emitArrayDecl(F, Id, FieldName, Lvl, LastWasPtr);
      return;
    case Kind::FuncProto:
      emitFuncProtoDecl(F, Id, FieldName, Lvl, LastWasPtr);
      return;
    default: // not part of a declarator; libbpf warns and gives up
      return;
    }
    LastWasPtr = K == Kind::Ptr;
  }
  emitName(FieldName, LastWasPtr);
}

/// An array: `name[N]` when nothing is left of the chain; otherwise what is
/// left (pointers) goes in parentheses before `[N]`: `int (*p)[10]`, except
/// for another array dimension: `int m[2][3]`.
void CDumper::emitArrayDecl(DeclFrame &F, TypeId Id, StringRef FieldName,
                            unsigned Lvl, bool LastWasPtr) {
  const uint32_t NElems = T.array(Id).NElems;
  dropMods(F);
  if (F.Cnt == 0) {
    emitName(FieldName, LastWasPtr);
    OS << '[' << NElems << ']';
    return;
  }
  const bool MultiDim = T.kind(top(F)) == Kind::Array;
  if (!FieldName.empty() && !LastWasPtr)
    OS << ' ';
  if (!MultiDim)
    OS << '(';
  emitTypeChain(F, FieldName, Lvl);
  if (!MultiDim)
    OS << ')';
  OS << '[' << NElems << ']';
}

/// A prototype: `ret name(params)`, or `ret (*name)(params)` when pointers
/// are left of the chain. No parameters, or one void one (clang's BPF
/// encoding of `(void)`), print `(void)`; a trailing void one is `...`.
void CDumper::emitFuncProtoDecl(DeclFrame &F, TypeId Id, StringRef FieldName,
                                unsigned Lvl, bool LastWasPtr) {
  ArrayRef<BTFParam> Params = T.params(Id);
  dropMods(F);
  if (F.Cnt) {
    OS << " (";
    emitTypeChain(F, FieldName, Lvl);
    OS << ')';
  } else {
    emitName(FieldName, LastWasPtr);
  }
  OS << '(';
  if (Params.empty() || (Params.size() == 1 && Params[0].Type == 0)) {
    OS << "void)";
    return;
  }
  for (size_t I = 0; I < Params.size(); ++I) {
    if (I > 0)
      OS << ", ";
    if (I == Params.size() - 1 && Params[I].Type == 0) {
      OS << "...";
      break;
    }
    emitTypeDecl(Params[I].Type, T.str(Params[I].NameOff), Lvl);
  }
  OS << ')';
}

//===----------------------------------------------------------------------===//
// Names
//===----------------------------------------------------------------------===//

/// btf_dump_name_dups(): count one more occurrence of Name.
size_t CDumper::nameDups(StringMap<size_t> &Names, StringRef Name) {
  return ++Names[Name];
}

/// btf_dump_resolve_name(): the name Id is written with, fixed the first
/// time it is asked for: the N-th type (N > 1) to claim a name in its
/// namespace is written `name___N`. FWDs and empty ENUMs keep their name
/// and claim nothing (they may legally repeat).
StringRef CDumper::resolveName(TypeId Id, StringMap<size_t> &Names) {
  if (!hasName(T, Id))
    return "";
  StringRef Orig = T.name(Id);
  TypeState &S = States[Id];
  if (S.NameResolved)
    return CachedNames[Id].empty() ? Orig : CachedNames[Id];
  S.NameResolved = true;
  const Kind K = T.kind(Id);
  if (K == Kind::Fwd || (K == Kind::Enum && T.vlen(Id) == 0))
    return Orig;
  size_t Dups = nameDups(Names, Orig);
  if (Dups > 1) {
    // libbpf formats into a 256-byte buffer: at most 255 characters.
    std::string New = (Orig + "___" + Twine(Dups)).str();
    CachedNames[Id] = NameSaver.save(StringRef(New).take_front(255));
    return CachedNames[Id];
  }
  return Orig;
}

//===----------------------------------------------------------------------===//
// Whole header
//===----------------------------------------------------------------------===//

Error dumpBTFAsC(const TypeTable &T, raw_ostream &OS) {
  OS << "#ifndef __VMLINUX_H__\n"
        "#define __VMLINUX_H__\n"
        "\n"
        "#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n"
        "#pragma clang attribute push (__attribute__((preserve_access_index)),"
        " apply_to = record)\n"
        "#endif\n\n";
  CDumper D(T, OS);
  for (TypeId Id = 1, N = T.size(); Id < N; ++Id)
    if (Error E = D.dumpType(Id))
      return E;
  OS << "#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n"
        "#pragma clang attribute pop\n"
        "#endif\n"
        "\n"
        "#endif /* __VMLINUX_H__ */\n";
  return Error::success();
}

} // namespace btfgen
