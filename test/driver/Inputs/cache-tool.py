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
#   age ENTRY...                set the mtime two hours back (LRU tests)
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


def main():
    cmd = sys.argv[1]
    if cmd == "find":
        root, ns, tarball = sys.argv[2:5]
        want = decode_tarball(tarball)
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
