/*===- CHeaderCheck.c - The public header compiles as strict C11 ------------===*\
|*                                                                            *|
|* Compiled as C (not C++) into btfgen-runtime-tests, so a C++-only construct *|
|* in btfgen_runtime.h breaks the build. Also exercises the API from C.       *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#include "btfgen/btfgen_runtime.h"

#include <string.h>

int btfgenRuntimeCSmoke(void);

/* Builds a one-entry in-memory index and finds it; returns the match kind
 * or a negative code. */
int btfgenRuntimeCSmoke(void) {
  static const unsigned char Blob[] = {0x9f, 0xeb, 0x01, 0x00};
  struct btfgen_entry e = {"debian", "12", "amd64", "6.1.0-48-amd64", Blob,
                           sizeof(Blob)};
  struct btfgen_index *idx;
  struct btfgen_error err;
  int rc = btfgen_index_from_entries(&e, 1, &idx, &err);
  if (rc)
    return rc;
  struct btfgen_kernel_id kid;
  memset(&kid, 0, sizeof(kid));
  strcpy(kid.arch, "x86_64");
  strcpy(kid.release, "6.1.0-48-amd64");
  struct btfgen_result res;
  rc = btfgen_find_btf(idx, &kid, 0, &res, &err);
  if (!rc)
    rc = res.data == Blob ? (int)res.match : -1;
  btfgen_index_free(idx);
  return rc;
}
