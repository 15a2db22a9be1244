/*===- app.h - Data shared by app.bpf.c and main.c -------------------------===*\
|*                                                                            *|
|* The record the BPF program fills for the task that runs it. Every field   *|
|* is read from the kernel through a CO-RE relocation, so it is right only   *|
|* if libbpf relocated the program with a BTF that describes the running     *|
|* kernel. main.c checks the values against getpid()/getppid()/its comm.     *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/
#ifndef BTFGEN_EXAMPLE_APP_H
#define BTFGEN_EXAMPLE_APP_H

#define APP_COMM_LEN 16

struct app_record {
  unsigned int runs;       /* times the program ran */
  unsigned int pid;        /* task_struct::pid (thread id) */
  unsigned int tgid;       /* task_struct::tgid (process id) */
  unsigned int ppid;       /* task_struct::real_parent->tgid */
  unsigned int pid_offset; /* relocated byte offset of task_struct::pid */
  unsigned int has_state;  /* 1 if the kernel's task_struct has __state */
  char comm[APP_COMM_LEN]; /* task_struct::comm */
};

#endif /* BTFGEN_EXAMPLE_APP_H */
