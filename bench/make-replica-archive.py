#!/usr/bin/env python3
"""make-replica-archive.py - a BTFHub-sized archive made of real kernels.

    make-replica-archive.py CORPUS N DEST

Writes N tarballs under DEST in BTFHub's layout, made from the kernels of
CORPUS (a BTFHub-layout archive) in turn: replica i of kernel
<d>/<v>/<a>/<release>.btf.tar.xz is <d>/<v>/<a>/<release>-r<i>.btf.tar.xz
holding <release>-r<i>.btf, whose content is the kernel's BTF. Every
tarball has distinct bytes (the tar header names the replica) and is a
valid .xz file that `xz -dc`, `tar -xJf` and btfgen-driver decode: two
concatenated xz streams (the xz file format, section 2.1, allows any
number), the first holding the replica's 512-byte tar header, the second
the BTF, its padding and the end-of-archive blocks, compressed once per
kernel with xz's default preset 6 as BTFHub's tarballs are. Decoding a
replica is thus the same work as decoding its kernel's tarball.
"""

import io
import lzma
import os
import sys
import tarfile


def kernels(root):
    out = []
    for d, _, files in os.walk(root):
        for f in files:
            if f.endswith(".btf.tar.xz"):
                out.append(os.path.relpath(os.path.join(d, f), root))
    return sorted(out)


def btf_of(path):
    with tarfile.open(path, "r:xz") as t:
        m = next(m for m in t.getmembers() if m.isfile())
        return m, t.extractfile(m).read()


def main():
    corpus, n, dest = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    ks = kernels(corpus)
    if not ks:
        raise SystemExit("make-replica-archive: no kernels in " + corpus)
    bodies = {}
    for i in range(n):
        k = ks[i % len(ks)]
        if k not in bodies:
            member, data = btf_of(os.path.join(corpus, k))
            pad = (-len(data)) % 512
            body = data + b"\0" * pad + b"\0" * 1024
            bodies[k] = (member, len(data), lzma.compress(body, preset=6))
            print("make-replica-archive: %s (%d bytes)" % (k, len(data)), file=sys.stderr)
        member, size, body_xz = bodies[k]
        rel = k[:-len(".btf.tar.xz")] + "-r%04d" % i
        info = tarfile.TarInfo(os.path.basename(rel) + ".btf")
        info.size, info.mode, info.mtime = size, member.mode, member.mtime
        header = info.tobuf(format=tarfile.GNU_FORMAT)
        assert len(header) == 512
        out = os.path.join(dest, rel + ".btf.tar.xz")
        os.makedirs(os.path.dirname(out), exist_ok=True)
        with open(out, "wb") as f:
            f.write(lzma.compress(header, preset=6))
            f.write(body_xz)
    print("make-replica-archive: %d tarballs from %d kernels in %s" % (n, len(bodies), dest))


if __name__ == "__main__":
    main()
