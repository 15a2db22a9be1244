#!/usr/bin/env python3
"""dump-c-vs-bpftool.py - `btfgen-driver dump --format c` against bpftool.

    dump-c-vs-bpftool.py --driver DRIVER [--clang CLANG] [-j N] PATH...

PATH is a BTF file (raw, an ELF object, a .btf.tar.xz) or a directory,
searched recursively for *.btf.tar.xz and *.btf regular files (an archive
or an output tree of run; symlinks are skipped). For each file:
  - bpftool prints `bpftool btf dump file RAW format c`, RAW being the file
    itself or, for a tarball, its single member unpacked by Python's tarfile
    (independent of the driver's reader);
  - the driver prints `DRIVER dump FILE --format c` from the file as given
    (a tarball is read by the driver itself);
  - the two outputs must be byte-identical (the first differing line is
    shown otherwise), and so must the exit statuses;
  - with --clang, the driver's header must compile: vmlinux-probe.bpf.c
    (next to this script) is compiled next to it with
    `CLANG --target=bpf -g -O2 -c`.
Prints one line per failure and the summary
    "dump-c: N/M identical to bpftool[, K/M compile]"
and exits 1 if any file failed.
"""

import argparse
import concurrent.futures
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
PROBE = os.path.join(HERE, "vmlinux-probe.bpf.c")


def find_inputs(paths):
    out = []
    for p in paths:
        if os.path.isdir(p):
            for root, dirs, files in os.walk(p):
                dirs.sort()
                out += [os.path.join(root, f) for f in sorted(files)
                        if f.endswith((".btf.tar.xz", ".btf"))
                        and not os.path.islink(os.path.join(root, f))]
        else:
            out.append(p)
    return out


def first_difference(a, b):
    al, bl = a.split(b"\n"), b.split(b"\n")
    for i, (x, y) in enumerate(zip(al, bl)):
        if x != y:
            return "line %d: bpftool %r, ours %r" % (i + 1, x, y)
    return "line %d: one output ends (bpftool %d lines, ours %d)" % (
        min(len(al), len(bl)) + 1, len(al), len(bl))


def check(path, args, work):
    """Returns (identical, compiled or None, message or None)."""
    raw = path
    if path.endswith(".tar.xz"):
        with tarfile.open(path) as tar:
            member = [m for m in tar.getmembers() if m.isfile()]
            if len(member) != 1:
                return False, None, "%s: expected one file in the tarball" % path
            raw = os.path.join(work, "raw.btf")
            with open(raw, "wb") as f:
                f.write(tar.extractfile(member[0]).read())
    theirs = subprocess.run(["bpftool", "btf", "dump", "file", raw, "format", "c"],
                            capture_output=True)
    ours = subprocess.run([args.driver, "dump", path, "--format", "c"],
                          capture_output=True)
    if (theirs.returncode == 0) != (ours.returncode == 0):
        return False, None, "%s: bpftool exit %d, ours %d: %s" % (
            path, theirs.returncode, ours.returncode, ours.stderr.decode().strip())
    if theirs.stdout != ours.stdout:
        return False, None, "%s: differs at %s" % (
            path, first_difference(theirs.stdout, ours.stdout))
    if not args.clang:
        return True, None, None
    with open(os.path.join(work, "vmlinux.h"), "wb") as f:
        f.write(ours.stdout)
    probe = os.path.join(work, "probe.bpf.c")
    shutil.copyfile(PROBE, probe)
    cc = subprocess.run([args.clang, "--target=bpf", "-g", "-O2", "-c", probe,
                         "-o", os.path.join(work, "probe.o")],
                        capture_output=True)
    if cc.returncode != 0:
        err = [l for l in cc.stderr.decode().splitlines() if "error:" in l]
        return True, False, "%s: header does not compile: %s" % (
            path, err[0] if err else "clang exit %d" % cc.returncode)
    return True, True, None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--driver", required=True)
    ap.add_argument("--clang")
    ap.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("paths", nargs="+")
    args = ap.parse_args()
    inputs = find_inputs(args.paths)
    if not inputs:
        print("dump-c: no inputs")
        return 1

    def job(path):
        with tempfile.TemporaryDirectory(prefix="dump-c-") as work:
            return check(path, args, work)

    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        results = list(pool.map(job, inputs))
    same = sum(1 for r in results if r[0])
    compiled = sum(1 for r in results if r[1])
    for _, _, msg in results:
        if msg:
            print(msg)
    summary = "dump-c: %d/%d identical to bpftool" % (same, len(inputs))
    if args.clang:
        summary += ", %d/%d compile" % (compiled, len(inputs))
    print(summary)
    ok = same == len(inputs) and (not args.clang or compiled == len(inputs))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
