#!/bin/bash
# bench/core-objects.sh - the BPF objects the bench scripts tailor; sourced
# by bench/run.sh, scale.sh, cold-parts.sh and ab-builds.sh.
#
#   core_objects DRIVER OBJDIR WORK
#
# Sets the array `objs` to the objects of OBJDIR (*.o, in name order) that
# have CO-RE relocations, and `skipped` to how many it left out: an object
# without any has nothing to tailor, and the driver refuses it (as bpftool
# does), so the scripts leave it out of both sides. DRIVER reads each with
# `btfgen-driver manifest`. An empty OBJDIR means Debian's libbpf-tools:
# installed if needed, its objects extracted into WORK/objs with
# scripts/extract-libbpf-tools.py (log in WORK/extract.log).
core_objects() {
  local driver=$1 objdir=$2 work=$3 o
  local src
  src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  if [ -z "$objdir" ]; then
    if ! dpkg -s libbpf-tools >/dev/null 2>&1; then
      DEBIAN_FRONTEND=noninteractive apt-get install -y libbpf-tools >&2
    fi
    objdir=$work/objs
    rm -rf "$objdir"
    python3 "$src/scripts/extract-libbpf-tools.py" "$objdir" >"$work/extract.log"
  fi
  objs=()
  skipped=0
  for o in $(ls "$objdir"/*.o | sort); do
    if "$driver" manifest "$o" 2>/dev/null | grep -q '^types: [0-9]*, relocations: 0$'; then
      skipped=$((skipped + 1))
    else
      objs+=("$o")
    fi
  done
}
