#!/usr/bin/env python3
# cache-tool.py - inspect and damage btfgen cache entries (tests only).
#
#   find CACHE_DIR btf TARBALL  path of the kernel entry for TARBALL: the
#                               entry whose payload is the tarball's stored
#                               view, computed here independently (view()
#                               below, after btfgen/KernelView.h)
#   check ENTRY...              "entry ok" if header (magic, length) and
#                               payload agree, else "bad: why"
#
# ENTRY is a path, a glob pattern (every match, sorted), or @FILE (the path
# written in FILE), since lit's shell has no backquotes or loops.
#   flip ENTRY                  flip one payload byte
#   truncate ENTRY              drop the last 100 bytes
#   magic ENTRY                 overwrite the magic
#
#   age ENTRY...                set the mtime two hours back (LRU tests)
#   forget NAME ENTRY...        rewrite a kernel basis entry ("bas",
#                               btfgen/KernelBasis.h) without the looked-up
#                               name NAME, as a valid entry (checksum
#                               recomputed; needs Debian's python3-xxhash)
#
# Entry layout (driver/Cache.cpp): "BTFGCAC2", u64 stored length, u64 xxh3,
# 24 key bytes, then the stored bytes: u64 payload length and one zstd
# frame of the payload. xxh3 is not in Python's stdlib, so "check" checks
# magic and lengths and that the frame decompresses (zstd(1)) to the
# payload length; "find" compares payloads with a fresh decode.
import glob
import io
import subprocess
import time
import lzma
import os
import struct
import sys
import tarfile

HDR = 48
MAGIC = b"BTFGCAC2"


def payload(b):
    """The decompressed payload of entry bytes b, or None."""
    if len(b) < HDR + 8:
        return None
    p = subprocess.run(["zstd", "-dcq"], input=bytes(b[HDR + 8:]), capture_output=True)
    if p.returncode != 0:
        return None
    return p.stdout


def decode_tarball(path):
    data = lzma.decompress(open(path, "rb").read())
    with tarfile.open(fileobj=io.BytesIO(data)) as t:
        for m in t.getmembers():
            if m.isfile() and m.name.lstrip("./").endswith(".btf"):
                return t.extractfile(m).read()
    raise SystemExit("no .btf in " + path)


DROPPED = {12, 14, 15, 17}  # FUNC, VAR, DATASEC, DECL_TAG
# Extra bytes after the 12-byte record, and where names and type IDs are in
# them (word indexes of one entry, entry size in words), per kind.
EXTRA = {1: (1, 0, (), ()), 3: (3, 0, (), (0, 1)), 4: (3, 1, (0,), (1,)),
         5: (3, 1, (0,), (1,)), 6: (2, 1, (0,), ()), 13: (2, 1, (0,), (1,)),
         14: (1, 0, (), ()), 15: (3, 1, (), (0,)), 17: (1, 0, (), ()),
         19: (3, 1, (0,), ())}
REF_KINDS = {2, 7, 8, 9, 10, 11, 12, 13, 14, 17, 18}  # type word is an ID


