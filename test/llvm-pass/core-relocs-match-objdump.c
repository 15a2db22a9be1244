// The manifest's unique CO-RE relocations equal the object's .BTF.ext records
// (as llvm-objdump prints them), for all 13 relocation kinds, at -O0 and
// -O2, and every relocation root's type graph has the same shape as in the
// object's .BTF (bpftool). Roots cover struct, union, typedef, enum,
// enum64 (signed and unsigned), pointer, func-proto typedef, anonymous
// struct typedef and a ___flavor struct.
//
// REQUIRES: bpftool
// RUN: rm -rf %t && mkdir -p %t
// RUN: env BTFGEN_MANIFEST=%t/o2.json %bpfclang -I %S/Inputs %s -o %t/o2.o
// RUN: %python %srcroot/test/tools/manifest-vs-objdump.py %t/o2.json %t/o2.o | FileCheck %s --check-prefix=CMP
// RUN: env BTFGEN_MANIFEST=%t/o0.json %bpfclang -O0 -I %S/Inputs %s -o %t/o0.o
// RUN: %python %srcroot/test/tools/manifest-vs-objdump.py %t/o0.json %t/o0.o | FileCheck %s --check-prefix=CMP
// RUN: FileCheck %s --input-file=%t/o2.json
// RUN: FileCheck %s --input-file=%t/o0.json
//
// Every kind is present (the manifest is sorted by kind id):
// CHECK: "format": "btfgen-manifest",
// CHECK-NEXT: "version": 2,
// CHECK: "relocations": [
// CHECK: {"kind":"byte_off","kind_id":0,
// CHECK: {"kind":"byte_sz","kind_id":1,
// CHECK: {"kind":"field_exists","kind_id":2,
// CHECK: {"kind":"signed","kind_id":3,
// CHECK: {"kind":"lshift_u64","kind_id":4,
// CHECK: {"kind":"rshift_u64","kind_id":5,
// CHECK: {"kind":"local_type_id","kind_id":6,
// CHECK: {"kind":"target_type_id","kind_id":7,
// CHECK: {"kind":"type_exists","kind_id":8,
// CHECK: {"kind":"type_size","kind_id":9,
// CHECK: {"kind":"enumval_exists","kind_id":10,
// CHECK: {"kind":"enumval_value","kind_id":11,
// CHECK: {"kind":"type_matches","kind_id":12,
//
// CMP: OK: 3{{[0-9]}} relocations ({{[0-9]+}} records) match, 3{{[0-9]}} root graphs equal

#include "bpf-prelude.h"

typedef int pid_t;
typedef long (*handler_t)(int, void *);

struct sched_entity {
  unsigned long long vruntime;
  int weight[4][2];
} __attribute__((preserve_access_index));

union addr {
  unsigned int v4;
  unsigned char v6[16];
} __attribute__((preserve_access_index));

struct task_struct {
  pid_t pid;
  int flags : 3;
  unsigned prio : 5;
  signed char nice : 4;
  struct task_struct *real_parent;
  struct sched_entity se;
  union addr a;
  const char *comm;
  handler_t handler;
  long tail[];
} __attribute__((preserve_access_index));

struct task_struct___old {
  int pid;
  long state;
} __attribute__((preserve_access_index));

typedef struct {
  int a;
  short b;
} __attribute__((preserve_access_index)) anon_t;

enum state { RUNNING = 0, SLEEPING = 1, STOPPED = 4 };
enum neg64 { NEG = -5000000000LL, POS = 1 };
enum big64 { HUGE = 0xf000000000000000ULL };

SEC("tp/sched/sched_switch")
int prog(struct task_struct *t) {
  long r = 0;
  // byte_off through a pointer chain and into nested arrays/unions
  r += BPF_CORE_READ(t, real_parent, pid);
  r += BPF_CORE_READ(t, se.weight[2][1]);
  r += BPF_CORE_READ(t, a.v6[3]);
  r += BPF_CORE_READ((anon_t *)t->comm, b);
  // byte_sz, field offset, exists
  r += bpf_core_field_size(t->comm);
  r += bpf_core_field_offset(t->se.vruntime);
  r += bpf_core_field_exists(t->handler);
  r += bpf_core_field_exists(((struct task_struct___old *)t)->state);
  // signed, lshift_u64, rshift_u64 (and byte_off/byte_sz) via bitfields
  r += BPF_CORE_READ_BITFIELD_PROBED(t, nice);
  r += BPF_CORE_READ_BITFIELD(t, flags);
  // type-based
  r += bpf_core_type_id_local(struct task_struct);
  r += bpf_core_type_id_kernel(struct sched_entity);
  r += bpf_core_type_id_local(struct task_struct *);
  r += bpf_core_type_exists(pid_t);
  r += bpf_core_type_exists(handler_t);
  r += bpf_core_type_exists(union addr);
  r += bpf_core_type_size(anon_t);
  r += bpf_core_type_size(struct task_struct___old);
  r += bpf_core_type_matches(struct sched_entity);
  r += bpf_core_type_matches(enum state);
  // enum-based, 32- and 64-bit, signed and unsigned
  r += bpf_core_enum_value_exists(enum state, STOPPED);
  r += bpf_core_enum_value(enum state, SLEEPING);
  r += bpf_core_enum_value(enum neg64, NEG);
  r += bpf_core_enum_value_exists(enum big64, HUGE);
  r += bpf_core_enum_value(enum big64, HUGE);
  return r;
}

char LICENSE[] SEC("license") = "GPL";
