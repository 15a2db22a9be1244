// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
//===- app.bpf.c - BPF side of btfgen's example application ---------------===//
//
// A raw tracepoint program that is never attached: main.c runs it once with
// BPF_PROG_TEST_RUN, in the context of its own task, and reads the record it
// fills from the `records` map. It declares only the kernel types and members
// it reads (no vmlinux.h), with preserve_access_index, so every read below
// is a CO-RE relocation that btfgen's plugin records in the manifest and
// libbpf resolves against the tailored BTF at load time.
//
//===----------------------------------------------------------------------===//

#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

#include "app.h"

struct task_struct {
	int pid;
	int tgid;
	unsigned int __state;
	struct task_struct *real_parent;
	char comm[16];
} __attribute__((preserve_access_index));

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct app_record);
} records SEC(".maps");

SEC("raw_tp/sys_enter")
int report_task(void *ctx)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	__u32 key = 0;
	struct app_record *r = bpf_map_lookup_elem(&records, &key);

	if (!r)
		return 0;
	r->runs++;
	r->pid = BPF_CORE_READ(task, pid);
	r->tgid = BPF_CORE_READ(task, tgid);
	r->ppid = BPF_CORE_READ(task, real_parent, tgid);
	r->pid_offset = bpf_core_field_offset(struct task_struct, pid);
	r->has_state = bpf_core_field_exists(struct task_struct, __state);
	BPF_CORE_READ_STR_INTO(&r->comm, task, comm);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
