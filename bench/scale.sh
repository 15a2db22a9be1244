#!/bin/bash
# bench/scale.sh - btfgen-driver on a BTFHub-sized archive
#
#   bench/scale.sh [-d BTFGEN_DRIVER] [-c CORPUS] [-o OBJDIR] [-w WORKDIR]
#                  [-j N] [-n "SIZES"] [-s SAMPLE] [-p always|on-demand]
#
# Makes a synthetic archive of max(SIZES) kernels (default "750 3000") from
# the real kernels of CORPUS (default ../shared/corpus beside the checkout)
# with bench/make-replica-archive.py (every tarball distinct bytes, decoding
# each costs what decoding its kernel costs), then for each size K (the
# first K tarballs, hard-linked into their own tree) runs, side by side:
#
#   ours-cold       btfgen-driver, empty cache (--cache-max none), -j N
#   xz-floor        xz -dc of every tarball to /dev/null; xargs -P N
#   xz-batch-floor  the same with 4N xz processes, each decoding a slice
#                   of the tarballs (LZMA without a process a tarball)
#   ours-warm-chg   btfgen-driver, warm cache, program set CHANGED (one
#                   object dropped)
#   ours-warm-same  btfgen-driver rerun with the same (changed) set
#
# and, once, the bpftool loop (bench/bpftool-one.sh, xargs -P N) with the
# changed set on a SAMPLE (default 200) of the largest archive's kernels
# spread evenly over it, extrapolated to each size. Objects: OBJDIR, else
# Debian's libbpf-tools (extracted as bench/run.sh does). Every run of
# ours passes --cache-views POLICY (-p; default always). Prints Markdown
# tables: wall, CPU, peak RSS (GNU time), cache and output bytes, ratios.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=$(dirname "$here")
driver=
corpus=$src/../shared/corpus
objdir=
work=${TMPDIR:-/tmp}/btfgen-scale
jobs=2
sizes="750 3000"
sample=200
views=always
while getopts "d:c:o:w:j:n:s:p:" opt; do
  case $opt in
    d) driver=$OPTARG ;;
    c) corpus=$OPTARG ;;
    o) objdir=$OPTARG ;;
    w) work=$OPTARG ;;
    j) jobs=$OPTARG ;;
    n) sizes=$OPTARG ;;
    s) sample=$OPTARG ;;
    p) views=$OPTARG ;;
    *) sed -n '2,25p' "$0"; exit 2 ;;
  esac
done
[ -n "$driver" ] || driver=$src/build/bin/btfgen-driver
[ -x "$driver" ] || { echo "scale: btfgen-driver not found (use -d)" >&2; exit 2; }
command -v bpftool >/dev/null || { echo "scale: bpftool not installed" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "scale: GNU time (/usr/bin/time) not installed" >&2; exit 2; }
corpus=$(cd "$corpus" && pwd)
max=$(printf '%s\n' $sizes | sort -n | tail -1)
mkdir -p "$work"
source "$here/retire.sh"
retire_init "$work"

# The synthetic archive, kept between runs of the script.
full=$work/archive-$max
if [ ! -e "$full.done" ]; then
  retire "$full"
  python3 "$here/make-replica-archive.py" "$corpus" "$max" "$full" 2>"$work/make.log"
  touch "$full.done"
fi
mapfile -t all < <(cd "$full" && find . -name '*.btf.tar.xz' | sed 's|^\./||' |
  awk -F'-r' '{print $NF "\t" $0}' | sort -n | cut -f2)

source "$here/core-objects.sh"
source "$here/xz-floor.sh"
core_objects "$driver" "$objdir" "$work"
chg=("${objs[@]:0:${#objs[@]}-1}")

