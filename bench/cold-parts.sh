#!/bin/bash
# bench/cold-parts.sh - what a cold archive run pays beyond decompression
#
#   bench/cold-parts.sh [-d BTFGEN_DRIVER] [-a ARCHIVE] [-o OBJDIR] [-j N]
#                       [-r RUNS] [-w WORKDIR]
#
# Runs, in turn and RUNS times each (default 5), on ARCHIVE (default
# ../shared/corpus beside the checkout) with the objects of OBJDIR that have
# CO-RE relocations (default: Debian's libbpf-tools, extracted as
# bench/run.sh does), -j/-P N (default 2):
#
#   xz-floor       xargs -P N xz -dc of every tarball to /dev/null, one xz
#                  process a tarball (as a loop of bpftool runs decompresses)
#   xz-batch-floor the same with 4N xz processes, each decoding a slice of
#                  the tarballs in turn (xz reuses its decoder): LZMA itself,
#                  with the cost of a process a tarball taken out
#   7zz-floor      the same with 7-Zip's own LZMA decoder (7zz x -so), if
#                  Debian's 7zip package is installed: is liblzma the
#                  bound, or could another decoder lower the floor?
#   ours-nocache   btfgen-driver --no-cache (decode, read, match, minimize,
#                  verdicts, write; nothing stored)
#   ours-cold-on-demand  btfgen-driver with an empty cache and
#                  --cache-views on-demand (the above, plus the bases,
#                  results and verdicts it stores for warm runs)
#   ours-cold      btfgen-driver with an empty cache (the above, plus each
#                  kernel's view)
#
# and prints the medians (GNU time: wall, user, sys, peak RSS) and each
# median's ratio to either floor's, and the bytes of each cold variant's
# last cache. A cold run's distance from the floor is ours-cold /
# xz-floor; ours-nocache / xz-floor is the part that tailoring itself
# costs, the rest is what storing the cache costs. Then, if the
# zstd and lz4 command-line tools are installed, the views the last cold
# run stored (each cache entry's zstd frame after its 56-byte header,
# driver/Cache.cpp) are decompressed, concatenated and given to `zstd -b1`
# (the level the cache uses) and `lz4 -b1`: what a faster codec would
# cost in bytes, against the archive's .tar.xz bytes.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=$(dirname "$here")
driver=
archive=$src/../shared/corpus
objdir=
jobs=2
runs=5
work=${TMPDIR:-/tmp}/btfgen-cold-parts
while getopts "d:a:o:j:r:w:" opt; do
  case $opt in
    d) driver=$OPTARG ;;
    a) archive=$OPTARG ;;
    o) objdir=$OPTARG ;;
    j) jobs=$OPTARG ;;
    r) runs=$OPTARG ;;
    w) work=$OPTARG ;;
    *) sed -n '2,37p' "$0"; exit 2 ;;
  esac
