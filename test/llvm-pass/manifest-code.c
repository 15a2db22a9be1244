// The manifest's "code" (docs/manifest.md, version 2): the plugin compiles
// the module in memory as clang's backend then does and records its
// functions, CO-RE records, read-only data and how libbpf links each
// program. The recorded code gives exactly the programs of the object the
// same compile writes (btfgen-verdict --same-code), at every -O level and
// CPU; a manifest is a pure function of the compile; recording can be
// turned off (no_code, with the reason).
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %bpfclang -I %S/Inputs %s -o %t/o2.o
// RUN: FileCheck %s --input-file=%t/o2.o.btfgen.json
// RUN: %verdict --same-code %t/o2.o.btfgen.json %t/o2.o | FileCheck %s --check-prefix=SAME
// SAME: same code: 1 programs, 2 functions, {{[0-9]+}} instructions, 3 CO-RE records
//
// CHECK:      "version": 2,
// CHECK:      "code": {
// CHECK-NEXT:   "codegen": {"cpu":"","features":"","opt_level":2},
// CHECK-NEXT:   "root_ids": [{{[0-9]+}},{{[0-9]+}},{{[0-9]+}}],
// CHECK-NEXT:   "files": ["{{.*}}manifest-code.c"],
// CHECK-NEXT:   "functions": [
// CHECK-NEXT:     {"name":"read_state","section":".text","subprog":true,"linkage":"static","insns":"{{([0-9a-f]{16})+}}","lines":[{{.*}}],"refs":[]},
// CHECK-NEXT:     {"name":"prog","section":"kprobe/do_nanosleep","subprog":false,"linkage":"global","insns":"{{([0-9a-f]{16})+}}","lines":[{{.*}}],"refs":[{"insn":{{[0-9]+}},"kind":"map_value","section":".rodata","offset":0,"symbol":"{{.*}}"}]}
// CHECK-NEXT:   ],
// CHECK-NEXT:   "core_relos": [
// CHECK-NEXT:     [1,{{[0-9]+}},{{[0-9]}},0],
// CHECK-NEXT:     [1,{{[0-9]+}},{{[0-9]}},1],
// CHECK-NEXT:     [0,{{[0-9]+}},{{[0-9]}},0]
// CHECK-NEXT:   ],
// CHECK-NEXT:   "rodata": [
// CHECK-NEXT:     {"name":".rodata","bytes":"07000000"}
// CHECK-NEXT:   ],
// CHECK-NEXT:   "programs": [
// CHECK-NEXT:     {"function":1,"parts":{{\[\[}}1,0],[0,{{[0-9]+}}]],"patches":{{\[\[}}{{[0-9]+}},"8510000{{[0-9a-f]+}}"]]}
// CHECK-NEXT:   ]
// CHECK-NEXT: }
//
// Other optimization levels and CPUs: the backend is given what clang
// gives it, so the code is the object's.
// RUN: %bpfclang -O0 -I %S/Inputs %s -o %t/o0.o
// RUN: %verdict --same-code %t/o0.o.btfgen.json %t/o0.o | FileCheck %s --check-prefix=SAME
// RUN: FileCheck %s --check-prefix=O0 --input-file=%t/o0.o.btfgen.json
// O0: "codegen": {"cpu":"","features":"","opt_level":0},
// RUN: %bpfclang -O3 -mcpu=v3 -I %S/Inputs %s -o %t/v3.o
// RUN: %verdict --same-code %t/v3.o.btfgen.json %t/v3.o | FileCheck %s --check-prefix=SAME
// RUN: FileCheck %s --check-prefix=V3 --input-file=%t/v3.o.btfgen.json
// V3: "codegen": {"cpu":"v3","features":"","opt_level":3},
// RUN: %bpfclang -Os -mcpu=v1 -I %S/Inputs %s -o %t/v1.o
// RUN: %verdict --same-code %t/v1.o.btfgen.json %t/v1.o | FileCheck %s --check-prefix=SAME
// RUN: %bpfclang -O1 -mcpu=v2 -I %S/Inputs %s -o %t/o1.o
// RUN: %verdict --same-code %t/o1.o.btfgen.json %t/o1.o | FileCheck %s --check-prefix=SAME
//
// The check can fail: -O2's code against the -O0 object.
// RUN: not %verdict --same-code %t/o2.o.btfgen.json %t/o0.o | FileCheck %s --check-prefix=DIFF
// DIFF: code differs: function {{[0-9]}}: {{.*}} instructions
//
// Deterministic: the same compile again gives the same bytes.
// RUN: cp %t/o2.o.btfgen.json %t/first.json
// RUN: %bpfclang -I %S/Inputs %s -o %t/o2.o
// RUN: cmp %t/first.json %t/o2.o.btfgen.json
//
// Turned off: no code, and why.
// RUN: env BTFGEN_RECORD_CODE=0 %bpfclang -I %S/Inputs %s -o %t/off.o
// RUN: FileCheck %s --check-prefix=OFF --input-file=%t/off.o.btfgen.json
// OFF:      "relocations": [
// OFF:      "no_code": "not recorded (-btfgen-record-code=false or BTFGEN_RECORD_CODE=0)"
// OFF-NEXT: }
#include "bpf-prelude.h"

struct task_struct {
  int pid;
  unsigned int __state;
} __attribute__((preserve_access_index));

const volatile int knob = 7;
long out;

/* The guard reaches the read as the subprogram's argument. */
static __attribute__((noinline)) int read_state(struct task_struct *t, int has) {
  if (has)
    return BPF_CORE_READ(t, __state);
  return 0;
}

SEC("kprobe/do_nanosleep")
int prog(void *ctx) {
  struct task_struct *t = (struct task_struct *)bpf_get_current_task();
  out = read_state(t, bpf_core_field_exists(t->__state)) + knob +
        BPF_CORE_READ(t, pid);
  return 0;
}

char LICENSE[] SEC("license") = "GPL";
