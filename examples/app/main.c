/*===- main.c - btfgen's example application --------------------------------===*\
|*                                                                            *|
|* Shows the whole run-time side of btfgen: pick the tailored BTF for the     *|
|* running kernel with btfgen_runtime, hand it to libbpf as btf_custom_path,  *|
|* load app.bpf.o, run its program once with BPF_PROG_TEST_RUN and check the  *|
|* values it read through CO-RE relocations against getpid()/gettid()/        *|
|* getppid() and the task name. If libbpf relocated with a BTF of another     *|
|* kernel, the check fails.                                                   *|
|*                                                                            *|
|* The tailored BTFs come, by default, from the table linked into this        *|
|* binary (app_btf_entries[], written by `btfgen-driver embed`, see           *|
|* CMakeLists.txt). The chosen entry is written to a memfd and passed as      *|
|* /proc/self/fd/N (a temporary file if memfd_create() or /proc is missing).  *|
|* --btf-dir / --btf-index read the driver's tree or its JSON index instead.  *|
|*                                                                            *|
|* Usage: btfgen-example-app [--embedded | --btf-dir DIR | --btf-index FILE]  *|
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
|*   BTFGEN_EXAMPLE_NO_MEMFD if set, embedded BTF goes to a temporary file    *|
|*                           as on a system without memfd_create()            *|
|*                                                                            *|
|* Output: lines "kernel: ...", "btf: PATH (match: RULE, entry D/V/A/R)",     *|
|* "btf: embedded D/V/A/R (match: RULE, N bytes, memfd|file PATH)" or "btf:   *|
|* none (kernel has its own BTF)", "record: ...", then "check: ok" (exit 0)   *|
|* or "check: MISMATCH ..." (exit 1). Lookup, open or load errors exit 1,     *|
|* usage errors 2. -v adds libbpf's debug output and the lookup time.         *|
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
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "app.h"
#ifdef APP_EMBEDDED_BTF
#include "app_btf.h" /* generated: app_btf_entries[], app_btf_count */
#endif

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
          "usage: %s [--embedded | --btf-dir DIR | --btf-index FILE] "
          "[--object FILE] [-v]\n",
          argv0);
  return 2;
}

/* Where the index comes from. */
enum source { SOURCE_EMBEDDED, SOURCE_DIR, SOURCE_INDEX };

/* Makes the in-memory BTF of `res` a path for libbpf. Preferably a memfd,
 * named by /proc/self/fd/N: nothing touches the disk and nothing is left
 * behind if the process dies; libbpf opens that path during load (reopening
 * a memfd through /proc gives a new offset 0). Without memfd_create()
 * (kernel < 3.17, seccomp) or without /proc, falls back to
 * btfgen_result_to_file()'s temporary file. Returns the memfd (>= 0, close
 * it after load), -2 for a temporary file (unlink it after load) or -1 on
 * error. */
static int btfToPath(const struct btfgen_result *res, char *path, size_t size,
                     const char **how) {
  int fd = getenv("BTFGEN_EXAMPLE_NO_MEMFD") ? -1
                                             : memfd_create("btfgen-btf",
                                                            MFD_CLOEXEC);
  if (fd >= 0) {
    const char *p = res->data;
    size_t left = res->size;
    while (left > 0) {
      ssize_t n = write(fd, p, left);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      p += n;
      left -= (size_t)n;
    }
    snprintf(path, size, "/proc/self/fd/%d", fd);
    if (left == 0 && access(path, R_OK) == 0) {
      *how = "memfd";
      return fd;
    }
    close(fd);
  }
  struct btfgen_error err;
  int rc = btfgen_result_to_file(res, NULL, path, size, &err);
  if (rc < 0) {
    fprintf(stderr, "error: %s\n", err.message);
    return -1;
  }
  *how = "file";
  return -2;
}

static long long elapsedUs(const struct timespec *a) {
  struct timespec b;
  clock_gettime(CLOCK_MONOTONIC, &b);
  return (b.tv_sec - a->tv_sec) * 1000000LL + (b.tv_nsec - a->tv_nsec) / 1000;
}

int main(int argc, char **argv) {
  const char *btfDir = APP_BTF_DIR, *btfIndex = NULL;
  const char *objPath = APP_BPF_OBJECT;
#ifdef APP_EMBEDDED_BTF
  enum source source = SOURCE_EMBEDDED;
#else
  enum source source = SOURCE_DIR;
#endif
  for (int i = 1; i < argc; ++i) {
    if (!strcmp(argv[i], "--btf-dir") && i + 1 < argc)
      btfDir = argv[++i], source = SOURCE_DIR;
    else if (!strcmp(argv[i], "--btf-index") && i + 1 < argc)
      btfIndex = argv[++i], source = SOURCE_INDEX;
    else if (!strcmp(argv[i], "--embedded"))
      source = SOURCE_EMBEDDED;
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
  struct timespec t0;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  int rc;
  switch (source) {
  case SOURCE_EMBEDDED:
#ifdef APP_EMBEDDED_BTF
    rc = btfgen_index_from_entries(app_btf_entries, app_btf_count, &idx, &err);
#else
    fprintf(stderr, "error: built without embedded BTF (APP_EMBED_BTF=OFF)\n");
    return 2;
#endif
    break;
  case SOURCE_INDEX:
    rc = btfgen_index_open_json(btfIndex, &idx, &err);
    break;
  default:
    rc = btfgen_index_open_dir(btfDir, &idx, &err);
    break;
  }
  if (rc) {
    fprintf(stderr, "error: %s\n", err.message);
    return 1;
  }
  struct btfgen_result res;
  struct btfgen_kernel_id kid;
  memset(&kid, 0, sizeof(kid));
  rc = btfgen_select(idx, &probe, 0, &res, &kid, &err);
  if (Verbose)
    fprintf(stderr, "lookup: %zu entries (%s), index + select took %lld us\n",
            btfgen_index_size(idx),
            source == SOURCE_EMBEDDED ? "embedded"
            : source == SOURCE_INDEX  ? "json index"
                                      : "directory",
            elapsedUs(&t0));
  if (kid.release[0])
    printf("kernel: distro '%s' version '%s' arch '%s' release '%s'\n",
           kid.distro, kid.version, kid.arch, kid.release);
  fflush(stdout); /* before any error on stderr */
  if (rc) {
    fprintf(stderr, "error: %s\n", err.message);
    btfgen_index_free(idx);
    return 1;
  }

  LIBBPF_OPTS(bpf_object_open_opts, openOpts);
  char btfPath[4096];
  int tempFile = 0, memFd = -1;
  if (res.match == BTFGEN_MATCH_NOT_NEEDED) {
    printf("btf: none (kernel has its own BTF)\n");
  } else if (res.data) {
    /* An embedded entry: bytes in this binary, no file yet. */
    const char *how = "";
    memFd = btfToPath(&res, btfPath, sizeof(btfPath), &how);
    if (memFd == -1) {
      btfgen_index_free(idx);
      return 1;
    }
    if (memFd == -2)
      tempFile = 1;
    openOpts.btf_custom_path = btfPath;
    printf("btf: embedded %s/%s/%s/%s (match: %s, %zu bytes, %s %s)\n",
           res.distro, res.version, res.arch, res.release,
           matchName(res.match), res.size, how, btfPath);
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
  if (memFd >= 0) { /* libbpf has read it during load */
    close(memFd);
    memFd = -1;
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
  if (memFd >= 0)
    close(memFd);
  btfgen_index_free(idx);
  return status;
}
