#!/usr/bin/env python3
"""make-xz-bomb.py [--lie] OUT.btf.tar.xz SIZE_MIB: write an xz "bomb", a valid
.btf.tar.xz whose one regular file, <release>.btf (release = OUT's name
without .btf.tar.xz), holds SIZE_MIB MiB of zero bytes, followed by the
tar end-of-archive blocks.

The xz file is a sequence of concatenated xz streams (as `xz` and liblzma
read them): one for the ustar header, then one 64 MiB stream of zeros
compressed once and repeated, then one for the end blocks. So it is built
in well under a second and is about 10 KB per 64 MiB of content, instead of
compressing gigabytes of zeros.

With --lie, the header announces 1 MiB while the zeros still follow: a
reader cannot refuse it from the header and must bound the decoding itself."""
import lzma
import os
import sys
import tarfile

lie = "--lie" in sys.argv[1:]
args = [a for a in sys.argv[1:] if a != "--lie"]
out, size_mib = args[0], int(args[1])
CHUNK = 64 << 20
assert size_mib * (1 << 20) % CHUNK == 0, "SIZE_MIB must be a multiple of 64"
release = os.path.basename(out)[: -len(".btf.tar.xz")]
info = tarfile.TarInfo(release + ".btf")
info.size = (1 << 20) if lie else size_mib << 20
info.mode = 0o644
header = info.tobuf(format=tarfile.USTAR_FORMAT)
info.size = size_mib << 20
zeros = lzma.compress(bytes(CHUNK), preset=0)
with open(out, "wb") as f:
    f.write(lzma.compress(header, preset=0))
    for _ in range(info.size // CHUNK):
        f.write(zeros)
    # Content is a multiple of 512 bytes: no padding, then two zero blocks.
    f.write(lzma.compress(bytes(1024), preset=0))
