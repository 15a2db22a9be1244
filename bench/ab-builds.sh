#!/usr/bin/env bash
# ===- bench/ab-builds.sh - run times of two builds, paired ---------------===#
#
#   bench/ab-builds.sh OLD_BUILD NEW_BUILD [RUNS [MODE]]
#
# Times `btfgen-driver run` of two builds on the same inputs, -j1 and -j2,
# RUNS (default 3) times each, alternating old and new (old new old new ...)
# so that a machine whose speed drifts affects both alike. Over the corpus
# ($BTFGEN_CORPUS, default ../shared/corpus beside the checkout), with
# Debian's libbpf-tools objects (object mode; extracted with
# scripts/extract-libbpf-tools.py). MODE:
#
#   nocache   (default) tcpconnect, execsnoop and bindsnoop, --no-cache
#   cold      every object with CO-RE relocations, an empty cache each run
#   warm-chg  the same objects but the last (a changed program set), on a
#             cache each build filled once with all of them: views and
#             verdicts cached, the changed set's results removed before
#             each run (what bench/run.sh calls ours-warm-chg)
#
# Each run is measured by GNU time (wall, user, sys, peak RSS). Prints one
# row per run, then per -j the median wall and CPU of each build and the
# medians of the paired new/old ratios, and the load average before and
# after. On a busy machine quote CPU: wall then mostly measures the other
# load.
#
# ===----------------------------------------------------------------------===#
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
OLD=$(cd "$1" && pwd)
NEW=$(cd "$2" && pwd)
RUNS=${3:-3}
MODE=${4:-nocache}
case $MODE in nocache | cold | warm-chg) ;; *) echo "ab-builds: unknown mode '$MODE'" >&2; exit 2 ;; esac
CORPUS=${BTFGEN_CORPUS:-$SRC/../shared/corpus}
WORK=$(mktemp -d /tmp/ab-builds.XXXXXX)
source "$SRC/bench/retire.sh"
retire_init "$WORK"
trap 'rm -rf "$WORK"' EXIT # the retired trees are in it

python3 "$SRC/scripts/extract-libbpf-tools.py" "$WORK/lbt" >/dev/null
OBJS=("$WORK/lbt/tcpconnect.bpf.o" "$WORK/lbt/execsnoop.bpf.o" "$WORK/lbt/bindsnoop.bpf.o")
if [ "$MODE" != nocache ]; then
  source "$SRC/bench/core-objects.sh"
  core_objects "$NEW/bin/btfgen-driver" "$WORK/lbt" "$WORK"
  OBJS=("${objs[@]}")
fi
CHG=("${OBJS[@]:0:${#OBJS[@]}-1}")
# The command of one run of build B (side SIDE) at -j J, in MODE, into CMD;
# what the run must start from is prepared here, outside the timing.
prepare_run() { # B SIDE J
  local B=$1 SIDE=$2 J=$3
  retire "$WORK/out-$SIDE"
  CMD=("$B/bin/btfgen-driver")
  case $MODE in
    nocache) CMD+=("${OBJS[@]}" --no-cache) ;;
    cold)
      retire "$WORK/cache-$SIDE"
      CMD+=("${OBJS[@]}" --cache-dir "$WORK/cache-$SIDE" --cache-max none --fail-on never) ;;
    warm-chg)
      retire "$WORK/cache-$SIDE/v2/out"
      CMD+=("${CHG[@]}" --cache-dir "$WORK/cache-$SIDE" --cache-max none --fail-on never) ;;
  esac
  CMD+=(--archive "$CORPUS" -o "$WORK/out-$SIDE" -j "$J")
}
if [ "$MODE" = warm-chg ]; then
  for SIDE in old new; do
    B=$OLD
    [ $SIDE = new ] && B=$NEW
    "$B/bin/btfgen-driver" "${OBJS[@]}" --archive "$CORPUS" -o "$WORK/fill-$SIDE" \
      --cache-dir "$WORK/cache-$SIDE" --cache-max none -j 2 --fail-on never >/dev/null 2>&1 || true
  done
fi

echo "old: $OLD ($(git -C "$(dirname "$OLD")" rev-parse --short HEAD 2>/dev/null || echo '?'))"
echo "new: $NEW ($(git -C "$(dirname "$NEW")" rev-parse --short HEAD 2>/dev/null || echo '?'))"
echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "mode: $MODE, ${#OBJS[@]} objects$([ "$MODE" = warm-chg ] && echo " (changed set ${#CHG[@]})")"
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
      prepare_run "$B" "$SIDE" "$J"
      /usr/bin/time -o "$WORK/time" -f "%e %U %S %M" "${CMD[@]}" >/dev/null 2>&1 || true
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
