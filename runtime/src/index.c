/*===- index.c - Indexes of tailored BTF and the lookup rules ---------------===*\
|*                                                                            *|
|* An index is a sorted array of entries (distro, version, arch, release ->   *|
|* a file path or caller-owned bytes), whatever it was built from: a         *|
|* btfgen-driver output tree, an array of embedded files, or a JSON index    *|
|* (json_index.c). btfgen_find_btf() applies the fallback rules documented   *|
|* in the header and in docs/runtime.md. Content equality, which decides     *|
|* whether several candidates are really one, is checked cheaply first (same *|
|* JSON "file", same pointer, same inode after following symlinks) and only *|
|* then by comparing bytes.                                                   *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/*===-- Building ----------------------------------------------------------===*/

struct btfgen_index *btfgen__index_new(void) {
  return calloc(1, sizeof(struct btfgen_index));
}

static void entry_free(struct btfgen_index_entry *e) {
  free(e->distro);
  free(e->version);
  free(e->arch);
  free(e->release);
  free(e->match_distro);
  free(e->match_arch);
  free(e->path);
}

int btfgen__index_add(struct btfgen_index *idx, const char *distro,
                      const char *version, const char *arch,
                      const char *release, const char *path, const void *data,
                      size_t size, size_t group) {
  if (idx->count == idx->capacity) {
    size_t ncap = idx->capacity ? idx->capacity * 2 : 16;
    struct btfgen_index_entry *n =
        realloc(idx->entries, ncap * sizeof(*idx->entries));
    if (!n)
      return -ENOMEM;
    idx->entries = n;
    idx->capacity = ncap;
  }
  struct btfgen_index_entry e;
  memset(&e, 0, sizeof(e));
  e.distro = btfgen__strdup(distro);
  e.version = btfgen__strdup(version);
  e.arch = btfgen__strdup(arch);
  e.release = btfgen__strdup(release);
  e.match_distro = btfgen__strdup_lower(distro);
  /* Untruncated, however long: a canonical name is at most 2 bytes longer
   * than its alias ("amd64" -> "x86_64"). */
  size_t archsize = strlen(arch) + 8;
  if ((e.match_arch = malloc(archsize)))
    btfgen_canonical_arch(arch, e.match_arch, archsize);
  e.path = path ? btfgen__strdup(path) : NULL;
  e.data = data;
  e.size = size;
  e.group = group;
  if (!e.distro || !e.version || !e.arch || !e.release || !e.match_distro ||
      !e.match_arch || (path && !e.path)) {
    entry_free(&e);
    return -ENOMEM;
  }
  idx->entries[idx->count++] = e;
  return 0;
}

static int cmp_names(const struct btfgen_index_entry *a,
                     const struct btfgen_index_entry *b) {
  int c;
  if ((c = strcmp(a->distro, b->distro)) ||
      (c = strcmp(a->version, b->version)) ||
      (c = strcmp(a->arch, b->arch)))
    return c;
  return strcmp(a->release, b->release);
}

static int cmp_entries(const void *x, const void *y) {
  return cmp_names(x, y);
}

static int cmp_match_keys(const void *x, const void *y) {
  const struct btfgen_index_entry *a = *(const struct btfgen_index_entry *const *)x;
  const struct btfgen_index_entry *b = *(const struct btfgen_index_entry *const *)y;
  int c;
  if ((c = strcmp(a->match_distro, b->match_distro)) ||
      (c = strcmp(a->version, b->version)) ||
      (c = strcmp(a->match_arch, b->match_arch)))
    return c;
  return strcmp(a->release, b->release);
}

