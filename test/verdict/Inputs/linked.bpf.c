// linked.bpf.c - programs and subprograms as libbpf 1.1.2 links them
// (object-dump.test): two entry points in one section, a static and a
// global subprogram in .text, a callback passed to bpf_loop, a .text
// function nobody calls, a map and read-only data.
#include "mini.h"

struct task_struct {
  int pid;
  int tgid;
} __attribute__((preserve_access_index));

struct {
  __uint(type, 2 /* BPF_MAP_TYPE_ARRAY */);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, __u64);
} counts SEC(".maps");

const volatile int enabled = 1;
long out;

static __noinline int tgid_of(struct task_struct *t) {
  return BPF_CORE_READ(t, tgid);
}

__noinline int pid_of(unsigned long tp) {
  return BPF_CORE_READ((struct task_struct *)tp, pid);
}

static int step(__u32 index, void *ctx) {
  out += index;
  return 0;
}

__noinline int unused(unsigned long tp) {
  return BPF_CORE_READ((struct task_struct *)tp, pid) + 1;
}

SEC("kprobe/do_nanosleep")
int first(void *ctx) {
  struct task_struct *t = (struct task_struct *)bpf_get_current_task();
  __u32 zero = 0;
  __u64 *c = bpf_map_lookup_elem(&counts, &zero);
  if (c && enabled)
    *c += tgid_of(t);
  return 0;
}

SEC("kprobe/do_nanosleep")
int second(void *ctx) {
  struct task_struct *t = (struct task_struct *)bpf_get_current_task();
  out = pid_of((unsigned long)t) + tgid_of(t);
  bpf_loop(4, step, 0, 0);
  return 0;
}

char LICENSE[] SEC("license") = "GPL";
