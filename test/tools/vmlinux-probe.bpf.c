// vmlinux-probe.bpf.c - a minimal CO-RE program over a generated vmlinux.h.
//
// test/tools/dump-c-vs-bpftool.py compiles it next to each header that
// `btfgen-driver dump --format c` writes, to check that the header is valid
// C for clang's BPF target: CO-RE reads through pointers (task_struct is in
// every kernel's BTF), a field-existence check and the preserve_access_index
// pragma around the whole header. Architecture-neutral (no pt_regs).

#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

int parent_tgid;
int has_pid;
unsigned long long list_next;

SEC("kprobe/do_exit")
int probe(void *ctx) {
  struct task_struct *task = (struct task_struct *)bpf_get_current_task();
  parent_tgid = BPF_CORE_READ(task, real_parent, tgid);
  has_pid = bpf_core_field_exists(task->pid);
  list_next = (unsigned long long)BPF_CORE_READ(task, tasks.next);
  return 0;
}
