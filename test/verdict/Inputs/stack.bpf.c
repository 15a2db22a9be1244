// stack.bpf.c - guards kept on the stack, as at -O0: each guard lives in a
// volatile local, so clang stores it to the stack and loads it back before
// the branch, and the verifier prunes the dead code only if it tracks
// constants through that spill. (Real -O0 cannot be used: clang 19 lowers
// CO-RE at -O0 into loads through constant addresses, and calls helpers
// through pointers (callx), both of which the verifier refuses.)
#define SEC(name) __attribute__((section(name), used))

struct pt_regs {
  unsigned long di;
  unsigned long nosuch; /* only kernel-new.c has it */
} __attribute__((preserve_access_index));

/* The older layout, as a flavor: only kernel-old.c has "oldname". */
struct pt_regs___old {
  unsigned long oldname;
} __attribute__((preserve_access_index));

enum { BYTE_OFFSET = 0, FIELD_EXISTS = 2 };

/* The guarded code only materializes relocated constants: the offset of
 * the field of either layout, poisoned where that field is missing. Where
 * "nosuch" is missing the guard is 0, and a stored zero is always tracked
 * ("zero" stack bytes); where it exists the guard is 1, and the verifier
 * prunes the old layout's branch only if it tracks that spill. */
#define GUARDED_OFFSET(T)                                                      \
  volatile T has = __builtin_preserve_field_info(ctx->nosuch, FIELD_EXISTS);   \
  if (has)                                                                     \
    return __builtin_preserve_field_info(ctx->nosuch, BYTE_OFFSET);            \
  return __builtin_preserve_field_info(                                        \
      ((struct pt_regs___old *)ctx)->oldname, BYTE_OFFSET)

/* An 8-byte spill of a constant: tracked since 5.3. */
SEC("kprobe/do_nanosleep")
int stack_guard_long(struct pt_regs *ctx) { GUARDED_OFFSET(long); }

/* A 4-byte spill, which clang puts in the upper half of an 8-byte slot:
 * not tracked (a narrow spill is tracked at the start of a slot only). */
SEC("kprobe/do_nanosleep")
int stack_guard_int(struct pt_regs *ctx) { GUARDED_OFFSET(int); }

char LICENSE[] SEC("license") = "GPL";
