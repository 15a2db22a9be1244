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

#include <ctype.h>
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
      *q = (char)tolower((unsigned char)*q);
  return p;
}

int btfgen__read_file(const char *path, size_t max, char **out, size_t *len) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return -errno;
  struct stat st;
  if (fstat(fd, &st) < 0) {
    int e = -errno;
    close(fd);
    return e;
  }
  if (S_ISDIR(st.st_mode)) {
    close(fd);
    return -EISDIR;
  }
  /* Read in chunks rather than trusting st_size (procfs, pipes). */
  size_t cap = 4096, n = 0;
  char *buf = malloc(cap + 1);
  if (!buf) {
    close(fd);
    return -ENOMEM;
  }
  for (;;) {
    if (n == cap) {
      if (cap > max) {
        free(buf);
        close(fd);
        return -EFBIG;
      }
      size_t ncap = cap * 2;
      char *nbuf = realloc(buf, ncap + 1);
      if (!nbuf) {
        free(buf);
        close(fd);
        return -ENOMEM;
      }
      buf = nbuf;
      cap = ncap;
    }
    ssize_t r = read(fd, buf + n, cap - n);
    if (r < 0) {
      if (errno == EINTR)
        continue;
      int e = -errno;
      free(buf);
      close(fd);
      return e;
    }
    if (r == 0)
      break;
    n += (size_t)r;
  }
  close(fd);
  if (n > max) {
    free(buf);
    return -EFBIG;
  }
  buf[n] = '\0';
  *out = buf;
  *len = n;
  return 0;
}
