/*===- probe.c - Identify the running kernel --------------------------------===*\
|*                                                                            *|
|* btfgen_probe_kernel() combines uname(2) (arch, release) with os-release(5) *|
|* (distro ID, VERSION_ID). The os-release parser follows the file format's  *|
|* shell-like quoting exactly, because hand-written parsers in eBPF tools    *|
|* have repeatedly kept the quotes ("\"ubuntu\"") or broken on single        *|
|* quotes. Paths are resolved inside an optional root, as chroot(2) would    *|
|* (root_path.c), so an agent can read the host's files from a container.   *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#define OS_RELEASE_MAX (64 * 1024)
#define DEFAULT_KERNEL_BTF "/sys/kernel/btf/vmlinux"

char *btfgen_canonical_arch(const char *arch, char *buf, size_t size) {
  /* BTFHub names its directories x86_64 and arm64; uname says x86_64 and
   * aarch64; Debian/Go say amd64 and arm64. */
  static const struct {
    const char *alias, *canonical;
  } Aliases[] = {
      {"amd64", "x86_64"}, {"x86-64", "x86_64"}, {"aarch64", "arm64"},
      {"arm64le", "arm64"}, {"ppc64el", "ppc64le"},
  };
  if (!buf || size == 0)
    return buf;
  size_t i = 0;
  for (; arch && arch[i] && i + 1 < size; ++i)
    buf[i] = btfgen__to_lower(arch[i]);
  buf[i] = '\0';
  for (size_t a = 0; a < sizeof(Aliases) / sizeof(Aliases[0]); ++a)
    if (strcmp(buf, Aliases[a].alias) == 0) {
      snprintf(buf, size, "%s", Aliases[a].canonical);
      break;
    }
  return buf;
}

/* Copies s into a fixed field; BTFGEN_ETOOLONG (field emptied) if it does
 * not fit. */
static int set_field(char *field, size_t size, const char *s, size_t len) {
  if (len >= size) {
    field[0] = '\0';
    return BTFGEN_ETOOLONG;
  }
  memcpy(field, s, len);
  field[len] = '\0';
  return 0;
}

/* Parses one shell-style value starting at p (end = end of line) into buf.
 * Returns the value length, or -1 for a malformed value (unterminated
 * quote), which makes the line ignored. Stops at unquoted whitespace; the
 * rest of the line (e.g. a comment) is ignored. */
static long parse_value(const char *p, const char *end, char *buf,
                        size_t size, int *overflow) {
  size_t n = 0;
#define PUT(c)                                                                 \
  do {                                                                         \
    if (n + 1 < size)                                                          \
      buf[n] = (c);                                                            \
    else                                                                       \
      *overflow = 1;                                                           \
    ++n;                                                                       \
  } while (0)
  while (p < end) {
    char c = *p;
    if (c == ' ' || c == '\t' || c == '\r')
      break;
    if (c == '"') {
      /* Inside double quotes a backslash escapes only $ ` " \ (POSIX sh);
       * before any other character it is kept literally. */
      ++p;
      for (;;) {
        if (p >= end)
          return -1;
        if (*p == '"') {
          ++p;
          break;
        }
        /* p[1] != 0: strchr() would find the string's terminator. */
        if (*p == '\\' && p + 1 < end && p[1] && strchr("$`\"\\", p[1])) {
          PUT(p[1]);
          p += 2;
          continue;
        }
        PUT(*p);
        ++p;
      }
    } else if (c == '\'') {
      const char *close = memchr(p + 1, '\'', (size_t)(end - p - 1));
      if (!close)
        return -1;
      for (const char *q = p + 1; q < close; ++q)
        PUT(*q);
      p = close + 1;
    } else if (c == '\\') {
      /* A backslash at the end of the line escapes nothing. */
      if (p + 1 < end)
        PUT(p[1]);
      p += p + 1 < end ? 2 : 1;
    } else {
      PUT(c);
      ++p;
    }
  }
#undef PUT
  if (n < size)
    buf[n] = '\0';
  else if (size)
    buf[size - 1] = '\0';
  return (long)n;
}