int btfgen__index_finish(struct btfgen_index *idx, int reject_dups,
                         const char *what, struct btfgen_error *err) {
  if (idx->count > 1)
    qsort(idx->entries, idx->count, sizeof(*idx->entries), cmp_entries);
  if (!reject_dups || idx->count < 2)
    return 0;
  const struct btfgen_index_entry **order =
      malloc(idx->count * sizeof(*order));
  if (!order)
    return btfgen__fail(err, -ENOMEM, "%s: out of memory", what);
  for (size_t i = 0; i < idx->count; ++i)
    order[i] = &idx->entries[i];
  qsort(order, idx->count, sizeof(*order), cmp_match_keys);
  int rc = 0;
  for (size_t i = 1; i < idx->count; ++i)
    if (cmp_match_keys(&order[i - 1], &order[i]) == 0) {
      const struct btfgen_index_entry *a = order[i - 1], *b = order[i];
      rc = btfgen__fail(err, BTFGEN_EBADINDEX,
                        "%s: duplicate kernel %s/%s/%s/%s and %s/%s/%s/%s",
                        what, a->distro, a->version, a->arch, a->release,
                        b->distro, b->version, b->arch, b->release);
      break;
    }
  free(order);
  return rc;
}

void btfgen_index_free(struct btfgen_index *idx) {
  if (!idx)
    return;
  for (size_t i = 0; i < idx->count; ++i)
    entry_free(&idx->entries[i]);
  free(idx->entries);
  free(idx);
}

/* An entry as a result: its names, and its path or its data. */
static void describe_entry(struct btfgen_result *res,
                           const struct btfgen_index_entry *e,
                           enum btfgen_match match) {
  res->match = match;
  res->path = e->path;
  res->data = e->path ? NULL : e->data;
  res->size = e->path ? 0 : e->size;
  res->distro = e->distro;
  res->version = e->version;
  res->arch = e->arch;
  res->release = e->release;
}

size_t btfgen_index_size(const struct btfgen_index *idx) {
  return idx ? idx->count : 0;
}

int btfgen_index_at(const struct btfgen_index *idx, size_t i,
                    struct btfgen_result *out) {
  if (!idx || !out || i >= idx->count)
    return -EINVAL;
  describe_entry(out, &idx->entries[i], BTFGEN_MATCH_NONE);
  return 0;
}

int btfgen_index_from_entries(const struct btfgen_entry *entries, size_t n,
                              struct btfgen_index **out,
                              struct btfgen_error *err) {
  if (!out || (!entries && n))
    return btfgen__fail(err, -EINVAL, "btfgen_index_from_entries: NULL argument");
  *out = NULL;
  struct btfgen_index *idx = btfgen__index_new();
  if (!idx)
    return btfgen__fail(err, -ENOMEM, "in-memory index: out of memory");
  for (size_t i = 0; i < n; ++i) {
    const struct btfgen_entry *e = &entries[i];
    if (!e->distro || !e->version || !e->arch || !e->release || !e->data ||
        !*e->arch || !*e->release || e->size == 0) {
      btfgen_index_free(idx);
      return btfgen__fail(err, -EINVAL,
                          "in-memory index: entry %zu has a NULL or empty "
                          "field or no data",
                          i);
    }
    if (btfgen__index_add(idx, e->distro, e->version, e->arch, e->release,
                          NULL, e->data, e->size, 0)) {
      btfgen_index_free(idx);
      return btfgen__fail(err, -ENOMEM, "in-memory index: out of memory");
    }
  }
  int rc = btfgen__index_finish(idx, 1, "in-memory index", err);
  if (rc) {
    btfgen_index_free(idx);
    return rc;
  }
  *out = idx;
  return 0;
}

/*===-- Directory trees ---------------------------------------------------===*/

static int cmp_str(const void *x, const void *y) {
  return strcmp(*(char *const *)x, *(char *const *)y);
}

static void free_names(char **names, size_t n) {
  for (size_t i = 0; i < n; ++i)
    free(names[i]);
  free(names);
}

/* Sorted names in dir, without hidden ones ('.', '..', in-progress temp
 * files). */
