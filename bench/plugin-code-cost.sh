#!/bin/bash
# bench/plugin-code-cost.sh PLUGIN LINUXSRC [PROG...] - what recording the
# programs' code (manifest version 2, docs/manifest.md "Code") adds to a
# compile. Each selftest program (default: the large ones the conformance
# suite builds) is compiled as test/tools/build-real-programs.sh compiles
# it, REPS times (default 5) in each of three ways:
#   none   clang without the plugin
#   v1     the plugin with BTFGEN_RECORD_CODE=0 (relocations and types only)
#   code   the plugin recording the code (the default)
# and the least user+system CPU seconds of each is printed (the best of
# REPS: on a shared machine contention only adds), with the manifests'
# sizes. CPU time, not wall time.
# vmlinux.h comes from the bundled Debian 6.1 kernel, as in
# build-real-programs.sh.
set -euo pipefail
PLUGIN=${1:?usage: plugin-code-cost.sh PLUGIN LINUXSRC [PROG...]}
LINUXSRC=${2:?usage: plugin-code-cost.sh PLUGIN LINUXSRC [PROG...]}
shift 2
PROGS=("$@")
[ ${#PROGS[@]} -gt 0 ] || PROGS=(profiler1 profiler3 core_kern xdp_synproxy_kern pyperf600)
REPS=${REPS:-5}
CLANG=${CLANG:-clang-19}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
T=$LINUXSRC/tools
SELF=$T/testing/selftests/bpf
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
mkdir -p "$W/include"
xz -dc "$ROOT/examples/archive/debian/12/x86_64/6.1.0-48-amd64.btf.tar.xz" |
  tar -xO > "$W/k.btf"
bpftool btf dump file "$W/k.btf" format c > "$W/include/vmlinux.h"

cpu() { # mode src obj -> user+sys seconds of one compile
  local mode=$1 src=$2 obj=$3 plug=() env=()
  case $mode in
    none) ;;
    v1) plug=(-fpass-plugin="$PLUGIN"); env=(BTFGEN_RECORD_CODE=0) ;;
    code) plug=(-fpass-plugin="$PLUGIN") ;;
  esac
  env "${env[@]}" /usr/bin/time -f '%U %S' -o "$W/time" "$CLANG" --target=bpf \
    -g -O2 -D__TARGET_ARCH_x86 -mlittle-endian \
    -Wno-compare-distinct-pointer-types -Wno-unknown-attributes \
    -I"$W/include" -I"$(dirname "$src")" -I"$SELF" -I"$T/include/uapi" \
    -idirafter /usr/include -idirafter "/usr/include/$(gcc -print-multiarch)" \
    "${plug[@]}" -c "$src" -o "$obj" 2>/dev/null
  awk '{ printf "%.2f\n", $1 + $2 }' "$W/time"
}

best() { sort -n | head -1; }

printf '%-20s %8s %8s %8s %8s %12s %12s\n' program none v1 code added \
  "manifest v1" "manifest v2"
for p in "${PROGS[@]}"; do
  src=$SELF/progs/$p.c
  declare -A med=()
  for mode in none v1 code; do
    for _ in $(seq "$REPS"); do
      rm -f "$W/$p.o" "$W/$p.o.btfgen.json"
      cpu "$mode" "$src" "$W/$p.o"
    done | best > "$W/med"
    med[$mode]=$(cat "$W/med")
    [ "$mode" = none ] || cp "$W/$p.o.btfgen.json" "$W/$p.$mode.json"
  done
  printf '%-20s %8s %8s %8s %7s%% %12s %12s\n' "$p" "${med[none]}" "${med[v1]}" \
    "${med[code]}" \
    "$(awk -v a="${med[v1]}" -v b="${med[code]}" 'BEGIN { printf "%.0f", (b - a) * 100 / a }')" \
    "$(stat -c %s "$W/$p.v1.json")" "$(stat -c %s "$W/$p.code.json")"
done