done
[ -n "$driver" ] || driver=$src/build/bin/btfgen-driver
[ -x "$driver" ] || { echo "cold-parts: btfgen-driver not found (use -d)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "cold-parts: GNU time (/usr/bin/time) not installed" >&2; exit 2; }
archive=$(cd "$archive" && pwd)
mkdir -p "$work"
source "$here/retire.sh"
retire_init "$work"
retire_contents "$work"

source "$here/core-objects.sh"
source "$here/xz-floor.sh"
core_objects "$driver" "$objdir" "$work"
find "$archive" -name '*.btf.tar.xz' | LC_ALL=C sort >"$work/tarballs.txt"
cat $(cat "$work/tarballs.txt") >/dev/null # page cache warm for every run

names=(xz-floor xz-batch-floor)
command -v 7zz >/dev/null && names+=(7zz-floor)
names+=(ours-nocache ours-cold-on-demand ours-cold)

# The command of one run of NAME into CMD; what it must start from (no
# output tree, no cache) is prepared here, outside the timing.
prepare_run() { # NAME
  retire "$work/out" "$work/cache-$1"
  case $1 in
    xz-floor) CMD=(sh -c "$(xz_floor_cmd "$work/tarballs.txt" "$jobs")") ;;
    xz-batch-floor) CMD=(sh -c "$(xz_floor_cmd "$work/tarballs.txt" "$jobs" batch)") ;;
    7zz-floor) CMD=(sh -c "xargs -P '$jobs' -n 1 -a '$work/tarballs.txt' 7zz x -so -mmt1 2>/dev/null >/dev/null") ;;
    ours-nocache)
      CMD=("$driver" "${objs[@]}" --archive "$archive" -o "$work/out" --no-cache
        -j "$jobs" --fail-on never) ;;
    ours-cold-on-demand)
      CMD=("$driver" "${objs[@]}" --archive "$archive" -o "$work/out"
        --cache-dir "$work/cache-$1" --cache-max none --cache-views on-demand
        -j "$jobs" --fail-on never) ;;
    ours-cold)
      CMD=("$driver" "${objs[@]}" --archive "$archive" -o "$work/out"
        --cache-dir "$work/cache-$1" --cache-max none -j "$jobs" --fail-on never) ;;
  esac
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
for ((r = 1; r <= runs; r++)); do
  for n in "${names[@]}"; do
    prepare_run "$n"
    /usr/bin/time -f "%e %U %S %M" -o "$work/$n.$r.time" "${CMD[@]}" >/dev/null 2>&1 || true
    echo "cold-parts: run $r $n: $(tail -1 "$work/$n.$r.time")" >&2
  done
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

median() { sort -n | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
field() { # NAME COLUMN
  for ((r = 1; r <= runs; r++)); do tail -1 "$work/$1.$r.time" | cut -d' ' -f"$2"; done | median
}
echo "Machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); load average before $load_before, after $load_after"
echo "Archive: $archive ($(wc -l <"$work/tarballs.txt") kernels); objects: ${#objs[@]}; -j/-P $jobs; medians of $runs runs"
echo
echo "| run | wall s | user s | sys s | CPU s | peak RSS MB | wall, CPU / xz-floor | wall, CPU / xz-batch-floor |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
cpu() { # NAME: the median of user + sys
  for ((r = 1; r <= runs; r++)); do tail -1 "$work/$1.$r.time" | awk '{print $2 + $3}'; done | median
}
xw=$(field xz-floor 1) xc=$(cpu xz-floor)
bw=$(field xz-batch-floor 1) bc=$(cpu xz-batch-floor)
for n in "${names[@]}"; do
  w=$(field "$n" 1) u=$(field "$n" 2) s=$(field "$n" 3) m=$(field "$n" 4) c=$(cpu "$n")
  awk -v n="$n" -v w="$w" -v u="$u" -v s="$s" -v c="$c" -v m="$m" -v xw="$xw" -v xc="$xc" \
    -v bw="$bw" -v bc="$bc" \
    'BEGIN {printf "| %s | %.2f | %.2f | %.2f | %.2f | %.1f | %.2fx, %.2fx | %.2fx, %.2fx |\n", n, w, u, s, c, m / 1024, w / xw, c / xc, w / bw, c / bc}'
done

echo
for n in ours-cold-on-demand ours-cold; do
  echo "Cache after the last $n run: $(du -sb "$work/cache-$n" | cut -f1) bytes"
done

if command -v zstd >/dev/null && command -v lz4 >/dev/null && [ -d "$work/cache-ours-cold/v2/btf" ]; then
  find "$work/cache-ours-cold/v2/btf" -type f | LC_ALL=C sort | while read -r e; do
    tail -c +57 "$e" | zstd -dcq
  done >"$work/views.bin"
  xzbytes=$(xargs -r stat -c %s <"$work/tarballs.txt" | awk '{s += $1} END {print s}')
  echo
  echo "Views stored by the last cold run: $(stat -c %s "$work/views.bin") bytes decompressed; the archive's .btf.tar.xz: $xzbytes bytes"
  echo
  echo '```'
  for c in "zstd -b1" "lz4 -b1"; do
    $c "$work/views.bin" 2>&1 | tr '\r' '\n' | grep 'MB/s' | tail -1 | sed "s|^|$c: |"
  done
  echo '```'
  rm -f "$work/views.bin"
fi
