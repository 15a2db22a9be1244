#!/usr/bin/env bash
# ===- scripts/compare-builds.sh - Two builds, same bytes -----------------===#
#
# Proves "no behaviour change" between two builds of btfgen (e.g. main and a
# refactoring branch): both builds' btfgen-driver run on the same inputs and
# everything they write is compared byte for byte.
#
#   scripts/compare-builds.sh OLD_BUILD_DIR NEW_BUILD_DIR [OUT_DIR]
#
# Inputs: Debian's libbpf-tools objects (scripts/extract-libbpf-tools.py,
# object mode) and the conformance programs test/conformance/Inputs/*.bpf.c,
# compiled with clang-19 and each build's plugin (the manifests and objects
# of the two plugins are compared too; both drivers then read the new
# build's manifests), against every kernel of the corpus
# ($BTFGEN_CORPUS, default ../shared/corpus next to the checkout; BTFHub
# layout). Compared, with exit status, stdout and stderr:
#
#   run            default and --no-shrink trees, with --report and --index
#   min_core_btf   a few kernels (first, middle and last of the corpus)
#   dump           those kernels, and every file of the default tree
#   embed          the default tree, as C source and header
#   manifest       every program input
#
# Runs use --no-cache -j2 and the same relative paths in OUT_DIR/old and
# OUT_DIR/new, so reports name the same files. Prints one line per check
# and a PASS/FAIL summary; exits 1 on any difference, 2 on a setup error.
# OUT_DIR (default: a new temporary directory) is kept for inspection.
#
# ===----------------------------------------------------------------------===#

set -u -o pipefail