static int list_dir(const char *dir, char ***out, size_t *count) {
  DIR *d = opendir(dir);
  if (!d)
    return -errno;
  char **names = NULL;
  size_t n = 0, cap = 0;
  struct dirent *de;
  errno = 0;
  while ((de = readdir(d))) {
    if (de->d_name[0] == '.')
      continue;
    if (n == cap) {
      size_t ncap = cap ? cap * 2 : 16;
      char **nn = realloc(names, ncap * sizeof(*names));
      if (!nn)
        goto oom;
      names = nn;
      cap = ncap;
    }
    if (!(names[n] = btfgen__strdup(de->d_name)))
      goto oom;
    ++n;
  }
  closedir(d);
  if (n > 1)
    qsort(names, n, sizeof(*names), cmp_str);
  *out = names;
  *count = n;
  return 0;
oom:
  closedir(d);
  free_names(names, n);
  return -ENOMEM;
}

static int is_dir(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Level 0..2 are distro, version, arch directories; level 3 holds files. */
static int scan_level(struct btfgen_index *idx, const char *dir, int level,
                      const char *names[3], struct btfgen_error *err) {
  char **list = NULL;
  size_t n = 0;
  int rc = list_dir(dir, &list, &n);
  if (rc)
    return btfgen__fail(err, rc, "'%s': %s", dir, btfgen_strerror(rc));
  for (size_t i = 0; i < n && rc == 0; ++i) {
    char path[PATH_MAX];
    int pl = snprintf(path, sizeof(path), "%s/%s", dir, list[i]);
    if (pl < 0 || (size_t)pl >= sizeof(path)) {
      rc = btfgen__fail(err, -ENAMETOOLONG, "'%s/%s': file name too long",
                        dir, list[i]);
      break;
    }
    if (level < 3) {
      if (!is_dir(path))
        continue;
      names[level] = list[i];
      rc = scan_level(idx, path, level + 1, names, err);
      continue;
    }
    size_t len = strlen(list[i]);
    if (len <= 4 || strcmp(list[i] + len - 4, ".btf") != 0)
      continue;
    struct stat st;
    if (lstat(path, &st) < 0 || !(S_ISREG(st.st_mode) || S_ISLNK(st.st_mode)))
      continue;
    /* A dangling symlink is kept: choosing it later gives a clear error
     * instead of a puzzling "no match". */
    list[i][len - 4] = '\0';
    if (btfgen__index_add(idx, names[0], names[1], names[2], list[i], path,
                          NULL, 0, 0))
      rc = btfgen__fail(err, -ENOMEM, "'%s': out of memory", dir);
  }
  free_names(list, n);
  return rc;
}

int btfgen_index_open_dir(const char *dir, struct btfgen_index **out,
                          struct btfgen_error *err) {
  if (!dir || !out)
    return btfgen__fail(err, -EINVAL, "btfgen_index_open_dir: NULL argument");
  *out = NULL;
  struct stat st;
  if (stat(dir, &st) < 0) {
    int e = -errno;
    return btfgen__fail(err, e, "'%s': %s", dir, btfgen_strerror(e));
  }
  if (!S_ISDIR(st.st_mode))
    return btfgen__fail(err, -ENOTDIR, "'%s': not a directory", dir);
  struct btfgen_index *idx = btfgen__index_new();
  if (!idx)
    return btfgen__fail(err, -ENOMEM, "'%s': out of memory", dir);
  const char *names[3];
  int rc = scan_level(idx, dir, 0, names, err);
  if (!rc)
    rc = btfgen__index_finish(idx, 0, dir, err);
  if (rc) {
    btfgen_index_free(idx);
    return rc;
  }
  *out = idx;
  return 0;
}

/*===-- Content equality --------------------------------------------------===*/

static int stat_entry(const struct btfgen_index_entry *e, struct stat *st,
                      struct btfgen_error *err) {
  if (stat(e->path, st) == 0)
    return 0;
  int rc = -errno;
  struct stat lst;
  if (rc == -ENOENT && lstat(e->path, &lst) == 0 && S_ISLNK(lst.st_mode))
    return btfgen__fail(err, rc, "'%s': dangling symlink", e->path);
  return btfgen__fail(err, rc, "'%s': %s", e->path, btfgen_strerror(rc));
}

static int compare_files(const char *pa, const char *pb,
                         struct btfgen_error *err) {
  int fa = open(pa, O_RDONLY | O_CLOEXEC);
  if (fa < 0) {
    int e = -errno;
    return btfgen__fail(err, e, "'%s': %s", pa, btfgen_strerror(e));
  }
  int fb = open(pb, O_RDONLY | O_CLOEXEC);
  if (fb < 0) {
    int e = -errno;
    close(fa);
    return btfgen__fail(err, e, "'%s': %s", pb, btfgen_strerror(e));
  }
  char ba[16384], bb[16384];
  int same = 1;
  for (;;) {
    ssize_t ra = read(fa, ba, sizeof(ba));
    if (ra < 0 && errno == EINTR)
      continue;
    if (ra < 0) {
      same = btfgen__fail(err, -errno, "'%s': read error", pa);
      break;
    }
    /* Read exactly ra bytes of b so the two stay aligned. */
    ssize_t got = 0;
    while (got < ra) {
      ssize_t rb = read(fb, bb + got, (size_t)(ra - got));
      if (rb < 0 && errno == EINTR)
        continue;
      if (rb <= 0)
        break;
      got += rb;
    }
    if (got != ra || memcmp(ba, bb, (size_t)ra) != 0) {
      same = 0;
      break;
    }
    if (ra == 0) {
      char extra;
      ssize_t rb;
      do
        rb = read(fb, &extra, 1);
      while (rb < 0 && errno == EINTR);
      same = rb == 0;
      break;
    }
  }
  close(fa);
  close(fb);
  return same;
}

/* 1 if a and b have identical content, 0 if not, negative on I/O error. */
static int same_content(const struct btfgen_index_entry *a,
                        const struct btfgen_index_entry *b,
                        struct btfgen_error *err) {
  if (a->group && a->group == b->group)
    return 1;
  if (a->data && b->data) {
    if (a->size != b->size)
      return 0;
    return a->data == b->data || memcmp(a->data, b->data, a->size) == 0;
  }
  if (!a->path || !b->path)
    return 0;
  struct stat sa, sb;
  int rc;
  if ((rc = stat_entry(a, &sa, err)) || (rc = stat_entry(b, &sb, err)))
    return rc;
  if (sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino)
    return 1;
  if (sa.st_size != sb.st_size)
    return 0;
  return compare_files(a->path, b->path, err);
}

/*===-- Lookup ------------------------------------------------------------===*/

enum rule { RULE_EXACT, RULE_DISTRO, RULE_RELEASE };

static int entry_matches(const struct btfgen_index_entry *e, enum rule r,
                         const char *distro, const char *version,
                         const char *arch, const char *release) {
  if (strcmp(e->release, release) != 0 || strcmp(e->match_arch, arch) != 0)
    return 0;
  if (r == RULE_RELEASE)
    return 1;
  if (strcmp(e->match_distro, distro) != 0)
    return 0;
  return r == RULE_DISTRO || strcmp(e->version, version) == 0;
}

static const char *rule_name(enum rule r) {
  return r == RULE_EXACT    ? "distro+version+arch+release"
         : r == RULE_DISTRO ? "distro+arch+release"
                            : "arch+release";
}

static void fill_result(struct btfgen_result *res,
                        const struct btfgen_index_entry *e, enum rule r) {
  describe_entry(res, e,
                 r == RULE_EXACT    ? BTFGEN_MATCH_EXACT
                 : r == RULE_DISTRO ? BTFGEN_MATCH_DISTRO
                                    : BTFGEN_MATCH_RELEASE);
}

/* Applies one rule. Returns 1 with *chosen set, 0 if nothing matched, or a
 * negative code (ambiguity, I/O). */
static int apply_rule(const struct btfgen_index *idx, enum rule r,
                      const char *distro, const char *version,
                      const char *arch, const char *release,
                      const struct btfgen_index_entry **chosen,
                      struct btfgen_error *err) {
  const struct btfgen_index_entry *first = NULL;
  size_t matches = 0, differing = 0;
  const struct btfgen_index_entry *other = NULL;
  for (size_t i = 0; i < idx->count; ++i) {
    const struct btfgen_index_entry *e = &idx->entries[i];
    if (!entry_matches(e, r, distro, version, arch, release))
      continue;
    ++matches;
    if (!first) {
      first = e;
      continue;
    }
    int same = same_content(first, e, err);
    if (same < 0)
      return same;
    if (!same) {
      ++differing;
      if (!other)
        other = e;
    }
  }
  if (!first)
    return 0;
  if (differing)
    return btfgen__fail(
        err, BTFGEN_EAMBIGUOUS,
        "ambiguous: kernel release '%s' arch '%s' matches %zu entries by %s "
        "with different content, e.g. %s/%s/%s/%s and %s/%s/%s/%s%s",
        release, arch, matches, rule_name(r), first->distro, first->version,
        first->arch, first->release, other->distro, other->version,
        other->arch, other->release,
        r == RULE_RELEASE ? "; the os-release distro/version would decide"
                          : "");
  if (first->path) {
    struct stat st;
    int rc = stat_entry(first, &st, err);
    if (rc)
      return rc;
  }
  *chosen = first;
  return 1;
}

int btfgen_find_btf(const struct btfgen_index *idx,
                    const struct btfgen_kernel_id *id, unsigned flags,
                    struct btfgen_result *result, struct btfgen_error *err) {
  if (!idx || !id || !result)
    return btfgen__fail(err, -EINVAL, "btfgen_find_btf: NULL argument");
  memset(result, 0, sizeof(*result));
  if (!id->release[0] || !id->arch[0])
    return btfgen__fail(err, -EINVAL,
                        "btfgen_find_btf: kernel release and arch are required");
  char distro[sizeof(id->distro)], arch[sizeof(id->arch) + 8];
  for (size_t i = 0; i < sizeof(distro); ++i) {
    distro[i] = (char)((id->distro[i] >= 'A' && id->distro[i] <= 'Z')
                           ? id->distro[i] - 'A' + 'a'
                           : id->distro[i]);
    if (!distro[i])
      break;
  }
  distro[sizeof(distro) - 1] = '\0';
  btfgen_canonical_arch(id->arch, arch, sizeof(arch));

  const struct btfgen_index_entry *chosen = NULL;
  enum rule rules[3];
  size_t nrules = 0;
  if (distro[0] && id->version[0])
    rules[nrules++] = RULE_EXACT;
  if (distro[0])
    rules[nrules++] = RULE_DISTRO;
  if (!(flags & BTFGEN_FIND_NO_RELEASE_FALLBACK))
    rules[nrules++] = RULE_RELEASE;
  for (size_t i = 0; i < nrules; ++i) {
    int rc = apply_rule(idx, rules[i], distro, id->version, arch, id->release,
                        &chosen, err);
    if (rc < 0)
      return rc;
    if (rc == 1) {
      fill_result(result, chosen, rules[i]);
      return 0;
    }
  }

  /* Nothing matched: say what was looked for and what the index has. */
  size_t same_arch = 0;
  const struct btfgen_index_entry *other_arch = NULL, *other_distro = NULL;
  for (size_t i = 0; i < idx->count; ++i) {
    const struct btfgen_index_entry *e = &idx->entries[i];
    int arch_eq = strcmp(e->match_arch, arch) == 0;
    same_arch += arch_eq;
    if (strcmp(e->release, id->release) == 0) {
      if (!arch_eq && !other_arch)
        other_arch = e;
      if (arch_eq && !other_distro)
        other_distro = e;
    }
  }
  char hint[256] = "";
  if (other_distro)
    snprintf(hint, sizeof(hint),
             "; release-only fallback is disabled, %s/%s/%s/%s would match",
             other_distro->distro, other_distro->version, other_distro->arch,
             other_distro->release);
  else if (other_arch)
    snprintf(hint, sizeof(hint), "; the release exists only for arch '%s'",
             other_arch->arch);
  char who[160];
  if (distro[0])
    snprintf(who, sizeof(who), "distro '%s' version '%s'", distro,
             id->version[0] ? id->version : "(unknown)");
  else
    snprintf(who, sizeof(who), "distro unknown (no os-release)");
  return btfgen__fail(err, BTFGEN_ENOMATCH,
                      "no tailored BTF for kernel release '%s' arch '%s' "
                      "(matched as '%s'), %s: the index has %zu entries, %zu "
                      "for this arch, none with this release%s",
                      id->release, id->arch, arch, who, idx->count, same_arch,
                      hint);
}

int btfgen_select(const struct btfgen_index *idx,
                  const struct btfgen_probe_opts *opts, unsigned flags,
                  struct btfgen_result *result, struct btfgen_kernel_id *kid,
                  struct btfgen_error *err) {
  if (!idx || !result)
    return btfgen__fail(err, -EINVAL, "btfgen_select: NULL argument");
  memset(result, 0, sizeof(*result));
  struct btfgen_kernel_id local;
  if (!kid)
    kid = &local;
  int rc = btfgen_probe_kernel(kid, opts, err);
  if (rc)
    return rc;
  /* An unreadable kernel BTF is as good as none: libbpf could not use it
   * either, so look for a tailored one. */
  if (!(flags & BTFGEN_FIND_IGNORE_KERNEL_BTF) &&
      btfgen_kernel_has_btf(opts, NULL) == 1) {
    result->match = BTFGEN_MATCH_NOT_NEEDED;
    return 0;
  }
  return btfgen_find_btf(idx, kid, flags, result, err);
}

/*===-- Materializing in-memory results -----------------------------------===*/

int btfgen_result_to_file(const struct btfgen_result *result,
                          const char *tmpdir, char *path_out,
                          size_t path_size, struct btfgen_error *err) {
  if (!result || !path_out)
    return btfgen__fail(err, -EINVAL, "btfgen_result_to_file: NULL argument");
  if (result->path) {
    int n = snprintf(path_out, path_size, "%s", result->path);
    if (n < 0 || (size_t)n >= path_size)
      return btfgen__fail(err, -ENAMETOOLONG,
                          "'%s': path longer than the %zu-byte buffer",
                          result->path, path_size);
    return 0;
  }
  if (!result->data)
    return btfgen__fail(err, -EINVAL,
                        "btfgen_result_to_file: the result has no BTF "
                        "(match kind %d)",
                        (int)result->match);
  if (!tmpdir || !*tmpdir)
    tmpdir = getenv("TMPDIR");
  if (!tmpdir || !*tmpdir)
    tmpdir = "/tmp";
  size_t tl = strlen(tmpdir);
  while (tl > 1 && tmpdir[tl - 1] == '/')
    --tl;
  int n = snprintf(path_out, path_size, "%.*s/btfgen-%s-XXXXXX", (int)tl,
                   tmpdir, result->release ? result->release : "btf");
  if (n < 0 || (size_t)n >= path_size)
    return btfgen__fail(err, -ENAMETOOLONG,
                        "'%s': temp file name longer than the %zu-byte buffer",
                        tmpdir, path_size);
  /* A release can contain '/' only in a hand-made in-memory index; keep the
   * file in tmpdir regardless. */
  for (char *p = path_out + tl + 1; *p; ++p)
    if (*p == '/')
      *p = '_';
  int fd = mkstemp(path_out);
  if (fd < 0) {
    int e = -errno;
    return btfgen__fail(err, e, "'%s': cannot create temp file: %s", tmpdir,
                        btfgen_strerror(e));
  }
  const char *p = result->data;
  size_t left = result->size;
  while (left) {
    ssize_t w = write(fd, p, left);
    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0) {
      int e = w < 0 ? -errno : -EIO;
      close(fd);
      unlink(path_out);
      return btfgen__fail(err, e, "'%s': write error: %s", path_out,
                          btfgen_strerror(e));
    }
    p += w;
    left -= (size_t)w;
  }
  if (close(fd) < 0) {
    int e = -errno;
    unlink(path_out);
    return btfgen__fail(err, e, "'%s': close error: %s", path_out,
                        btfgen_strerror(e));
  }
  return 1;
}
