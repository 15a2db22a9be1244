// A guarded flavor access, as libbpf-tools' core_fixes.bpf.h does it: the
// ___nope flavor's field exists on no kernel, so its read is poisoned
// everywhere while the existence check answers 0.
#define SEC(n) __attribute__((section(n), used))

struct task_struct___nope {
  int no_such_field;
} __attribute__((preserve_access_index));

static long (*bpf_probe_read_kernel)(void *dst, unsigned int size,
                                     const void *src) = (void *)113;

SEC("kprobe/do_nanosleep")
int handler(struct task_struct___nope *t) {
  int v = 0;
  if (__builtin_preserve_field_info(t->no_such_field, 2 /* FIELD_EXISTS */))
    bpf_probe_read_kernel(&v, sizeof(v), &t->no_such_field);
  return v;
}

char LICENSE[] SEC("license") = "GPL";
