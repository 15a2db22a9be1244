#!/usr/bin/env python3
"""conformance-corpus.py - run the referees over a whole driver output tree.

    conformance-corpus.py --archive DIR --ours OUT [--referee A|B|AB]
                          [--per-program] [-j N] [--kernels REGEX]
                          [--loadcheck PATH] [--log FILE] OBJ...

For every kernel <rel>.btf.tar.xz (or <rel>.btf) under the BTFHub-layout
archive DIR, btfgen-driver is expected to have written OUT/<rel>.btf (a
regular file or a symlink to an identical output). Then:

  A  bpftool-referee: `bpftool gen min_core_btf` on the full kernel BTF and
     on OUT/<rel>.btf, for all OBJs together (the set the driver minimized
     for), must give the same dump. With --per-program, also once per OBJ
     (for each program alone, against the same union output).
  B  btfgen-loadcheck --relocate-only OBJ FULL and OBJ OURS, for every OBJ:
     libbpf's CO-RE outcome lines and relocated instructions must be
     identical. Objects whose manifest (OBJ.btfgen.json) lists no
     relocation are skipped (libbpf does not even read the target BTF).

With --single-driver DRIVER, --ours is a scratch directory: for every OBJ
the driver is run on that program alone (its manifest if present, else the
object) into --ours/<obj>/, and referee A checks that program against its
own output (no other program's types can hide a missing one).

Prints one line per disagreement and a summary with counts:
  "referee A: 64 kernels x 37 programs: 64 agree (0 both-fail), 0 disagree, 0 missing"
Exit status 0 iff there is no disagreement and no missing output.
"""

import argparse
import concurrent.futures
import difflib
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location("bpftool_referee",
                                               os.path.join(HERE, "bpftool-referee.py"))
refA = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(refA)


def list_kernels(archive):
    """Sorted (relative output path, archive file) pairs."""
    out = []
    for root, _, files in os.walk(archive):
        for f in files:
            if f.endswith(".btf.tar.xz"):
                rel_out = f[: -len(".tar.xz")]
            elif f.endswith(".btf"):
                rel_out = f
            else:
                continue
            full = os.path.join(root, f)
            rel_dir = os.path.relpath(root, archive)
            out.append((os.path.normpath(os.path.join(rel_dir, rel_out)), full))
    return sorted(out)


def loadcheck(tool, obj, btf, out, pointer_size=False):
    flags = ["--relocate-only"] + (["--pointer-size"] if pointer_size else [])
    proc = subprocess.run([tool] + flags + [obj, btf, out],
                          capture_output=True, text=True)
    if proc.returncode not in (0,):
        raise RuntimeError("btfgen-loadcheck %s %s: exit %d: %s"
                           % (obj, btf, proc.returncode, proc.stderr.strip()[-300:]))
    with open(out) as f:
        return f.read()


def has_relocations(obj):
    """False only if the object's manifest exists and lists no relocation."""
    try:
        with open(obj + ".btfgen.json") as f:
            return bool(json.load(f).get("relocations"))
    except (OSError, ValueError):
        return True


def program_input(obj):
    m = obj + ".btfgen.json"
    return m if os.path.isfile(m) else obj


def run_single_drivers(args):
    """Run the driver once per program; return ({obj: output dir, or None
    if refused as it must be}, [objects wrongly not refused])."""
    outs = {}
    unrefused = []

    def one(obj):
        out = os.path.join(args.ours, os.path.basename(obj))
        # Referee A compares bpftool's own output shapes: it needs our
        # bpftool-shaped output (docs/core.md, "Shrinking").
        shape = ["--no-shrink"] if "A" in args.referee else []
        proc = subprocess.run([args.single_driver, "run", "--fail-on=never",
                               program_input(obj),
                               "--archive", args.archive, "-o", out, "-j", "1"]
                              + shape,
                              capture_output=True, text=True)
        if not has_relocations(obj):
            # Alone, an input without CO-RE relocations has nothing to be
            # tailored for: the driver must refuse it (bpftool would write
            # an empty BTF), and there is nothing for a referee to judge.
            if proc.returncode == 1 and "nothing to tailor BTF for" in proc.stderr:
                return obj, None
            print("driver did not refuse %s (no CO-RE relocation): exit %d: %s"
                  % (obj, proc.returncode, proc.stderr.strip()[-500:]))
            unrefused.append(obj)
        elif proc.returncode != 0:
            print("driver failed for %s: %s" % (obj, proc.stderr.strip()[-500:]))
        return obj, out

    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as ex:
        for obj, out in ex.map(one, args.objs):
            outs[obj] = out
    return outs, unrefused


def check_kernel_single(args, outs, rel, full_path):
    results = []
    tmp = tempfile.mkdtemp(prefix="btfgen-conf-")
    try:
        full = refA.extract_raw_btf(full_path, tmp)
        for obj in args.objs:
            if outs[obj] is None:
                results.append(("A", os.path.basename(obj), "skipped",
                                "no CO-RE relocation: refused alone, as it must be"))
                continue
            ours = os.path.join(outs[obj], rel)
            if not os.path.isfile(ours):
                results.append(("A", os.path.basename(obj), "missing", "no output %s" % ours))
                continue
            v, d = refA.referee(full, ours, [obj])
            results.append(("A", os.path.basename(obj), v, d))
    except Exception as e:
        results.append(("*", "*", "error", str(e)))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return results


