// One relocation of each family the kernel cache's view must answer like
// the full BTF (test/driver/archive-cache-view.test): enumerators of an
// enum no kernel struct refers to, a typedef, a kernel type ID (IDs are
// kept), FIELD_SIGNED, a field that exists on some kernels only, and
// TYPE_MATCHES.
#include <linux/types.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

// No kernel type refers to this enum (bcc's tools read it the same way).
enum cgroup_subsys_id___v {
  cpu_cgrp_id___v = 1,
  memory_cgrp_id___v = 4,
  not_a_subsys_id___v = 99,
};

typedef int pid_t___v;

struct task_struct___v {
  int pid;
  void *stack;
  unsigned int __state;
} __attribute__((preserve_access_index));

SEC("kprobe/do_nanosleep")
int view_probe(void *ctx) {
  struct task_struct___v *t = (void *)bpf_get_current_task();
  long r = 0;
  r += bpf_core_enum_value_exists(enum cgroup_subsys_id___v, cpu_cgrp_id___v);
  r += bpf_core_enum_value(enum cgroup_subsys_id___v, memory_cgrp_id___v);
  r += bpf_core_enum_value_exists(enum cgroup_subsys_id___v,
                                  not_a_subsys_id___v);
  r += bpf_core_type_exists(pid_t___v);
  r += bpf_core_type_id_kernel(struct task_struct___v);
  r += __builtin_preserve_field_info(t->pid, BPF_FIELD_SIGNED);
  r += bpf_core_field_exists(t->__state);
  r += bpf_core_type_matches(struct task_struct___v);
  r += BPF_CORE_READ(t, pid);
  return r;
}

char LICENSE[] SEC("license") = "GPL";
