#!/usr/bin/env bash
#===- scripts/conformance.sh - real programs x real kernels ---------------===#
#
# Fetches (once, cached) the Debian bookworm linux source package for its
# real CO-RE programs (tools/bpf/runqslower, tools/perf/util/bpf_skel,
# selftests progs), then runs the conformance lit suite: every program,
# compiled with the plugin, against every kernel of ../shared/corpus, with
# bpftool and libbpf as referees. Needs the build from scripts/test.sh.
# Also installs CONFORMANCE_PKGS (test data only, not build dependencies):
# libbpf-tools, whose executables embed bcc's BPF objects
# (test/conformance/libbpf-tools.test, scripts/extract-libbpf-tools.py).
#
#===------------------------------------------------------------------------===#
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BTFGEN_BUILD_DIR:-$ROOT/build}
SRC=${BTFGEN_LINUX_SRC:-$HOME/.cache/btfgen-ci/linux-src}

bash "$ROOT/scripts/install-deps.sh"
CONFORMANCE_PKGS=(libbpf-tools)
missing=()
for p in "${CONFORMANCE_PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  echo "conformance: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -q
  $SUDO apt-get install -y --no-install-recommends "${missing[@]}"
fi
bash "$ROOT/scripts/fetch-linux-src.sh" "$SRC"
cmake -S "$ROOT" -B "$BUILD" -G Ninja -DBTFGEN_LINUX_SRC="$SRC"
cmake --build "$BUILD" --target check-btfgen-conformance