results=()
measure() { # NAME CMD...: GNU time; records wall user sys maxrss status
  local name=$1 status=0
  shift
  /usr/bin/time -f "%e %U %S %M" -o "$work/$name.time" "$@" \
    >"$work/$name.out" 2>"$work/$name.err" || status=$?
  local wall user sys rss
  read -r wall user sys rss < <(tail -1 "$work/$name.time")
  results+=("$name $wall $user $sys $rss $status")
  echo "scale: $name: wall $wall s, user $user s, sys $sys s, rss $rss KB, exit $status" >&2
}
get() { # NAME FIELD(2=wall 3=user 4=sys 5=rss)
  local r n w u y m st
  for r in "${results[@]}"; do
    read -r n w u y m st <<<"$r"
    [ "$n" = "$1" ] || continue
    case $2 in 2) echo "$w" ;; 3) echo "$u" ;; 4) echo "$y" ;; 5) echo "$m" ;; esac
  done
}
bytes() { find "$@" -type f -printf '%s\n' 2>/dev/null | awk '{s+=$1} END {printf "%.0f\n", s}'; }
warm_pages() { # DIR...: read every file (into the page cache)
  local d
  for d in "$@"; do
    [ -d "$d" ] && find "$d" -type f -print0 | xargs -0 -r cat >/dev/null
  done
  return 0
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
for k in $sizes; do
  a=$work/a$k
  if [ ! -e "$a.done" ]; then
    retire "$a"
    for f in "${all[@]:0:$k}"; do
      mkdir -p "$a/$(dirname "$f")"
      ln "$full/$f" "$a/$f"
    done
    touch "$a.done"
  fi
  retire "$work/cache$k" "$work/ours$k"
  find "$a" -name '*.btf.tar.xz' | LC_ALL=C sort >"$work/tarballs$k.txt"
  # The same page-cache state for every run: the tarballs and the cache
  # read in just before (3,000 tarballs and their cache are 5.7 GB, and a
  # host that reclaims idle page cache would otherwise let some runs read
  # from disk).
  warm_pages "$a" "$work/cache$k"
  measure "ours-cold-$k" "$driver" "${objs[@]}" --archive "$a" -o "$work/ours$k" \
    --cache-dir "$work/cache$k" --cache-max none --cache-views "$views" -j "$jobs" --fail-on never
  warm_pages "$a"
  measure "xz-floor-$k" sh -c "$(xz_floor_cmd "$work/tarballs$k.txt" "$jobs")"
  warm_pages "$a"
  measure "xz-batch-floor-$k" sh -c "$(xz_floor_cmd "$work/tarballs$k.txt" "$jobs" batch)"
  warm_pages "$a" "$work/cache$k"
  measure "ours-warm-chg-$k" "$driver" "${chg[@]}" --archive "$a" -o "$work/ours$k" \
    --cache-dir "$work/cache$k" --cache-max none --cache-views "$views" -j "$jobs" --fail-on never
  warm_pages "$a" "$work/cache$k"
  measure "ours-warm-same-$k" "$driver" "${chg[@]}" --archive "$a" -o "$work/ours$k" \
    --cache-dir "$work/cache$k" --cache-max none --cache-views "$views" -j "$jobs" --fail-on never
  eval "cache_btf_$k=$(bytes "$work/cache$k/v2/btf")"
  eval "cache_out_$k=$(bytes "$work/cache$k/v2/out")"
  eval "cache_bas_$k=$(bytes "$work/cache$k/v2/bas")"
  eval "xz_$k=$(bytes "$a")"
  eval "out_$k=$(bytes "$work/ours$k")"
done

# The bpftool loop on an evenly spread sample of the largest archive.
step=$(( max / sample ))
[ "$step" -ge 1 ] || step=1
printf '%s\n' "${all[@]}" | awk -v s="$step" -v n="$sample" 'NR % s == 1 && c < n {print; c++}' |
  sed "s|^|$full/|" >"$work/sample.txt"
nsample=$(wc -l <"$work/sample.txt")
retire "$work/bpftool"
xargs -r cat <"$work/sample.txt" >/dev/null
measure bpftool-chg-sample xargs -P "$jobs" -n 1 -a "$work/sample.txt" \
  "$here/bpftool-one.sh" "$full" "$work/bpftool" "${chg[@]}"
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

largest_raw=$(find "$corpus" -name '*.btf.tar.xz' -exec xz --robot --list {} \; 2>/dev/null |
  awk '$1 == "totals" {if ($5 > m) m = $5} END {print m + 0}')
echo
echo "Machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -g | awk '/Mem:/ {print $2}') GiB RAM, kernel $(uname -r)"
echo "Load average (1/5/15 min): before $load_before, after $load_after"
echo "Corpus: $corpus; archive sizes: $sizes; objects: ${#objs[@]} (changed set ${#chg[@]}); -j/-P $jobs; --cache-views $views"
echo "Largest raw kernel BTF of the corpus (tar stream): $largest_raw bytes"
echo
echo "| run | wall s | user s | sys s | CPU s | peak RSS MB | exit |"
echo "|---|---:|---:|---:|---:|---:|---:|"
for r in "${results[@]}"; do
  read -r name wall user sys rss status <<<"$r"
  printf '| %s | %s | %s | %s | %.2f | %.1f | %s |\n' "$name" "$wall" "$user" "$sys" \
    "$(echo "$user + $sys" | bc)" "$(echo "scale=1; $rss / 1024" | bc)" "$status"
done
bt=$(get bpftool-chg-sample 2)
echo
echo "bpftool loop, changed set, $nsample kernels: $bt s wall"
echo
echo "| kernels | cold / xz floor | cold / batch floor | peak RSS / (largest raw x $jobs) | bpftool (extrapolated) / warm-chg | warm-same s | cache btf/ MB | cache out/ MB | cache bas/ MB | tar.xz MB | output MB |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for k in $sizes; do
  c=$(get "ours-cold-$k" 2); f=$(get "xz-floor-$k" 2); w=$(get "ours-warm-chg-$k" 2)
  fb=$(get "xz-batch-floor-$k" 2)
  s=$(get "ours-warm-same-$k" 2); rss=$(get "ours-cold-$k" 5)
  for r in "ours-warm-chg-$k" "ours-warm-same-$k"; do
    x=$(get "$r" 5); [ "$x" -gt "$rss" ] && rss=$x
  done
  cb=$(eval echo "\$cache_btf_$k"); co=$(eval echo "\$cache_out_$k")
  ca=$(eval echo "\$cache_bas_$k")
  xb=$(eval echo "\$xz_$k"); ob=$(eval echo "\$out_$k")
  printf '| %d | %.2fx | %.2fx | %.2fx | %.1fx | %s | %.1f | %.1f | %.1f | %.1f | %.2f |\n' "$k" \
    "$(echo "$c / $f" | bc -l)" "$(echo "$c / $fb" | bc -l)" "$(echo "$rss * 1024 / ($largest_raw * $jobs)" | bc -l)" \
    "$(echo "$bt * $k / $nsample / $w" | bc -l)" "$s" \
    "$(echo "$cb / 1048576" | bc -l)" "$(echo "$co / 1048576" | bc -l)" \
    "$(echo "$ca / 1048576" | bc -l)" \
    "$(echo "$xb / 1048576" | bc -l)" "$(echo "$ob / 1048576" | bc -l)"
done
echo "Work directory: $work"
