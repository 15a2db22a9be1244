#!/usr/bin/env python3
# ===- test/tools/verdict-vs-verifier.py - verdicts against the verifier ---===#
#
# The acceptance test of btfgen's load verdicts: for every (program, kernel)
# pair of the given objects x kernels, this machine's verifier (through
# ../shared/referees/verifier/verifier-referee: each program loaded alone,
# CO-RE-relocated for the kernel's BTF) and btfgen-verdict (the core's
# engine, told that the verifier is this machine's) must agree:
#
#   verdict-vs-verifier.py --referee R --verdict V --archive CORPUS
#       [--kernels REGEX] [--release RELEASE] [-j N] [--log FILE]
#       [--referee-cache DIR] OBJ...
#
# Pairs the referee skips (a failure unrelated to CO-RE: attach target
# absent on this host, a BTF-typed program this host's BTF refuses, map
# limits) are counted by reason and left out. Every counted pair is one of:
# agree (both "loads", or both "fails"), disagree, or unknown (btfgen says
# "unknown"). For "fails poison" pairs, whether both name the same
# relocation is reported too. Exit status 0 iff no pair disagrees and
# fewer than 2% of the counted pairs are unknown.
#
# ===----------------------------------------------------------------------===#

import argparse
import collections
import concurrent.futures
import hashlib
import lzma
import os
import platform
import re
import subprocess
import sys
import tarfile
import tempfile


def kernel_files(archive, pattern):
    """(archive-relative path, path) of every kernel BTF matching pattern."""
    out = []
    for root, _dirs, files in os.walk(archive):
        for f in files:
            if not (f.endswith(".btf.tar.xz") or f.endswith(".btf")):
                continue
            path = os.path.join(root, f)
            rel = os.path.relpath(path, archive)
            if pattern and not re.search(pattern, rel):
                continue
            out.append((rel, path))
    return sorted(out)


def raw_btf(path, tmp):
    """A raw .btf file for path (decompressed into tmp when a tarball)."""
    if path.endswith(".btf"):
        return path
    with tarfile.open(path, "r:xz") as tar:
        member = next(m for m in tar.getmembers() if m.isfile())
        dest = os.path.join(tmp, hashlib.sha256(path.encode()).hexdigest()[:16],
                            os.path.basename(member.name))
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        with tar.extractfile(member) as src, open(dest, "wb") as out:
            out.write(src.read())
    return dest


def parse(text):
    """{program: (verdict, rest)} from referee/verdict output."""
    out = {}
    for line in text.splitlines():
        if not line or line.startswith("#") or line.startswith(" "):
            continue
        parts = line.split(" ", 2)
        if len(parts) < 2:
            continue
        out[parts[0]] = (parts[1], parts[2] if len(parts) > 2 else "")
    return out


def run(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def referee(args, obj, btf):
    key = None
    if args.referee_cache:
        h = hashlib.sha256()
        for f in (obj, btf):
            with open(f, "rb") as fh:
                h.update(hashlib.sha256(fh.read()).digest())
        h.update(platform.release().encode())
        key = os.path.join(args.referee_cache, h.hexdigest() + ".txt")
        if os.path.exists(key):
            with open(key) as fh:
                return fh.read()
    rc, out, err = run([args.referee, obj, btf])
    if rc != 0:
        raise RuntimeError("%s %s %s: exit %d: %s" % (args.referee, obj, btf, rc, err))
    if key:
        os.makedirs(args.referee_cache, exist_ok=True)
        with open(key + ".tmp", "w") as fh:
            fh.write(out)
        os.replace(key + ".tmp", key)
    return out


def skip_reason(rest):
    """Why the referee skipped: the errno, named."""
    err = rest.split(" ", 1)[0]
    return {"-1": "EPERM (attach target absent on this host)",
            "-13": "EACCES (refused by this host's BTF: BTF-typed program)",
            "-22": "EINVAL (map or object setup)",
            "-3": "ESRCH (attach target absent on this host)",
            "-7": "E2BIG",
            }.get(err, "errno " + err)


def judge_pair(args, obj, rel, btf):
    ref = parse(referee(args, obj, btf))
    rc, out, err = run([args.verdict, obj, btf, "--release", args.release])
    if rc != 0:
        raise RuntimeError("%s %s %s: exit %d: %s" % (args.verdict, obj, btf, rc, err))
    ours = parse(out)
    rows = []
    for prog, (rv, rrest) in ref.items():
        ov, orest = ours.get(prog, ("missing", ""))
        rows.append((os.path.basename(obj), rel, prog, rv, rrest, ov, orest))
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--referee", required=True)
    ap.add_argument("--verdict", required=True)
    ap.add_argument("--archive", required=True)
    ap.add_argument("--kernels", default="")
    ap.add_argument("--release", default=platform.release())
    ap.add_argument("-j", type=int, default=1)
    ap.add_argument("--log")
    ap.add_argument("--referee-cache")
    ap.add_argument("objs", nargs="+")
    args = ap.parse_args()

    counts = collections.Counter()
    skips = collections.Counter()
    same_poison = collections.Counter()
    problems = []
    log = open(args.log, "w") if args.log else None
    with tempfile.TemporaryDirectory() as tmp:
        kernels = [(rel, raw_btf(p, tmp))
                   for rel, p in kernel_files(args.archive, args.kernels)]
        jobs = [(obj, rel, btf) for rel, btf in kernels for obj in args.objs]
        with concurrent.futures.ThreadPoolExecutor(max_workers=args.j) as pool:
            results = list(pool.map(lambda j: judge_pair(args, *j), jobs))
    for rows in results:
        for obj, rel, prog, rv, rrest, ov, orest in rows:
            line = "%s %s %s: verifier %s %s | btfgen %s %s" % (
                rel, obj, prog, rv, rrest, ov, orest)
            if log:
                log.write(line + "\n")
            if rv == "skip":
                skips[skip_reason(rrest)] += 1
                continue
            counts["counted"] += 1
            if ov == "unknown":
                counts["unknown"] += 1
                problems.append("UNKNOWN " + line)
            elif ov == rv:
                counts["agree"] += 1
                counts["agree-" + rv] += 1
                if rv == "fails" and rrest.startswith("poison"):
                    same_poison["same" if rrest == orest else "other"] += 1
            else:
                counts["disagree"] += 1
                problems.append("DISAGREE " + line)
    if log:
        log.close()
    for p in problems[:40]:
        print(p)
    nk = len({r[1] for rows in results for r in rows})
    print("verdicts vs verifier: %d kernels x %d objects: %d pairs counted "
          "(%d loads, %d fails by the verifier), %d skipped" % (
              nk, len(args.objs), counts["counted"],
              counts["agree-loads"] + sum(1 for p in problems if " verifier loads " in p),
              counts["agree-fails"] + sum(1 for p in problems if " verifier fails " in p),
              sum(skips.values())))
    for reason, n in sorted(skips.items()):
        print("  skipped: %d %s" % (n, reason))
    unknown_pct = 100.0 * counts["unknown"] / max(1, counts["counted"])
    print("agree %d, disagree %d, unknown %d (%.2f%%); failing poisons named "
          "alike %d, differently %d" % (
              counts["agree"], counts["disagree"], counts["unknown"],
              unknown_pct, same_poison["same"], same_poison["other"]))
    ok = counts["disagree"] == 0 and unknown_pct < 2.0 and counts["counted"] > 0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
