#!/bin/bash
# bench/dump-c.sh - `btfgen-driver dump --format c` vs `bpftool ... format c`
#
#   bench/dump-c.sh [-d BTFGEN_DRIVER] [-a ARCHIVE] [-w WORKDIR] [-r REPS]
#
# Unpacks every <release>.btf.tar.xz of ARCHIVE (default ../shared/corpus
# next to the source tree) into WORKDIR/raw once, then for each kernel runs
# both dumpers REPS times (default 3) on the raw file, output to /dev/null,
# measured with GNU time (/usr/bin/time): CPU seconds (user + sys) and peak
# RSS, best of the REPS runs (CPU time, not wall time, so that other load on
# the machine matters less). Decompression is not measured: both sides read
# the same raw file. Prints one TSV line per kernel (kernel, types, ours
# CPU s, bpftool CPU s, ours MB, bpftool MB) and a totals line.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=$(dirname "$here")
driver=${BTFGEN_DRIVER:-$src/build/bin/btfgen-driver}
archive=$src/../shared/corpus
work=${TMPDIR:-/tmp}/btfgen-bench-dump-c
reps=3
while getopts "d:a:w:r:" opt; do
  case $opt in
    d) driver=$OPTARG ;;
    a) archive=$OPTARG ;;
    w) work=$OPTARG ;;
    r) reps=$OPTARG ;;
    *) sed -n '2,14p' "$0"; exit 2 ;;
  esac
done
command -v bpftool >/dev/null || { echo "dump-c.sh: bpftool not found" >&2; exit 1; }

mkdir -p "$work/raw"
find "$archive" -name '*.btf.tar.xz' | sort > "$work/tarballs.txt"
while read -r t; do
  rel=${t#"$archive"/}
  raw=$work/raw/${rel//\//_}
  raw=${raw%.tar.xz}
  [ -s "$raw" ] || xz -dc "$t" | tar -xO > "$raw"
done < "$work/tarballs.txt"

# best CPU seconds and peak RSS MB of REPS runs of "$@"
best() {
  local cpu mem bestcpu="" bestmem=""
  for _ in $(seq "$reps"); do
    /usr/bin/time -o "$work/time.txt" -f "%U %S %M" "$@" > /dev/null 2>&1
    read -r cpu mem < <(awk '{printf "%.2f %.1f\n", $1 + $2, $3 / 1024}' "$work/time.txt")
    if [ -z "$bestcpu" ] || awk "BEGIN{exit !($cpu < $bestcpu)}"; then
      bestcpu=$cpu
      bestmem=$mem
    fi
  done
  echo "$bestcpu $bestmem"
}

printf "kernel\ttypes\tours_cpu_s\tbpftool_cpu_s\tours_mb\tbpftool_mb\n"
tot_o=0 tot_b=0
for raw in "$work"/raw/*.btf; do
  types=$(bpftool btf dump file "$raw" | grep -c '^\[')
  read -r oc om < <(best "$driver" dump "$raw" --format c)
  read -r bc bm < <(best bpftool btf dump file "$raw" format c)
  printf "%s\t%s\t%s\t%s\t%s\t%s\n" "$(basename "$raw" .btf)" "$types" "$oc" "$bc" "$om" "$bm"
  tot_o=$(awk "BEGIN{print $tot_o + $oc}")
  tot_b=$(awk "BEGIN{print $tot_b + $bc}")
done
printf "total\t-\t%s\t%s\t-\t-\n" "$tot_o" "$tot_b"
