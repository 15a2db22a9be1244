/*===- btfgen_runtime.h - Pick the tailored BTF for the running kernel -*- C -*-===*\
|*                                                                            *|
|* An application that ships btfgen's tailored BTF files (one per known       *|
|* kernel) must, at start-up, find the file that describes the kernel it runs *|
|* on and hand its path to libbpf as bpf_object_open_opts.btf_custom_path.    *|
|* This library does that lookup: it identifies the kernel (os-release ID and *|
|* VERSION_ID, uname machine and release), then looks it up in an index, with *|
|* the fallbacks described at btfgen_find_btf(). It is plain C11, depends on  *|
|* nothing but libc, and can be used from C and C++.                          *|
|*                                                                            *|
|* Typical use (see docs/runtime.md for a complete libbpf example):           *|
|*                                                                            *|
|*   struct btfgen_index *idx;                                                *|
|*   struct btfgen_result res;                                                *|
|*   struct btfgen_error err;                                                 *|
|*   if (btfgen_index_open_dir("/usr/share/app/btf", &idx, &err) ||           *|
|*       btfgen_select(idx, NULL, 0, &res, NULL, &err))                       *|
|*     fprintf(stderr, "%s\n", err.message);                                  *|
|*   else if (res.match != BTFGEN_MATCH_NOT_NEEDED)                           *|
|*     open_opts.btf_custom_path = res.path;   // owned by idx                *|
|*                                                                            *|
|* Conventions used by every function:                                        *|
|*  - Return value: 0 (or a documented non-negative value) on success, a      *|
|*    negative code on failure: -errno for system errors (-ENOENT, -ENOMEM,   *|
|*    ...) or one of the BTFGEN_E* codes below. btfgen_strerror() names any   *|
|*    of them.                                                                *|
|*  - Diagnostics: every fallible function takes a `struct btfgen_error *`    *|
|*    (may be NULL). On failure it receives the code and a one-line,          *|
|*    lowercase message naming the file or values involved. On success it is *|
|*    left untouched. There is no global or thread-local error state.         *|
|*  - Thread safety: no function has hidden mutable state. An index is        *|
|*    immutable after it is created, so any number of threads may call       *|
|*    btfgen_find_btf()/btfgen_select() on the same index concurrently.       *|
|*  - Strings are NUL-terminated UTF-8/ASCII; pointers returned inside a      *|
|*    struct btfgen_result are borrowed from the index (see there).           *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#ifndef BTFGEN_BTFGEN_RUNTIME_H
#define BTFGEN_BTFGEN_RUNTIME_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/*===-- Errors -------------------------------------------------------------===*/

/* Codes of our own, all below -4000 so they never collide with -errno. */
enum {
  /* No index entry describes the running kernel. */
  BTFGEN_ENOMATCH = -4001,
  /* Several index entries with different content match the kernel and
   * nothing tells them apart (see btfgen_find_btf()). */
  BTFGEN_EAMBIGUOUS = -4002,
  /* A JSON index (or a directory tree) is malformed. */
  BTFGEN_EBADINDEX = -4003,
  /* A value does not fit its fixed-size field (e.g. a 300-byte release). */
  BTFGEN_ETOOLONG = -4004,
  /* A file that must be a regular file is a FIFO, socket or device (an
   * os-release or JSON index is never read from those: reading could
   * block). */
  BTFGEN_ENOTREG = -4005,
};

#define BTFGEN_ERROR_MESSAGE_SIZE 512

/* Per-call diagnostic, filled only when a function fails. */
struct btfgen_error {
  int code;                                /* same as the return value */
  char message[BTFGEN_ERROR_MESSAGE_SIZE]; /* e.g. "no tailored BTF for ..." */
};

/* A static, human-readable name for any code returned by this library
 * (0, -errno, or BTFGEN_E*). Never NULL; thread-safe. */
const char *btfgen_strerror(int code);

