/*===- embed-harness.c - Read back a table made by btfgen-driver embed ---===*\
|*                                                                            *|
|* Linked with the C file of `btfgen-driver embed ... --symbol tk --header    *|
|* tk.h` (test/driver/embed.test). Writes the bytes of every entry to         *|
|* OUT/<distro>/<version>/<arch>/<release>.btf, so the test can compare them  *|
|* with the driver's tree using diff -r, and prints the number of entries,    *|
|* of distinct data pointers, and of entries not aligned to 8 bytes.          *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/
#include "tk.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static int mkdirs(char *path) {
  for (char *p = path + 1; *p; ++p) {
    if (*p != '/')
      continue;
    *p = '\0';
    mkdir(path, 0755);
    *p = '/';
  }
  return mkdir(path, 0755);
}

int main(int argc, char **argv) {
  size_t distinct = 0, misaligned = 0;
  if (argc != 2)
    return 2;
  for (size_t i = 0; i < tk_count; ++i) {
    const struct btfgen_entry *e = &tk_entries[i];
    char dir[4096], file[4200];
    size_t j;
    FILE *f;
    for (j = 0; j < i && tk_entries[j].data != e->data; ++j)
      ;
    distinct += j == i;
    misaligned += ((uintptr_t)e->data % 8) != 0;
    snprintf(dir, sizeof(dir), "%s/%s/%s/%s", argv[1], e->distro, e->version,
             e->arch);
    mkdirs(dir);
    snprintf(file, sizeof(file), "%s/%s.btf", dir, e->release);
    f = fopen(file, "wb");
    if (!f || fwrite(e->data, 1, e->size, f) != e->size || fclose(f)) {
      perror(file);
      return 1;
    }
  }
  printf("entries %zu distinct-data %zu misaligned %zu\n", (size_t)tk_count,
         distinct, misaligned);
  return 0;
}
