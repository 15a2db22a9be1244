#!/usr/bin/env bash
# make-testdata.sh - regenerate testdata/btf, the tailored BTF tree the
# package's examples embed: btfgen-driver run on test/driver/Inputs/
# task.bpf.c over the bundled archive (examples/archive, 5 real kernels),
# with --index. Only the files the index names are kept, as regular files
# (the layout go:embed sees, since it drops symlinks).
# Usage: runtime/go/testdata/make-testdata.sh [BUILD_DIR]  (default <repo>/build)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../../.." && pwd)
BUILD=${1:-$ROOT/build}
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
clang-19 --target=bpf -g -O2 -c "$ROOT/test/driver/Inputs/task.bpf.c" -o "$T/task.o"
"$BUILD/bin/btfgen-driver" "$T/task.o" --archive "$ROOT/examples/archive" -o "$T/out" \
  --no-cache --index "$T/out/index.json"
rm -rf "$HERE/btf"
mkdir -p "$HERE/btf"
cp "$T/out/index.json" "$HERE/btf/index.json"
python3 - "$T/out" "$HERE/btf" <<'PY'
import json, os, shutil, sys
src, dst = sys.argv[1], sys.argv[2]
for f in sorted({k['file'] for k in json.load(open(os.path.join(src, 'index.json')))['kernels']}):
    os.makedirs(os.path.dirname(os.path.join(dst, f)), exist_ok=True)
    shutil.copyfile(os.path.join(src, f), os.path.join(dst, f))
PY
find "$HERE/btf" -type f | sort
