#!/usr/bin/env bash
# run-go.sh - the Go package's tests, run by ctest (runtime/CMakeLists.txt).
#
#   BTFGEN_RUNTIME_DUMP=tool run-go.sh unit SRC WORK
#     gofmt (no unformatted file), go vet and go test in SRC/runtime/go,
#     with the differential test against the C parsers (btfgen-runtime-dump)
#     on the fuzz seed corpora (test/fuzz/corpus/{OsReleaseFuzzer,
#     JsonIndexFuzzer}).
#   BTFGEN_DRIVER=... BTFGEN_WHICH=... run-go.sh embed SRC WORK CLANG
#     builds a real tailored tree with btfgen-driver (examples/tracer/
#     tracer.bpf.c over examples/archive, plus this machine's kernel when
#     /sys/kernel/btf/vmlinux is readable), copies it as regular files
#     (cp -L) into a copy of test/unit-runtime/go-embed, which go:embeds it,
#     and runs go vet and go test there: for every kernel Go must choose the
#     same bytes as btfgen-which (or fail with the same message).
#
# Nothing is downloaded: GOPROXY=off, GOTOOLCHAIN=local, and the package has
# no dependencies (the embed test reaches it by a replace directive). Caches
# and scratch files stay in WORK. Exits 77 (ctest: skipped) when `go` is not
# installed.
set -euo pipefail
MODE=$1 SRC=$2 WORK=$3
GO=${GO:-$(command -v go || true)}
if [ -z "$GO" ]; then
  echo "run-go.sh: SKIPPED: no 'go' in PATH (Debian: apt-get install golang-go)"
  exit 77
fi
export GOTOOLCHAIN=local GOPROXY=off GOENV=off GOFLAGS= GO111MODULE=on CGO_ENABLED=0 \
  GOCACHE=$WORK/cache GOPATH=$WORK/path GOMODCACHE=$WORK/path/pkg/mod
run() { echo "+ $*"; "$@"; }
echo "run-go.sh: $("$GO" version)"

case $MODE in
unit)
  cd "$SRC/runtime/go"
  bad=$(gofmt -l .)
  if [ -n "$bad" ]; then
    echo "run-go.sh: not gofmt-formatted: $bad" >&2
    exit 1
  fi
  run "$GO" vet ./...
  BTFGEN_RUNTIME_DUMP=$BTFGEN_RUNTIME_DUMP \
    BTFGEN_DIFF_OS_RELEASE=$SRC/test/fuzz/corpus/OsReleaseFuzzer \
    BTFGEN_DIFF_JSON=$SRC/test/fuzz/corpus/JsonIndexFuzzer \
    run "$GO" test -count=1 -v ./...
  ;;
embed)
  CLANG=$4
  W=$WORK/embed
  rm -rf "$W"
  mkdir -p "$W/archive" "$W/mod"
  cp -r "$SRC/examples/archive/." "$W/archive/"
  if [ -r /sys/kernel/btf/vmlinux ] && [ -r /etc/os-release ]; then
    # This machine's kernel, as scripts/run-example.sh adds it.
    host=$(. /etc/os-release && echo "${ID:-host}/${VERSION_ID:-unknown}")
    mkdir -p "$W/archive/$host/$(uname -m)"
    cp /sys/kernel/btf/vmlinux "$W/archive/$host/$(uname -m)/$(uname -r).btf"
  fi
  multiarch=$(gcc -print-multiarch 2>/dev/null || echo "$(uname -m)-linux-gnu")
  run "$CLANG" --target=bpf -g -O2 -I"/usr/include/$multiarch" \
    -c "$SRC/examples/tracer/tracer.bpf.c" -o "$W/tracer.bpf.o"
  run "$BTFGEN_DRIVER" "$W/tracer.bpf.o" --archive "$W/archive" -o "$W/out" \
    --no-cache --index "$W/out/index.json"
  cp "$SRC/test/unit-runtime/go-embed/embed_test.go" "$W/mod/"
  cat > "$W/mod/go.mod" <<EOM
module btfgen.test/embed

go 1.19

require github.com/btfgen/btfgen/runtime/go v0.0.0

replace github.com/btfgen/btfgen/runtime/go => $SRC/runtime/go
EOM
  # Regular files only: go:embed drops symlinks.
  cp -rL "$W/out" "$W/mod/btf"
  echo "run-go.sh: embedded tree: $(find "$W/mod/btf" -type f | wc -l) files," \
    "$(find "$W/out" -type l | wc -l) of them symlinks in the driver's tree"
  cd "$W/mod"
  run "$GO" vet ./...
  BTFGEN_WHICH=$BTFGEN_WHICH BTFGEN_TREE=$W/out run "$GO" test -count=1 -v ./...
  ;;
*)
  echo "usage: run-go.sh unit|embed SRC WORK [CLANG]" >&2
  exit 2
  ;;
esac
