/*===- error.c - Error codes, messages and small utilities ------------------===*\
|*                                                                            *|
|* btfgen_strerror() maps every code the library returns to a static string, *|
|* so it is thread-safe (libc's strerror() is not). btfgen__fail() formats    *|
|* the per-call message. Also the file and string helpers the other files    *|
|* share.                                                                     *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *btfgen_strerror(int code) {
  switch (code) {
  case 0:
    return "success";
  case BTFGEN_ENOMATCH:
    return "no tailored BTF matches the running kernel";
  case BTFGEN_EAMBIGUOUS:
    return "several different tailored BTFs match the running kernel";
  case BTFGEN_EBADINDEX:
    return "malformed BTF index";
  case BTFGEN_ETOOLONG:
    return "value too long";
  case BTFGEN_ENOTREG:
    return "not a regular file";
  case -ENOENT:
    return "no such file or directory";
  case -ENOTDIR:
    return "not a directory";
  case -EISDIR:
    return "is a directory";
  case -EACCES:
    return "permission denied";
  case -EPERM:
    return "operation not permitted";
  case -ENOMEM:
    return "out of memory";
  case -EINVAL:
    return "invalid argument";
  case -ELOOP:
    return "too many levels of symbolic links";
  case -ENAMETOOLONG:
    return "file name too long";
  case -EFBIG:
    return "file too large";
  case -EIO:
    return "input/output error";
  case -ENOSPC:
    return "no space left on device";
  case -EROFS:
    return "read-only file system";
  case -EMFILE:
  case -ENFILE:
    return "too many open files";
  default:
    return code < 0 ? "system error" : "unknown code";
  }
}

int btfgen__fail(struct btfgen_error *err, int code, const char *fmt, ...) {
  if (err) {
    va_list ap;
    err->code = code;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof(err->message), fmt, ap);
    va_end(ap);
  }
  return code;
}

char *btfgen__strdup(const char *s) {
  size_t n = strlen(s) + 1;
  char *p = malloc(n);
  if (p)
    memcpy(p, s, n);
  return p;
}

char *btfgen__strdup_lower(const char *s) {
  char *p = btfgen__strdup(s);
  if (p)
    for (char *q = p; *q; ++q)
      *q = btfgen__to_lower(*q);
  return p;
}

int btfgen__read_file(const char *path, size_t max, char **out, size_t *len) {
  /* O_NONBLOCK: opening a FIFO for reading would otherwise wait for a
   * writer; read_fd() then refuses it. */
  int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  if (fd < 0)
    return -errno;
  return btfgen__read_fd(fd, max, out, len);
}

/* Reads at most max + 1 bytes of a regular file: one more than allowed
 * tells an oversized file (st_size is 0 for procfs files, and a file can
 * grow while it is read). */
static int read_bounded(int fd, size_t max, char **out, size_t *len) {
  size_t limit = max + 1, cap = limit < 4096 ? limit : 4096, n = 0;
  char *buf = malloc(cap + 1);
  if (!buf)
    return -ENOMEM;
  while (n < limit) {
    if (n == cap) {
      size_t ncap = cap < limit / 2 ? cap * 2 : limit;
      char *nbuf = realloc(buf, ncap + 1);
      if (!nbuf) {
        free(buf);
        return -ENOMEM;
      }
      buf = nbuf;
      cap = ncap;
    }
    ssize_t r = read(fd, buf + n, cap - n);
    if (r < 0 && errno == EINTR)
      continue;
    if (r < 0) {
      int e = -errno;
      free(buf);
      return e;
    }
    if (r == 0)
      break;
    n += (size_t)r;
  }
  if (n > max) {
    free(buf);
    return -EFBIG;
  }
  buf[n] = '\0';
  *out = buf;
  *len = n;
  return 0;
}

int btfgen__read_fd(int fd, size_t max, char **out, size_t *len) {
  struct stat st;
  int rc = 0;
  if (fstat(fd, &st) < 0)
    rc = -errno;
  else if (S_ISDIR(st.st_mode))
    rc = -EISDIR;
  else if (!S_ISREG(st.st_mode))
    rc = BTFGEN_ENOTREG;
  else if (st.st_size > 0 && (unsigned long long)st.st_size > max)
    rc = -EFBIG;
  else
    rc = read_bounded(fd, max, out, len);
  close(fd);
  return rc;
}
