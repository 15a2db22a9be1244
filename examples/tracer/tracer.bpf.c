// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
//===- tracer.bpf.c - btfgen's bundled example CO-RE program --------------===//
//
// A small exec tracer in the style of bcc's libbpf-tools, written so that it
// needs no vmlinux.h: it declares only the kernel types and members it reads,
// with preserve_access_index, and lets CO-RE find them on each kernel. It
// exercises the relocation kinds most tracers use: field offsets through
// pointers, a bitfield, field existence across a kernel rename (the classic
// task_struct::state -> __state of 5.14, with a ___flavor type), type
// existence and size, and enum values.
//
// Compile (what scripts/run-example.sh does):
//   clang-19 --target=bpf -g -O2 \
//     -I/usr/include/$(gcc -print-multiarch) \
//     -fpass-plugin=build/lib/libBTFGenPass.so -c tracer.bpf.c -o tracer.bpf.o
//
//===----------------------------------------------------------------------===//

#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

#define TASK_COMM_LEN 16

struct mm_struct {
	unsigned long total_vm;
	unsigned long arg_start;
} __attribute__((preserve_access_index));

enum pid_type {
	PIDTYPE_PID,
	PIDTYPE_TGID,
	PIDTYPE_PGID,
	PIDTYPE_SID,
	PIDTYPE_MAX,
};

struct task_struct {
	unsigned int __state;
	unsigned int flags;
	int pid;
	int tgid;
	unsigned sched_reset_on_fork : 1;
	unsigned sched_contributes_to_load : 1;
	struct task_struct *real_parent;
	struct mm_struct *mm;
	char comm[TASK_COMM_LEN];
	unsigned long long start_time;
} __attribute__((preserve_access_index));

/* Kernels before 5.14 call __state "state" and make it a long. */
struct task_struct___pre514 {
	long state;
} __attribute__((preserve_access_index));

/* Only kernels with BPF iterators have it. */
struct bpf_iter__task {
	struct task_struct *task;
} __attribute__((preserve_access_index));

struct event {
	__u32 pid;
	__u32 ppid;
	__u32 state;
	__u64 total_vm;
	__u64 start_time;
	__u32 task_size;
	__u32 reset_on_fork;
	__u32 tgid_type;
	__u32 has_iter;
	char comm[TASK_COMM_LEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

static __always_inline __u32 task_state(struct task_struct *t)
{
	if (bpf_core_field_exists(t->__state))
		return BPF_CORE_READ(t, __state);
	struct task_struct___pre514 *old = (void *)t;
	return BPF_CORE_READ(old, state);
}

SEC("tracepoint/sched/sched_process_exec")
int handle_exec(void *ctx)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct event *e;

	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return 0;
	e->pid = BPF_CORE_READ(task, tgid);
	e->ppid = BPF_CORE_READ(task, real_parent, tgid);
	e->state = task_state(task);
	e->total_vm = BPF_CORE_READ(task, mm, total_vm);
	e->start_time = BPF_CORE_READ(task, start_time);
	e->task_size = bpf_core_type_size(struct task_struct);
	e->reset_on_fork = BPF_CORE_READ_BITFIELD_PROBED(task, sched_reset_on_fork);
	e->tgid_type = bpf_core_enum_value(enum pid_type, PIDTYPE_TGID);
	e->has_iter = bpf_core_type_exists(struct bpf_iter__task);
	BPF_CORE_READ_STR_INTO(&e->comm, task, comm);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
