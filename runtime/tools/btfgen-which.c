/*===- btfgen-which.c - Print the tailored BTF for this kernel --------------===*\
|*                                                                            *|
|* A thin command-line front end over btfgen_runtime, for shell scripts and   *|
|* end-to-end tests:                                                          *|
|*                                                                            *|
|*   btfgen-which [--root DIR] (--index FILE | --dir DIR) [options]           *|
|*                                                                            *|
|* On success prints the chosen file's path and exits 0. If the kernel has   *|
|* its own BTF it prints nothing on stdout, explains on stderr and exits 0    *|
|* (use --force to look up anyway). Any error is printed on stderr as        *|
|* "btfgen-which: error: <message>" with exit status 1 (2 for bad usage).    *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "btfgen/btfgen_runtime.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char Usage[] =
    "usage: btfgen-which [--root DIR] (--index FILE | --dir DIR) [options]\n"
    "\n"
    "Prints the tailored BTF file to use as libbpf's btf_custom_path for the\n"
    "running kernel.\n"
    "\n"
    "  --dir DIR        btfgen-driver output tree <distro>/<version>/<arch>/<release>.btf\n"
    "  --index FILE     JSON index (\"btfgen-index\" version 1)\n"
    "  --root DIR       read os-release under DIR (e.g. /host in a container)\n"
    "  --machine M      use M instead of uname machine\n"
    "  --release R      use R instead of uname release\n"
    "  --kernel-btf P   kernel BTF to test for (default /sys/kernel/btf/vmlinux)\n"
    "  --force          look up even if the kernel has its own BTF\n"
    "  --strict         no release-only fallback\n"
    "  -v, --verbose    print the kernel id and the rule that matched on stderr\n"
    "  -h, --help       this text\n";

static const char *match_name(enum btfgen_match m) {
  switch (m) {
  case BTFGEN_MATCH_NOT_NEEDED:
    return "not-needed";
  case BTFGEN_MATCH_EXACT:
    return "exact";
  case BTFGEN_MATCH_DISTRO:
    return "distro";
  case BTFGEN_MATCH_RELEASE:
    return "release";
  default:
    return "none";
  }
}

static int usage_error(const char *msg, const char *arg) {
  fprintf(stderr, "btfgen-which: error: %s%s%s\n%s", msg, arg ? " " : "",
          arg ? arg : "", Usage);
  return 2;
}

int main(int argc, char **argv) {
  struct btfgen_probe_opts opts;
  memset(&opts, 0, sizeof(opts));
  const char *index_file = NULL, *dir = NULL;
  unsigned flags = 0;
  int verbose = 0;
  for (int i = 1; i < argc; ++i) {
    const char *a = argv[i];
    const char **slot = NULL;
    if (!strcmp(a, "--root"))
      slot = &opts.root;
    else if (!strcmp(a, "--index"))
      slot = &index_file;
    else if (!strcmp(a, "--dir"))
      slot = &dir;
    else if (!strcmp(a, "--machine"))
      slot = &opts.machine;
    else if (!strcmp(a, "--release"))
      slot = &opts.release;
    else if (!strcmp(a, "--kernel-btf"))
      slot = &opts.kernel_btf_path;
    else if (!strcmp(a, "--force"))
      flags |= BTFGEN_FIND_IGNORE_KERNEL_BTF;
    else if (!strcmp(a, "--strict"))
      flags |= BTFGEN_FIND_NO_RELEASE_FALLBACK;
    else if (!strcmp(a, "-v") || !strcmp(a, "--verbose"))
      verbose = 1;
    else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
      fputs(Usage, stdout);
      return 0;
    } else
      return usage_error("unknown argument", a);
    if (slot) {
      if (i + 1 >= argc)
        return usage_error("missing value after", a);
      *slot = argv[++i];
    }
  }
  if (!index_file == !dir)
    return usage_error("give exactly one of --index and --dir", NULL);

  struct btfgen_error err;
  struct btfgen_index *idx = NULL;
  int rc = dir ? btfgen_index_open_dir(dir, &idx, &err)
               : btfgen_index_open_json(index_file, &idx, &err);
  if (rc) {
    fprintf(stderr, "btfgen-which: error: %s\n", err.message);
    return 1;
  }
  struct btfgen_result res;
  struct btfgen_kernel_id kid;
  rc = btfgen_select(idx, &opts, flags, &res, &kid, &err);
  if (verbose)
    fprintf(stderr,
            "btfgen-which: kernel: distro '%s' version '%s' arch '%s' release "
            "'%s' (os-release: %s); index: %zu entries\n",
            kid.distro, kid.version, kid.arch, kid.release,
            btfgen_strerror(kid.os_release_status), btfgen_index_size(idx));
  if (rc) {
    fprintf(stderr, "btfgen-which: error: %s\n", err.message);
    btfgen_index_free(idx);
    return 1;
  }
  if (verbose || res.match == BTFGEN_MATCH_NOT_NEEDED) {
    if (res.match == BTFGEN_MATCH_NOT_NEEDED)
      fprintf(stderr,
              "btfgen-which: the kernel has its own BTF (%s); no tailored BTF "
              "needed\n",
              opts.kernel_btf_path ? opts.kernel_btf_path
                                   : "/sys/kernel/btf/vmlinux");
    else
      fprintf(stderr, "btfgen-which: match: %s (%s/%s/%s/%s)\n",
              match_name(res.match), res.distro, res.version, res.arch,
              res.release);
  }
  if (res.match != BTFGEN_MATCH_NOT_NEEDED)
    printf("%s\n", res.path);
  btfgen_index_free(idx);
  return 0;
}
