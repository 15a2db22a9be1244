#!/usr/bin/env bash
# fuzz.sh - build the libFuzzer targets (test/fuzz) with clang-19 and
# ASan+UBSan, then run each for SECONDS seconds of wall time (libFuzzer's
# -max_total_time) on a copy of its seed corpus. Every command is printed.
#
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]
#   SECONDS  per target, default 60
#   TARGET   BTFReaderFuzzer BTFExtFuzzer ObjectReaderFuzzer ManifestFuzzer
#            TarXzFuzzer OsReleaseFuzzer JsonIndexFuzzer (default: all that
#            were built)
# Environment:
#   BUILD=dir      build directory (default <repo>/build-fuzz)
#   WORK=dir       run directory: corpora, crash files, logs (default $BUILD/fuzz-run)
#   JOBS=n         ninja -j (default: ninja's default)
#   NICE=n         run under `nice -n n` (default 0)
#   FUZZ_ARGS=...  extra libFuzzer flags (e.g. -jobs=2 -workers=2)
#   TIMEOUT=n      libFuzzer -timeout, wall seconds per input (default 10)
#   SKIP_BUILD=1   run the fuzzers already built in $BUILD (no configure/ninja)
#   CPU=n          stop each target after n seconds of its own CPU time
#                  (user+sys, read from /proc) instead of wall time; SECONDS
#                  then only caps the wall time. A niced run on a busy
#                  machine needs this to reach a CPU-time goal.
# Crashes/timeouts/OOMs are written to $WORK/<target>/artifacts/; copy a
# reproducer to test/Inputs/regress/<reader>/ with the fix (docs/testing.md).
# Exit status: 0 if no target found anything, 1 otherwise.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SECS=${1:-60}
shift || true
BUILD=${BUILD:-$ROOT/build-fuzz}
WORK=${WORK:-$BUILD/fuzz-run}
NICE=${NICE:-0}
# libFuzzer's -timeout is wall-clock time: a niced run on a busy machine can
# be starved for seconds on a fast input, so raise it there (and re-run any
# timeout artifact un-niced to tell starvation from a real hang).
TIMEOUT=${TIMEOUT:-10}
ALL=(BTFReaderFuzzer BTFExtFuzzer ObjectReaderFuzzer ManifestFuzzer TarXzFuzzer
  OsReleaseFuzzer JsonIndexFuzzer)

run() { echo "+ $*" >&2; "$@"; }

if [ -z "${SKIP_BUILD:-}" ] && [ ! -f "$BUILD/build.ninja" ]; then
  run env CC=clang-19 CXX=clang++-19 cmake -S "$ROOT" -B "$BUILD" -G Ninja \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g" \
    "-DCMAKE_C_FLAGS_RELWITHDEBINFO=-O1 -g" \
    -DBTFGEN_FUZZ=ON -DBTFGEN_SANITIZE=fuzzer-no-link,address,undefined || exit 2
fi
[ -n "${SKIP_BUILD:-}" ] || run nice -n "$NICE" ninja -C "$BUILD" ${JOBS:+-j "$JOBS"} btfgen-fuzzers || exit 2

if [ $# -gt 0 ]; then TARGETS=("$@"); else TARGETS=("${ALL[@]}"); fi
status=0
for t in "${TARGETS[@]}"; do
  bin=$BUILD/bin/$t
  if [ ! -x "$bin" ]; then
    echo "fuzz.sh: $t not built (TarXzFuzzer needs driver/TarXz.h, the runtime" \
      "fuzzers the btfgen_runtime target): skipped" >&2
    continue
  fi
  seeds=$ROOT/test/fuzz/corpus/$t
  dir=$WORK/$t
  mkdir -p "$dir/corpus" "$dir/artifacts"
  cp -n "$seeds"/* "$dir/corpus/" 2>/dev/null || true
  dict=()
  # Earlier regression inputs (test/Inputs/regress/<reader>) are read-only seeds.
  case $t in
    BTFReaderFuzzer) reg=btf ;; BTFExtFuzzer) reg=btfext ;;
    ObjectReaderFuzzer) reg=object ;; ManifestFuzzer) reg=manifest ;;
    TarXzFuzzer) reg=tarxz ;; OsReleaseFuzzer) reg=osrelease ;; *) reg=jsonindex ;;
  esac
  regdir=()
  [ -d "$ROOT/test/Inputs/regress/$reg" ] && regdir=("$ROOT/test/Inputs/regress/$reg")
  [ "$t" = ManifestFuzzer ] && dict=(-dict="$ROOT/test/fuzz/manifest.dict")
  [ "$t" = JsonIndexFuzzer ] && dict=(-dict="$ROOT/test/fuzz/json-index.dict")
  # -rss_limit_mb/-malloc_limit_mb: readers must stay within a small
  # multiple of the input (BTFReader.h); -timeout: no input may take 10 s.
  start=$(date +%s)
  cmd=(nice -n "$NICE" "$bin" "$dir/corpus" "${regdir[@]}" -max_total_time="$SECS"
    -timeout="$TIMEOUT" -rss_limit_mb=2048 -malloc_limit_mb=512 -max_len=65536
    -print_final_stats=1 -artifact_prefix="$dir/artifacts/" "${dict[@]}"
    ${FUZZ_ARGS:-})
  echo "+ ${cmd[*]}" >&2
  # exec: $! is the fuzzer itself (nice execs too), whose CPU time is read
  # below.
  (exec "${cmd[@]}" > "$dir/log.txt" 2>&1) &
  pid=$!
  cpu=0
  tick=$(getconf CLK_TCK)
  while kill -0 "$pid" 2>/dev/null; do
    sleep 5
    # Fields 14/15 of /proc/PID/stat: utime/stime in clock ticks.
    if read -r -a st < "/proc/$pid/stat" 2>/dev/null; then
      cpu=$(( (st[13] + st[14]) / tick ))
    fi
    if [ -n "${CPU:-}" ] && [ "$cpu" -ge "$CPU" ]; then
      kill -INT "$pid" 2>/dev/null
      break
    fi
  done
  wait "$pid"
  rc=$?
  # libFuzzer exits with 72 (-interrupted_exitcode) after SIGINT: that is
  # the CPU budget running out, not a finding.
  [ -n "${CPU:-}" ] && [ $rc -eq 72 ] && rc=0
  echo "fuzz.sh: $t cpu_seconds=$cpu wall_seconds=$(( $(date +%s) - start ))"
  stats=$(grep -E '^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)' "$dir/log.txt" | tr '\n' ' ')
  cov=$(grep -E '#[0-9]+.*(DONE|INITED)' "$dir/log.txt" | tail -1)
  echo "fuzz.sh: $t exit=$rc $stats"
  echo "fuzz.sh: $t $cov"
  # slow-unit-* files are reports (-report_slow_units), not failures; on a
  # busy machine they are scheduling stalls (re-run them un-niced).
  found=$(find "$dir/artifacts" -type f ! -name 'slow-unit-*' | head -1)
  if [ $rc -ne 0 ] || [ -n "$found" ]; then
    echo "fuzz.sh: $t FOUND SOMETHING: see $dir/log.txt and $dir/artifacts/" >&2
    status=1
  fi
done
exit $status
