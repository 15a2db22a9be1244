#!/usr/bin/env bash
# make-seeds.sh - regenerate the fuzz seed corpora in test/fuzz/corpus/ from
# real inputs: clang-19 BPF objects compiled from corpus/src/*.bpf.c, their
# .BTF/.BTF.ext sections, kernel BTFs cut down by `bpftool gen min_core_btf`
# (this machine's /sys/kernel/btf/vmlinux and the bundled example archive),
# plugin-written manifests and tar/tar.xz files made with GNU tar, xz and
# Python's tarfile, and (make-runtime-seeds.sh) os-release files and JSON
# indexes. Usage: test/fuzz/make-seeds.sh [PLUGIN.so]
# (default plugin: /work/build-main/lib/libBTFGenPass.so; manifests are
# skipped when it does not exist). Every seed must stay < 64 KiB.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
C=$HERE/corpus
PLUGIN=${1:-/work/build-main/lib/libBTFGenPass.so}
CLANG=${CLANG:-clang-19}
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
mkdir -p "$C"/{BTFReaderFuzzer,BTFExtFuzzer,ObjectReaderFuzzer,ManifestFuzzer,TarXzFuzzer}

run() { echo "+ $*"; "$@"; }

# Objects: with -g, stripped of DWARF (keeps .BTF/.BTF.ext), and -O0.
for s in seed kern; do
  run $CLANG --target=bpf -g -O2 -c "$C/src/$s.bpf.c" -o "$T/$s.o"
  run $CLANG --target=bpf -g -O0 -c "$C/src/$s.bpf.c" -o "$T/$s-O0.o"
  for o in "$s" "$s-O0"; do
    run llvm-strip-19 -g "$T/$o.o" -o "$C/ObjectReaderFuzzer/$o.bpf.o"
    run llvm-objcopy-19 --dump-section .BTF="$T/$o.btf" \
      --dump-section .BTF.ext="$T/$o.btfext" "$T/$o.o" "$T/junk"
    cp "$T/$o.btf" "$C/BTFReaderFuzzer/$o.btf"
    python3 - "$T/$o.btf" "$T/$o.btfext" "$C/BTFExtFuzzer/$o.split" <<'PY'
import struct, sys
btf = open(sys.argv[1], 'rb').read(); ext = open(sys.argv[2], 'rb').read()
open(sys.argv[3], 'wb').write(struct.pack('<I', len(btf)) + btf + ext)
PY
  done
done
cp "$C/ObjectReaderFuzzer/seed.bpf.o" "$C/BTFReaderFuzzer/seed-elf.bpf.o"
# An object without .BTF.ext.
run llvm-objcopy-19 --remove-section .BTF.ext --remove-section .rel.BTF.ext \
  "$C/ObjectReaderFuzzer/seed.bpf.o" "$C/ObjectReaderFuzzer/seed-noext.bpf.o"

# Kernel BTFs minimized for kern.bpf.c by bpftool (real kernel layouts).
run bpftool gen min_core_btf /sys/kernel/btf/vmlinux "$C/BTFReaderFuzzer/vmlinux-host.min.btf" "$T/kern.o"
for tb in "$ROOT"/examples/archive/kylin/V10/aarch64/*.btf.tar.xz \
          "$ROOT"/examples/archive/android/*/arm64/*.btf.tar.xz; do
  rel=$(basename "$tb" .btf.tar.xz)
  run tar -xJf "$tb" -C "$T"
  run bpftool gen min_core_btf "$T/$rel.btf" "$C/BTFReaderFuzzer/$rel.min.btf" "$T/kern.o"
done

# Manifests written by the plugin.
if [ -f "$PLUGIN" ]; then
  for s in seed kern; do
    run env BTFGEN_MANIFEST="$C/ManifestFuzzer/$s.btfgen.json" \
      $CLANG --target=bpf -g -O2 -fpass-plugin="$PLUGIN" -c "$C/src/$s.bpf.c" -o "$T/m.o"
  done
else
  echo "make-seeds: no plugin at $PLUGIN: manifests not regenerated"
fi

# Tarballs holding fuzz.btf (the name TarXzFuzzer looks for).
cp "$C/BTFReaderFuzzer/vmlinux-host.min.btf" "$T/fuzz.btf"
(cd "$T" && run tar --format=ustar -cf "$C/TarXzFuzzer/ustar.tar" fuzz.btf \
  && run tar --format=gnu -cJf "$C/TarXzFuzzer/gnu.btf.tar.xz" ./fuzz.btf)
python3 - "$T/fuzz.btf" "$C/TarXzFuzzer" <<'PY'
import io, lzma, sys, tarfile
data = open(sys.argv[1], 'rb').read()
def make(fmt, extra):
    b = io.BytesIO()
    with tarfile.open(fileobj=b, mode='w', format=fmt) as t:
        d = tarfile.TarInfo('dir'); d.type = tarfile.DIRTYPE; t.addfile(d)
        for name in extra:
            i = tarfile.TarInfo(name); i.size = 1; t.addfile(i, io.BytesIO(b'x'))
        i = tarfile.TarInfo('fuzz.btf'); i.size = len(data); t.addfile(i, io.BytesIO(data))
    return b.getvalue()
open(sys.argv[2] + '/pax.btf.tar.xz', 'wb').write(
    lzma.compress(make(tarfile.PAX_FORMAT, ['d/' + 'n' * 120])))
open(sys.argv[2] + '/gnu-longname.tar', 'wb').write(make(tarfile.GNU_FORMAT, ['l' * 150]))
PY
# The runtime's readers (os-release, JSON index).
bash "$HERE/make-runtime-seeds.sh"

find "$C" -type f -size +64k -print | sed 's/^/make-seeds: TOO BIG: /'
du -sh "$C"
