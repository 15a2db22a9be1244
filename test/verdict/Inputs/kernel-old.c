// kernel-old.c - the "kernel" before task_struct::state became __state
// (5.14), without new_only; amb is as ambiguous as in kernel-new.c;
// pt_regs has "oldname" where kernel-new.c has "nosuch" (stack.bpf.c).
struct task_struct {
  int pid;
  long state;
  long flags;
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
  unsigned long oldname;
};
struct task_struct task0;
struct pt_regs regs0;
struct amb___a amb0;
struct amb___b amb1;
