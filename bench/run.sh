#!/bin/bash
# bench/run.sh - btfgen-driver vs the bpftool loop vs the xz floor
#
#   bench/run.sh [-d BTFGEN_DRIVER] [-a ARCHIVE] [-o OBJDIR] [-w WORKDIR] [-j N]
#
# Runs, side by side on the same archive (default ../shared/corpus beside the checkout) and
# the same BPF objects (default: every object embedded in Debian's
# libbpf-tools, extracted with scripts/extract-libbpf-tools.py; the package
# is installed with apt-get if missing):
#
#   1 ours-cold      btfgen-driver, empty cache, -j N
#   2 bpftool        per kernel: untar to a temp dir + bpftool gen
#                    min_core_btf with all objects; xargs -P N
#   3 xz-floor       xz -dc of every tarball to /dev/null; xargs -P N
#   4 ours-warm-chg  btfgen-driver, warm cache, program set CHANGED (one
#                    object dropped), same output dir
#   5 bpftool-chg    the bpftool loop for the changed set
#   6 ours-warm-same btfgen-driver rerun with the same set (output cache)
#
# and prints a Markdown table: wall, user, sys, peak RSS (GNU time), output
# bytes (ours: regular files after dedup; bpftool: total after removing
# byte-identical files) and failures. N defaults to 2 (the bpftool loop's
# parallelism; give -j to change both). Requires GNU time (/usr/bin/time).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=$(dirname "$here")
driver=${BTFGEN_DRIVER:-}
archive=$src/../shared/corpus
objdir=
work=${TMPDIR:-/tmp}/btfgen-bench
jobs=2
while getopts "d:a:o:w:j:" opt; do
  case $opt in
    d) driver=$OPTARG ;;
    a) archive=$OPTARG ;;
    o) objdir=$OPTARG ;;
    w) work=$OPTARG ;;
    j) jobs=$OPTARG ;;
    *) sed -n '2,20p' "$0"; exit 2 ;;
  esac
done
if [ -z "$driver" ]; then
  for d in "$src/build/bin"; do
    [ -x "$d/btfgen-driver" ] && driver=$d/btfgen-driver && break
  done
fi
[ -x "$driver" ] || { echo "bench: btfgen-driver not found (use -d)" >&2; exit 2; }
command -v bpftool >/dev/null || { echo "bench: bpftool not installed" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "bench: GNU time (/usr/bin/time) not installed" >&2; exit 2; }

archive=$(cd "$archive" && pwd)
mkdir -p "$work"
source "$here/retire.sh"
retire_init "$work"
retire_contents "$work"
# Objects with no CO-RE relocation have nothing to tailor: the driver
# refuses them (as bpftool does), so they are left out of both sides.
source "$here/core-objects.sh"
source "$here/xz-floor.sh"
core_objects "$driver" "$objdir" "$work"
echo "bench: left out $skipped objects without CO-RE relocations" >&2
# The changed program set: the same objects minus the last one.
chg=("${objs[@]:0:${#objs[@]}-1}")
mapfile -t tarballs < <(find "$archive" -name '*.btf.tar.xz' | LC_ALL=C sort)
echo "bench: ${#tarballs[@]} kernels, ${#objs[@]} objects (changed set: ${#chg[@]}), -j $jobs" >&2

# Objects must parse with our reader (and are used as they are).
bad=0
for o in "${objs[@]}"; do
  "$driver" manifest "$o" >/dev/null 2>>"$work/parse.log" || bad=$((bad + 1))
done
echo "bench: objects that do not parse: $bad (see $work/parse.log)" >&2

