#!/usr/bin/env python3
"""bpftool-referee.py - Referee A: bpftool decides whether minimized BTF is
good enough.

    bpftool-referee.py [--keep DIR] KERNEL_BTF OUR_MIN_BTF OBJ...

bpftool (7.1, Debian's, linked with libbpf 1.1) runs its own CO-RE matching
for OBJ... twice, and the two results must be the same:

    bpftool gen min_core_btf KERNEL_BTF  a.btf OBJ...
    bpftool gen min_core_btf OUR_MIN_BTF b.btf OBJ...
    bpftool btf dump file a.btf  ==  bpftool btf dump file b.btf   (text)

If btfgen kept every type and member libbpf's matching touches, in the
kernel's order, bpftool finds the same targets in both inputs and writes the
same types in the same order, so the dumps (with bpftool's own IDs) are
identical. If bpftool fails on KERNEL_BTF (a libbpf hard error such as an
ambiguity), it must fail on OUR_MIN_BTF too, with the same error lines (type
IDs, file names and the values of "relocation decision ambiguity" messages
normalized: for target type ID relocations those values are type IDs).

KERNEL_BTF may be raw BTF or a BTFHub <release>.btf.tar.xz. Exit status: 0
agree, 1 disagree (a diff is printed), 2 usage or environment error.
"""

import difflib
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile

BPFTOOL = os.environ.get("BPFTOOL", "bpftool")


def extract_raw_btf(path, tmpdir):
    """Raw BTF path for path (a .btf or a BTFHub .btf.tar.xz)."""
    if not path.endswith(".tar.xz"):
        return path
    with tarfile.open(path, "r:xz") as tar:
        members = [m for m in tar.getmembers() if m.isfile() and m.name.endswith(".btf")]
        if len(members) != 1:
            raise RuntimeError("'%s': expected one .btf file in the tarball, found %d"
                               % (path, len(members)))
        out = os.path.join(tmpdir, "kernel.btf")
        with tar.extractfile(members[0]) as src, open(out, "wb") as dst:
            shutil.copyfileobj(src, dst)
        return out


def normalize_errors(text, paths):
    """Error lines of a bpftool run, comparable across inputs."""
    lines = []
    for line in text.splitlines():
        for p in paths:
            line = line.replace(p, "<btf>")
        line = re.sub(r"\[\d+\]", "[#]", line)
        # For a target type ID relocation the values in libbpf's ambiguity
        # message are target type IDs, which minimization renumbers; the
        # outcome (this relocation is ambiguous, the load fails) is the same.
        line = re.sub(r"(relocation decision ambiguity: \S+) \d+ != (\S+) \d+",
                      r"\1 # != \2 #", line)
        lines.append(line)
    return lines


def min_core_btf(src, dst, objs):
    """(ok, dump text or normalized error lines) of bpftool on src."""
    proc = subprocess.run([BPFTOOL, "gen", "min_core_btf", src, dst] + objs,
                          capture_output=True, text=True)
    if proc.returncode != 0:
        return False, normalize_errors(proc.stderr + proc.stdout, [src, dst])
    dump = subprocess.run([BPFTOOL, "btf", "dump", "file", dst],
                          capture_output=True, text=True)
    if dump.returncode != 0:
        raise RuntimeError("bpftool btf dump file %s failed: %s" % (dst, dump.stderr))
    return True, dump.stdout.splitlines()


def referee(kernel_btf, our_btf, objs, keep_dir=None):
    """Return (verdict, detail): verdict is 'agree', 'agree-both-fail' or
    'disagree'; detail is a short text (diff or error)."""
    tmp = tempfile.mkdtemp(prefix="btfgen-refA-")
    try:
        full = extract_raw_btf(kernel_btf, tmp)
        a = os.path.join(tmp, "a.btf")
        b = os.path.join(tmp, "b.btf")
        ok_a, out_a = min_core_btf(full, a, objs)
        ok_b, out_b = min_core_btf(our_btf, b, objs)
        if keep_dir:
            os.makedirs(keep_dir, exist_ok=True)
            for name, ok, out in (("full", ok_a, out_a), ("ours", ok_b, out_b)):
                with open(os.path.join(keep_dir, name + (".dump" if ok else ".err")), "w") as f:
                    f.write("\n".join(out) + "\n")
        if ok_a != ok_b:
            which = "full BTF" if not ok_a else "minimized BTF"
            errs = out_a if not ok_a else out_b
            return "disagree", ("bpftool failed only on the %s:\n  %s"
                                % (which, "\n  ".join(errs[-5:])))
        if out_a == out_b:
            return ("agree" if ok_a else "agree-both-fail",
                    "" if ok_a else "both failed: " + " | ".join(out_a[-2:]))
        diff = list(difflib.unified_diff(out_a, out_b, "bpftool(full)", "bpftool(ours)",
                                         lineterm="", n=1))
        return "disagree", "\n".join(diff[:60])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main(argv):
    keep = None
    if len(argv) > 2 and argv[1] == "--keep":
        keep = argv[2]
        argv = [argv[0]] + argv[3:]
    if len(argv) < 4:
        sys.stderr.write(__doc__)
        return 2
    if not shutil.which(BPFTOOL):
        sys.stderr.write("bpftool-referee: bpftool not found\n")
        return 2
    try:
        verdict, detail = referee(argv[1], argv[2], argv[3:], keep)
    except (OSError, RuntimeError, tarfile.TarError) as e:
        sys.stderr.write("bpftool-referee: %s\n" % e)
        return 2
    print("%s: %s" % (verdict, argv[1]))
    if detail:
        print(detail)
    return 0 if verdict.startswith("agree") else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
