// kernel-new.c - a hand-made "kernel": its .BTF is the target BTF of the
// verdict tests. task_struct has __state (5.14+), new_only exists, and
// amb has two flavors that place x differently (an ambiguity for libbpf);
// pt_regs has the member "nosuch" (stack.bpf.c).
struct task_struct {
  int pid;
  unsigned int __state;
  long flags;
};
struct new_only {
  int x;
};
struct amb___a {
  int x;
};
struct amb___b {
  long pad;
  int x;
};
struct pt_regs {
  unsigned long di;
  unsigned long nosuch;
};
struct task_struct task0;
struct pt_regs regs0;
struct new_only new0;
struct amb___a amb0;
struct amb___b amb1;
