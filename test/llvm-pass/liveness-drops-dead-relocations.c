// Relocations whose value never reaches anything the backend emits are not
// recorded, exactly like llvm-objdump shows for the object: BPF_KPROBE's
// unused argument (pt_regs::si here) survives the optimizer as a relocation
// load feeding an unused llvm.bpf.passthrough, which codegen deletes. The
// IR check below proves the dead global is still in the optimized IR, so
// the manifest really depends on the liveness walk. At -O0 the set still
// equals the object's.
//
// REQUIRES: bpftool
// RUN: rm -rf %t && mkdir -p %t
// RUN: env BTFGEN_MANIFEST=%t/o2.json %bpfclang -I %S/Inputs %s -o %t/o2.o
// RUN: %python %srcroot/test/tools/manifest-vs-objdump.py %t/o2.json %t/o2.o | FileCheck %s --check-prefix=CMP
// RUN: FileCheck %s --input-file=%t/o2.json
// RUN: %clang --target=bpf -g -O2 -S -emit-llvm -I %S/Inputs %s -o - | FileCheck %s --check-prefix=IR
// IR: @"llvm.pt_regs:0:8$0:1" = external global
// RUN: env BTFGEN_MANIFEST=%t/o0.json %bpfclang -O0 -I %S/Inputs %s -o %t/o0.o
// RUN: %python %srcroot/test/tools/manifest-vs-objdump.py %t/o0.json %t/o0.o | FileCheck %s --check-prefix=CMP0
//
// CMP: OK: 2 relocations
// CMP0: OK: {{[0-9]+}} relocations
// CHECK: "relocations": [
// CHECK-NEXT: {"kind":"byte_off","kind_id":0,"type":{{[0-9]+}},"type_name":"pt_regs","access":"0:0",
// CHECK-NEXT: {"kind":"byte_off","kind_id":0,"type":{{[0-9]+}},"type_name":"file","access":"0:1",{{.*}}"function":"____prog"}
// CHECK-NEXT: {{^}} ]

#include "bpf-prelude.h"

struct pt_regs { unsigned long di, si, dx; } __attribute__((preserve_access_index));
struct file { int mode; long pos; } __attribute__((preserve_access_index));
struct inode { int ino; } __attribute__((preserve_access_index));

// What BPF_KPROBE(prog, struct file *f, struct inode *unused) expands to
// with bpf_tracing.h's CO-RE register access: a direct read of each
// argument register through a preserve_access_index pt_regs.
#define ARG1(ctx) ((struct pt_regs *)(ctx))->di
#define ARG2(ctx) ((struct pt_regs *)(ctx))->si

static __attribute__((always_inline)) int ____prog(struct pt_regs *ctx,
                                                   struct file *f,
                                                   struct inode *unused) {
  return BPF_CORE_READ(f, pos) > 0;
}

SEC("kprobe/vfs_read")
int prog(struct pt_regs *ctx) {
  return ____prog(ctx, (struct file *)ARG1(ctx), (struct inode *)ARG2(ctx));
}

char LICENSE[] SEC("license") = "GPL";
