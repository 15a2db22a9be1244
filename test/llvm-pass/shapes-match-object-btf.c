// Root type graphs with BTFDebug's special cases have the same shape in the
// manifest as in the object's .BTF: bitfields (kflag), char as signed INT,
// bool, float, _Atomic members (type void in LLVM 19), btf_type_tag chains,
// btf_decl_tag on structs/members/typedefs, const/volatile/restrict, nested
// and flexible arrays, a struct only reachable through a member pointer
// (FWD) and one that a global makes complete in the object (STRUCT), a
// pointer to a union, a signed enum, and typedef/func-proto roots. The
// checker runs without --allow-fwd: the graphs must be identical.
//
// REQUIRES: bpftool
// RUN: rm -rf %t && mkdir -p %t
// RUN: env BTFGEN_MANIFEST=%t/m.json %bpfclang -I %S/Inputs %s -o %t/x.o
// RUN: %python %srcroot/test/tools/manifest-vs-objdump.py %t/m.json %t/x.o | FileCheck %s --check-prefix=CMP
// RUN: env BTFGEN_MANIFEST=%t/m0.json %bpfclang -O0 -I %S/Inputs %s -o %t/x0.o
// RUN: %python %srcroot/test/tools/manifest-vs-objdump.py %t/m0.json %t/x0.o | FileCheck %s --check-prefix=CMP
// RUN: FileCheck %s --input-file=%t/m.json
//
// CMP: OK: 9 relocations ({{[0-9]+}} records) match, 9 root graphs equal
//
// CHECK-DAG: {"id":{{[0-9]+}},"kind":"INT","name":"char","size":1,"bits_offset":0,"nr_bits":8,"encoding":"SIGNED"}
// CHECK-DAG: {"id":{{[0-9]+}},"kind":"INT","name":"_Bool","size":1,"bits_offset":0,"nr_bits":8,"encoding":"BOOL"}
// CHECK-DAG: {"id":{{[0-9]+}},"kind":"FLOAT","name":"double","size":8}
// CHECK-DAG: {"id":{{[0-9]+}},"kind":"TYPE_TAG","name":"user",
// CHECK-DAG: {"id":{{[0-9]+}},"kind":"DECL_TAG","name":"member_tag","type_id":{{[0-9]+}},"component_idx":2}
// CHECK-DAG: {"id":{{[0-9]+}},"kind":"FWD","name":"only_via_pointer"}
// CHECK-DAG: {"id":{{[0-9]+}},"kind":"STRUCT","name":"complete_elsewhere","size":16,"vlen":2,
// CHECK-DAG: {"id":{{[0-9]+}},"kind":"FWD","name":"u_only_via_pointer","kflag":1}
// CHECK-DAG: {"id":{{[0-9]+}},"kind":"ENUM","name":"sgn","kflag":1,"size":4,"vlen":2,"values":[{"name":"MINUS","val":-3},{"name":"PLUS","val":3}]}
// CHECK-DAG: {"name":"counter","type_id":0,"bits_offset":{{[0-9]+}}}

#include "bpf-prelude.h"

struct only_via_pointer { int hidden; };
// Behind a member pointer too, but complete in the object because of the
// global below: the manifest must have it complete as well.
struct complete_elsewhere { int z; long w; };
struct complete_elsewhere ce_global = {1, 2};
union u_only_via_pointer { int a; long b; };
enum sgn { MINUS = -3, PLUS = 3 };
typedef int (*cb_t)(const char *, enum sgn);
typedef volatile const unsigned long cvl_t;

struct __attribute__((btf_decl_tag("struct_tag"))) shapes {
  int a : 7, b : 9;
  char c __attribute__((btf_decl_tag("member_tag")));
  _Bool flag;
  double d;
  _Atomic int counter;
  int __attribute__((btf_type_tag("user"))) __attribute__((btf_type_tag("rcu"))) *tagged;
  struct only_via_pointer *hidden;
  struct complete_elsewhere *elsewhere;
  union u_only_via_pointer *uhidden;
  char *restrict rp;
  cvl_t cvl;
  short grid[3][4][5];
  enum sgn s;
  cb_t cb;
  unsigned char data[];
} __attribute__((preserve_access_index));

typedef struct shapes shapes_t __attribute__((btf_decl_tag("typedef_tag")));

SEC("kprobe/x")
int prog(shapes_t *p) {
  long r = 0;
  r += BPF_CORE_READ(p, grid[1][2][3]);
  r += BPF_CORE_READ_BITFIELD_PROBED(p, b);
  r += bpf_core_type_exists(cb_t);
  r += bpf_core_type_size(cvl_t);
  r += bpf_core_type_matches(shapes_t);
  return r;
}

char LICENSE[] SEC("license") = "GPL";
