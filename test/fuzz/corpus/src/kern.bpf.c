// kern.bpf.c - CO-RE program over real kernel type names, used to cut small
// real kernel BTFs with `bpftool gen min_core_btf` (see ../README.md).
typedef unsigned int __u32;
typedef unsigned long long __u64;
#define SEC(n) __attribute__((section(n), used))

struct list_head {
  struct list_head *next, *prev;
} __attribute__((preserve_access_index));

struct task_struct {
  int pid;
  int tgid;
  char comm[16];
  struct task_struct *real_parent;
  struct list_head children;
  unsigned int flags;
} __attribute__((preserve_access_index));

struct sk_buff {
  unsigned int len;
  __u32 mark;
  unsigned char pkt_type : 3;
} __attribute__((preserve_access_index));

enum pid_type { PIDTYPE_PID, PIDTYPE_TGID };

__u64 out[8];
char LICENSE[] SEC("license") = "GPL";

SEC("kprobe/kern_one")
int kern_one(struct task_struct *t, struct sk_buff *skb) {
  out[0] = __builtin_preserve_access_index(t->real_parent->tgid);
  out[1] = __builtin_preserve_access_index(t->comm[3]);
  out[2] = __builtin_preserve_access_index(t->children.next == 0);
  out[3] = __builtin_preserve_field_info(skb->pkt_type, 0);
  out[4] = __builtin_preserve_field_info(skb->pkt_type, 1);
  out[5] = __builtin_preserve_field_info(t->flags, 2);
  out[6] = __builtin_preserve_enum_value(*(enum pid_type *)PIDTYPE_TGID, 0);
  out[7] = __builtin_preserve_type_info(*(struct sk_buff *)0, 1);
  return 0;
}
