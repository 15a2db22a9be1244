#!/usr/bin/env bash
#===- scripts/test.sh - install, build and run every default test ---------===#
#
# The README's second command, and what .ci/run calls. Runs the gtest units
# and the lit suite (plugin, driver, real loads where the BPF syscall works)
# through ctest. Tests that need something absent (../shared/corpus, the
# cached linux source, root + BPF syscall) are reported UNSUPPORTED by lit
# with a note saying why.
#
#===------------------------------------------------------------------------===#
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BTFGEN_BUILD_DIR:-$ROOT/build}

bash "$ROOT/scripts/install-deps.sh"
cmake -S "$ROOT" -B "$BUILD" -G Ninja
cmake --build "$BUILD"
cmake --build "$BUILD" --target check-btfgen
