#!/usr/bin/env bash
# build-real-programs.sh OUTDIR - compile real-world CO-RE BPF programs from
# the cached Debian linux source with the btfgen plugin.
#
# Each program becomes OUTDIR/<name>.bpf.o plus the plugin's manifest
# OUTDIR/<name>.bpf.o.btfgen.json. OUTDIR/build-report.tsv lists every
# program with "ok", "no-manifest" or "fail" and the first error line;
# OUTDIR/programs.txt lists the programs that built with a manifest.
#
# Environment:
#   PLUGIN    libBTFGenPass.so (required unless NO_PLUGIN=1)
#   LINUXSRC  extracted linux source (default ~/.cache/btfgen-ci/linux-src,
#             see scripts/fetch-linux-src.sh)
#   CLANG     clang-19
#   VMLINUX_BTF  raw BTF to dump vmlinux.h from. Default: the Debian 6.1
#             kernel BTF bundled in examples/archive, because the source is
#             Debian's 6.1 and several programs (the profiler*.c selftests)
#             do not compile against newer kernels' types (e.g.
#             kernfs_node::parent became __parent). Set it to
#             /sys/kernel/btf/vmlinux to use the running kernel.
#   SET       "default" (the list below) or "all-selftests" (also every
#             tools/testing/selftests/bpf/progs/*.c that compiles; slow)
#   JOBS      parallel compiles (default: nproc)
#   EXTRA_CFLAGS  appended to every compile (e.g. -O0)
set -euo pipefail

OUT=${1:?usage: build-real-programs.sh OUTDIR}
SRCROOT=$(cd "$(dirname "$0")/../.." && pwd)
LINUXSRC=${LINUXSRC:-$HOME/.cache/btfgen-ci/linux-src}
CLANG=${CLANG:-clang-19}
JOBS=${JOBS:-$(nproc)}
SET=${SET:-default}
EXTRA_CFLAGS=${EXTRA_CFLAGS:-}
if [ "${NO_PLUGIN:-0}" != 1 ]; then
  PLUGIN=${PLUGIN:?set PLUGIN to libBTFGenPass.so}
  [ -f "$PLUGIN" ] || { echo "build-real-programs: no plugin at $PLUGIN" >&2; exit 1; }
  PLUGIN_FLAG="-fpass-plugin=$PLUGIN"
else
  PLUGIN_FLAG=""
fi
T=$LINUXSRC/tools
SELF=$T/testing/selftests/bpf
[ -d "$SELF/progs" ] || { echo "build-real-programs: no linux source at $LINUXSRC" >&2; exit 1; }

mkdir -p "$OUT/include"
OUT=$(cd "$OUT" && pwd)

# vmlinux.h
if [ -z "${VMLINUX_BTF:-}" ]; then
  VMLINUX_BTF=$OUT/include/vmlinux-6.1.btf
  xz -dc "$SRCROOT/examples/archive/debian/12/x86_64/6.1.0-48-amd64.btf.tar.xz" |
    tar -xO > "$VMLINUX_BTF"
fi
bpftool btf dump file "$VMLINUX_BTF" format c > "$OUT/include/vmlinux.h.tmp"
mv "$OUT/include/vmlinux.h.tmp" "$OUT/include/vmlinux.h"

# name<TAB>source: names must be unique.
LIST=$OUT/sources.tsv
{
  printf 'runqslower\t%s\n' "$T/bpf/runqslower/runqslower.bpf.c"
  for f in "$T"/perf/util/bpf_skel/*.bpf.c; do
    printf 'perf_%s\t%s\n' "$(basename "$f" .bpf.c)" "$f"
  done
  for p in profiler1 profiler2 profiler3 pyperf50 pyperf180 pyperf600 \
           pyperf_subprogs strobemeta strobemeta_nounroll1 strobemeta_subprogs \
           test_core_reloc_kernel \
           core_kern xdp_synproxy_kern test_verif_scale2 bpf_iter_tcp4 \
           bpf_iter_tcp6 test_bpf_nf netif_receive_skb bpf_cubic bpf_dctcp \
           map_ptr_kern test_core_autosize bpf_iter_task_vma \
           bpf_syscall_macro map_kptr setget_sockopt; do
    printf '%s\t%s\n' "$p" "$SELF/progs/$p.c"
  done
  # The CO-RE selftests proper: their local types mostly do NOT exist in a
  # kernel, so they exercise "no candidate"/poison outcomes.
  for f in "$SELF"/progs/test_core_reloc_*.c; do
    printf '%s\t%s\n' "$(basename "$f" .c)" "$f"
  done
  if [ "$SET" = all-selftests ]; then
    for f in "$SELF"/progs/*.c; do
      n=$(basename "$f" .c)
      case "$n" in btf__core_reloc_*|profiler[123]|pyperf50|pyperf180|pyperf600|\
        pyperf_subprogs|strobemeta|strobemeta_nounroll1|strobemeta_subprogs|\
        test_core_reloc_*|core_kern|xdp_synproxy_kern|test_verif_scale2|\
        bpf_iter_tcp[46]|test_bpf_nf|netif_receive_skb|bpf_cubic|bpf_dctcp|\
        map_ptr_kern|test_core_autosize|bpf_iter_task_vma|bpf_syscall_macro|\
        map_kptr|setget_sockopt) continue ;; esac
      printf 'st_%s\t%s\n' "$n" "$f"
    done
  fi
} | sort -u > "$LIST"

compile() { # name src
  local name=$1 src=$2 obj=$OUT/$1.bpf.o
  rm -f "$obj" "$obj.btfgen.json"
  # shellcheck disable=SC2086
  if "$CLANG" --target=bpf -g -O2 -D__TARGET_ARCH_x86 -mlittle-endian \
      -Wno-compare-distinct-pointer-types -Wno-unknown-attributes \
      -I"$OUT/include" -I"$(dirname "$src")" -I"$SELF" -I"$T/include/uapi" \
      -idirafter /usr/include -idirafter /usr/include/x86_64-linux-gnu \
      $PLUGIN_FLAG $EXTRA_CFLAGS -c "$src" -o "$obj" 2> "$OUT/$name.err"; then
    if [ -z "$PLUGIN_FLAG" ] || [ -s "$obj.btfgen.json" ]; then
      printf '%s\tok\t\n' "$name"
    else
      printf '%s\tno-manifest\tplugin wrote no %s\n' "$name" "$obj.btfgen.json"
    fi
  else
    rm -f "$obj" "$obj.btfgen.json"
    printf '%s\tfail\t%s\n' "$name" \
      "$(grep -m1 -E 'error|fatal' "$OUT/$name.err" | sed "s|$LINUXSRC/||" | cut -c1-200)"
  fi
}
export -f compile
export OUT CLANG SELF T PLUGIN_FLAG EXTRA_CFLAGS LINUXSRC

start=$(date +%s)
tr '\t' ' ' < "$LIST" | xargs -P "$JOBS" -L 1 bash -c 'compile "$0" "$1"' \
  | sort > "$OUT/build-report.tsv"
end=$(date +%s)
awk -F'\t' '$2 == "ok" { print $1 }' "$OUT/build-report.tsv" > "$OUT/programs.txt"
ok=$(wc -l < "$OUT/programs.txt")
total=$(wc -l < "$OUT/build-report.tsv")
what="with a manifest"; [ -n "$PLUGIN_FLAG" ] || what="(no plugin)"
echo "build-real-programs: $ok/$total programs built $what in $((end - start)) s ($OUT)"
awk -F'\t' '$2 != "ok" { print "  " $1 ": " $2 " " $3 }' "$OUT/build-report.tsv"
