//===- loadcheck.c - Referee B: load a BPF object with libbpf --------------===//
//
// btfgen-loadcheck opens a BPF object with libbpf (Debian's libbpf 1.1),
// points libbpf's CO-RE at a custom target BTF (bpf_object_open_opts::
// btf_custom_path), loads the object into the running kernel and writes what
// libbpf did, in a form meant to be diffed between two runs: one with the
// full kernel BTF and one with btfgen's minimized BTF. If btfgen is correct
// both files are identical.
//
// What is written (OUT):
//   * every CO-RE outcome libbpf logs, in libbpf's order: the "patched insn"
//     lines (new offset/immediate/size per instruction), the "substituting
//     insn ... w/ invalid insn" poison lines, "no matching targets found",
//     and every warning (ambiguities, failures). Those come from libbpf's
//     relocation code (relo_core.c bpf_core_patch_insn / bpf_core_calc_relo_insn)
//     and are produced before the verifier runs, so they are captured even
//     when the kernel rejects a program for an unrelated reason. Type IDs in
//     kept lines are replaced by "[#]" (minimized BTF renumbers targets).
//     Verifier logs are dropped (they hold addresses and are not CO-RE).
//     Target type ID relocations (bpf_core_type_id_kernel) patch in a type ID
//     of the target BTF, which any minimization renumbers (bpftool's too):
//     their value is printed as the kind, name and size of the target type
//     instead, in the log line and in the ldimm64 that carries it.
//   * with --pointer-size, the pointer size libbpf reads from the target BTF
//     (btf__pointer_size: the ELF class, or the size of the first INT named
//     like `long`; 0 if it cannot tell and would use its own);
//   * the load result (ok, or the error number and message);
//   * for every program with autoload on, its instructions as returned by
//     bpf_program__insns() after bpf_object__load(): in libbpf 1.1 these are
//     the final, CO-RE-relocated instructions, also after a failed load
//     (bpf_object_load only unloads fds on failure; insns stay until close).
//     Map fds embedded in ldimm64 are masked.
//
// Usage:
//   btfgen-loadcheck --probe
//       exit 0 iff a BPF program can be loaded here (root, bpf(2) works,
//       /sys/kernel/btf/vmlinux exists).
//   btfgen-loadcheck [--relocate-only] [--pointer-size] [--no-autoload PROG]...
//                    OBJ BTF OUT
//       exit 0 if the output was written (whatever the load result),
//       1 on usage or I/O errors, 2 if the object cannot even be opened.
//
// --relocate-only: stop right after libbpf's relocation step. Every program's
// type is set to BPF_PROG_TYPE_UNSPEC, which the kernel rejects before the
// verifier runs; libbpf has already CO-RE-relocated all programs by then
// (bpf_object__relocate precedes bpf_object__load_progs), so the output has
// the same relocation lines and instructions, in milliseconds instead of
// minutes of verification, and for target BTFs of kernels other than the
// running one (whose programs the verifier would often reject anyway).
//
//===----------------------------------------------------------------------===//

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <linux/bpf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

// Kept libbpf log text, newline-separated, in the order libbpf printed it.
static char *LogBuf;
static int QuietWarnings;
static size_t LogLen, LogCap;

static void appendLog(const char *S, size_t N) {
  if (LogLen + N + 1 > LogCap) {
    size_t NewCap = LogCap ? LogCap * 2 : 65536;
    while (NewCap < LogLen + N + 1)
      NewCap *= 2;
    char *P = realloc(LogBuf, NewCap);
    if (!P) {
      fprintf(stderr, "btfgen-loadcheck: out of memory\n");
      exit(1);
    }
    LogBuf = P;
    LogCap = NewCap;
  }
  memcpy(LogBuf + LogLen, S, N);
  LogLen += N;
  LogBuf[LogLen] = '\0';
}

