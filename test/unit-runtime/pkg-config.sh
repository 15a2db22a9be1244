#!/usr/bin/env bash
# pkg-config.sh BUILD WORK - ctest runtime-pkg-config: `cmake --install BUILD
# --prefix WORK/prefix`, then builds and runs a tiny C program with nothing
# but `pkg-config --cflags --libs btfgen_runtime` (PKG_CONFIG_PATH pointing
# into the prefix), once in place and once after moving the prefix (the .pc
# file locates the prefix relative to itself). Uses $CC (default cc).
# Exits 77 (ctest: skipped) without pkg-config, or when BUILD lacks an
# installed target (build the default target first).
set -euo pipefail
BUILD=$1 WORK=$2
CC=${CC:-cc}
if ! command -v pkg-config > /dev/null; then
  echo "pkg-config.sh: SKIPPED: no pkg-config in PATH (Debian: apt-get install pkg-config)"
  exit 77
fi
run() { echo "+ $*"; "$@"; }
rm -rf "$WORK"
mkdir -p "$WORK"
if ! cmake --install "$BUILD" --prefix "$WORK/prefix" > "$WORK/install.log" 2>&1; then
  if grep -q "file INSTALL cannot find" "$WORK/install.log"; then
    echo "pkg-config.sh: SKIPPED: $BUILD lacks installed files (build the default target):"
    grep "cannot find" "$WORK/install.log" | head -3
    exit 77
  fi
  cat "$WORK/install.log"
  exit 1
fi
pc=$(find "$WORK/prefix" -name btfgen_runtime.pc)
echo "pkg-config.sh: installed ${pc#$WORK/}"
cat > "$WORK/tiny.c" <<'EOC'
#include <btfgen/btfgen_runtime.h>
#include <stdio.h>
#include <string.h>

int main(void) {
  static const char text[] = "ID=\"Debian\"\nVERSION_ID='12'\n";
  static const unsigned char blob[] = {0x9f, 0xeb, 0x01, 0x00};
  struct btfgen_entry e = {"debian", "12", "x86_64", "6.1.0-48-amd64", blob,
                           sizeof(blob)};
  struct btfgen_kernel_id id;
  struct btfgen_index *idx;
  struct btfgen_result res;
  struct btfgen_error err;
  char arch[16];
  memset(&id, 0, sizeof(id));
  if (btfgen_parse_os_release(text, sizeof(text) - 1, &id, &err) ||
      btfgen_index_from_entries(&e, 1, &idx, &err))
    return 1;
  strcpy(id.arch, "amd64");
  strcpy(id.release, "6.1.0-48-amd64");
  int rc = btfgen_find_btf(idx, &id, 0, &res, &err);
  printf("%s %s %s %d %s\n", id.distro, id.version,
         btfgen_canonical_arch("aarch64", arch, sizeof(arch)),
         rc == 0 && res.match == BTFGEN_MATCH_EXACT && res.data == blob,
         btfgen_strerror(BTFGEN_ENOTREG));
  btfgen_index_free(idx);
  return rc != 0;
}
EOC
want="debian 12 arm64 1 not a regular file"
for prefix in "$WORK/prefix" "$WORK/moved/prefix"; do
  if [ "$prefix" != "$WORK/prefix" ]; then
    mkdir -p "$(dirname "$prefix")"
    mv "$WORK/prefix" "$prefix"
  fi
  export PKG_CONFIG_PATH=$(dirname "$(find "$prefix" -name btfgen_runtime.pc)")
  flags=$(pkg-config --cflags --libs btfgen_runtime)
  echo "pkg-config.sh: pkg-config --cflags --libs btfgen_runtime: $flags"
  inc=$(pkg-config --variable=includedir btfgen_runtime)
  lib=$(pkg-config --variable=libdir btfgen_runtime)
  if [ "$(realpath "$inc")" != "$(realpath "$prefix/include")" ] ||
     [ ! -f "$lib/libbtfgen_runtime.a" ] || [ ! -f "$inc/btfgen/btfgen_runtime.h" ]; then
    echo "pkg-config.sh: includedir '$inc' / libdir '$lib' are not those of $prefix" >&2
    exit 1
  fi
  # shellcheck disable=SC2086 # the flags are words
  run "$CC" "$WORK/tiny.c" -o "$WORK/tiny" $flags
  got=$("$WORK/tiny")
  if [ "$got" != "$want" ]; then
    echo "pkg-config.sh: tiny printed '$got', want '$want'" >&2
    exit 1
  fi
  echo "pkg-config.sh: ok: $got"
done