/*===-- Identifying the running kernel -------------------------------------===*/

/* What btfgen_find_btf() matches on. An empty string means "unknown" (e.g.
 * distro and version are empty when no os-release file was found). */
struct btfgen_kernel_id {
  char distro[64];   /* os-release ID, lowercased: "ubuntu", "rhel", "amzn" */
  char version[64];  /* os-release VERSION_ID: "20.04", "8.4", "2" */
  char arch[32];     /* uname machine as reported: "x86_64", "aarch64" */
  char release[256]; /* uname release: "5.4.0-91-generic" */
  /* 0 if an os-release file was read, else why not (-ENOENT when neither
   * file exists, BTFGEN_ETOOLONG for an oversized ID, BTFGEN_ENOTREG for a
   * FIFO or device, -EFBIG for a file over 64 KiB, -ELOOP, ...).
   * Informational: btfgen_probe_kernel() still succeeds without
   * os-release. */
  int os_release_status;
};

/* Overrides for btfgen_probe_kernel() and btfgen_kernel_has_btf(). A NULL
 * opts pointer, or NULL/zero fields, select the defaults. Zero-initialize
 * it and set only what you need. */
struct btfgen_probe_opts {
  /* Directory that os-release paths are resolved under, default "/". Use
   * e.g. "/host" in a container that mounts the host's root there: the
   * container's own /etc/os-release describes the image, not the host.
   * Every path is resolved inside this root, as after chroot(2): absolute
   * symlinks (etc/os-release -> /usr/lib/os-release) start again at the
   * root, ".." never climbs above it, and only a regular file is read. */
  const char *root;
  /* Replace uname(2)'s machine / release (tests, cross-checks). */
  const char *machine;
  const char *release;
  /* Kernel BTF to test for, default "/sys/kernel/btf/vmlinux". NOT
   * prefixed by root: /sys always describes the running kernel. */
  const char *kernel_btf_path;
};

/* Parses os-release(5) text: KEY=VALUE lines, '#' comments, values
 * unquoted, "double-quoted" (backslash escapes \" \\ \$ \`) or
 * 'single-quoted' (no escapes), shell-style. Sets out->distro from ID
 * (lowercased) and out->version from VERSION_ID; other fields untouched; a
 * missing key leaves its field empty. Returns 0, or BTFGEN_ETOOLONG (field
 * left empty) when a value does not fit. Malformed lines are ignored, as
 * systemd does. */
int btfgen_parse_os_release(const char *text, size_t len,
                            struct btfgen_kernel_id *out,
                            struct btfgen_error *err);

/* Fills *out for the running kernel: uname(2) (or the overrides) for arch
 * and release, then <root>/etc/os-release, falling back to
 * <root>/usr/lib/os-release if that does not exist, for distro and
 * version. The os-release file must be a regular file of at most 64 KiB
 * (symlinks to one are followed inside root). Returns 0 even
 * without os-release (see os_release_status); fails only on bad arguments,
 * uname() failure or a release/machine that does not fit. */
int btfgen_probe_kernel(struct btfgen_kernel_id *out,
                        const struct btfgen_probe_opts *opts,
                        struct btfgen_error *err);

/* Returns 1 if the kernel exposes its own BTF (opts->kernel_btf_path, by
 * default /sys/kernel/btf/vmlinux, exists and is readable), in which case
 * libbpf needs no custom BTF; 0 if not; a negative code if the answer is
 * unknown (e.g. -EACCES). */
int btfgen_kernel_has_btf(const struct btfgen_probe_opts *opts,
                          struct btfgen_error *err);

/* Canonical spelling of an architecture name, as used for matching:
 * "amd64" -> "x86_64", "aarch64" -> "arm64"; every other name (ppc64le,
 * s390x, riscv64, ...) is returned lowercased but otherwise as is. Writes
 * at most size bytes (NUL-terminated) to buf and returns buf. */
