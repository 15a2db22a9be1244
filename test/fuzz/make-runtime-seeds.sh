#!/usr/bin/env bash
# make-runtime-seeds.sh - regenerate the seeds of the runtime's fuzzers
# (OsReleaseFuzzer, JsonIndexFuzzer) in test/fuzz/corpus/ from real inputs:
# this machine's os-release, the inputs of the shared test vectors
# (test/unit-runtime/vectors/os-release.txt and json-index.txt, one file
# per case) and the JSON index btfgen-driver writes for the bundled archive
# (examples/archive) and test/driver/Inputs/task.bpf.c.
# Usage: test/fuzz/make-runtime-seeds.sh [BUILD_DIR]  (default <repo>/build;
# the index is skipped when BUILD_DIR/bin/btfgen-driver does not exist).
# Also run by make-seeds.sh.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BUILD=${1:-$ROOT/build}
C=$HERE/corpus
CLANG=${CLANG:-clang-19}
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
mkdir -p "$C/OsReleaseFuzzer" "$C/JsonIndexFuzzer"

run() { echo "+ $*"; "$@"; }

[ -f /etc/os-release ] && run cp -L /etc/os-release "$C/OsReleaseFuzzer/host-os-release"

# One seed per vector case: the text its line:/raw: fields build.
python3 - "$ROOT/test/unit-runtime/vectors" "$C" <<'PY'
import os, re, sys
vec, out = sys.argv[1], sys.argv[2]
def unescape(v):
    b, i = bytearray(), 0
    while i < len(v):
        if v[i] != '\\':
            b += v[i].encode(); i += 1; continue
        c = v[i + 1]
        if c == 'x':
            b.append(int(v[i + 2:i + 4], 16)); i += 4; continue
        b += {'n': b'\n', 'r': b'\r', 't': b'\t', '\\': b'\\'}[c]; i += 2
    return bytes(b)
for fname, kind, target in (('os-release.txt', 'os-release', 'OsReleaseFuzzer'),
                            ('json-index.txt', 'json', 'JsonIndexFuzzer')):
    name, text = None, b''
    def flush():
        if name is not None:
            open(os.path.join(out, target, 'vector-' + name), 'wb').write(text)
    for line in open(os.path.join(vec, fname), encoding='utf-8'):
        line = line.rstrip('\n')
        m = re.match(r'\[(\S+) (.+)\]$', line)
        if m:
            flush()
            name, text = (m.group(2), b'') if m.group(1) == kind else (None, b'')
        elif name is not None and line.startswith('line:'):
            text += line[6:].encode() + b'\n'
        elif name is not None and line.startswith('raw:'):
            text += unescape(line[5:])
    flush()
PY

if [ -x "$BUILD/bin/btfgen-driver" ]; then
  run $CLANG --target=bpf -g -O2 -c "$ROOT/test/driver/Inputs/task.bpf.c" -o "$T/task.o"
  run "$BUILD/bin/btfgen-driver" "$T/task.o" --archive "$ROOT/examples/archive" \
    -o "$T/out" --no-cache --index "$T/out/index.json" 2> /dev/null
  run cp "$T/out/index.json" "$C/JsonIndexFuzzer/driver-index.json"
else
  echo "make-runtime-seeds: no $BUILD/bin/btfgen-driver: driver index not regenerated"
fi
ls "$C/OsReleaseFuzzer" | wc -l | sed 's/^/make-runtime-seeds: OsReleaseFuzzer seeds: /'
ls "$C/JsonIndexFuzzer" | wc -l | sed 's/^/make-runtime-seeds: JsonIndexFuzzer seeds: /'