// Copy Line to the log with every "[<digits>]" replaced by "[#]".
static void appendNormalized(const char *Line, size_t N) {
  size_t I = 0;
  while (I < N) {
    if (Line[I] == '[') {
      size_t J = I + 1;
      while (J < N && Line[J] >= '0' && Line[J] <= '9')
        ++J;
      if (J > I + 1 && J < N && Line[J] == ']') {
        appendLog("[#]", 3);
        I = J + 1;
        continue;
      }
    }
    appendLog(Line + I, 1);
    ++I;
  }
}

// The custom target BTF, parsed on first use (customBtf()) with btf__parse(),
// what btf_custom_path goes through: to describe target type IDs and to
// print its pointer size.
static const char *CustomBtfPath;
static struct btf *CustomBtf;
static int CustomBtfFailed;

static struct btf *customBtf(void) {
  if (!CustomBtf && !CustomBtfFailed) {
    CustomBtf = btf__parse(CustomBtfPath, NULL);
    if (!CustomBtf)
      CustomBtfFailed = 1;
  }
  return CustomBtf;
}

// "prog 'P': relo #N:" prefixes of TYPE_ID_TARGET relocations, and the
// target IDs libbpf patched in.
#define MAX_TYPE_ID_RELOS 4096
static char *TypeIdPrefix[MAX_TYPE_ID_RELOS];
static int NumTypeIdPrefix;
struct TypeIdPatch {
  char Prog[128];          // (sub)program the relocation is in
  unsigned long Insn;      // instruction index within that (sub)program
  unsigned long long Value; // target type ID patched in
};
static struct TypeIdPatch TypeIdPatches[MAX_TYPE_ID_RELOS];
static int NumTypeIdPatches;

static const char *kindName(unsigned Kind) {
  static const char *Names[] = {
      "UNKN",  "INT",     "PTR",      "ARRAY",  "STRUCT",    "UNION",
      "ENUM",  "FWD",     "TYPEDEF",  "VOLATILE", "CONST",   "RESTRICT",
      "FUNC",  "FUNC_PROTO", "VAR",   "DATASEC", "FLOAT",    "DECL_TAG",
      "TYPE_TAG", "ENUM64"};
  return Kind < sizeof(Names) / sizeof(Names[0]) ? Names[Kind] : "?";
}

// "KIND 'name' size=N" of target type Id (shape only: IDs differ).
static void describeTargetType(unsigned long long Id, char *Buf, size_t N) {
  const struct btf_type *T =
      customBtf() && Id ? btf__type_by_id(CustomBtf, (__u32)Id) : NULL;
  if (!T) {
    snprintf(Buf, N, "<type %s>", Id ? "?" : "none");
    return;
  }
  unsigned Kind = btf_kind(T);
  int Sized = Kind == BTF_KIND_INT || Kind == BTF_KIND_STRUCT ||
              Kind == BTF_KIND_UNION || Kind == BTF_KIND_ENUM ||
              Kind == BTF_KIND_ENUM64 || Kind == BTF_KIND_FLOAT;
  if (Sized)
    snprintf(Buf, N, "<type %s '%s' size=%u>", kindName(Kind),
             btf__name_by_offset(CustomBtf, T->name_off), T->size);
  else
    snprintf(Buf, N, "<type %s '%s'>", kindName(Kind),
             btf__name_by_offset(CustomBtf, T->name_off));
}

// Length of the "prog 'P': relo #N:" prefix at the start of Line, or 0.
static size_t reloPrefixLen(const char *Line) {
  const char *R = strstr(Line, ": relo #");
  if (!R)
    return 0;
  const char *C = strchr(R + 8, ':');
  return C ? (size_t)(C - Line + 1) : 0;
}