char *btfgen_canonical_arch(const char *arch, char *buf, size_t size);

/*===-- Indexes ------------------------------------------------------------===*/

/* An immutable list of (distro, version, arch, release) -> BTF content
 * entries. Created by one of the btfgen_index_* constructors below and
 * released with btfgen_index_free(). */
struct btfgen_index;

/* One embedded BTF file, for btfgen_index_from_entries(). */
struct btfgen_entry {
  const char *distro;  /* BTFHub directory names: "ubuntu" */
  const char *version; /* "20.04" */
  const char *arch;    /* "x86_64" or "amd64", "arm64" or "aarch64", ... */
  const char *release; /* "5.4.0-91-generic" */
  const void *data;    /* raw BTF bytes */
  size_t size;
};

/* Scans a btfgen-driver output tree: every <distro>/<version>/<arch>/
 * <release>.btf under dir (regular files and symlinks; other files and
 * depths are ignored). Entries whose symlinks resolve to the same file, or
 * whose bytes are equal, count as identical content. Fails with -ENOENT /
 * -ENOTDIR if dir is unusable; an empty tree is a valid, empty index. */
int btfgen_index_open_dir(const char *dir, struct btfgen_index **out,
                          struct btfgen_error *err);

/* Builds an index over caller-owned memory: the strings are copied, the
 * data pointers are BORROWED and must stay valid until btfgen_index_free().
 * Entries with equal data (same pointer or same bytes) are identical
 * content. Fails with -EINVAL on NULL fields and BTFGEN_EBADINDEX if two
 * entries have the same (distro, version, canonical arch, release). */
int btfgen_index_from_entries(const struct btfgen_entry *entries, size_t n,
                              struct btfgen_index **out,
                              struct btfgen_error *err);

/* Resolves a JSON index's "file" member to bytes for embedded indexes:
 * store them in *data / *size (borrowed, valid until btfgen_index_free())
 * and return 0, or return a negative code to fail the parse. */
typedef int (*btfgen_file_resolver)(void *ctx, const char *file,
                                    const void **data, size_t *size);

/* Parses the JSON index format of docs/runtime.md ("btfgen-index",
 * version 1). With resolver == NULL, "file" names are paths relative to
 * base_dir (NULL = current directory) and results carry a path; with a
 * resolver, results carry the resolved bytes. Anything outside the
 * documented shape fails with BTFGEN_EBADINDEX and a message giving the
 * byte offset. */
int btfgen_index_parse_json(const char *json, size_t len, const char *base_dir,
                            btfgen_file_resolver resolver, void *ctx,
                            struct btfgen_index **out,
                            struct btfgen_error *err);

/* Reads and parses a JSON index file; "file" names are relative to the
 * directory that contains it. */
int btfgen_index_open_json(const char *path, struct btfgen_index **out,
                           struct btfgen_error *err);

/* Frees an index and everything it owns; NULL is allowed. */
void btfgen_index_free(struct btfgen_index *idx);

/* Number of entries (for diagnostics and tests). */
size_t btfgen_index_size(const struct btfgen_index *idx);

struct btfgen_result;

/* Entry i of the index, in index order (sorted by distro, version, arch,
 * release, byte-wise), to list the kernels an index covers: fills the
 * names and the path or data of *out, with match BTFGEN_MATCH_NONE.
 * Returns 0, or -EINVAL if idx or out is NULL or i >= btfgen_index_size(). */
int btfgen_index_at(const struct btfgen_index *idx, size_t i,
                    struct btfgen_result *out);

/*===-- Lookup -------------------------------------------------------------===*/

