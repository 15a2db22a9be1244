// pid-only.bpf.c - one CO-RE relocation (task_struct::pid). Its minimized
// BTF is deliberately too small for core-tracer.bpf.c: the conformance tests
// use it to show that the referees reject an insufficient BTF.
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";
__u64 Pid;

SEC("kprobe/do_nanosleep")
int BPF_KPROBE(on_nanosleep) {
  struct task_struct *T = (struct task_struct *)bpf_get_current_task();
  Pid = BPF_CORE_READ(T, pid);
  return 0;
}