// Remember TYPE_ID_TARGET relocations from their spec line, and rewrite
// their "patched insn ... imm64 A -> B" line to show B by shape.
static void handleTypeIdLine(char *Line, size_t Cap) {
  size_t P = reloPrefixLen(Line);
  if (!P)
    return;
  if (strstr(Line + P, "<target_type_id>")) {
    if (NumTypeIdPrefix < MAX_TYPE_ID_RELOS)
      TypeIdPrefix[NumTypeIdPrefix++] = strndup(Line, P);
    return;
  }
  int Found = 0;
  for (int K = NumTypeIdPrefix - 1; K >= 0 && !Found; --K)
    Found = strlen(TypeIdPrefix[K]) == P && !strncmp(TypeIdPrefix[K], Line, P);
  if (!Found)
    return;
  // Two candidates with different IDs: libbpf's ambiguity error lists the
  // two target IDs; the outcome (the relocation fails) is what counts.
  char *Amb = strstr(Line + P, "relocation decision ambiguity:");
  if (Amb) {
    snprintf(Amb, Cap - (size_t)(Amb - Line),
             "relocation decision ambiguity: <two target types>");
    return;
  }
  if (!strstr(Line + P, "patched insn"))
    return;
  char *Arrow = strstr(Line, " -> ");
  if (!Arrow)
    return;
  unsigned long long V = strtoull(Arrow + 4, NULL, 10);
  const char *ProgStart = strstr(Line, "prog '");
  const char *Insn = strstr(Line, "patched insn #");
  if (V && ProgStart && Insn && NumTypeIdPatches < MAX_TYPE_ID_RELOS) {
    struct TypeIdPatch *TP = &TypeIdPatches[NumTypeIdPatches++];
    ProgStart += 6;
    const char *ProgEnd = strchr(ProgStart, '\'');
    size_t L = ProgEnd ? (size_t)(ProgEnd - ProgStart) : 0;
    if (L >= sizeof(TP->Prog))
      L = sizeof(TP->Prog) - 1;
    memcpy(TP->Prog, ProgStart, L);
    TP->Prog[L] = '\0';
    TP->Insn = strtoul(Insn + 14, NULL, 10);
    TP->Value = V;
  }
  char Desc[512];
  describeTargetType(V, Desc, sizeof(Desc));
  snprintf(Arrow + 4, Cap - (size_t)(Arrow + 4 - Line), "%s", Desc);
}

// Does instruction I of main program Prog hold a patched target type ID?
// Relocations in the program itself are matched by position. libbpf 1.1
// does not say where it appends a subprogram, so for relocations in
// subprograms the value is matched instead (a local constant that happens to
// equal it would be shown as a type too, in one run only: a visible false
// disagreement, never a hidden one).
static int isTypeIdInsn(const struct bpf_object *Obj, const char *Prog,
                        size_t I, unsigned long long V) {
  for (int K = 0; K < NumTypeIdPatches; ++K) {
    const struct TypeIdPatch *TP = &TypeIdPatches[K];
    if (!strcmp(TP->Prog, Prog)) {
      if (TP->Insn == I && TP->Value == V)
        return 1;
      continue;
    }
    if (TP->Value == V &&
        !bpf_object__find_program_by_name(Obj, TP->Prog))
      return 1;
  }
  return 0;
}

static int isOutcomeLine(const char *Line) {
  return strstr(Line, "patched insn") || strstr(Line, "substituting insn") ||
         strstr(Line, "no matching targets found");
}

