#!/usr/bin/env bash
#===- scripts/verdicts-vs-verifier.sh - load verdicts vs the verifier ------===#
#
# The full acceptance run of btfgen's load verdicts (docs/verdicts.md):
# every program of Debian's libbpf-tools objects and of the bundled example
# (examples/tracer) x every kernel of ../shared/corpus, judged by this
# machine's verifier (../shared/referees/verifier/verifier-referee) and by
# btfgen-verdict. test/conformance/verdicts-vs-verifier.test runs the same
# on a subset of kernels in CI; this takes hours on a 2-core machine (one
# verifier load per program and kernel).
#
#   scripts/verdicts-vs-verifier.sh [OUTDIR]
#
# Env: BTFGEN_BUILD_DIR (default build/), JOBS (default 2), KERNELS (a
# regex over archive paths, default all), REFEREE_CACHE (a directory that
# keeps the verifier's answers between runs). Needs root, the BPF syscall,
# the libbpf-tools package and a build with btfgen-verdict.
#
#===------------------------------------------------------------------------===#
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BTFGEN_BUILD_DIR:-$ROOT/build}
SHARED=$ROOT/../shared
OUT=${1:-$(mktemp -d)}
mkdir -p "$OUT"

python3 "$ROOT/scripts/extract-libbpf-tools.py" "$OUT/objs" > "$OUT/extract.log"
clang-19 --target=bpf -g -O2 -I"/usr/include/$(gcc -print-multiarch)" \
  -c "$ROOT/examples/tracer/tracer.bpf.c" -o "$OUT/objs/tracer.bpf.o"

args=(--referee "$SHARED/referees/verifier/verifier-referee"
      --verdict "$BUILD/bin/btfgen-verdict" --archive "$SHARED/corpus"
      -j "${JOBS:-2}" --log "$OUT/pairs.log" --kernels "${KERNELS:-}")
if [ -n "${REFEREE_CACHE:-}" ]; then
  args+=(--referee-cache "$REFEREE_CACHE")
fi
start=$(date +%s)
status=0
python3 "$ROOT/test/tools/verdict-vs-verifier.py" "${args[@]}" "$OUT"/objs/*.bpf.o || status=$?
echo "verdicts-vs-verifier: $(( $(date +%s) - start )) s; every pair in $OUT/pairs.log"
exit $status
