#!/usr/bin/env bash
# check-manifests.sh DIR - run manifest-vs-objdump.py on every
# DIR/*.bpf.o that has a DIR/*.bpf.o.btfgen.json (the plugin's manifest must
# list exactly the object's .BTF.ext CO-RE relocations, with the same root
# type shapes). Prints one line per failure and
# "check-manifests: N/M manifests match their objects (R relocations)".
set -uo pipefail
DIR=${1:?usage: check-manifests.sh DIR}
HERE=$(cd "$(dirname "$0")" && pwd)
total=0 ok=0 relos=0
for obj in "$DIR"/*.bpf.o; do
  [ -f "$obj.btfgen.json" ] || continue
  total=$((total + 1))
  if out=$(python3 "$HERE/manifest-vs-objdump.py" "$obj.btfgen.json" "$obj" 2>&1); then
    ok=$((ok + 1))
    n=$(printf '%s\n' "$out" | sed -n 's/^OK: \([0-9]*\) relocations.*/\1/p' | tail -n 1)
    relos=$((relos + ${n:-0}))
  else
    echo "MISMATCH $(basename "$obj"):"
    printf '%s\n' "$out" | tail -n 5 | sed 's/^/  /'
  fi
done
echo "check-manifests: $ok/$total manifests match their objects ($relos relocations)"
[ "$ok" -eq "$total" ] && [ "$total" -gt 0 ]