usage() {
  echo "usage: $0 OLD_BUILD_DIR NEW_BUILD_DIR [OUT_DIR]" >&2
  exit 2
}
[ $# -ge 2 ] && [ $# -le 3 ] || usage

SRC=$(cd "$(dirname "$0")/.." && pwd)
OLD=$(cd "$1" && pwd) || usage
NEW=$(cd "$2" && pwd) || usage
OUT=${3:-$(mktemp -d /tmp/compare-builds.XXXXXX)}
mkdir -p "$OUT" && OUT=$(cd "$OUT" && pwd)
CORPUS=${BTFGEN_CORPUS:-$SRC/../shared/corpus}
[ -d "$CORPUS" ] && CORPUS=$(cd "$CORPUS" && pwd)
CLANG=${CLANG:-clang-19}
JOBS=${JOBS:-2}

die() { echo "compare-builds: error: $*" >&2; exit 2; }
for B in "$OLD" "$NEW"; do
  [ -x "$B/bin/btfgen-driver" ] || die "$B/bin/btfgen-driver: not built"
  [ -f "$B/lib/libBTFGenPass.so" ] || die "$B/lib/libBTFGenPass.so: not built"
done
[ -d "$CORPUS" ] || die "$CORPUS: no corpus (set BTFGEN_CORPUS)"
command -v "$CLANG" >/dev/null || die "$CLANG: not found"
command -v bpftool >/dev/null || die "bpftool: not found (writes vmlinux.h)"

PASSED=0
FAILED=0
FAILURES=()
pass() { PASSED=$((PASSED + 1)); echo "  ok    $1"; }
fail() { FAILED=$((FAILED + 1)); FAILURES+=("$1"); echo "  DIFF  $1"; }
# same NAME PATH: OUT/old/PATH and OUT/new/PATH (files or trees) are equal.
same() {
  if diff -r --no-dereference "$OUT/old/$2" "$OUT/new/$2" \
      > "$OUT/diff.$(echo "$1" | tr -c 'A-Za-z0-9._-' _)" 2>&1; then
    pass "$1"
  else
    fail "$1 (see $OUT/diff.$(echo "$1" | tr -c 'A-Za-z0-9._-' _))"
  fi
}
# both NAME PATH CMD...: run CMD with each build's driver as $DRIVER, in
# OUT/old and OUT/new, into PATH/{stdout,stderr,status}; compare the three.
both() {
  local Name=$1 Path=$2
  shift 2
  for Side in old new; do
    local B=$OLD
    [ $Side = new ] && B=$NEW
    mkdir -p "$OUT/$Side/$Path"
    (cd "$OUT/$Side" && export DRIVER="$B/bin/btfgen-driver" &&
       "$@" > "$Path/stdout" 2> "$Path/stderr"; echo $? > "$Path/status")
  done
  same "$Name: status, stdout, stderr" "$Path"
}

rm -rf "$OUT/old" "$OUT/new" "$OUT/in" "$OUT"/diff.*
mkdir -p "$OUT/old" "$OUT/new" "$OUT/in"

echo "== inputs"
python3 "$SRC/scripts/extract-libbpf-tools.py" "$OUT/in/objs" > "$OUT/in/extract.log" ||
  die "extract-libbpf-tools.py failed (is libbpf-tools installed?)"
tail -n 1 "$OUT/in/extract.log"
KERNELS=$(cd "$CORPUS" && find . -name '*.btf.tar.xz' | sort)
NK=$(echo "$KERNELS" | wc -l)
echo "corpus: $NK kernels in $CORPUS"
# The conformance programs' vmlinux.h: the bundled Debian 6.1 kernel.
mkdir -p "$OUT/in/inc"
xz -dc "$SRC/examples/archive/debian/12/x86_64/6.1.0-48-amd64.btf.tar.xz" |
  tar -xO > "$OUT/in/k61.btf" || die "bundled kernel unreadable"
bpftool btf dump file "$OUT/in/k61.btf" format c > "$OUT/in/inc/vmlinux.h" ||
  die "bpftool btf dump failed"
for Side in old new; do
  B=$OLD
  [ $Side = new ] && B=$NEW
  mkdir -p "$OUT/$Side/progs"
  for C in "$SRC"/test/conformance/Inputs/*.bpf.c; do
    P=$(basename "$C" .c)
    "$CLANG" --target=bpf -g -O2 -D__TARGET_ARCH_x86 -I"$OUT/in/inc" \
      -fpass-plugin="$B/lib/libBTFGenPass.so" -c "$C" \
      -o "$OUT/$Side/progs/$P.o" || die "$CLANG failed on $C"
  done
done
# Manifests name the object they were written for: compare them as the
# other side would have written them.
sed -i "s|$OUT/old/progs|$OUT/new/progs|g" "$OUT"/old/progs/*.btfgen.json
same "plugin: objects and manifests" progs
mkdir -p "$OUT/in/progs"
cp "$OUT"/new/progs/*.btfgen.json "$OUT/in/progs/"
INPUTS=("$OUT"/in/objs/*.bpf.o "$OUT"/in/progs/*.btfgen.json)
echo "programs: ${#INPUTS[@]}"

echo "== manifest"
for I in "${INPUTS[@]}"; do
  both "manifest $(basename "$I")" "manifest/$(basename "$I")" \
    bash -c '"$DRIVER" manifest "$1"' _ "$I"
done

echo "== run (default, then --no-shrink)"
both "run" run bash -c '"$DRIVER" run "$@" --archive "'"$CORPUS"'" -o tree \
  --report report.json --index index.json --no-cache -j '"$JOBS" _ "${INPUTS[@]}"
same "run: tree" tree
same "run: report" report.json
same "run: index" index.json
both "run --no-shrink" run-ns bash -c '"$DRIVER" run "$@" --archive \
  "'"$CORPUS"'" -o tree-ns --report report-ns.json --index index-ns.json \
  --no-shrink --no-cache -j '"$JOBS" _ "${INPUTS[@]}"
same "run --no-shrink: tree" tree-ns
same "run --no-shrink: report" report-ns.json
same "run --no-shrink: index" index-ns.json

echo "== min_core_btf and dump of kernels"
mkdir -p "$OUT/in/kernels"
PICK=$( (echo "$KERNELS" | head -n 1; echo "$KERNELS" | sed -n "$(( (NK + 1) / 2 ))p";
         echo "$KERNELS" | tail -n 1) | sort -u)
for K in $PICK; do
  N=$(basename "$K" .btf.tar.xz)
  xz -dc "$CORPUS/$K" | tar -xO > "$OUT/in/kernels/$N.btf" ||
    die "$K: cannot extract"
  both "min_core_btf $N" "mcb/$N" bash -c \
    '"$DRIVER" min_core_btf "$1" "mcb/$2.btf" "${@:3}"' _ \
    "$OUT/in/kernels/$N.btf" "$N" "$OUT"/in/objs/*.bpf.o
  same "min_core_btf $N: output" "mcb/$N.btf"
  both "dump $N" "dump/$N" bash -c '"$DRIVER" dump "$1"' _ "$OUT/in/kernels/$N.btf"
done

echo "== dump of outputs"
# Every regular file of the new default tree, through both drivers.
(cd "$OUT/new/tree" && find . -type f -name '*.btf' | sort) > "$OUT/in/outputs.txt"
echo "outputs: $(wc -l < "$OUT/in/outputs.txt") files"
mkdir -p "$OUT/old/dumps" "$OUT/new/dumps"
for Side in old new; do
  B=$OLD
  [ $Side = new ] && B=$NEW
  while read -r F; do
    D="$OUT/$Side/dumps/$(echo "$F" | tr / _)"
    "$B/bin/btfgen-driver" dump "$OUT/new/tree/$F" > "$D" 2>&1
    echo "rc=$?" >> "$D"
  done < "$OUT/in/outputs.txt"
done
same "dump of every output" dumps

echo "== embed"
both "embed" embed bash -c '"$DRIVER" embed tree -o tree.c --header tree.h'
same "embed: source" tree.c
same "embed: header" tree.h

echo
if [ "$FAILED" -eq 0 ]; then
  echo "compare-builds: PASS: $PASSED checks, 0 differences"
  echo "  old: $OLD"
  echo "  new: $NEW"
  exit 0
fi
echo "compare-builds: FAIL: $FAILED of $((PASSED + FAILED)) checks differ:"
printf '  %s\n' "${FAILURES[@]}"
exit 1
