/*===- json_index.c - Reader for the btfgen JSON index ----------------------===*\
|*                                                                            *|
|* Parses exactly the document shape of docs/runtime.md:                      *|
|*                                                                            *|
|*   {"format":"btfgen-index","version":1,"kernels":[                         *|
|*     {"distro":"debian","version":"12","arch":"x86_64",                     *|
|*      "release":"6.1.0-48-amd64","file":"debian/12/x86_64/6.1.0-48-amd64.btf"}*|
|*   ]}                                                                       *|
|*                                                                            *|
|* This is not a general JSON parser: it is a recursive-descent reader of     *|
|* that one shape. Anything else (unknown or duplicate keys, wrong types,     *|
|* trailing data, unsafe "file" paths, invalid escapes) is rejected with      *|
|* BTFGEN_EBADINDEX and the byte offset, so a truncated or hand-edited index  *|
|* fails loudly at start-up instead of selecting the wrong BTF.               *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "internal.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JSON_INDEX_MAX (64u * 1024 * 1024)
#define JSON_STRING_MAX 4096

struct parser {
  const char *p, *begin, *end;
  const char *what; /* index name for messages */
  struct btfgen_error *err;
};

static int bad(struct parser *ps, const char *msg) {
  return btfgen__fail(ps->err, BTFGEN_EBADINDEX, "%s: offset %zu: %s",
                      ps->what, (size_t)(ps->p - ps->begin), msg);
}

static void skip_ws(struct parser *ps) {
  while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' ||
                             *ps->p == '\n' || *ps->p == '\r'))
    ++ps->p;
}

/* Consumes c (after whitespace) or fails with "expected <c>...". */
static int expect(struct parser *ps, char c, const char *msg) {
  skip_ws(ps);
  if (ps->p >= ps->end || *ps->p != c)
    return bad(ps, msg);
  ++ps->p;
  return 0;
}

/* 1 and consumes c if the next non-space character is c, else 0. */
static int accept(struct parser *ps, char c) {
  skip_ws(ps);
  if (ps->p < ps->end && *ps->p == c) {
    ++ps->p;
    return 1;
  }
  return 0;
}

static int hex4(const char *p, unsigned *out) {
  unsigned v = 0;
  for (int i = 0; i < 4; ++i) {
    char c = p[i];
    v <<= 4;
    if (c >= '0' && c <= '9')
      v |= (unsigned)(c - '0');
    else if (c >= 'a' && c <= 'f')
      v |= (unsigned)(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F')
      v |= (unsigned)(c - 'A' + 10);
    else
      return -1;
  }
  *out = v;
  return 0;
}

/* Parses a JSON string into buf (NUL-terminated, at most JSON_STRING_MAX
 * bytes). \u escapes become UTF-8; \u0000 and raw control characters are
 * rejected. */
static int parse_string(struct parser *ps, char *buf) {
  skip_ws(ps);
  if (ps->p >= ps->end || *ps->p != '"')
    return bad(ps, "expected a string");
  ++ps->p;
  size_t n = 0;
#define PUT(c)                                                                 \
  do {                                                                         \
    if (n + 1 >= JSON_STRING_MAX)                                              \
      return bad(ps, "string too long");                                       \
    buf[n++] = (char)(c);                                                      \
  } while (0)
  for (;;) {
    if (ps->p >= ps->end)
      return bad(ps, "unterminated string");
    unsigned char c = (unsigned char)*ps->p;
    if (c == '"') {
      ++ps->p;
      break;
    }
    if (c < 0x20)
      return bad(ps, "control character in string");
    if (c != '\\') {
      PUT(c);
      ++ps->p;
      continue;
    }
    if (ps->end - ps->p < 2)
      return bad(ps, "unterminated escape");
    char e = ps->p[1];
    ps->p += 2;
    switch (e) {
    case '"': PUT('"'); break;
    case '\\': PUT('\\'); break;
    case '/': PUT('/'); break;
    case 'b': PUT('\b'); break;
    case 'f': PUT('\f'); break;
    case 'n': PUT('\n'); break;
    case 'r': PUT('\r'); break;
    case 't': PUT('\t'); break;
    case 'u': {
      unsigned cp;
      if (ps->end - ps->p < 4 || hex4(ps->p, &cp))
        return bad(ps, "invalid \\u escape");
      ps->p += 4;
      if (cp >= 0xD800 && cp <= 0xDBFF) {
        unsigned lo;
        if (ps->end - ps->p < 6 || ps->p[0] != '\\' || ps->p[1] != 'u' ||
            hex4(ps->p + 2, &lo) || lo < 0xDC00 || lo > 0xDFFF)
          return bad(ps, "unpaired surrogate in \\u escape");
        ps->p += 6;
        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
      } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
        return bad(ps, "unpaired surrogate in \\u escape");
      }
      if (cp == 0)
        return bad(ps, "\\u0000 in string");
      if (cp < 0x80) {
        PUT(cp);
      } else if (cp < 0x800) {
        PUT(0xC0 | (cp >> 6));
        PUT(0x80 | (cp & 0x3F));
      } else if (cp < 0x10000) {
        PUT(0xE0 | (cp >> 12));
        PUT(0x80 | ((cp >> 6) & 0x3F));
        PUT(0x80 | (cp & 0x3F));
      } else {
        PUT(0xF0 | (cp >> 18));
        PUT(0x80 | ((cp >> 12) & 0x3F));
        PUT(0x80 | ((cp >> 6) & 0x3F));
        PUT(0x80 | (cp & 0x3F));
      }
      break;
    }
    default:
      ps->p -= 2;
      return bad(ps, "invalid escape in string");
    }
  }
#undef PUT
  buf[n] = '\0';
  return 0;
}

