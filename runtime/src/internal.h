/*===- internal.h - btfgen_runtime private declarations ------------*- C -*-===*\
|*                                                                            *|
|* Shared by the library's .c files only: the index representation, error    *|
|* helpers and small string utilities. Not installed.                         *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#ifndef BTFGEN_RUNTIME_INTERNAL_H
#define BTFGEN_RUNTIME_INTERNAL_H

#include "btfgen/btfgen_runtime.h"

#include <stdarg.h>
#include <stddef.h>

/* One index entry. The names are owned copies; match_* are the normalized
 * spellings used for comparisons. Exactly one of path / data is set. */
struct btfgen_index_entry {
  char *distro, *version, *arch, *release;
  char *match_distro; /* lowercased */
  char *match_arch;   /* btfgen_canonical_arch() */
  char *path;         /* owned; directory and JSON-with-base_dir indexes */
  const void *data;   /* borrowed; in-memory and resolved JSON indexes */
  size_t size;
  /* Entries with equal, non-zero group are known to share content without
   * looking at it (same "file" in a JSON index, same data pointer). */
  size_t group;
};

struct btfgen_index {
  struct btfgen_index_entry *entries;
  size_t count, capacity;
};

/* Fills err (if non-NULL) with code and a printf-style message; returns
 * code so callers can `return fail(err, -ENOENT, "...")`. */
int btfgen__fail(struct btfgen_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* malloc'd copy or NULL. */
char *btfgen__strdup(const char *s);
/* malloc'd lowercase copy or NULL. */
char *btfgen__strdup_lower(const char *s);

/* Allocates an empty index. */
struct btfgen_index *btfgen__index_new(void);
/* Appends an entry, taking copies of the four names and path (may be NULL);
 * data is borrowed. Returns 0 or -ENOMEM. */
int btfgen__index_add(struct btfgen_index *idx, const char *distro,
                      const char *version, const char *arch,
                      const char *release, const char *path, const void *data,
                      size_t size, size_t group);
/* Sorts entries by (distro, version, arch, release); with reject_dups,
 * fails with BTFGEN_EBADINDEX if two entries share (distro, version,
 * canonical arch, release). `what` names the index in messages. */
int btfgen__index_finish(struct btfgen_index *idx, int reject_dups,
                         const char *what, struct btfgen_error *err);

/* Reads a whole regular file (at most max bytes) into a malloc'd,
 * NUL-terminated buffer. The file is opened O_NONBLOCK and checked with
 * fstat() before any read, so a FIFO or device is refused (BTFGEN_ENOTREG,
 * -EISDIR for a directory) instead of blocking. Returns 0 or a negative
 * code (-EFBIG when larger than max). */
int btfgen__read_file(const char *path, size_t max, char **out, size_t *len);
/* The same for an open descriptor, which it closes in every case. */
int btfgen__read_fd(int fd, size_t max, char **out, size_t *len);

/* Opens the absolute path `abs` as if `root` (NULL or "" = "/") were the
 * root directory, as chroot(2) would: symlinks are resolved by hand below
 * root (absolute targets restart at root, ".." never climbs above it, at
 * most 40 links), and only a regular file is opened (O_NONBLOCK,
 * O_NOFOLLOW). Returns 0 and the descriptor in *fd_out, or -errno,
 * BTFGEN_ENOTREG or -EISDIR. Implemented in root_path.c. */
int btfgen__open_in_root(const char *root, const char *abs, int *fd_out);

/* ASCII-only character classes: the C library's isalnum()/tolower() depend
 * on the application's locale, and matching must not. */
static inline int btfgen__is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9');
}
static inline char btfgen__to_lower(char c) {
  return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

#endif /* BTFGEN_RUNTIME_INTERNAL_H */
