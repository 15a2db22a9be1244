/*===- embed-main.c - A make project's user of an embedded BTF table ------===*\
|*                                                                            *|
|* Built by make-include.test from the app_btf.c/app_btf.h that btfgen.mk     *|
|* generates (BTFGEN_EMBED = app_btf.c, BTFGEN_EMBED_SYMBOL = app_btf):       *|
|* builds the run-time index over the table and prints every entry the index  *|
|* accepted, so the test sees the table link and load.                        *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/
#include "app_btf.h"

#include <stdio.h>

int main(void) {
  struct btfgen_index *idx = NULL;
  struct btfgen_error err;
  if (btfgen_index_from_entries(app_btf_entries, app_btf_count, &idx, &err)) {
    fprintf(stderr, "error: %s\n", err.message);
    return 1;
  }
  printf("entries %zu index %zu\n", (size_t)app_btf_count,
         btfgen_index_size(idx));
  for (size_t i = 0; i < app_btf_count; ++i)
    printf("%s/%s/%s/%s %zu\n", app_btf_entries[i].distro,
           app_btf_entries[i].version, app_btf_entries[i].arch,
           app_btf_entries[i].release, app_btf_entries[i].size);
  btfgen_index_free(idx);
  return 0;
}
