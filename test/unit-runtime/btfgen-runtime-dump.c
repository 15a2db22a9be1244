/*===- btfgen-runtime-dump.c - Print what the C parsers make of files -------===*\
|*                                                                            *|
|* A test helper for differential checks of the C library against its Go    *|
|* twin (runtime/go, TestDifferential): for each FILE, one line with what    *|
|* btfgen_parse_os_release() or btfgen_index_parse_json() makes of it:       *|
|*                                                                            *|
|*   btfgen-runtime-dump os-release FILE...                                   *|
|*     -> ok|too-long <distro> <version> [<message>]                          *|
|*   btfgen-runtime-dump json FILE...                                         *|
|*     -> ok <n> then one "  <distro> <version> <arch> <release> <file>"     *|
|*        line per entry, or bad <message>                                    *|
|*                                                                            *|
|* Fields are escaped: bytes outside 0x21-0x7e and '\' as \xHH.              *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#include "btfgen/btfgen_runtime.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void put_escaped(const char *s, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    unsigned char c = (unsigned char)s[i];
    if (c <= 0x20 || c >= 0x7f || c == '\\')
      printf("\\x%02x", c);
    else
      putchar(c);
  }
}

static void put_field(const char *s) {
  putchar(' ');
  put_escaped(s, strlen(s));
}

static char *read_all(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return NULL;
  size_t cap = 4096, n = 0;
  char *buf = malloc(cap);
  size_t r;
  while (buf && (r = fread(buf + n, 1, cap - n, f)) > 0) {
    n += r;
    if (n == cap)
      buf = realloc(buf, cap *= 2);
  }
  fclose(f);
  *len = n;
  return buf;
}

static void dump_os_release(const char *text, size_t len) {
  struct btfgen_kernel_id id;
  struct btfgen_error err;
  memset(&id, 0, sizeof(id));
  int rc = btfgen_parse_os_release(len ? text : NULL, len, &id, &err);
  fputs(rc == 0 ? "ok" : rc == BTFGEN_ETOOLONG ? "too-long" : "other", stdout);
  put_field(id.distro);
  put_field(id.version);
  if (rc)
    put_field(err.message);
  putchar('\n');
}

static void dump_json(const char *text, size_t len) {
  struct btfgen_index *idx;
  struct btfgen_error err;
  if (btfgen_index_parse_json(len ? text : NULL, len, ".", NULL, NULL, &idx,
                              &err)) {
    fputs("bad", stdout);
    put_field(err.message);
    putchar('\n');
    return;
  }
  printf("ok %zu\n", btfgen_index_size(idx));
  for (size_t i = 0; i < btfgen_index_size(idx); ++i) {
    struct btfgen_result e;
    btfgen_index_at(idx, i, &e);
    fputs(" ", stdout);
    put_field(e.distro);
    put_field(e.version);
    put_field(e.arch);
    put_field(e.release);
    put_field(e.path + 2); /* "./" */
    putchar('\n');
  }
  btfgen_index_free(idx);
}

int main(int argc, char **argv) {
  if (argc < 2 || (strcmp(argv[1], "os-release") && strcmp(argv[1], "json"))) {
    fprintf(stderr, "usage: btfgen-runtime-dump os-release|json FILE...\n");
    return 2;
  }
  int json = strcmp(argv[1], "json") == 0;
  for (int i = 2; i < argc; ++i) {
    size_t len;
    char *text = read_all(argv[i], &len);
    if (!text) {
      fprintf(stderr, "btfgen-runtime-dump: cannot read '%s'\n", argv[i]);
      return 1;
    }
    if (json)
      dump_json(text, len);
    else
      dump_os_release(text, len);
    free(text);
  }
  return 0;
}
