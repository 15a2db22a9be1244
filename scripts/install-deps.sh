#!/usr/bin/env bash
# install-deps.sh - install everything btfgen needs to build, test and run on
# Debian bookworm. Idempotent; run as root (or with sudo available).
set -euo pipefail

PKGS=(
  cmake ninja-build make g++ pkg-config python3 python3-xxhash xz-utils
  clang-19 llvm-19-dev llvm-19-tools libclang-rt-19-dev
  libbpf-dev bpftool libelf-dev zlib1g-dev libzstd-dev zstd liblzma-dev
  googletest libgtest-dev golang-go
)

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-deps: all packages present"
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
