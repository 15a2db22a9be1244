#!/usr/bin/env bash
#===- scripts/run-example.sh - install, build, run the bundled example ----===#
#
# The README's first command. Installs what btfgen needs (Debian bookworm),
# builds it, compiles the bundled CO-RE program examples/tracer/tracer.bpf.c
# with the btfgen clang plugin (object + manifest in one compile), and runs
# the driver over the bundled real archive examples/archive (5 kernels:
# Debian x86_64, Kylin aarch64, Android arm64), plus this machine's own
# /sys/kernel/btf/vmlinux when present. Output: out/example/custom-archive.
#
#===------------------------------------------------------------------------===#
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BTFGEN_BUILD_DIR:-$ROOT/build}
OUT=${BTFGEN_EXAMPLE_OUT:-$ROOT/out/example}

bash "$ROOT/scripts/install-deps.sh"
cmake -S "$ROOT" -B "$BUILD" -G Ninja
cmake --build "$BUILD"

mkdir -p "$OUT"
ARCHIVE="$OUT/archive"
rm -rf "$ARCHIVE"
cp -r "$ROOT/examples/archive" "$ARCHIVE"
if [ -r /sys/kernel/btf/vmlinux ]; then
  # Add the running kernel in BTFHub layout, as a plain .btf.
  ID=host VERSION_ID=unknown
  [ -r /etc/os-release ] && . /etc/os-release
  HOSTDIR="$ARCHIVE/${ID}/${VERSION_ID:-unknown}/$(uname -m)"
  mkdir -p "$HOSTDIR"
  cp /sys/kernel/btf/vmlinux "$HOSTDIR/$(uname -r).btf"
  echo "run-example: added this machine's kernel BTF as ${HOSTDIR#$OUT/}/$(uname -r).btf"
else
  echo "run-example: /sys/kernel/btf/vmlinux not readable; using the bundled archive only"
fi

echo "run-example: compiling examples/tracer/tracer.bpf.c with the btfgen plugin"
clang-19 --target=bpf -g -O2 -I"/usr/include/$(gcc -print-multiarch)" \
  -fpass-plugin="$BUILD/lib/libBTFGenPass.so" \
  -c "$ROOT/examples/tracer/tracer.bpf.c" -o "$OUT/tracer.bpf.o"
echo "run-example: manifest $OUT/tracer.bpf.o.btfgen.json"

rm -rf "$OUT/custom-archive"
"$BUILD/bin/btfgen-driver" "$OUT/tracer.bpf.o.btfgen.json" \
  --archive "$ARCHIVE" -o "$OUT/custom-archive" --report "$OUT/report.json"

echo
echo "run-example: tailored BTF tree ($OUT/custom-archive):"
(cd "$OUT/custom-archive" && find . \( -type f -o -type l \) | sort | while read -r f; do
  if [ -L "$f" ]; then echo "  $f -> $(readlink "$f")"; else echo "  $f ($(stat -c %s "$f") bytes)"; fi
done)
FULL=$(find "$ARCHIVE" -type f -printf '%s\n' | awk '{s+=$1} END {print s}')
MIN=$(find "$OUT/custom-archive" -type f -printf '%s\n' | awk '{s+=$1} END {print s}')
echo "run-example: archive inputs $FULL bytes on disk (.btf.tar.xz and raw .btf) -> tailored outputs $MIN bytes"
