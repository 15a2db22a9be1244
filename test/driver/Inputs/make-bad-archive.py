#!/usr/bin/env python3
"""Build a BTFHub-layout archive of hostile and broken kernels around a real
kernel BTF, for archive-err-all-bad-inputs.test.

usage: make-bad-archive.py SRC.btf.tar.xz OUTDIR

SRC is a real BTFHub tarball (examples/archive). Its raw BTF is extracted
(Python's tarfile/lzma, no btfgen code) and every kernel below is written as
bad/<case>/<arch of SRC>/<release>.btf.tar.xz holding one <release>.btf, unless the
case is about the tarball itself:

  tar/dotdot      the only entry is '../x.btf'
  tar/absolute    the only entry is '/btfgen-abs-x.btf' (tarfile strips the
                  leading '/', so the header is patched)
  tar/symlink     '<release>.btf' is a symlink to /etc/passwd
  tar/truncated   a valid tarball of the real BTF cut in half
  raw/badmagic    the real BTF with its magic 0xeb9f replaced by 0xdead;
                  also stored as a bare '<release>-bare.btf' next to it
  raw/typepast    hdr type_len grown so the type section ends past the file
  raw/stroff      name_off of the first named type set past the string section
  raw/selfloop    a TYPEDEF whose type is its own id
  raw/twocycle    TYPEDEF A -> CONST B -> A (B is a CONST of the BTF, rewired)

Prints one line per case, "CASE PATH DETAIL", where DETAIL names the type IDs
that were rewritten, so the test can check the reader's message against it.
"""
import io
import lzma
import os
import struct
import sys
import tarfile

HDR = struct.Struct("<HBBIIIII")  # magic version flags hdr_len type_off type_len str_off str_len

# Extra bytes after the 12-byte btf_type, per kind (linux include/uapi/linux/btf.h).
KIND_NAMES = {1: "INT", 2: "PTR", 3: "ARRAY", 4: "STRUCT", 5: "UNION", 6: "ENUM",
              7: "FWD", 8: "TYPEDEF", 9: "VOLATILE", 10: "CONST", 11: "RESTRICT",
              12: "FUNC", 13: "FUNC_PROTO", 14: "VAR", 15: "DATASEC", 16: "FLOAT",
              17: "DECL_TAG", 18: "TYPE_TAG", 19: "ENUM64"}


def extra_size(kind, vlen):
    if kind == 1:
        return 4
    if kind == 3:
        return 12
    if kind in (4, 5):
        return 12 * vlen
    if kind == 6:
        return 8 * vlen
    if kind == 13:
        return 8 * vlen
    if kind == 14:
        return 4
    if kind == 15:
        return 12 * vlen
    if kind == 17:
        return 4
    if kind == 19:
        return 12 * vlen
    return 0


def walk_types(btf):
    """Yield (id, offset of the btf_type record, kind, name_off, size_or_type)."""
    magic, _ver, _flags, hdr_len, type_off, type_len, _str_off, _str_len = HDR.unpack_from(btf)
    assert magic == 0xEB9F, "source is not little-endian raw BTF"
    pos = hdr_len + type_off
    end = pos + type_len
    tid = 1
    while pos < end:
        name_off, info, size_or_type = struct.unpack_from("<III", btf, pos)
        kind = (info >> 24) & 0x1F
        vlen = info & 0xFFFF
        yield tid, pos, kind, name_off, size_or_type
        pos += 12 + extra_size(kind, vlen)
        tid += 1
    assert pos == end, "type section does not parse"


