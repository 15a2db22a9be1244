// seed.bpf.c - source of the fuzz seed objects (see ../README.md).
// Small local types with preserve_access_index and one use of every CO-RE
// relocation kind, so the seeds' .BTF has STRUCT/UNION/ENUM/ENUM64/ARRAY/
// TYPEDEF/CONST/VOLATILE/PTR/FUNC/FUNC_PROTO/VAR/DATASEC/INT/FLOAT/FWD/RESTRICT/
// DECL_TAG/TYPE_TAG and the
// .BTF.ext has func_info, line_info and core_relo records.
typedef unsigned int __u32;
typedef unsigned long long __u64;
typedef int __s32;
typedef long long __s64;
typedef unsigned short __u16;
typedef unsigned char __u8;
typedef unsigned short __be16;
typedef unsigned int __be32;
typedef unsigned int __wsum;
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

typedef unsigned long long u64;
typedef unsigned int u32;

enum seed_state { SEED_A = 1, SEED_B = 7 };
enum seed_big { SEED_BIG = 0x100000000ULL };

struct seed_inner {
  u32 lo : 3, mid : 9;
  volatile int v;
} __attribute__((preserve_access_index));

union seed_u {
  u64 q;
  char c[8];
} __attribute__((preserve_access_index));

struct seed_task {
  int pid;
  const char *comm;
  struct seed_inner in[2];
  union seed_u u;
  struct seed_task *parent;
  struct seed_fwd *fwd;
  int *__restrict rp;
} __attribute__((preserve_access_index));

typedef struct seed_task seed_task_t;

struct seed_tagged {
  int a __attribute__((btf_decl_tag("seed_decl")));
  int __attribute__((btf_type_tag("seed_type"))) *p;
  float f;
} __attribute__((preserve_access_index));

u64 seed_out[16];
char LICENSE[] SEC("license") = "GPL";

SEC("kprobe/seed_one")
int seed_one(struct seed_task *t, struct seed_tagged *g) {
  seed_out[0] = BPF_CORE_READ(t, parent, pid);
  seed_out[1] = BPF_CORE_READ_BITFIELD_PROBED(&t->in[1], mid);
  seed_out[2] = bpf_core_field_exists(t->u.c);
  seed_out[3] = bpf_core_field_size(t->comm);
  seed_out[4] = bpf_core_field_offset(t->in[1].v);
  seed_out[12] = bpf_core_field_offset(g->f) + (u64)BPF_CORE_READ(g, p);
  return 0;
}

SEC("tracepoint/seed/two")
int seed_two(void *ctx) {
  seed_out[5] = bpf_core_type_exists(seed_task_t);
  seed_out[6] = bpf_core_type_size(struct seed_inner);
  seed_out[7] = bpf_core_type_id_kernel(union seed_u);
  seed_out[8] = bpf_core_type_id_local(seed_task_t);
  seed_out[9] = bpf_core_enum_value_exists(enum seed_state, SEED_B);
  seed_out[10] = bpf_core_enum_value(enum seed_big, SEED_BIG);
  seed_out[11] = bpf_core_type_matches(struct seed_inner);
  return 0;
}