results=()
# measure NAME CMD...: run under GNU time; record wall user sys maxrss.
measure() {
  local name=$1
  shift
  local status=0
  /usr/bin/time -f "%e %U %S %M" -o "$work/$name.time" "$@" \
    >"$work/$name.out" 2>"$work/$name.err" || status=$?
  read -r wall user sys rss <"$work/$name.time" || true
  # GNU time prefixes "Command exited with non-zero status N" on failure.
  if ! [[ $wall =~ ^[0-9.]+$ ]]; then
    read -r wall user sys rss < <(tail -1 "$work/$name.time")
  fi
  results+=("$name $wall $user $sys $rss $status")
  echo "bench: $name: wall $wall s, user $user s, sys $sys s, rss $rss KB, exit $status" >&2
}

unique_bytes() { # total bytes of regular files, byte-identical ones counted once
  find "$1" -type f -name '*.btf' -print0 | xargs -0 -r sha256sum | sort -k1,1 -u |
    awk '{print $2}' | xargs -r stat -c %s | awk '{s+=$1} END {print s+0}'
}
regular_bytes() { # total bytes of regular (non-symlink) files
  find "$1" -type f -name '*.btf' -printf '%s\n' | awk '{s+=$1} END {print s+0}'
}
count_files() { find "$1" -type f -name '*.btf' | wc -l; }
count_unique() { find "$1" -type f -name '*.btf' -print0 | xargs -0 -r sha256sum | awk '{print $1}' | sort -u | wc -l; }

load_before=$(cut -d' ' -f1-3 /proc/loadavg)

# 1. ours, cold.
measure ours-cold "$driver" "${objs[@]}" --archive "$archive" -o "$work/ours" \
  --cache-dir "$work/cache" -j "$jobs" --report "$work/ours-report.json" --fail-on never
ours_cold_bytes=$(regular_bytes "$work/ours")
ours_cold_files=$(count_files "$work/ours")

# 2. the bpftool loop.
printf '%s\n' "${tarballs[@]}" >"$work/tarballs.txt"
measure bpftool xargs -P "$jobs" -n 1 -a "$work/tarballs.txt" \
  "$here/bpftool-one.sh" "$archive" "$work/bpftool" "${objs[@]}"
bpftool_bytes=$(unique_bytes "$work/bpftool")
bpftool_files="$(count_files "$work/bpftool") ($(count_unique "$work/bpftool") unique)"

# 3. the floor: xz decoding only.
measure xz-floor sh -c "$(xz_floor_cmd "$work/tarballs.txt" "$jobs")"

# 4. ours, warm, changed program set, same output dir.
measure ours-warm-chg "$driver" "${chg[@]}" --archive "$archive" -o "$work/ours" \
  --cache-dir "$work/cache" -j "$jobs" --fail-on never
ours_chg_bytes=$(regular_bytes "$work/ours")

# 5. the bpftool loop, changed set.
measure bpftool-chg xargs -P "$jobs" -n 1 -a "$work/tarballs.txt" \
  "$here/bpftool-one.sh" "$archive" "$work/bpftool-chg" "${chg[@]}"
bpftool_chg_bytes=$(unique_bytes "$work/bpftool-chg")

# 6. ours, rerun with the same (changed) set: output cache.
measure ours-warm-same "$driver" "${chg[@]}" --archive "$archive" -o "$work/ours" \
  --cache-dir "$work/cache" -j "$jobs" --fail-on never

load_after=$(cut -d' ' -f1-3 /proc/loadavg)
largest=$(find "$archive" -name '*.btf.tar.xz' -exec xz --robot --list {} \; 2>/dev/null |
  awk '$1 == "totals" {if ($5 > m) m = $5} END {print m + 0}')
raw_total=$(find "$archive" -name '*.btf.tar.xz' -exec xz --robot --list {} \; 2>/dev/null |
  awk '$1 == "totals" {s += $5} END {print s + 0}')
