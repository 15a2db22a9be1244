// A small CO-RE program for the driver tests: field offsets through a
// pointer chain, a field-exists check and a type-size query, with the kernel
// types declared locally (no vmlinux.h), as libbpf's bpf_core_read.h
// expands them.
#define SEC(n) __attribute__((section(n), used))

struct list_head {
  struct list_head *next, *prev;
} __attribute__((preserve_access_index));

struct task_struct {
  int pid;
  int tgid;
  unsigned int flags;
  struct task_struct *real_parent;
  struct list_head children;
  char comm[16];
} __attribute__((preserve_access_index));

static long (*bpf_probe_read_kernel)(void *dst, unsigned int size,
                                     const void *src) = (void *)113;

SEC("kprobe/do_nanosleep")
int handler(struct task_struct *t) {
  struct task_struct *parent;
  int tgid = 0;
  bpf_probe_read_kernel(&parent, sizeof(parent), &t->real_parent);
  bpf_probe_read_kernel(&tgid, sizeof(tgid), &parent->tgid);
  if (__builtin_preserve_field_info(t->flags, 2 /* FIELD_EXISTS */))
    tgid += __builtin_preserve_field_info(t->comm, 1 /* FIELD_BYTE_SIZE */);
  return tgid + __builtin_preserve_type_info(*t, 1 /* TYPE_SIZE */);
}

char LICENSE[] SEC("license") = "GPL";
