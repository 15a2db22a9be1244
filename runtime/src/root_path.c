/*===- root_path.c - Open a file under a root directory, as chroot would ----===*\
|*                                                                            *|
|* btfgen_probe_kernel() reads <root>/etc/os-release, where root is often the *|
|* host's file system mounted into a container. Its symlinks were written for *|
|* that file system: an absolute target (/usr/lib/os-release) and any ".."    *|
|* (../../usr/lib/os-release) must stay below root, as they would after      *|
|* chroot(2). Joining strings and letting the kernel follow the links gets   *|
|* both wrong, so the path is walked one component at a time below directory *|
|* descriptors (openat() with O_NOFOLLOW), and every symlink is read and      *|
|* resolved by hand. A directory that is swapped for a symlink during the     *|
|* walk makes the walk fail instead of leaving the root. Linux's openat2()    *|
|* RESOLVE_IN_ROOT does the same, but only since Linux 5.6, and this library  *|
|* mostly runs on older kernels (those without /sys/kernel/btf/vmlinux).      *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef O_PATH
#define O_PATH O_RDONLY
#endif

/* As many symlinks as Linux follows in one lookup (MAXSYMLINKS). */
#define MAX_LINKS 40

/* The walk's position: dirfd is the directory reached so far, whose path
 * below root is resolved ("" at the root, else "a/b"). */
struct walk {
  int rootfd, dirfd;
  char resolved[PATH_MAX];
  size_t rlen;
};

static void close_dir(struct walk *w) {
  if (w->dirfd != w->rootfd)
    close(w->dirfd);
  w->dirfd = w->rootfd;
}

/* Opens the directory `name` below w->dirfd without following a symlink
 * and makes it the current directory. */
static int enter_dir(struct walk *w, const char *name) {
  int fd = openat(w->dirfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return -errno;
  close_dir(w);
  w->dirfd = fd;
  return 0;
}

/* "..": drops the last resolved component and reopens its parent from the
 * root (at the root, ".." is the root). */
static int leave_dir(struct walk *w) {
  if (w->rlen == 0)
    return 0;
  char *slash = strrchr(w->resolved, '/');
  w->rlen = slash ? (size_t)(slash - w->resolved) : 0;
  w->resolved[w->rlen] = '\0';
  close_dir(w);
  char copy[PATH_MAX];
  memcpy(copy, w->resolved, w->rlen + 1);
  for (char *c = strtok(copy, "/"); c; c = strtok(NULL, "/")) {
    int rc = enter_dir(w, c);
    if (rc)
      return rc;
  }
  return 0;
}

static int append_resolved(struct walk *w, const char *name) {
  size_t n = strlen(name);
  if (w->rlen + 1 + n >= sizeof(w->resolved))
    return -ENAMETOOLONG;
  if (w->rlen)
    w->resolved[w->rlen++] = '/';
  memcpy(w->resolved + w->rlen, name, n + 1);
  w->rlen += n;
  return 0;
}

/* Rewrites path as target + "/" + rest (rest, the unwalked part, is a
 * copy and may be empty); an absolute target restarts the walk at the
 * root. */
static int follow_link(struct walk *w, const char *name, const char *rest,
                       char *path, size_t size) {
  char target[PATH_MAX];
  ssize_t n = readlinkat(w->dirfd, name, target, sizeof(target) - 1);
  if (n < 0)
    return -errno;
  if ((size_t)n >= sizeof(target) - 1)
    return -ENAMETOOLONG;
  target[n] = '\0';
  if (target[0] == '/') {
    close_dir(w);
    w->rlen = 0;
    w->resolved[0] = '\0';
  }
  size_t tl = (size_t)n, rl = strlen(rest);
  if (tl + 1 + rl >= size)
    return -ENAMETOOLONG;
  memcpy(path, target, tl);
  path[tl] = '/';
  memcpy(path + tl + 1, rest, rl + 1);
  return 0;
}

/* Opens the last component: only a regular file, never a FIFO or device
 * (whose open() could block or have side effects). */
static int open_last(struct walk *w, const char *name, const struct stat *st,
                     int *fd_out) {
  if (S_ISDIR(st->st_mode))
    return -EISDIR;
  if (!S_ISREG(st->st_mode))
    return BTFGEN_ENOTREG;
  int fd = openat(w->dirfd, name,
                  O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  if (fd < 0)
    return -errno;
  *fd_out = fd;
  return 0;
}

/* The walk proper; `path` is consumed and rewritten as links expand. */
static int walk_path(struct walk *w, char *path, size_t size, int *fd_out) {
  int links = 0;
  char *p = path;
  for (;;) {
    while (*p == '/')
      ++p;
    if (!*p)
      return -EISDIR; /* the path names a directory */
    char name[NAME_MAX + 1];
    size_t len = strcspn(p, "/");
    if (len > NAME_MAX)
      return -ENAMETOOLONG;
    memcpy(name, p, len);
    name[len] = '\0';
    p += len;
    while (*p == '/')
      ++p;
    int last = *p == '\0';
    if (strcmp(name, ".") == 0)
      continue;
    if (strcmp(name, "..") == 0) {
      int rc = leave_dir(w);
      if (rc)
        return rc;
      continue;
    }
    struct stat st;
    if (fstatat(w->dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
      return -errno;
    if (S_ISLNK(st.st_mode)) {
      if (++links > MAX_LINKS)
        return -ELOOP;
      char rest[PATH_MAX];
      size_t rl = strlen(p);
      if (rl >= sizeof(rest))
        return -ENAMETOOLONG;
      memcpy(rest, p, rl + 1);
      int rc = follow_link(w, name, rest, path, size);
      if (rc)
        return rc;
      p = path;
      continue;
    }
    if (last)
      return open_last(w, name, &st, fd_out);
    if (!S_ISDIR(st.st_mode))
      return -ENOTDIR;
    int rc = enter_dir(w, name);
    if (!rc)
      rc = append_resolved(w, name);
    if (rc)
      return rc;
  }
}

int btfgen__open_in_root(const char *root, const char *abs, int *fd_out) {
  if (!root || !*root)
    root = "/";
  char path[PATH_MAX];
  size_t al = strlen(abs);
  if (al >= sizeof(path))
    return -ENAMETOOLONG;
  memcpy(path, abs, al + 1);
  struct walk w;
  w.rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (w.rootfd < 0)
    return -errno;
  w.dirfd = w.rootfd;
  w.rlen = 0;
  w.resolved[0] = '\0';
  int rc = walk_path(&w, path, sizeof(path), fd_out);
  close_dir(&w);
  close(w.rootfd);
  return rc;
}
