// A second small CO-RE program for the driver cache tests (a program set
// different from task.bpf.c): a pointer chain into mm_struct.
#define SEC(n) __attribute__((section(n), used))

struct mm_struct {
  unsigned long total_vm;
} __attribute__((preserve_access_index));

struct task_struct {
  int pid;
  struct mm_struct *mm;
} __attribute__((preserve_access_index));

static long (*bpf_probe_read_kernel)(void *dst, unsigned int size,
                                     const void *src) = (void *)113;

SEC("kprobe/do_exit")
int handler(struct task_struct *t) {
  struct mm_struct *mm;
  unsigned long vm = 0;
  bpf_probe_read_kernel(&mm, sizeof(mm), &t->mm);
  bpf_probe_read_kernel(&vm, sizeof(vm), &mm->total_vm);
  return t->pid + (int)vm;
}

char LICENSE[] SEC("license") = "GPL";
