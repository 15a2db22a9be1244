#!/usr/bin/env bash
# run-go.sh - the Go package's tests, run by ctest (runtime/CMakeLists.txt).
#
#   BTFGEN_RUNTIME_DUMP=tool run-go.sh unit SRC WORK
#     gofmt (no unformatted file), go vet and go test in SRC/runtime/go,
#     with the differential test against the C parsers (btfgen-runtime-dump)
#     on the fuzz seed corpora (test/fuzz/corpus/{OsReleaseFuzzer,
#     JsonIndexFuzzer}).
#   BTFGEN_DRIVER=... BTFGEN_WHICH=... run-go.sh embed SRC WORK CLANG
#     tailors examples/tracer/tracer.bpf.c for a real archive with
#     btfgen-driver: the corpus ($BTFGEN_CORPUS, default ../shared/corpus
#     beside the checkout) or, without it (said loudly), examples/archive
#     plus this machine's kernel. Writes --layout content (no symlinks,
#     blobs/ + index.json) into a copy of test/unit-runtime/go-embed, which
#     go:embeds it as it is, and the path layout beside it; runs go vet and
#     go test there: for every kernel of the index and simulated hosts
#     (os-release, uname), Go must choose the bytes the path layout holds
#     for that kernel, and the same bytes as btfgen-which (or fail with the
#     same message).
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
  mkdir -p "$W/mod"
  multiarch=$(gcc -print-multiarch 2>/dev/null || echo "$(uname -m)-linux-gnu")
  run "$CLANG" --target=bpf -g -O2 -I"/usr/include/$multiarch" \
    -c "$SRC/examples/tracer/tracer.bpf.c" -o "$W/tracer.bpf.o"
  CORPUS=${BTFGEN_CORPUS:-$SRC/../shared/corpus}
  if [ -d "$CORPUS" ]; then
    ARCHIVE=$CORPUS
    echo "run-go.sh: archive: the real corpus $CORPUS"
  else
    echo "run-go.sh: NOTE: no corpus at $CORPUS (set BTFGEN_CORPUS): using the bundled" \
      "examples/archive and this machine's kernel instead"
    ARCHIVE=$W/archive
    mkdir -p "$ARCHIVE"
    cp -r "$SRC/examples/archive/." "$ARCHIVE/"
    if [ -r /sys/kernel/btf/vmlinux ] && [ -r /etc/os-release ]; then
      # This machine's kernel, as scripts/run-example.sh adds it.
      host=$(. /etc/os-release && echo "${ID:-host}/${VERSION_ID:-unknown}")
      mkdir -p "$ARCHIVE/$host/$(uname -m)"
      cp /sys/kernel/btf/vmlinux "$ARCHIVE/$host/$(uname -m)/$(uname -r).btf"
    fi
  fi
  # The symlink-free layout go:embed takes as it is (blobs/ + index.json),
  # and, as the independent answer for every kernel, the path layout.
  run "$BTFGEN_DRIVER" "$W/tracer.bpf.o" --archive "$ARCHIVE" -o "$W/mod/btf" \
    --layout content --no-cache --fail-on never -j 2
  run "$BTFGEN_DRIVER" "$W/tracer.bpf.o" --archive "$ARCHIVE" -o "$W/out" \
    --no-cache --fail-on never -j 2 --index "$W/out/index.json"
  if [ -n "$(find "$W/mod/btf" -type l)" ]; then
    echo "run-go.sh: --layout content wrote symlinks" >&2
    exit 1
  fi
  cp "$SRC/test/unit-runtime/go-embed/embed_test.go" "$W/mod/"
  cat > "$W/mod/go.mod" <<EOM
module btfgen.test/embed

go 1.19

require github.com/btfgen/btfgen/runtime/go v0.0.0

replace github.com/btfgen/btfgen/runtime/go => $SRC/runtime/go
EOM
  echo "run-go.sh: embedded tree: $(find "$W/mod/btf" -type f | wc -l) files," \
    "$(grep -c '"file"' "$W/mod/btf/index.json") index rows"
  cd "$W/mod"
  run "$GO" vet ./...
  BTFGEN_WHICH=$BTFGEN_WHICH BTFGEN_TREE=$W/out run "$GO" test -count=1 -v ./...
  ;;
*)
  echo "usage: run-go.sh unit|embed SRC WORK [CLANG]" >&2
  exit 2
  ;;
esac
