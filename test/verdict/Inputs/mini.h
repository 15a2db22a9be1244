// mini.h - the few kernel UAPI types libbpf's bpf_helpers.h needs, so the
// verdict tests compile without the host's <linux/types.h> (whose asm/
// headers live in a multiarch directory clang --target=bpf does not search).
typedef unsigned char __u8;
typedef unsigned short __u16;
typedef unsigned int __u32;
typedef unsigned long long __u64;
typedef signed char __s8;
typedef short __s16;
typedef int __s32;
typedef long long __s64;
typedef __u16 __be16;
typedef __u32 __be32;
typedef __u32 __wsum;
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