def view(btf):
    """The stored kernel view of raw BTF btf, as btfgen/KernelView.h and
    KernelView.cpp define it: the named records of kinds not in DROPPED and
    all they refer to are kept; the stored form is a header ("BTFGVIEW",
    the number of type IDs N, the number K kept), a bitmap of the kept IDs,
    and the kept records as raw BTF, renumbered by rank, with a string
    section of the strings they name in their order in btf."""
    _, _, _, hl, toff, tlen, soff, slen = struct.unpack_from("<HBBIIIII", btf, 0)
    ts, ss = hl + toff, hl + soff
    recs = [None]
    p = ts
    while p < ts + tlen:
        name, info, st = struct.unpack_from("<III", btf, p)
        kind, vlen = (info >> 24) & 0x1f, info & 0xffff
        words, per_vlen, _, _ = EXTRA.get(kind, (0, 0, (), ()))
        n = words * (vlen if per_vlen else 1)
        recs.append((name, info, st, list(struct.unpack_from("<%dI" % n, btf, p + 12))))
        p += 12 + 4 * n

    def string(off):
        return btf[ss + off:btf.index(b"\0", ss + off)]

    def refs(r):
        name, info, st, data = r
        kind, vlen = (info >> 24) & 0x1f, info & 0xffff
        out = [st] if kind in REF_KINDS else []
        words, per_vlen, _, ids = EXTRA.get(kind, (0, 0, (), ()))
        for i in range(vlen if per_vlen else (1 if words else 0)):
            out += [data[i * words + j] for j in ids]
        return out

    keep = [False] * len(recs)
    work = [i for i in range(1, len(recs))
            if (recs[i][1] >> 24) & 0x1f not in DROPPED and string(recs[i][0])]
    for i in work:
        keep[i] = True
    while work:
        for t in refs(recs[work.pop()]):
            if 0 < t < len(recs) and not keep[t]:
                keep[t] = True
                work.append(t)
    kept = [i for i in range(1, len(recs)) if keep[i]]
    new_id = {0: 0}
    for rank, i in enumerate(kept, 1):
        new_id[i] = rank

    def name_slots(r):
        """Indexes into data of the string offsets of record r."""
        kind, vlen = (r[1] >> 24) & 0x1f, r[1] & 0xffff
        words, per_vlen, names, _ = EXTRA.get(kind, (0, 0, (), ()))
        return [e * words + j for e in range(vlen if per_vlen else 0) for j in names]

    used = set()
    for i in kept:
        used.add(recs[i][0])
        used.update(recs[i][3][k] for k in name_slots(recs[i]))
    table, new_off = bytearray(b"\0"), {0: 0}
    for off in sorted(used - {0}):
        new_off[off] = len(table)
        table.extend(string(off) + b"\0")

    types = bytearray()
    for i in kept:
        name, info, st, data = recs[i]
        kind, vlen = (info >> 24) & 0x1f, info & 0xffff
        data = list(data)
        for k in name_slots(recs[i]):
            data[k] = new_off[data[k]]
        words, per_vlen, _, ids = EXTRA.get(kind, (0, 0, (), ()))
        for e in range(vlen if per_vlen else (1 if words else 0)):
            for j in ids:
                data[e * words + j] = new_id[data[e * words + j]]
        types += struct.pack("<III", new_off[name], info,
                             new_id[st] if kind in REF_KINDS else st)
        types += struct.pack("<%dI" % len(data), *data)
    raw = struct.pack("<HBBIIIII", 0xeB9F, 1, 0, 24, 0, len(types), len(types),
                      len(table)) + bytes(types) + bytes(table)
    n = len(recs)
    bitmap = bytearray((n - 1 + 7) // 8)
    for i in kept:
        bitmap[(i - 1) // 8] |= 1 << ((i - 1) % 8)
    head = b"BTFGVIEW" + struct.pack("<II", n, len(kept)) + bytes(bitmap)
    head += b"\0" * (-len(head) % 4)
    return head + raw


def forget(path, name):
    """Rewrite basis entry path without the looked-up name `name`."""
    import xxhash
    b = open(path, "rb").read()
    p = payload(b)
    if p is None or b[:8] != MAGIC:
        raise SystemExit("not an entry: " + path)
    # Basis payload (driver/Cache.cpp): u32 format, then the basis.
    head, basis = p[:4], p[4:]
    if basis[:8] != b"BTFGBASE":
        raise SystemExit("not a basis: " + path)
    r, m, s = struct.unpack_from("<III", basis, 8)
    at = 20 + 4 * r
    names = basis[at:at + s].split(b"\0")[:-1]
    rest = basis[at + s + (-s % 4):]
    if name.encode() not in names:
        raise SystemExit("no name %s in %s" % (name, path))
    names.remove(name.encode())
    blob = b"".join(x + b"\0" for x in names)
    new = (basis[:8] + struct.pack("<III", r, m - 1, len(blob)) +
           basis[20:at] + blob + b"\0" * (-len(blob) % 4) + rest)
    new_payload = head + new
    frame = subprocess.run(["zstd", "-qc"], input=new_payload,
                           capture_output=True, check=True).stdout
    stored = struct.pack("<Q", len(new_payload)) + frame
    out = (MAGIC + struct.pack("<QQ", len(stored), xxhash.xxh3_64_intdigest(stored)) +
           b[24:HDR] + stored)
    with open(path, "wb") as f:
        f.write(out)


def main():
    cmd = sys.argv[1]
    if cmd == "forget":
        for e in sorted(glob.glob(sys.argv[3])):
            forget(e, sys.argv[2])
        return
    if cmd == "find":
        root, ns, tarball = sys.argv[2:5]
        want = view(decode_tarball(tarball))
        hits = []
        for e in sorted(glob.glob(os.path.join(root, "v2", ns, "*", "*"))):
            b = open(e, "rb").read()
            if payload(b) == want:
                hits.append(e)
        if len(hits) != 1:
            raise SystemExit("found %d entries" % len(hits))
        print(hits[0])
        return
    paths = []
    for a in sys.argv[2:]:
        if a.startswith("@"):
            paths.append(open(a[1:]).read().strip())
        elif any(c in a for c in "*?["):
            paths.extend(sorted(glob.glob(a)))
        else:
            paths.append(a)
    if not paths:
        raise SystemExit("no entries")
    for path in paths:
        edit(cmd, path)


def edit(cmd, path):
    b = bytearray(open(path, "rb").read())
    if cmd == "check":
        if b[:8] != MAGIC:
            print("bad: magic")
        elif struct.unpack_from("<Q", b, 8)[0] != len(b) - HDR:
            print("bad: length")
        else:
            raw = payload(b)
            if raw is None or len(raw) != struct.unpack_from("<Q", b, HDR)[0]:
                print("bad: payload")
            else:
                print("entry ok")
        return
    if cmd == "age":
        t = time.time() - 7200
        os.utime(path, (t, t))
        return
    if cmd == "flip":
        b[HDR + (len(b) - HDR) // 2] ^= 0x55
    elif cmd == "truncate":
        del b[-100:]
    elif cmd == "magic":
        b[0:8] = b"XXXXXXXX"
    else:
        raise SystemExit("unknown command " + cmd)
    with open(path, "wb") as f:
        f.write(b)


if __name__ == "__main__":
    main()
