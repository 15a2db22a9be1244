#!/usr/bin/env python3
"""Make BTFHub-style tarballs, good and hostile, for the driver's lit tests.

usage: make-tarball.py MODE OUT.btf.tar.xz [SRC]

The kernel release is OUT's file name minus ".btf.tar.xz"; SRC (raw BTF) is
the payload, default 64 bytes of zeros. Modes:
  plain     one regular file <release>.btf (what BTFHub ships)
  dotslash  the entry is named ./<release>.btf
  gnu       GNU tar format (ustar magic "ustar  ")
  pax       pax format with a pax header carrying the path
  dotdot    the entry is ../<release>.btf
  absolute  the entry is /<release>.btf
  symlink   <release>.btf is a symlink to /etc/passwd
  hardlink  a regular file plus <release>.btf hard-linked to it
  device    <release>.btf is a character device
  missing   the only entry is other.btf
  twice     <release>.btf appears twice
  corrupt   a valid tarball with bytes in the middle of the xz data flipped
  truncated a valid tarball cut in half
  notxz     the tar, not compressed
"""
import io
import lzma
import os
import sys
import tarfile


def main():
    mode, out = sys.argv[1], sys.argv[2]
    payload = open(sys.argv[3], "rb").read() if len(sys.argv) > 3 else bytes(64)
    release = os.path.basename(out)
    for suffix in (".btf.tar.xz",):
        if release.endswith(suffix):
            release = release[: -len(suffix)]
    name = release + ".btf"
    fmt = {"gnu": tarfile.GNU_FORMAT, "pax": tarfile.PAX_FORMAT}.get(mode, tarfile.USTAR_FORMAT)
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=fmt) as tar:

        def add_file(entry_name, data=payload):
            info = tarfile.TarInfo(entry_name)
            info.size = len(data)
            info.mode = 0o644
            if mode == "pax":
                info.pax_headers = {"path": entry_name, "comment": "btfgen test"}
            tar.addfile(info, io.BytesIO(data))

        if mode in ("plain", "gnu", "pax", "corrupt", "truncated", "notxz"):
            add_file(name)
        elif mode == "dotslash":
            add_file("./" + name)
        elif mode == "dotdot":
            add_file("../" + name)
        elif mode == "absolute":
            info = tarfile.TarInfo("x")
            info.size = len(payload)
            tar.addfile(info, io.BytesIO(payload))
            # tarfile strips a leading "/" from names; patch the header below.
        elif mode == "symlink":
            info = tarfile.TarInfo(name)
            info.type = tarfile.SYMTYPE
            info.linkname = "/etc/passwd"
            tar.addfile(info)
        elif mode == "hardlink":
            add_file("real.btf")
            info = tarfile.TarInfo(name)
            info.type = tarfile.LNKTYPE
            info.linkname = "real.btf"
            tar.addfile(info)
        elif mode == "device":
            info = tarfile.TarInfo(name)
            info.type = tarfile.CHRTYPE
            info.devmajor, info.devminor = 1, 3
            tar.addfile(info)
        elif mode == "missing":
            add_file("other.btf")
        elif mode == "twice":
            add_file(name)
            add_file(name)
        else:
            sys.exit("unknown mode " + mode)
    raw = bytearray(buf.getvalue())
    if mode == "absolute":
        # Rewrite the first header's name to "/<name>" and fix the checksum.
        hdr = raw[:512]
        newname = ("/" + name).encode()
        hdr[0:100] = newname + bytes(100 - len(newname))
        hdr[148:156] = b" " * 8
        hdr[148:156] = b"%06o\0 " % sum(hdr)
        raw[:512] = hdr
    if mode == "notxz":
        data = bytes(raw)
    else:
        # Preset 0: these tarballs test the reader, not the ratio; preset 6
        # made each 4 MB kernel take seconds to compress.
        data = lzma.compress(bytes(raw), format=lzma.FORMAT_XZ, preset=0)
    if mode == "corrupt":
        data = bytearray(data)
        mid = len(data) // 2
        for i in range(mid, min(mid + 16, len(data) - 32)):
            data[i] ^= 0xFF
        data = bytes(data)
    elif mode == "truncated":
        data = data[: len(data) // 2]
    with open(out, "wb") as f:
        f.write(data)


if __name__ == "__main__":
    main()
