#!/usr/bin/env bash
# ===- bench/ab-builds.sh - run times of two builds, paired ---------------===#
#
#   bench/ab-builds.sh OLD_BUILD NEW_BUILD [RUNS]
#
# Times `btfgen-driver run` of two builds on the same inputs, -j1 and -j2,
# RUNS (default 3) times each, alternating old and new (old new old new ...)
# so that a machine whose speed drifts affects both alike. Inputs: Debian's
# libbpf-tools tcpconnect, execsnoop and bindsnoop (object mode; extracted
# with scripts/extract-libbpf-tools.py) over the corpus ($BTFGEN_CORPUS,
# default ../shared/corpus beside the checkout), --no-cache. Each run is
# measured by GNU time (wall, user, sys, peak RSS). Prints one row per run,
# then per -j the median wall and CPU of each build and the medians of the
# paired new/old ratios, and the load average before and after. On a busy
# machine quote CPU: wall then mostly measures the other load.
#
# ===----------------------------------------------------------------------===#
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
OLD=$(cd "$1" && pwd)
NEW=$(cd "$2" && pwd)
RUNS=${3:-3}
CORPUS=${BTFGEN_CORPUS:-$SRC/../shared/corpus}
WORK=$(mktemp -d /tmp/ab-builds.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

python3 "$SRC/scripts/extract-libbpf-tools.py" "$WORK/lbt" >/dev/null
OBJS=("$WORK/lbt/tcpconnect.bpf.o" "$WORK/lbt/execsnoop.bpf.o" "$WORK/lbt/bindsnoop.bpf.o")

echo "old: $OLD ($(git -C "$(dirname "$OLD")" rev-parse --short HEAD 2>/dev/null || echo '?'))"
echo "new: $NEW ($(git -C "$(dirname "$NEW")" rev-parse --short HEAD 2>/dev/null || echo '?'))"
echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| -j | run | build | wall s | user s | sys s | peak RSS MB |"
echo "|---:|---:|---|---:|---:|---:|---:|"
declare -A WALL CPU
for J in 1 2; do
  for I in $(seq 1 "$RUNS"); do
    for SIDE in old new; do
      B=$OLD
      [ $SIDE = new ] && B=$NEW
      rm -rf "$WORK/out-$SIDE"
      /usr/bin/time -o "$WORK/time" -f "%e %U %S %M" "$B/bin/btfgen-driver" "${OBJS[@]}" \
        --archive "$CORPUS" -o "$WORK/out-$SIDE" --no-cache -j "$J" >/dev/null 2>&1 || true
      read -r W U S M <"$WORK/time"
      WALL[$J,$I,$SIDE]=$W
      CPU[$J,$I,$SIDE]=$(echo "$U + $S" | bc)
      printf '| %s | %s | %s | %s | %s | %s | %.1f |\n' "$J" "$I" "$SIDE" "$W" "$U" "$S" \
        "$(echo "scale=1; $M / 1024" | bc)"
    done
  done
done
echo
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
for J in 1 2; do
  olds=() news=() ratios=() colds=() cnews=() cratios=()
  for I in $(seq 1 "$RUNS"); do
    olds+=("${WALL[$J,$I,old]}")
    news+=("${WALL[$J,$I,new]}")
    ratios+=("$(echo "scale=4; ${WALL[$J,$I,new]} / ${WALL[$J,$I,old]}" | bc)")
    colds+=("${CPU[$J,$I,old]}")
    cnews+=("${CPU[$J,$I,new]}")
    cratios+=("$(echo "scale=4; ${CPU[$J,$I,new]} / ${CPU[$J,$I,old]}" | bc)")
  done
  echo "-j$J: median wall old $(median "${olds[@]}") s, new $(median "${news[@]}") s;" \
    "median paired new/old $(median "${ratios[@]}")"
  echo "-j$J: median CPU (user+sys) old $(median "${colds[@]}") s, new $(median "${cnews[@]}") s;" \
    "median paired new/old $(median "${cratios[@]}")"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
