/*===- main.c - btfgen's example application --------------------------------===*\
|*                                                                            *|
|* Shows the whole run-time side of btfgen: pick the tailored BTF for the     *|
|* running kernel with btfgen_runtime (from the driver's tree or its JSON     *|
|* index), hand it to libbpf as btf_custom_path, load app.bpf.o, run its      *|
|* program once with BPF_PROG_TEST_RUN and check the values it read through   *|
|* CO-RE relocations against getpid()/gettid()/getppid() and the task name.   *|
|* If libbpf relocated with a BTF of another kernel, the check fails.         *|
|*                                                                            *|
|* Usage: btfgen-example-app [--btf-dir DIR | --btf-index FILE]               *|
|*                           [--object FILE] [-v]                             *|
|* Defaults are the paths of the build tree (set by CMakeLists.txt).          *|
|*                                                                            *|
|* Test hooks (environment; they feed struct btfgen_probe_opts so the lookup  *|
|* can be exercised on a kernel that has its own BTF):                        *|
|*   BTFGEN_KERNEL_BTF_PATH  kernel BTF whose presence means "no custom BTF   *|
|*                           needed" (default /sys/kernel/btf/vmlinux); a     *|
|*                           missing path acts like a kernel without BTF      *|
|*   BTFGEN_OS_RELEASE_ROOT  root under which etc/os-release is read          *|
|*   BTFGEN_UNAME_MACHINE    replaces uname -m                                *|
|*   BTFGEN_UNAME_RELEASE    replaces uname -r                                *|
|*                                                                            *|
|* Output: lines "kernel: ...", "btf: PATH (match: RULE)" or "btf: none       *|
|* (kernel has its own BTF)", "record: ...", then "check: ok" (exit 0) or     *|
|* "check: MISMATCH ..." (exit 1). Lookup, open or load errors exit 1, usage  *|
|* errors 2.                                                                  *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#define _GNU_SOURCE
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <btfgen/btfgen_runtime.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "app.h"

#ifndef APP_BPF_OBJECT
#define APP_BPF_OBJECT "app.bpf.o"
#endif
#ifndef APP_BTF_DIR
#define APP_BTF_DIR "btf"
#endif

static int Verbose;

static int printLibbpf(enum libbpf_print_level level, const char *fmt,
                       va_list args) {
  if (level == LIBBPF_DEBUG && !Verbose)
    return 0;
  return vfprintf(stderr, fmt, args);
}

static const char *matchName(enum btfgen_match m) {
  switch (m) {
  case BTFGEN_MATCH_EXACT:
    return "exact";
  case BTFGEN_MATCH_DISTRO:
    return "distro";
  case BTFGEN_MATCH_RELEASE:
    return "release";
  case BTFGEN_MATCH_NOT_NEEDED:
    return "not needed";
  default:
    return "none";
  }
}

static const char *envOrNull(const char *name) {
  const char *v = getenv(name);
  return v && *v ? v : NULL;
}

static int usage(const char *argv0) {
  fprintf(stderr,
          "usage: %s [--btf-dir DIR | --btf-index FILE] [--object FILE] [-v]\n",
          argv0);
  return 2;
}

int main(int argc, char **argv) {
  const char *btfDir = APP_BTF_DIR, *btfIndex = NULL;
  const char *objPath = APP_BPF_OBJECT;
  for (int i = 1; i < argc; ++i) {
    if (!strcmp(argv[i], "--btf-dir") && i + 1 < argc)
      btfDir = argv[++i], btfIndex = NULL;
    else if (!strcmp(argv[i], "--btf-index") && i + 1 < argc)
      btfIndex = argv[++i];
    else if (!strcmp(argv[i], "--object") && i + 1 < argc)
      objPath = argv[++i];
    else if (!strcmp(argv[i], "-v"))
      Verbose = 1;
    else
      return usage(argv[0]);
  }
  libbpf_set_print(printLibbpf);

  /* 1. Pick the tailored BTF for this kernel. */
  struct btfgen_probe_opts probe = {0};
  probe.kernel_btf_path = envOrNull("BTFGEN_KERNEL_BTF_PATH");
  probe.root = envOrNull("BTFGEN_OS_RELEASE_ROOT");
  probe.machine = envOrNull("BTFGEN_UNAME_MACHINE");
  probe.release = envOrNull("BTFGEN_UNAME_RELEASE");

  struct btfgen_index *idx = NULL;
  struct btfgen_error err;
  int rc = btfIndex ? btfgen_index_open_json(btfIndex, &idx, &err)
                    : btfgen_index_open_dir(btfDir, &idx, &err);
  if (rc) {
    fprintf(stderr, "error: %s\n", err.message);
    return 1;
  }
  struct btfgen_result res;
  struct btfgen_kernel_id kid;
  memset(&kid, 0, sizeof(kid));
  rc = btfgen_select(idx, &probe, 0, &res, &kid, &err);
  if (kid.release[0])
    printf("kernel: distro '%s' version '%s' arch '%s' release '%s'\n",
           kid.distro, kid.version, kid.arch, kid.release);
  if (rc) {
    fprintf(stderr, "error: %s\n", err.message);
    btfgen_index_free(idx);
    return 1;
  }

  LIBBPF_OPTS(bpf_object_open_opts, openOpts);
  char btfPath[4096];
  int tempFile = 0;
  if (res.match == BTFGEN_MATCH_NOT_NEEDED) {
    printf("btf: none (kernel has its own BTF)\n");
  } else {
    tempFile = btfgen_result_to_file(&res, NULL, btfPath, sizeof(btfPath), &err);
    if (tempFile < 0) {
      fprintf(stderr, "error: %s\n", err.message);
      btfgen_index_free(idx);
      return 1;
    }
    openOpts.btf_custom_path = btfPath;
    printf("btf: %s (match: %s, entry %s/%s/%s/%s)\n", btfPath,
           matchName(res.match), res.distro, res.version, res.arch,
           res.release);
  }
  fflush(stdout);

  /* 2. Open and load; libbpf reads btf_custom_path during load. */
  int status = 1;
  struct bpf_object *obj = bpf_object__open_file(objPath, &openOpts);
  if (!obj) {
    fprintf(stderr, "error: cannot open '%s': %s\n", objPath, strerror(errno));
    goto out_index;
  }
  rc = bpf_object__load(obj);
  if (tempFile == 1) {
    unlink(btfPath);
    tempFile = 0;
  }
  if (rc) {
    fprintf(stderr, "error: cannot load '%s': %s\n", objPath, strerror(-rc));
    goto out_obj;
  }
  struct bpf_program *prog = bpf_object__find_program_by_name(obj, "report_task");
  struct bpf_map *map = bpf_object__find_map_by_name(obj, "records");
  if (!prog || !map) {
    fprintf(stderr, "error: '%s' lacks report_task or records\n", objPath);
    goto out_obj;
  }
  printf("loaded: %s\n", objPath);

  /* 3. Run the program once in this task and read what it saw. */
  LIBBPF_OPTS(bpf_test_run_opts, runOpts);
  rc = bpf_prog_test_run_opts(bpf_program__fd(prog), &runOpts);
  if (rc) {
    fprintf(stderr, "error: BPF_PROG_TEST_RUN failed: %s\n", strerror(errno));
    goto out_obj;
  }
  struct app_record rec;
  unsigned int key = 0;
  if (bpf_map_lookup_elem(bpf_map__fd(map), &key, &rec)) {
    fprintf(stderr, "error: cannot read the records map: %s\n", strerror(errno));
    goto out_obj;
  }
  rec.comm[APP_COMM_LEN - 1] = '\0';
  printf("record: runs=%u pid=%u tgid=%u ppid=%u comm='%s' pid_offset=%u "
         "has_state=%u\n",
         rec.runs, rec.pid, rec.tgid, rec.ppid, rec.comm, rec.pid_offset,
         rec.has_state);

  char comm[APP_COMM_LEN + 1] = {0};
  prctl(PR_GET_NAME, comm);
  unsigned int tid = (unsigned int)syscall(SYS_gettid);
  if (rec.runs != 1 || rec.pid != tid || rec.tgid != (unsigned int)getpid() ||
      rec.ppid != (unsigned int)getppid() || strcmp(rec.comm, comm)) {
    printf("check: MISMATCH (expected pid=%u tgid=%u ppid=%u comm='%s')\n", tid,
           (unsigned int)getpid(), (unsigned int)getppid(), comm);
  } else {
    printf("check: ok\n");
    status = 0;
  }

out_obj:
  bpf_object__close(obj);
out_index:
  if (tempFile == 1)
    unlink(btfPath);
  btfgen_index_free(idx);
  return status;
}
