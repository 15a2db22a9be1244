#!/usr/bin/env bash
#===- make-host-archive.sh - BTFHub-layout archive for the running kernel ---===#
#
# Usage: make-host-archive.sh ARCHIVE DECOY_SRC OUT_TREE EXPECTED ROOT
#
# Puts /sys/kernel/btf/vmlinux into ARCHIVE as a plain .btf where BTFHub
# would put this machine's kernel: <os-release ID>/<VERSION_ID>/<arch>/
# <uname -r>.btf (arch as BTFHub spells it: aarch64 -> arm64), plus one decoy
# kernel (debian 12, 6.1.0-48-amd64) copied from DECOY_SRC (examples/archive).
# Writes to EXPECTED the line the example app must print when it picks this
# kernel's file from the tailored tree OUT_TREE:
#   btf: OUT_TREE/<ID>/<VERSION_ID>/<arch>/<release>.btf (match: exact
# and to EXPECTED.embedded the line for the entry of its embedded table:
#   btf: embedded <ID>/<VERSION_ID>/<arch>/<release> (match: exact
# The os-release values are read by sourcing the file, as os-release(5)
# allows, independently of btfgen_runtime's parser. ROOT/etc/os-release is
# a copy of the host's file, or, on a host whose os-release lacks ID or
# VERSION_ID (rolling distros), a stand-in with ID=btfgentest VERSION_ID=1;
# the test points the app's BTFGEN_OS_RELEASE_ROOT at ROOT.
#
#===------------------------------------------------------------------------===#
set -euo pipefail
archive=$1 decoy_src=$2 out_tree=$3 expected=$4 root=$5

osr=/etc/os-release
[ -e "$osr" ] || osr=/usr/lib/os-release
ID= VERSION_ID=
# shellcheck disable=SC1090
[ -e "$osr" ] && . "$osr"
mkdir -p "$root/etc"
if [ -n "$ID" ] && [ -n "$VERSION_ID" ]; then
  cp "$osr" "$root/etc/os-release"
else
  ID=btfgentest VERSION_ID=1
  printf 'ID=%s\nVERSION_ID=%s\n' "$ID" "$VERSION_ID" > "$root/etc/os-release"
fi
arch=$(uname -m)
[ "$arch" = aarch64 ] && arch=arm64
release=$(uname -r)

dir=$archive/$ID/$VERSION_ID/$arch
mkdir -p "$dir" "$archive/debian/12/x86_64"
cp /sys/kernel/btf/vmlinux "$dir/$release.btf"
cp "$decoy_src/debian/12/x86_64/6.1.0-48-amd64.btf.tar.xz" "$archive/debian/12/x86_64/"
printf 'btf: %s/%s/%s/%s/%s.btf (match: exact\n' "$out_tree" "$ID" "$VERSION_ID" "$arch" "$release" > "$expected"
printf 'btf: embedded %s/%s/%s/%s (match: exact\n' "$ID" "$VERSION_ID" "$arch" "$release" > "$expected.embedded"
