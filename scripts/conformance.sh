#!/usr/bin/env bash
#===- scripts/conformance.sh - real programs x real kernels ---------------===#
#
# Fetches (once, cached) the Debian bookworm linux source package for its
# real CO-RE programs (tools/bpf/runqslower, tools/perf/util/bpf_skel,
# selftests progs), then runs the conformance lit suite: every program,
# compiled with the plugin, against every kernel of ../shared/corpus, with
# bpftool and libbpf as referees. Needs the build from scripts/test.sh.
#
#===------------------------------------------------------------------------===#
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BTFGEN_BUILD_DIR:-$ROOT/build}
SRC=${BTFGEN_LINUX_SRC:-$HOME/.cache/btfgen-ci/linux-src}

bash "$ROOT/scripts/install-deps.sh"
bash "$ROOT/scripts/fetch-linux-src.sh" "$SRC"
cmake -S "$ROOT" -B "$BUILD" -G Ninja -DBTFGEN_LINUX_SRC="$SRC"
cmake --build "$BUILD" --target check-btfgen-conformance