int btfgen_parse_os_release(const char *text, size_t len,
                            struct btfgen_kernel_id *out,
                            struct btfgen_error *err) {
  if (!out || (!text && len))
    return btfgen__fail(err, -EINVAL, "btfgen_parse_os_release: NULL argument");
  out->distro[0] = '\0';
  out->version[0] = '\0';
  if (len == 0)
    return 0; /* text may be NULL, and NULL + 0 is undefined in C */
  int status = 0;
  const char *p = text, *end = text + len;
  while (p < end) {
    const char *eol = memchr(p, '\n', (size_t)(end - p));
    if (!eol)
      eol = end;
    const char *q = p;
    p = eol < end ? eol + 1 : end;
    while (q < eol && (*q == ' ' || *q == '\t'))
      ++q;
    if (q == eol || *q == '#')
      continue;
    const char *key = q;
    while (q < eol && (btfgen__is_alnum(*q) || *q == '_'))
      ++q;
    if (q == key || q == eol || *q != '=')
      continue; /* not an assignment; systemd ignores these too */
    size_t keylen = (size_t)(q - key);
    char *field;
    size_t fsize;
    if (keylen == 2 && memcmp(key, "ID", 2) == 0) {
      field = out->distro;
      fsize = sizeof(out->distro);
    } else if (keylen == 10 && memcmp(key, "VERSION_ID", 10) == 0) {
      field = out->version;
      fsize = sizeof(out->version);
    } else {
      continue;
    }
    char value[256];
    int overflow = 0;
    long n = parse_value(q + 1, eol, value, sizeof(value), &overflow);
    if (n < 0)
      continue;
    if (overflow || set_field(field, fsize, value, (size_t)n)) {
      field[0] = '\0';
      status = btfgen__fail(err, BTFGEN_ETOOLONG,
                            "os-release: %.*s value longer than %zu bytes",
                            (int)keylen, key, fsize - 1);
      continue;
    }
    if (field == out->distro)
      for (char *c = field; *c; ++c)
        *c = btfgen__to_lower(*c);
  }
  return status;
}

/* Reads the os-release file at `abs` inside root (see root_path.c). */
static int read_os_release(const char *root, const char *abs, char **text,
                           size_t *len) {
  int fd;
  int rc = btfgen__open_in_root(root, abs, &fd);
  if (rc)
    return rc;
  return btfgen__read_fd(fd, OS_RELEASE_MAX, text, len);
}

int btfgen_probe_kernel(struct btfgen_kernel_id *out,
                        const struct btfgen_probe_opts *opts,
                        struct btfgen_error *err) {
  if (!out)
    return btfgen__fail(err, -EINVAL, "btfgen_probe_kernel: NULL output");
  memset(out, 0, sizeof(*out));
  const char *root = opts ? opts->root : NULL;
  const char *machine = opts ? opts->machine : NULL;
  const char *release = opts ? opts->release : NULL;

  struct utsname u;
  if (!machine || !release) {
    if (uname(&u) < 0) {
      int e = -errno;
      return btfgen__fail(err, e, "uname: %s", btfgen_strerror(e));
    }
    if (!machine)
      machine = u.machine;
    if (!release)
      release = u.release;
  }
  if (set_field(out->arch, sizeof(out->arch), machine, strlen(machine)))
    return btfgen__fail(err, BTFGEN_ETOOLONG,
                        "machine name '%.40s...' longer than %zu bytes",
                        machine, sizeof(out->arch) - 1);
  if (set_field(out->release, sizeof(out->release), release, strlen(release)))
    return btfgen__fail(err, BTFGEN_ETOOLONG,
                        "kernel release '%.40s...' longer than %zu bytes",
                        release, sizeof(out->release) - 1);

  /* os-release(5): read /etc/os-release, and only if it does not exist,
   * /usr/lib/os-release. */
  static const char *const Candidates[] = {"/etc/os-release",
                                           "/usr/lib/os-release"};
  int status = -ENOENT;
  for (size_t i = 0; i < 2; ++i) {
    char *text = NULL;
    size_t len = 0;
    status = read_os_release(root, Candidates[i], &text, &len);
    if (status == -ENOENT || status == -ENOTDIR)
      continue;
    if (status == 0) {
      status = btfgen_parse_os_release(text, len, out, NULL);
      free(text);
    }
    break;
  }
  out->os_release_status = status;
  return 0;
}

int btfgen_kernel_has_btf(const struct btfgen_probe_opts *opts,
                          struct btfgen_error *err) {
  const char *path = opts && opts->kernel_btf_path ? opts->kernel_btf_path
                                                   : DEFAULT_KERNEL_BTF;
  if (access(path, R_OK) == 0)
    return 1;
  int e = errno;
  if (e == ENOENT || e == ENOTDIR)
    return 0;
  return btfgen__fail(err, -e, "'%s': %s", path, btfgen_strerror(-e));
}