xz_total=$(find "$archive" -name '*.btf.tar.xz' -printf '%s\n' | awk '{s += $1} END {print s + 0}')
cache_kernels=$(find "$work/cache" -path '*/btf/*' -type f -printf '%s\n' | awk '{s += $1} END {print s + 0}')
cache_results=$(find "$work/cache" -path '*/out/*' -type f -printf '%s\n' | awk '{s += $1} END {print s + 0}')
cache_verdicts=$(find "$work/cache" -path '*/vrd/*' -type f -printf '%s\n' | awk '{s += $1} END {print s + 0}')
cache_bases=$(find "$work/cache" -path '*/bas/*' -type f -printf '%s\n' | awk '{s += $1} END {print s + 0}')

echo
echo "Machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -g | awk '/Mem:/ {print $2}') GiB RAM, kernel $(uname -r)"
echo "Load average (1/5/15 min): before $load_before, after $load_after"
echo "Archive: $archive (${#tarballs[@]} kernels); objects: ${#objs[@]} (changed set ${#chg[@]}); -j/-P $jobs"
echo "Largest tarball content (tar stream): $largest bytes"
echo
echo "| run | wall s | user s | sys s | CPU s | peak RSS MB | exit |"
echo "|---|---:|---:|---:|---:|---:|---:|"
for r in "${results[@]}"; do
  read -r name wall user sys rss status <<<"$r"
  printf '| %s | %s | %s | %s | %.2f | %.1f | %s |\n' "$name" "$wall" "$user" "$sys" \
    "$(echo "$user + $sys" | bc)" "$(echo "scale=1; $rss / 1024" | bc)" "$status"
done
get() { for r in "${results[@]}"; do read -r n w u s m st <<<"$r"; [ "$n" = "$1" ] && echo "$w"; done; }
echo
echo "| output | files | bytes |"
echo "|---|---:|---:|"
echo "| ours (regular files after dedup), full set | $ours_cold_files | $ours_cold_bytes |"
# The largest single output of each tool (non-deduplicated kernel BTF such as
# CentOS 8 aarch64 dominates the totals; see docs/benchmarks.md).
big_ours=$(find "$work/ours" -type f -name '*.btf' -printf '%s %P\n' | sort -n | tail -1)
big_bpf=$(find "$work/bpftool" -type f -name '*.btf' -printf '%s %P\n' | sort -n | tail -1)
echo "| bpftool (byte-identical files counted once), full set | $bpftool_files | $bpftool_bytes |"
echo "| ours, changed set | - | $ours_chg_bytes |"
echo "| bpftool, changed set | - | $bpftool_chg_bytes |"
echo
echo "Largest output: ours $big_ours; bpftool $big_bpf"
echo
echo "| cache on disk (after run 6) | bytes |"
echo "|---|---:|"
echo "| archive .btf.tar.xz files | $xz_total |"
echo "| archive tar streams (decoded) | $raw_total |"
echo "| cache: decoded kernels (btf/) | $cache_kernels |"
echo "| cache: results (out/) | $cache_results |"
echo "| cache: load verdicts (vrd/) | $cache_verdicts |"
echo "| cache: kernel bases (bas/) | $cache_bases |"
printf 'Cache/tar.xz bytes %.2fx; cache kernels/decoded %.2fx\n' \
  "$(echo "($cache_kernels + $cache_results + $cache_verdicts + $cache_bases) / $xz_total" | bc -l)" \
  "$(echo "$cache_kernels / $raw_total" | bc -l)"
echo
printf 'Ratios: bpftool/ours-cold wall %.2fx; ours-cold/xz-floor wall %.2fx; bpftool-chg/ours-warm-chg wall %.2fx; ours/bpftool bytes %.3f\n' \
  "$(echo "$(get bpftool) / $(get ours-cold)" | bc -l)" \
  "$(echo "$(get ours-cold) / $(get xz-floor)" | bc -l)" \
  "$(echo "$(get bpftool-chg) / $(get ours-warm-chg)" | bc -l)" \
  "$(echo "$ours_cold_bytes / $bpftool_bytes" | bc -l)"
echo "Work directory (outputs, logs, report): $work"
