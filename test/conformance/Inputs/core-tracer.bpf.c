// core-tracer.bpf.c - a small CO-RE tracer for the btfgen conformance tests.
//
// Compiled at test time against a vmlinux.h dumped from the running kernel
// (bpftool btf dump file /sys/kernel/btf/vmlinux format c). It exercises
// every CO-RE relocation kind the verifier lets a tracing program use:
// field byte offsets (nested, through pointers and arrays), bitfields
// (byte size, lshift, rshift, signedness), field existence on a flavor
// ("___old") that may or may not match, type existence/size/matches,
// target type IDs, and enum value existence/value. Results go to a global
// (.bss) so nothing is optimized away. The programs are written to pass the
// verifier on a current kernel: tp_btf (trusted BTF pointers) and kprobe
// (probe reads only).

#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

struct task_struct___old {
  long state;
} __attribute__((preserve_access_index));

struct task_struct___new {
  unsigned int __state;
} __attribute__((preserve_access_index));

struct btfgen_no_such_type {
  int x;
} __attribute__((preserve_access_index));

enum bpf_func_id___local {
  BPF_FUNC_get_current_task_btf___local = 158,
  BPF_FUNC_btfgen_nonexistent___local = 100000,
};

__u64 Out[32];

static __always_inline long taskState(struct task_struct *T) {
  if (bpf_core_field_exists(((struct task_struct___new *)T)->__state))
    return BPF_CORE_READ((struct task_struct___new *)T, __state);
  if (bpf_core_field_exists(((struct task_struct___old *)T)->state))
    return BPF_CORE_READ((struct task_struct___old *)T, state);
  return -1;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(on_switch, bool preempt, struct task_struct *prev,
             struct task_struct *next) {
  // Direct (trusted) reads: plain field offsets and bitfields.
  Out[0] = next->pid;
  Out[1] = BPF_CORE_READ_BITFIELD(prev, sched_reset_on_fork);
  Out[2] = BPF_CORE_READ_BITFIELD(prev, in_iowait);
  Out[3] = bpf_core_field_size(prev->comm);
  Out[4] = bpf_core_field_offset(prev->se.vruntime);
  Out[5] = taskState(prev);
  Out[6] = bpf_core_type_exists(struct btfgen_no_such_type);
  Out[7] = bpf_core_type_size(struct mm_struct);
  return 0;
}

SEC("kprobe/do_nanosleep")
int BPF_KPROBE(on_nanosleep) {
  struct task_struct *T = (struct task_struct *)bpf_get_current_task();
  // Probe reads through several pointers.
  Out[8] = BPF_CORE_READ(T, real_parent, tgid);
  Out[9] = BPF_CORE_READ(T, mm, total_vm);
  Out[10] = BPF_CORE_READ(T, nsproxy, pid_ns_for_children, level);
  Out[11] = BPF_CORE_READ_BITFIELD_PROBED(T, in_execve);
  Out[12] = bpf_core_enum_value_exists(enum bpf_func_id,
                                       BPF_FUNC_get_current_task_btf);
  Out[13] = bpf_core_enum_value(enum bpf_func_id, BPF_FUNC_ringbuf_output);
  Out[14] = bpf_core_enum_value_exists(enum bpf_func_id___local,
                                       BPF_FUNC_btfgen_nonexistent___local);
#ifndef BTFGEN_NO_TYPE_ID
  // Ambiguous (libbpf fails the load) on kernels with two different
  // task_structs, e.g. Kylin V10 4.19; the tests build a variant without it.
  Out[15] = bpf_core_type_id_kernel(struct task_struct);
#endif
  Out[16] = bpf_core_type_matches(struct task_struct___new);
  Out[17] = __builtin_preserve_field_info(T->prio, BPF_FIELD_SIGNED);
  Out[18] = bpf_core_type_size(struct task_struct);
  Out[19] = bpf_core_field_exists(T->mm->mmap_base);
  Out[20] = BPF_CORE_READ(T, cred, uid.val);
  return 0;
}
