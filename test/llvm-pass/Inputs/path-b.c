// Input of manifest-output-path.test: one field_exists relocation on struct b.
#include "bpf-prelude.h"
struct b { long u; long v; } __attribute__((preserve_access_index));
SEC("kprobe/b") int prog_b(struct b *p) { return bpf_core_field_exists(p->v); }
char LICENSE[] SEC("license") = "GPL";