/* A JSON integer without fraction or exponent, within [0, INT_MAX]. */
static int parse_int(struct parser *ps, long *out) {
  skip_ws(ps);
  const char *s = ps->p;
  if (s >= ps->end || *s < '0' || *s > '9')
    return bad(ps, "expected a non-negative integer");
  if (*s == '0' && s + 1 < ps->end && s[1] >= '0' && s[1] <= '9')
    return bad(ps, "leading zero in integer");
  long v = 0;
  while (s < ps->end && *s >= '0' && *s <= '9') {
    if (v > (INT_MAX - 9) / 10)
      return bad(ps, "integer too large");
    v = v * 10 + (*s - '0');
    ++s;
  }
  if (s < ps->end && (*s == '.' || *s == 'e' || *s == 'E'))
    return bad(ps, "expected an integer");
  ps->p = s;
  *out = v;
  return 0;
}

/* A directory-name field: non-empty, no '/', not "." or "..". */
static int check_name(struct parser *ps, const char *s, const char *key) {
  char msg[96];
  if (!*s || strchr(s, '/') || strcmp(s, ".") == 0 || strcmp(s, "..") == 0) {
    snprintf(msg, sizeof(msg), "\"%s\" must be a non-empty name without '/'",
             key);
    return bad(ps, msg);
  }
  return 0;
}

/* "file": relative, '/'-separated, no empty, "." or ".." components. */
static int check_file(struct parser *ps, const char *s) {
  if (!*s || *s == '/')
    return bad(ps, "\"file\" must be a relative path");
  const char *c = s;
  for (;;) {
    const char *slash = strchr(c, '/');
    size_t len = slash ? (size_t)(slash - c) : strlen(c);
    if (len == 0 || (len == 1 && c[0] == '.') ||
        (len == 2 && c[0] == '.' && c[1] == '.'))
      return bad(ps, "\"file\" must not contain empty, '.' or '..' components");
    if (!slash)
      break;
    c = slash + 1;
  }
  return 0;
}

struct json_ctx {
  const char *base_dir;
  btfgen_file_resolver resolver;
  void *rctx;
  struct btfgen_index *idx;
  /* files[i] is entry i's "file", to give entries sharing one a group. */
  char **files;
  size_t nfiles, capfiles;
};

/* Remembers entry i's "file" (entries are appended in order). */
static int remember_file(struct json_ctx *jc, const char *file) {
  if (jc->nfiles == jc->capfiles) {
    size_t ncap = jc->capfiles ? jc->capfiles * 2 : 16;
    char **n = realloc(jc->files, ncap * sizeof(*n));
    if (!n)
      return -ENOMEM;
    jc->files = n;
    jc->capfiles = ncap;
  }
  if (!(jc->files[jc->nfiles] = btfgen__strdup(file)))
    return -ENOMEM;
  ++jc->nfiles;
  return 0;
}

struct file_ref {
  const char *file;
  size_t entry;
};

static int cmp_file_ref(const void *x, const void *y) {
  const struct file_ref *a = x, *b = y;
  int c = strcmp(a->file, b->file);
  return c ? c : (a->entry > b->entry) - (a->entry < b->entry);
}

/* Entries naming the same "file" share content: give them one group id
 * (1 + the lowest entry number among them). Sorting keeps this
 * O(n log n) for indexes with thousands of kernels. */
static int assign_groups(struct json_ctx *jc) {
  size_t n = jc->nfiles;
  if (n < 2)
    return 0;
  struct file_ref *refs = malloc(n * sizeof(*refs));
  if (!refs)
    return -ENOMEM;
  for (size_t i = 0; i < n; ++i)
    refs[i] = (struct file_ref){jc->files[i], i};
  qsort(refs, n, sizeof(*refs), cmp_file_ref);
  size_t leader = refs[0].entry;
  for (size_t i = 0; i < n; ++i) {
    if (i && strcmp(refs[i].file, refs[i - 1].file) != 0)
      leader = refs[i].entry;
    jc->idx->entries[refs[i].entry].group = leader + 1;
  }
  free(refs);
  return 0;
}

