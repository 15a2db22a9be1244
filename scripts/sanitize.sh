#!/usr/bin/env bash
# sanitize.sh - configure a separate build with clang-19 and
# -DBTFGEN_SANITIZE=address,undefined (every target except the clang plugin,
# see the top-level CMakeLists.txt), build it and run the whole default
# suite (gtest units + lit, the same two ctest tests as check-btfgen) under
# ASan+UBSan. UBSan is fatal (-fno-sanitize-recover=all); LeakSanitizer is
# on. Prints the commands and the wall time of each step.
#
# Usage: scripts/sanitize.sh
# Environment: BUILD=dir (default <repo>/build-sanitize), JOBS=n (ninja -j),
#   NICE=n (run under `nice -n n`, default 0), SAN=list (default
#   address,undefined).
# Exit status: that of ctest (0 = all passed), 2 on a configure/build error.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/build-sanitize}
NICE=${NICE:-0}
SAN=${SAN:-address,undefined}

run() { echo "+ $*" >&2; "$@"; }
now() { date +%s; }

t0=$(now)
run env CC=clang-19 CXX=clang++-19 cmake -S "$ROOT" -B "$BUILD" -G Ninja \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBTFGEN_SANITIZE="$SAN" >/dev/null || exit 2
run nice -n "$NICE" ninja -C "$BUILD" ${JOBS:+-j "$JOBS"} || exit 2
t1=$(now)

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:strict_string_checks=1:detect_stack_use_after_return=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export ASAN_SYMBOLIZER_PATH=${ASAN_SYMBOLIZER_PATH:-/usr/lib/llvm-19/bin/llvm-symbolizer}
# Outside projects the tests build (test/integration) link our sanitized
# static libraries: build them with the same compiler, whose UBSan runtime
# has the handlers clang's instrumentation calls.
export CC=clang-19 CXX=clang++-19
echo "+ ASAN_OPTIONS=$ASAN_OPTIONS UBSAN_OPTIONS=$UBSAN_OPTIONS CC=$CC CXX=$CXX" >&2
(cd "$BUILD" && run nice -n "$NICE" ctest --output-on-failure)
rc=$?
t2=$(now)
echo "sanitize.sh: configure+build $((t1 - t0)) s, unit+lit $((t2 - t1)) s, ctest exit $rc"
exit $rc
