#!/usr/bin/env python3
"""basis-subsets.py - kernel bases (btfgen/KernelBasis.h) on real inputs.

    basis-subsets.py --driver BTFGEN --archive DIR --work DIR OBJECT...

A cold run of every OBJECT over the archive (its own cache under WORK)
records each kernel's basis. Then each of these subsets of the objects,
on a copy of that cache with the results removed, is tailored from the
bases, and also without any cache:

    one       the first object
    first5    the first five
    odd       every other one (the 2nd, 4th, ...)
    last10    the last ten
    noshrink  all but the last, --no-shrink

For each it prints "SUBSET: K basis hits of N kernels, trees same, reports
same" (or what differs). Exit status 1 if any tree or report differs.
"""

import argparse
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys


def run(cmd):
    p = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                       text=True)
    if p.returncode not in (0, 1):
        sys.exit("failed (%d): %s\n%s" % (p.returncode, " ".join(cmd), p.stderr))
    return p.stderr


# Trees are compared entry by entry with check-dedup.py's walk (paths,
# kinds, symlink texts, content hashes).
_spec = importlib.util.spec_from_file_location(
    "check_dedup", os.path.join(os.path.dirname(os.path.abspath(__file__)), "check-dedup.py"))
check_dedup = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(check_dedup)


def report(path):
    r = json.load(open(path))
    r.pop("output_dir", None)
    return r


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--driver", required=True)
    ap.add_argument("--archive", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("objects", nargs="+")
    a = ap.parse_args()
    objs = sorted(a.objects)
    common = ["--archive", a.archive, "-j", "2", "--fail-on", "never"]
    cache0 = os.path.join(a.work, "cache0")
    run([a.driver, "run"] + objs + common + ["-o", os.path.join(a.work, "full"),
                                             "--cache-dir", cache0])
    subsets = [("one", objs[:1], []), ("first5", objs[:5], []),
               ("odd", objs[1::2], []), ("last10", objs[-10:], []),
               ("noshrink", objs[:-1], ["--no-shrink"])]
    bad = 0
    for name, sub, extra in subsets:
        w = os.path.join(a.work, name)
        cache = os.path.join(w, "cache")
        shutil.copytree(cache0, cache)
        shutil.rmtree(os.path.join(cache, "v2", "out"), ignore_errors=True)
        err = run([a.driver, "run"] + sub + common + extra +
                  ["-o", os.path.join(w, "b"), "--report", os.path.join(w, "b.json"),
                   "--cache-dir", cache, "-v"])
        run([a.driver, "run"] + sub + common + extra +
            ["-o", os.path.join(w, "u"), "--report", os.path.join(w, "u.json"),
             "--no-cache"])
        m = re.search(r"(\d+) basis hits, \d+ kernel BTF hits, (\d+) kernels", err)
        hits = "%s basis hits of %s kernels" % (m.group(1), m.group(2)) if m else "no cache line"
        same_tree = check_dedup.walk(os.path.join(w, "b")) == \
            check_dedup.walk(os.path.join(w, "u"))
        same_report = report(os.path.join(w, "b.json")) == report(os.path.join(w, "u.json"))
        bad += not (same_tree and same_report)
        print("%s: %s, trees %s, reports %s" % (name, hits, "same" if same_tree else "DIFFER",
                                                "same" if same_report else "DIFFER"))
        shutil.rmtree(cache)
    shutil.rmtree(cache0)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
