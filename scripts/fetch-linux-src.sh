#!/usr/bin/env bash
# fetch-linux-src.sh [DEST] - cache the parts of Debian bookworm's `linux`
# source package that the btfgen conformance tests compile (tools/: bpf
# selftests, runqslower, perf BPF skeletons, tools/lib/bpf, tools/include).
#
# Downloads ONLY from the Debian archive, through apt: it adds a deb-src entry
# for bookworm main if none is configured, runs `apt-get source
# --download-only linux` into DEST/../linux-src-dl, and extracts tools/ (and
# the uapi headers) from the upstream orig tarball. The Debian patch series
# is not applied: in 6.1.176-1 its only hunks under tools/ are perf/cpupower
# build and documentation fixes, none in the BPF programs compiled here, and
# applying it needs the whole tree. Idempotent: does nothing if
# DEST/tools/testing/selftests/bpf already exists.
#
# Measured on a 2-core VM (6.1.176-1): 140 MB download, ~15 s (see docs/testing.md).
set -euo pipefail

DEST=${1:-${HOME}/.cache/btfgen-ci/linux-src}
if [ -d "$DEST/tools/testing/selftests/bpf" ]; then
  echo "fetch-linux-src: $DEST already populated"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

SRCLIST=/etc/apt/sources.list.d/btfgen-deb-src.sources
have_deb_src() {
  grep -rhsE '^(Types:.*deb-src|deb-src )' /etc/apt/sources.list /etc/apt/sources.list.d/ \
    >/dev/null 2>&1
}
if ! have_deb_src; then
  echo "fetch-linux-src: adding $SRCLIST (deb-src bookworm main)"
  $SUDO tee "$SRCLIST" >/dev/null <<'SRC'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
  $SUDO apt-get update -q
elif ! apt-cache showsrc linux >/dev/null 2>&1 ||
     [ -z "$(apt-cache showsrc linux 2>/dev/null)" ]; then
  $SUDO apt-get update -q
fi

DL="$(dirname "$DEST")/linux-src-dl"
mkdir -p "$DL"
start=$(date +%s)
if ! ls "$DL"/linux_*.orig.tar.xz >/dev/null 2>&1; then
  echo "fetch-linux-src: downloading the linux source package into $DL"
  (cd "$DL" && apt-get source --download-only -q linux)
fi
ORIG=$(ls "$DL"/linux_*.orig.tar.xz | sort -V | tail -n 1)
echo "fetch-linux-src: extracting tools/ and uapi headers from $(basename "$ORIG")"

TMP="$DEST.tmp.$$"
rm -rf "$TMP"
mkdir -p "$TMP"
trap 'rm -rf "$TMP"' EXIT
# The orig tarball has one top-level directory (linux-<ver>/); strip it.
# ('*' matches '/' here, so '*/include/uapi/*' also covers arch/*/include/uapi.)
tar -xJf "$ORIG" -C "$TMP" --strip-components=1 --wildcards \
  '*/tools/*' '*/include/uapi/*' 'linux-*/COPYING'
rm -rf "$DEST"
mv "$TMP" "$DEST"
trap - EXIT
end=$(date +%s)
echo "fetch-linux-src: done in $((end - start)) s;" \
  "download $(du -sh "$DL" | cut -f1), extracted $(du -sh "$DEST" | cut -f1) at $DEST"