def check_kernel(args, rel, full_path):
    """List of (referee, program, verdict, detail) for one kernel."""
    ours = os.path.join(args.ours, rel)
    results = []
    if not os.path.isfile(ours):
        return [("*", "*", "missing", "no output %s" % ours)]
    tmp = tempfile.mkdtemp(prefix="btfgen-conf-")
    try:
        full = refA.extract_raw_btf(full_path, tmp)
        if "A" in args.referee:
            v, d = refA.referee(full, ours, args.objs)
            results.append(("A", "all", v, d))
            if args.per_program and len(args.objs) > 1:
                for obj in args.objs:
                    v, d = refA.referee(full, ours, [obj])
                    results.append(("A", os.path.basename(obj), v, d))
        if "B" in args.referee:
            for obj in args.objs:
                name = os.path.basename(obj)
                if not has_relocations(obj):
                    results.append(("B", name, "skipped", "no CO-RE relocations"))
                    continue
                a = loadcheck(args.loadcheck, obj, full, os.path.join(tmp, "full.txt"))
                b = loadcheck(args.loadcheck, obj, ours, os.path.join(tmp, "ours.txt"))
                # Object names are the same; only the custom BTF path differs.
                if a == b:
                    relos = len(re.findall(r"^relo: ", a, re.M))
                    results.append(("B", name, "agree", "%d relocation lines" % relos))
                else:
                    diff = difflib.unified_diff(a.splitlines(), b.splitlines(),
                                                "libbpf(full)", "libbpf(ours)",
                                                lineterm="", n=1)
                    results.append(("B", name, "disagree", "\n".join(list(diff)[:40])))
    except Exception as e:  # a referee that cannot run is a failure, not a pass
        results.append(("*", "*", "error", str(e)))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return results


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--archive", required=True)
    ap.add_argument("--ours", required=True)
    ap.add_argument("--referee", default="A", choices=["A", "B", "AB"])
    ap.add_argument("--per-program", action="store_true")
    ap.add_argument("--kernels", default=None, help="only kernels whose path matches")
    ap.add_argument("--loadcheck", default=shutil.which("btfgen-loadcheck"))
    ap.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--log", default=None, help="write every verdict here")
    ap.add_argument("--single-driver", default=None,
                    help="run this btfgen-driver per program (referee A only)")
    ap.add_argument("objs", nargs="+")
    args = ap.parse_args()
    if "B" in args.referee and not args.loadcheck:
        ap.error("referee B needs --loadcheck")
    if not shutil.which(refA.BPFTOOL) and "A" in args.referee:
        ap.error("bpftool not found")

    kernels = list_kernels(args.archive)
    if args.kernels:
        kernels = [k for k in kernels if re.search(args.kernels, k[0])]
    if not kernels:
        print("conformance-corpus: no kernels under %s" % args.archive)
        return 1

    unrefused = []
    if args.single_driver:
        outs, unrefused = run_single_drivers(args)
        check = lambda rel, full: check_kernel_single(args, outs, rel, full)
    else:
        check = lambda rel, full: check_kernel(args, rel, full)
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as ex:
        futures = [ex.submit(check, rel, full) for rel, full in kernels]
        all_results = [(rel, f.result()) for (rel, _), f in zip(kernels, futures)]

    log = open(args.log, "w") if args.log else None
    counts = {}
    bad = 0
    for rel, results in all_results:
        for referee, prog, verdict, detail in results:
            key = referee if referee != "*" else "?"
            c = counts.setdefault(key, {})
            c[verdict] = c.get(verdict, 0) + 1
            if log:
                log.write("%s\t%s\t%s\t%s\n" % (rel, referee, prog, verdict))
            if verdict == "skipped":
                continue
            if not verdict.startswith("agree"):
                bad += 1
                print("%s: referee %s, %s: %s" % (rel, referee, prog, verdict.upper()))
                if detail:
                    print("  " + detail.replace("\n", "\n  "))
            elif verdict == "agree-both-fail":
                print("%s: referee %s, %s: bpftool fails on both (%s)" % (rel, referee, prog, detail))
    if log:
        log.close()
    n_k, n_p = len(kernels), len(args.objs)
    for key in sorted(counts):
        c = counts[key]
        what = {"A": "bpftool min_core_btf", "B": "libbpf load (relocate-only)",
                "?": "no referee ran"}[key]
        mode = " (one driver run per program)" if args.single_driver else ""
        print("referee %s (%s)%s: %d kernels x %d programs: %d agree (%d both-fail), "
              "%d disagree, %d missing, %d error, %d skipped"
              % (key, what, mode, n_k, n_p, c.get("agree", 0) + c.get("agree-both-fail", 0),
                 c.get("agree-both-fail", 0), c.get("disagree", 0), c.get("missing", 0),
                 c.get("error", 0), c.get("skipped", 0)))
    return 0 if bad == 0 and not unrefused else 1


if __name__ == "__main__":
    sys.exit(main())
