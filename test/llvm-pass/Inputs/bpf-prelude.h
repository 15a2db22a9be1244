/* Minimal stand-in for <linux/types.h> so libbpf's <bpf/bpf_helpers.h> and
 * <bpf/bpf_core_read.h> build for --target=bpf without kernel/arch headers.
 * Kernel types used by the tests are defined locally in each test with
 * __attribute__((preserve_access_index)). */
#ifndef BTFGEN_TEST_BPF_PRELUDE_H
#define BTFGEN_TEST_BPF_PRELUDE_H
typedef unsigned char __u8;
typedef signed char __s8;
typedef unsigned short __u16;
typedef short __s16;
typedef unsigned int __u32;
typedef int __s32;
typedef unsigned long long __u64;
typedef long long __s64;
typedef __u16 __be16;
typedef __u32 __be32;
typedef __u32 __wsum;
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#endif