enum { K_DISTRO, K_VERSION, K_ARCH, K_RELEASE, K_FILE, K_COUNT };
static const char *const EntryKeys[K_COUNT] = {"distro", "version", "arch",
                                               "release", "file"};

static int parse_entry(struct parser *ps, struct json_ctx *jc, char *key,
                       char (*vals)[JSON_STRING_MAX]) {
  int rc;
  int seen[K_COUNT] = {0};
  const char *obj = ps->p;
  if ((rc = expect(ps, '{', "expected '{' starting a kernel entry")))
    return rc;
  if (!accept(ps, '}')) {
    do {
      skip_ws(ps);
      const char *keyat = ps->p;
      if ((rc = parse_string(ps, key)))
        return rc;
      int k = 0;
      while (k < K_COUNT && strcmp(key, EntryKeys[k]) != 0)
        ++k;
      if (k == K_COUNT || seen[k]) {
        ps->p = keyat;
        return bad(ps, k == K_COUNT ? "unknown key in kernel entry"
                                    : "duplicate key in kernel entry");
      }
      seen[k] = 1;
      if ((rc = expect(ps, ':', "expected ':' after key")) ||
          (rc = parse_string(ps, vals[k])))
        return rc;
      if ((rc = k == K_FILE ? check_file(ps, vals[k])
                            : check_name(ps, vals[k], EntryKeys[k])))
        return rc;
    } while (accept(ps, ','));
    if ((rc = expect(ps, '}', "expected ',' or '}' in kernel entry")))
      return rc;
  }
  for (int k = 0; k < K_COUNT; ++k)
    if (!seen[k]) {
      char msg[64];
      snprintf(msg, sizeof(msg), "kernel entry lacks \"%s\"", EntryKeys[k]);
      const char *here = ps->p;
      ps->p = obj;
      rc = bad(ps, msg);
      ps->p = here;
      return rc;
    }

  if ((rc = remember_file(jc, vals[K_FILE])))
    return btfgen__fail(ps->err, rc, "%s: out of memory", ps->what);
  const void *data = NULL;
  size_t size = 0;
  char path[PATH_MAX];
  const char *pathp = NULL;
  if (jc->resolver) {
    rc = jc->resolver(jc->rctx, vals[K_FILE], &data, &size);
    if (rc < 0 || (!rc && !data))
      return btfgen__fail(ps->err, rc < 0 ? rc : -ENOENT,
                          "%s: cannot resolve file '%s': %s", ps->what,
                          vals[K_FILE], btfgen_strerror(rc < 0 ? rc : -ENOENT));
  } else {
    const char *base = jc->base_dir && *jc->base_dir ? jc->base_dir : ".";
    int n = snprintf(path, sizeof(path), "%s/%s", base, vals[K_FILE]);
    if (n < 0 || (size_t)n >= sizeof(path))
      return btfgen__fail(ps->err, -ENAMETOOLONG, "%s: path '%s/%s' too long",
                          ps->what, base, vals[K_FILE]);
    pathp = path;
  }
  if (btfgen__index_add(jc->idx, vals[K_DISTRO], vals[K_VERSION], vals[K_ARCH],
                        vals[K_RELEASE], pathp, data, size, 0))
    return btfgen__fail(ps->err, -ENOMEM, "%s: out of memory", ps->what);
  return 0;
}

