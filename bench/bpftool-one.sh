#!/bin/bash
# bench/bpftool-one.sh ARCHIVE OUT OBJ... TARBALL - the "bpftool loop" for
# one kernel, as a BTFHub user would script it: untar the kernel BTF into a
# temporary directory, run `bpftool gen min_core_btf` with every object,
# remove the directory. bench/run.sh runs it through `xargs -P N -n 1`,
# which appends TARBALL.
set -eu
archive=$1 out=$2
shift 2
objs=("${@:1:$#-1}")
tarball=${!#}
rel=${tarball#"$archive"/}
dir=$(dirname "$rel")
release=$(basename "$rel" .btf.tar.xz)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
tar -xJf "$tarball" -C "$tmp"
mkdir -p "$out/$dir"
if ! bpftool gen min_core_btf "$tmp/$release.btf" "$out/$dir/$release.btf" \
    "${objs[@]}" >"$tmp/log" 2>&1; then
  echo "bpftool failed: $rel: $(tail -1 "$tmp/log")" >&2
  exit 1
fi
