#!/bin/bash
# A stand-in for BTFHub's tools/btfgen.sh (github.com/aquasecurity/btfhub),
# written for this test from the script's documented behaviour, not copied:
#   - run from BASEDIR/tools, it works on BASEDIR/archive and writes
#     BASEDIR/custom-archive, keeping the archive's directories;
#   - the tool is BASEDIR/tools/bin/bpftool.$(uname -m), called as
#     `TOOL gen min_core_btf EXTRACTED OUT_DIR/EXTRACTED OBJ...`;
#   - -a ARCH picks directories whose path contains ARCH, -o OBJ (repeated)
#     names the BPF objects;
#   - each tarball is extracted into BASEDIR, minimized, and the extracted
#     file removed again.
# With tools/bin/bpftool.$(uname -m) a link to btfgen-driver, the loop runs
# btfgen in place of bpftool (docs/usage.md, "Drop-in for bpftool").
set -u
arch= objs=()
while getopts ":a:o:" opt; do
  case $opt in
    a) arch=$OPTARG ;;
    o) [[ -f $OPTARG ]] || { echo "error: no BPF object $OPTARG" >&2; exit 1; }
       objs+=("$OPTARG") ;;
    *) echo "usage: $0 -a ARCH -o OBJ..." >&2; exit 1 ;;
  esac
done
[[ -n $arch && ${#objs[@]} -gt 0 ]] || { echo "usage: $0 -a ARCH -o OBJ..." >&2; exit 1; }

basedir=$(cd "$(dirname "$0")/.." && pwd)
cd "$basedir" || exit 1
tool=./tools/bin/bpftool.$(uname -m)
[[ -x $tool ]] || { echo "error: no tool $tool" >&2; exit 1; }
mkdir -p custom-archive
find ./custom-archive -mindepth 1 -maxdepth 1 -type d -exec rm -rf {} +

status=0
for d in $(find ./archive/ -iregex ".*${arch}.*" -type d | sed 's:^\./archive/::' | sort -u); do
  for tarball in $(find "./archive/$d" -name '*.tar.xz' | sort); do
    rel=$(dirname "${tarball#./archive/}")
    extracted=$(tar xvfJ "$tarball") || { status=1; continue; }
    mkdir -p "custom-archive/$rel"
    echo "Processing $extracted..."
    "$tool" gen min_core_btf "$extracted" "custom-archive/$rel/$extracted" "${objs[@]}" || status=1
    rm -f "./$extracted"
  done
done
exit $status