def make_tar(entries, fmt=tarfile.USTAR_FORMAT):
    """entries: list of (name, bytes-or-None, linkname-or-None)."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=fmt) as tar:
        for name, data, link in entries:
            info = tarfile.TarInfo(name)
            info.mode = 0o644
            if link is not None:
                info.type = tarfile.SYMTYPE
                info.linkname = link
                tar.addfile(info)
            else:
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
    return bytearray(buf.getvalue())


def xz(raw):
    # Preset 0: these tarballs test the reader, not the ratio.
    return lzma.compress(bytes(raw), format=lzma.FORMAT_XZ, preset=0)


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def main():
    src, outdir = sys.argv[1], sys.argv[2]
    global ARCH
    base = os.path.basename(src)[: -len(".btf.tar.xz")]
    ARCH = os.path.basename(os.path.dirname(os.path.abspath(src)))
    with tarfile.open(src) as t:
        btf = t.extractfile(base + ".btf").read()
    types = list(walk_types(btf))
    magic, ver, flags, hdr_len, type_off, type_len, str_off, str_len = HDR.unpack_from(btf)
    out = []

    def kernel(case, release, payload_tar, detail):
        path = os.path.join(outdir, "bad", case, ARCH, release + ".btf.tar.xz")
        write(path, payload_tar)
        out.append("%s %s %s" % (case, os.path.relpath(path, outdir), detail))

    def btf_kernel(case, data, detail):
        release = case + "-" + base
        kernel(case, release, xz(make_tar([(release + ".btf", bytes(data), None)])), detail)

    # Tarball-level attacks.
    kernel("dotdot", "dotdot-" + base, xz(make_tar([("../x.btf", btf, None)])), "-")
    raw = make_tar([("x", btf, None)])
    hdr = raw[:512]
    newname = b"/btfgen-abs-x.btf"
    hdr[0:100] = newname + bytes(100 - len(newname))
    hdr[148:156] = b" " * 8
    hdr[148:156] = b"%06o\0 " % sum(hdr)
    raw[:512] = hdr
    kernel("absolute", "absolute-" + base, xz(raw), "-")
    rel = "symlink-" + base
    kernel("symlink", rel, xz(make_tar([(rel + ".btf", None, "/etc/passwd")])), "-")
    rel = "truncated-" + base
    whole = xz(make_tar([(rel + ".btf", btf, None)]))
    kernel("truncated", rel, whole[: len(whole) // 2], "-")

    # Real BTF, mutated.
    b = bytearray(btf)
    struct.pack_into("<H", b, 0, 0xDEAD)
    btf_kernel("badmagic", b, "-")
    bare = os.path.join(outdir, "bad", "badmagic", ARCH, "badmagic-" + base + "-bare.btf")
    write(bare, bytes(b))
    out.append("badmagic-bare %s -" % os.path.relpath(bare, outdir))

    b = bytearray(btf)
    # Type section [hdr_len+type_off, +type_len) now ends 4 KiB past the file.
    new_len = len(btf) - hdr_len - type_off + 4096
    struct.pack_into("<I", b, 12, new_len)
    btf_kernel("typepast", b, "type_len=%d" % new_len)

    b = bytearray(btf)
    tid, pos, kind, name_off, _ = next(t for t in types if t[3] != 0)
    struct.pack_into("<I", b, pos, str_len + 100)
    btf_kernel("stroff", b, "[%d] %s name_off=%d" % (tid, KIND_NAMES[kind], str_len + 100))

    b = bytearray(btf)
    tid, pos, kind, _, _ = next(t for t in types if t[2] == 8)
    struct.pack_into("<I", b, pos + 8, tid)
    btf_kernel("selfloop", b, "[%d] TYPEDEF -> [%d]" % (tid, tid))

    b = bytearray(btf)
    tds = [t for t in types if t[2] == 8]
    consts = [t for t in types if t[2] == 10]
    a, c = tds[1], consts[0]
    struct.pack_into("<I", b, a[1] + 8, c[0])
    struct.pack_into("<I", b, c[1] + 8, a[0])
    btf_kernel("twocycle", b, "[%d] TYPEDEF -> [%d] CONST -> [%d]" % (a[0], c[0], a[0]))

    for line in out:
        print(line)


if __name__ == "__main__":
    main()
