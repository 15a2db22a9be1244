#!/bin/bash
# bench/memory-bounds.sh - peak RSS of btfgen-driver on hostile inputs
#
#   bench/memory-bounds.sh [-d BTFGEN_DRIVER] [-a ARCHIVE] [-w WORKDIR] [-b BOMBS]
#
# (a) xz bombs: a copy of the real kernels of ARCHIVE (default
#     examples/archive, 5 kernels) plus BOMBS (default 3) tarballs made by
#     test/driver/Inputs/make-xz-bomb.py, each a 4 GiB file of zeros (640 KB
#     compressed), sorted before every real kernel. `run` with
#     test/driver/Inputs/task.bpf.c at -j1 and -j2, with no bomb, one bomb
#     and BOMBS bombs. Reports the peak RSS of the whole run (GNU time)
#     and the RSS of the driver's last sample (/proc/PID/status VmRSS, every
#     50 ms) before it exits: the bombs sort first, so that is what the
#     workers keep after every bomb was rejected, while the real kernels
#     are processed and the report is written.
# (b) a 20 MB manifest (test/driver/Inputs/make-large-manifest.py): peak RSS
#     of `manifest FILE` (the reader alone) and of `run FILE` on ARCHIVE at
#     -j1 and -j2; `--version` for the baseline (libLLVM loaded).
# Runs use --no-cache, so every real kernel is decoded and matched.
# Prints one TSV line per measurement: case, -j, peak RSS MB, last sampled
# RSS MB, exit status, wall s.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=$(dirname "$here")
driver=${BTFGEN_DRIVER:-$src/build/bin/btfgen-driver}
archive=$src/examples/archive
work=${TMPDIR:-/tmp}/btfgen-bench-memory
bombs=3
lie=
while getopts "d:a:w:b:l" opt; do
  case $opt in
    d) driver=$OPTARG ;;
    a) archive=$OPTARG ;;
    w) work=$OPTARG ;;
    b) bombs=$OPTARG ;;
    l) lie=--lie ;; # bombs whose tar header announces 1 MiB
    *) sed -n '2,20p' "$0"; exit 2 ;;
  esac
done
inputs=$src/test/driver/Inputs
mkdir -p "$work"
clang-19 --target=bpf -g -O2 -c "$inputs/task.bpf.c" -o "$work/task.o"

# archive-N: the real kernels plus N bombs in a group of their own.
make_archive() {
  local n=$1 dir=$work/archive-$1${lie:+-lie}
  [ -d "$dir" ] && return
  mkdir -p "$dir"
  cp -r "$archive"/. "$dir"/
  mkdir -p "$dir/aaa-bombs/1/x86_64"
  for i in $(seq 1 "$n"); do
    python3 "$inputs/make-xz-bomb.py" $lie \
      "$dir/aaa-bombs/1/x86_64/0.0.$i-bomb.btf.tar.xz" 4096
  done
}

# measure CASE JOBS NBOMBS CMD...: run CMD, sample its RSS.
measure() {
  local name=$1 jobs=$2 n=$3; shift 3
  local err=$work/$name-j$jobs.err last=0 rss t0 rc
  t0=$(date +%s.%N)
  /usr/bin/time -f '%M' -o "$work/time.txt" "$@" > /dev/null 2> "$err" &
  local pid=$!
  local child=
  while kill -0 "$pid" 2> /dev/null; do
    # The child of time is the driver.
    [ -n "$child" ] || child=$(pgrep -P "$pid" | head -1 || true)
    if [ -n "$child" ]; then
      rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$child/status" 2> /dev/null || true)
      [ -n "$rss" ] && last=$rss
    fi
    sleep 0.05
  done
  [ "$n" -gt 0 ] && [ "$(grep -cE 'decompressed size exceeds|exceeds the limit' "$err" || true)" -ne "$n" ] &&
    echo "memory-bounds.sh: $name -j$jobs: expected $n bomb errors, see $err" >&2
  rc=0
  wait "$pid" || rc=$?
  local peak
  peak=$(tail -1 "$work/time.txt")
  local wall
  wall=$(echo "$(date +%s.%N) - $t0" | bc)
  printf '%s\t-j%s\t%d\t%d\t%d\t%.1f\n' "$name" "$jobs" $(( peak / 1024 )) \
    $(( last / 1024 )) "$rc" "$wall"
}

printf 'case\tjobs\tpeak_rss_mb\tlast_rss_mb\texit\twall_s\n'
for n in 0 1 "$bombs"; do
  make_archive "$n"
  for j in 1 2; do
    rm -rf "$work/out"
    measure "bombs=$n" "$j" "$n" "$driver" "$work/task.o" \
      --archive "$work/archive-$n${lie:+-lie}" -o "$work/out" -j"$j" --no-cache
  done
done

python3 "$inputs/make-large-manifest.py" 20000000 > "$work/big.json"
measure "version" 1 0 "$driver" --version
measure "manifest-20MB-read" 1 0 "$driver" manifest "$work/big.json"
for j in 1 2; do
  rm -rf "$work/out"
  measure "manifest-20MB-run" "$j" 0 "$driver" "$work/big.json" \
    --archive "$archive" -o "$work/out" -j"$j" --no-cache
done
rm -rf "$work/out"
