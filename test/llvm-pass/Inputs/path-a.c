// Input of manifest-output-path.test: one byte_off relocation on struct a.
#include "bpf-prelude.h"
struct a { int x; int y; } __attribute__((preserve_access_index));
SEC("kprobe/a") int prog_a(struct a *p) { return BPF_CORE_READ(p, y); }
char LICENSE[] SEC("license") = "GPL";