static int printFn(enum libbpf_print_level Level, const char *Fmt,
                   va_list Args) {
  char Stack[4096];
  va_list Copy;
  va_copy(Copy, Args);
  int N = vsnprintf(Stack, sizeof(Stack), Fmt, Copy);
  va_end(Copy);
  if (N < 0)
    return 0;
  char *Msg = Stack;
  if ((size_t)N >= sizeof(Stack)) {
    Msg = malloc((size_t)N + 1);
    if (!Msg)
      return 0;
    vsnprintf(Msg, (size_t)N + 1, Fmt, Args);
  }
  // Verifier logs: not CO-RE, and full of run-dependent values.
  if (!strstr(Msg, "BEGIN PROG LOAD LOG")) {
    const char *Line = Msg;
    while (*Line) {
      const char *End = strchr(Line, '\n');
      size_t Len = End ? (size_t)(End - Line) : strlen(Line);
      char Tmp[1024];
      size_t TLen = Len < sizeof(Tmp) - 1 ? Len : sizeof(Tmp) - 1;
      memcpy(Tmp, Line, TLen);
      Tmp[TLen] = '\0';
      handleTypeIdLine(Tmp, sizeof(Tmp));
      TLen = strlen(Tmp);
      int Keep = Level == LIBBPF_WARN ? 1 : isOutcomeLine(Tmp);
      // Only warnings on stderr (not the expected ones of
      // --relocate-only); the outcome lines are in OUT.
      if (Level == LIBBPF_WARN && TLen && !QuietWarnings)
        fprintf(stderr, "%s\n", Tmp);
      if (Keep && TLen) {
        appendLog(Level == LIBBPF_WARN ? "warn: " : "relo: ", 6);
        appendNormalized(Tmp, TLen);
        appendLog("\n", 1);
      }
      if (!End)
        break;
      Line = End + 1;
    }
  }
  if (Msg != Stack)
    free(Msg);
  return 0;
}

static int probe(void) {
  if (geteuid() != 0) {
    fprintf(stderr, "btfgen-loadcheck: not root\n");
    return 1;
  }
  if (access("/sys/kernel/btf/vmlinux", R_OK) != 0) {
    fprintf(stderr, "btfgen-loadcheck: no /sys/kernel/btf/vmlinux\n");
    return 1;
  }
  // r0 = 0; exit
  struct bpf_insn Insns[] = {
      {.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0},
      {.code = BPF_JMP | BPF_EXIT},
  };
  int Fd = bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "btfgen_probe", "GPL",
                         Insns, 2, NULL);
  if (Fd < 0) {
    fprintf(stderr, "btfgen-loadcheck: bpf(BPF_PROG_LOAD) failed: %s\n",
            strerror(errno));
    return 1;
  }
  close(Fd);
  return 0;
}

static int isMapFdPseudo(unsigned Src) {
  return Src == BPF_PSEUDO_MAP_FD || Src == BPF_PSEUDO_MAP_VALUE ||
         Src == BPF_PSEUDO_MAP_IDX || Src == BPF_PSEUDO_MAP_IDX_VALUE;
}

static void writeInsns(FILE *Out, const struct bpf_object *Obj,
                       const struct bpf_program *Prog) {
  const struct bpf_insn *Insns = bpf_program__insns(Prog);
  size_t Cnt = bpf_program__insn_cnt(Prog);
  fprintf(Out, "prog %s (%s): %zu insns\n", bpf_program__name(Prog),
          bpf_program__section_name(Prog), Cnt);
  for (size_t I = 0; I < Cnt; ++I) {
    const struct bpf_insn *In = &Insns[I];
    // First half of an ldimm64 that carries a map fd: the fd number depends
    // on the process, not on CO-RE. (The second half's imm, a value offset
    // for BPF_PSEUDO_MAP_VALUE, is kept.)
    if (In->code == (BPF_LD | BPF_IMM | BPF_DW) && isMapFdPseudo(In->src_reg))
      fprintf(Out, "%5zu: %02x %x %x %04x <map-fd>\n", I, In->code,
              In->dst_reg, In->src_reg, (unsigned short)In->off);
    else if (In->code == (BPF_LD | BPF_IMM | BPF_DW) && In->src_reg == 0 &&
             I + 1 < Cnt && Insns[I + 1].imm == 0 &&
             isTypeIdInsn(Obj, bpf_program__name(Prog), I,
                          (unsigned)In->imm)) {
      char Desc[512];
      describeTargetType((unsigned)In->imm, Desc, sizeof(Desc));
      fprintf(Out, "%5zu: %02x %x %x %04x %s\n", I, In->code, In->dst_reg,
              In->src_reg, (unsigned short)In->off, Desc);
    } else
      fprintf(Out, "%5zu: %02x %x %x %04x %08x\n", I, In->code, In->dst_reg,
              In->src_reg, (unsigned short)In->off, (unsigned)In->imm);
  }
}

