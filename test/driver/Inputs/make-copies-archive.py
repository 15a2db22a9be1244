#!/usr/bin/env python3
"""Make a bigger archive out of a small one, for tests that need a driver
run to last a while (archive-kill-mid-run.test).

usage: make-copies-archive.py SRC-ARCHIVE DEST N

DEST gets every <release>.btf.tar.xz of SRC-ARCHIVE (symlinked, same
relative path) and, for each of them, N raw copies of its BTF named
copies<I>/<version>/<arch>/<release>-copy<I>.btf (symlinks to one extracted
raw file per kernel in DEST/../raw). The copies are real kernel BTF under
other release names: the driver decodes the tarballs, parses every copy, and
dedups the copies' outputs into symlinks across directories.
"""
import os
import sys
import tarfile


def main():
    src, dest, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    raw_dir = os.path.join(os.path.dirname(os.path.abspath(dest)), "raw")
    os.makedirs(raw_dir, exist_ok=True)
    count = 0
    for d, _dirs, files in sorted(os.walk(src)):
        for f in sorted(files):
            if not f.endswith(".btf.tar.xz"):
                continue
            rel = os.path.relpath(os.path.join(d, f), src)
            release = f[: -len(".btf.tar.xz")]
            os.makedirs(os.path.join(dest, os.path.dirname(rel)), exist_ok=True)
            os.symlink(os.path.abspath(os.path.join(d, f)), os.path.join(dest, rel))
            count += 1
            raw = os.path.join(raw_dir, release + ".btf")
            with tarfile.open(os.path.join(d, f)) as t:
                data = t.extractfile(release + ".btf").read()
            with open(raw, "wb") as out:
                out.write(data)
            parts = rel.split(os.sep)  # distro/version/arch/file
            for i in range(n):
                cdir = os.path.join(dest, "copies%d" % i, parts[1], parts[2])
                os.makedirs(cdir, exist_ok=True)
                os.symlink(raw, os.path.join(cdir, "%s-copy%d.btf" % (release, i)))
                count += 1
    print("%d kernels" % count)


if __name__ == "__main__":
    main()