static int parse_document(struct parser *ps, struct json_ctx *jc) {
  /* Two string buffers for keys and five for an entry's values; on the
   * heap to keep the stack small. */
  char *key = malloc(JSON_STRING_MAX);
  char(*vals)[JSON_STRING_MAX] = malloc(K_COUNT * sizeof(*vals));
  if (!key || !vals) {
    free(key);
    free(vals);
    return btfgen__fail(ps->err, -ENOMEM, "%s: out of memory", ps->what);
  }
  int rc = 0, seen_format = 0, seen_version = 0, seen_kernels = 0;
  if ((rc = expect(ps, '{', "expected '{' at the start of the index")))
    goto out;
  if (accept(ps, '}')) {
    rc = bad(ps, "empty object is not a btfgen index");
    goto out;
  }
  do {
    skip_ws(ps);
    const char *keyat = ps->p;
    if ((rc = parse_string(ps, key)) ||
        (rc = expect(ps, ':', "expected ':' after key")))
      goto out;
    if (strcmp(key, "format") == 0) {
      if (seen_format++) {
        ps->p = keyat;
        rc = bad(ps, "duplicate key \"format\"");
        goto out;
      }
      const char *at = ps->p;
      if ((rc = parse_string(ps, vals[0])))
        goto out;
      if (strcmp(vals[0], "btfgen-index") != 0) {
        ps->p = at;
        rc = bad(ps, "\"format\" is not \"btfgen-index\"");
        goto out;
      }
    } else if (strcmp(key, "version") == 0) {
      if (seen_version++) {
        ps->p = keyat;
        rc = bad(ps, "duplicate key \"version\"");
        goto out;
      }
      long v = 0;
      const char *at = ps->p;
      if ((rc = parse_int(ps, &v)))
        goto out;
      if (v != 1) {
        char msg[64];
        snprintf(msg, sizeof(msg), "unsupported index version %ld (expected 1)",
                 v);
        ps->p = at;
        rc = bad(ps, msg);
        goto out;
      }
    } else if (strcmp(key, "kernels") == 0) {
      if (seen_kernels++) {
        ps->p = keyat;
        rc = bad(ps, "duplicate key \"kernels\"");
        goto out;
      }
      if ((rc = expect(ps, '[', "\"kernels\" must be an array")))
        goto out;
      if (!accept(ps, ']')) {
        do {
          if ((rc = parse_entry(ps, jc, key, vals)))
            goto out;
        } while (accept(ps, ','));
        if ((rc = expect(ps, ']', "expected ',' or ']' in \"kernels\"")))
          goto out;
      }
    } else {
      ps->p = keyat;
      rc = bad(ps, "unknown top-level key");
      goto out;
    }
  } while (accept(ps, ','));
  if ((rc = expect(ps, '}', "expected ',' or '}' at top level")))
    goto out;
  skip_ws(ps);
  if (ps->p != ps->end) {
    rc = bad(ps, "trailing data after the index");
    goto out;
  }
  if (!seen_format || !seen_version || !seen_kernels)
    rc = bad(ps, !seen_format    ? "missing \"format\""
                 : !seen_version ? "missing \"version\""
                                 : "missing \"kernels\"");
out:
  free(key);
  free(vals);
  return rc;
}

static int parse_named(const char *json, size_t len, const char *base_dir,
                       btfgen_file_resolver resolver, void *ctx,
                       const char *what, struct btfgen_index **out,
                       struct btfgen_error *err) {
  if (!out || (!json && len))
    return btfgen__fail(err, -EINVAL, "btfgen_index_parse_json: NULL argument");
  *out = NULL;
  if (!json)
    json = ""; /* len is 0, and NULL + 0 is undefined in C */
  if (len && memchr(json, '\0', len))
    return btfgen__fail(err, BTFGEN_EBADINDEX, "%s: NUL byte in JSON", what);
  struct json_ctx jc = {base_dir, resolver, ctx, btfgen__index_new(), NULL,
                        0, 0};
  if (!jc.idx)
    return btfgen__fail(err, -ENOMEM, "%s: out of memory", what);
  struct parser ps = {json, json, json + len, what, err};
  int rc = parse_document(&ps, &jc);
  if (!rc && assign_groups(&jc))
    rc = btfgen__fail(err, -ENOMEM, "%s: out of memory", what);
  if (!rc)
    rc = btfgen__index_finish(jc.idx, 1, what, err);
  for (size_t i = 0; i < jc.nfiles; ++i)
    free(jc.files[i]);
  free(jc.files);
  if (rc) {
    btfgen_index_free(jc.idx);
    return rc;
  }
  *out = jc.idx;
  return 0;
}

int btfgen_index_parse_json(const char *json, size_t len, const char *base_dir,
                            btfgen_file_resolver resolver, void *ctx,
                            struct btfgen_index **out,
                            struct btfgen_error *err) {
  return parse_named(json, len, base_dir, resolver, ctx, "JSON index", out,
                     err);
}

int btfgen_index_open_json(const char *path, struct btfgen_index **out,
                           struct btfgen_error *err) {
  if (!path || !out)
    return btfgen__fail(err, -EINVAL, "btfgen_index_open_json: NULL argument");
  *out = NULL;
  char *text;
  size_t len;
  int rc = btfgen__read_file(path, JSON_INDEX_MAX, &text, &len);
  if (rc)
    return btfgen__fail(err, rc, "'%s': %s", path, btfgen_strerror(rc));
  char base[PATH_MAX], what[PATH_MAX + 2];
  const char *slash = strrchr(path, '/');
  if (!slash)
    snprintf(base, sizeof(base), ".");
  else if (slash == path)
    snprintf(base, sizeof(base), "/");
  else
    snprintf(base, sizeof(base), "%.*s", (int)(slash - path), path);
  snprintf(what, sizeof(what), "'%s'", path);
  rc = parse_named(text, len, base, NULL, NULL, what, out, err);
  free(text);
  return rc;
}