static void usage(void) {
  fprintf(stderr, "usage: btfgen-loadcheck --probe\n"
                  "       btfgen-loadcheck [--relocate-only] [--pointer-size] "
                  "[--no-autoload PROG]... OBJ BTF OUT\n");
}

int main(int Argc, char **Argv) {
  const char *NoAuto[64];
  int NumNoAuto = 0;
  int RelocateOnly = 0;
  int PointerSize = 0;
  int I = 1;
  for (; I < Argc && Argv[I][0] == '-' && Argv[I][1] == '-'; ++I) {
    if (!strcmp(Argv[I], "--probe"))
      return probe();
    if (!strcmp(Argv[I], "--relocate-only")) {
      RelocateOnly = 1;
      QuietWarnings = 1;
      continue;
    }
    if (!strcmp(Argv[I], "--pointer-size")) {
      PointerSize = 1;
      continue;
    }
    if (!strcmp(Argv[I], "--no-autoload") && I + 1 < Argc && NumNoAuto < 64) {
      NoAuto[NumNoAuto++] = Argv[++I];
      continue;
    }
    usage();
    return 1;
  }
  if (Argc - I != 3) {
    usage();
    return 1;
  }
  const char *ObjPath = Argv[I], *BtfPath = Argv[I + 1], *OutPath = Argv[I + 2];
  CustomBtfPath = BtfPath;

  libbpf_set_strict_mode(LIBBPF_STRICT_ALL);
  libbpf_set_print(printFn);

  FILE *Out = fopen(OutPath, "w");
  if (!Out) {
    fprintf(stderr, "btfgen-loadcheck: '%s': %s\n", OutPath, strerror(errno));
    return 1;
  }

  LIBBPF_OPTS(bpf_object_open_opts, Opts, .btf_custom_path = BtfPath);
  struct bpf_object *Obj = bpf_object__open_file(ObjPath, &Opts);
  if (!Obj) {
    int E = errno;
    fprintf(Out, "open: error %d (%s)\n%s", E, strerror(E),
            LogBuf ? LogBuf : "");
    fclose(Out);
    fprintf(stderr, "btfgen-loadcheck: '%s': cannot open: %s\n", ObjPath,
            strerror(E));
    return 2;
  }

  struct bpf_program *Prog;
  bpf_object__for_each_program(Prog, Obj) {
    for (int K = 0; K < NumNoAuto; ++K)
      if (!strcmp(bpf_program__name(Prog), NoAuto[K]))
        bpf_program__set_autoload(Prog, false);
    if (RelocateOnly)
      bpf_program__set_type(Prog, BPF_PROG_TYPE_UNSPEC);
  }

  int Err = bpf_object__load(Obj);
  fprintf(Out, "object %s\n", bpf_object__name(Obj));
  if (PointerSize) {
    if (customBtf())
      fprintf(Out, "target pointer size: %zu\n",
              btf__pointer_size(CustomBtf));
    else
      fprintf(Out, "target pointer size: (BTF does not parse)\n");
  }
  fputs(LogBuf ? LogBuf : "", Out);
  if (RelocateOnly)
    fprintf(Out, "load: skipped (--relocate-only)\n");
  else if (Err)
    fprintf(Out, "load: error %d (%s)\n", -Err, strerror(-Err));
  else
    fprintf(Out, "load: ok\n");

  bpf_object__for_each_program(Prog, Obj) {
    if (!bpf_program__autoload(Prog)) {
      fprintf(Out, "prog %s: autoload off, skipped\n", bpf_program__name(Prog));
      continue;
    }
    writeInsns(Out, Obj, Prog);
  }
  bpf_object__close(Obj);
  btf__free(CustomBtf);
  if (fclose(Out) != 0) {
    fprintf(stderr, "btfgen-loadcheck: '%s': write failed\n", OutPath);
    return 1;
  }
  return 0;
}
