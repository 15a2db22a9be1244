// guards.bpf.c - one program per way of guarding a CO-RE access that may
// have no target, for the load-verdict tests (test/verdict). Every program
// reads through bpf_get_current_task(), a scalar, so its accesses are
// probe reads and the verifier judges only the CO-RE guards.
#include "mini.h"

struct task_struct {
  int pid;
  unsigned int __state;
} __attribute__((preserve_access_index));

/* Before 5.14 the field is "state" (a long): a flavor of task_struct. */
struct task_struct___old {
  long state;
} __attribute__((preserve_access_index));

struct new_only {
  int x;
} __attribute__((preserve_access_index));

/* Two flavors of it in the kernels: an ambiguity, a libbpf hard error. */
struct amb {
  int x;
} __attribute__((preserve_access_index));

long out;

static struct task_struct *task(void) {
  return (struct task_struct *)bpf_get_current_task();
}

SEC("kprobe/do_nanosleep")
int field_exists(void *ctx) {
  struct task_struct *t = task();
  if (bpf_core_field_exists(t->__state))
    out = BPF_CORE_READ(t, __state);
  else
    out = BPF_CORE_READ((struct task_struct___old *)t, state);
  return 0;
}

SEC("kprobe/do_nanosleep")
int type_exists(void *ctx) {
  struct new_only *n = (struct new_only *)bpf_get_current_task();
  if (bpf_core_type_exists(struct new_only))
    out = BPF_CORE_READ(n, x);
  return 0;
}

SEC("kprobe/do_nanosleep")
int unguarded(void *ctx) {
  out = BPF_CORE_READ(task(), __state);
  return 0;
}

/* The guard reaches the read as a static subprogram's argument. */
static __noinline int read_state(struct task_struct *t, int has) {
  if (has)
    return BPF_CORE_READ(t, __state);
  return 0;
}

SEC("kprobe/do_nanosleep")
int subprog_arg(void *ctx) {
  struct task_struct *t = task();
  out = read_state(t, bpf_core_field_exists(t->__state));
  return 0;
}

/* The same in a global function: since 5.6 it is verified on its own, with
 * "has" unknown, so the guard no longer protects the read. */
__noinline int global_read(unsigned long tp, int has) {
  struct task_struct *t = (struct task_struct *)tp;
  if (has)
    return BPF_CORE_READ(t, __state);
  return 0;
}

SEC("kprobe/do_nanosleep")
int global_func(void *ctx) {
  struct task_struct *t = task();
  out = global_read((unsigned long)t, bpf_core_field_exists(t->__state));
  return 0;
}

/* A bounded loop (5.3+): the verifier walks each iteration with the
 * counter as a constant, the guard inside. */
long vals[64];
int limit;

SEC("kprobe/do_nanosleep")
int bounded_loop(void *ctx) {
  struct task_struct *t = task();
  long sum = 0;
  for (int i = 0; i < 64 && i < limit; i++) {
    sum += vals[i];
    if (i == 63 && bpf_core_field_exists(t->__state))
      sum += BPF_CORE_READ(t, __state);
  }
  out = sum;
  return 0;
}

#ifndef GUARDS_NO_AMBIGUOUS /* driver tests of --fail-on leave it out */
SEC("kprobe/do_nanosleep")
int ambiguous(void *ctx) {
  struct amb *a = (struct amb *)bpf_get_current_task();
  out = BPF_CORE_READ(a, x);
  return 0;
}
#endif

char LICENSE[] SEC("license") = "GPL";