enum btfgen_match {
  BTFGEN_MATCH_NONE = 0,
  /* The kernel has its own BTF; use no custom path (btfgen_select only). */
  BTFGEN_MATCH_NOT_NEEDED,
  /* distro, version, arch (modulo aliases) and release all matched. */
  BTFGEN_MATCH_EXACT,
  /* distro, arch and release matched in exactly one version (e.g.
   * os-release says rhel 8.4, the tree has rhel/8). */
  BTFGEN_MATCH_DISTRO,
  /* Only arch and release matched, uniquely across the whole index (no
   * os-release, or a distro the index does not know). */
  BTFGEN_MATCH_RELEASE,
};

/* Flags for btfgen_find_btf() and btfgen_select(). */
enum {
  /* Never fall back to BTFGEN_MATCH_RELEASE. */
  BTFGEN_FIND_NO_RELEASE_FALLBACK = 1u << 0,
  /* btfgen_select(): look up even if the kernel has its own BTF. */
  BTFGEN_FIND_IGNORE_KERNEL_BTF = 1u << 1,
};

/* The chosen entry. All pointers are borrowed from the index (or, for
 * data, from the caller's entries) and stay valid until
 * btfgen_index_free(). Exactly one of path / data is non-NULL after a
 * match; both are NULL for BTFGEN_MATCH_NOT_NEEDED. */
struct btfgen_result {
  enum btfgen_match match;
  const char *path;   /* file to pass as btf_custom_path */
  const void *data;   /* in-memory BTF (see btfgen_result_to_file()) */
  size_t size;        /* bytes at data */
  const char *distro; /* the entry's names, as spelled in the index */
  const char *version;
  const char *arch;
  const char *release;
};

/* Finds the BTF for kernel `id` in `idx`. Rules, first match wins:
 *  1. EXACT:   distro, version, arch, release equal (distro compared
 *              lowercase, arch by btfgen_canonical_arch()).
 *  2. DISTRO:  distro, arch and release equal, any version.
 *  3. RELEASE: arch and release equal, any distro and version (skipped with
 *              BTFGEN_FIND_NO_RELEASE_FALLBACK).
 * A rule with several candidates succeeds only if all have identical
 * content (then the first in index order is returned); otherwise the
 * lookup fails with BTFGEN_EAMBIGUOUS and lists them. Rules 1-2 need a
 * known distro (and version); "rhel" and "centos" are different distros.
 * No match gives BTFGEN_ENOMATCH with a message saying what was looked
 * for. Comparing content may read files (directory and JSON indexes);
 * their I/O errors are returned as -errno. */
int btfgen_find_btf(const struct btfgen_index *idx,
                    const struct btfgen_kernel_id *id, unsigned flags,
                    struct btfgen_result *result, struct btfgen_error *err);

/* The whole start-up decision: if the kernel has BTF (and flags lacks
 * BTFGEN_FIND_IGNORE_KERNEL_BTF) returns 0 with BTFGEN_MATCH_NOT_NEEDED;
 * otherwise btfgen_probe_kernel() then btfgen_find_btf(). opts may be NULL.
 * If kid is non-NULL it receives the probed kernel id (for logging). */
int btfgen_select(const struct btfgen_index *idx,
                  const struct btfgen_probe_opts *opts, unsigned flags,
                  struct btfgen_result *result, struct btfgen_kernel_id *kid,
                  struct btfgen_error *err);

/* Gives a file path for `result`, for btf_custom_path. If the result
 * already has a path, copies it into path_out and returns 0. If it has
 * data, writes the bytes to a new file made by mkstemp() in tmpdir (NULL:
 * $TMPDIR, else /tmp), mode 0600, and returns 1: the caller owns that file
 * and should unlink() it once bpf_object__load() has returned (libbpf reads
 * btf_custom_path during load, not open). Returns -ENAMETOOLONG if
 * path_size is too small, -EINVAL for a NOT_NEEDED/NONE result. */
int btfgen_result_to_file(const struct btfgen_result *result,
                          const char *tmpdir, char *path_out,
                          size_t path_size, struct btfgen_error *err);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* BTFGEN_BTFGEN_RUNTIME_H */
