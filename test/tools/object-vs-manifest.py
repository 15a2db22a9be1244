#!/usr/bin/env python3
"""object-vs-manifest.py - object mode and manifest mode give the same BTF.

    object-vs-manifest.py --driver BTFGEN --archive DIR --work DIR
                          [--together] [--cache-dir DIR] [-j N] OBJ...

Every OBJ (a BPF object built with the clang plugin) must have its manifest
OBJ.btfgen.json next to it. btfgen-driver is run on the objects and, with
the same options, on the manifests; the two output trees must be identical
(same paths, same kinds, same symlink texts, same bytes; check-dedup.py's
--same check):

  --together   one run with all objects, one with all manifests
               (WORK/obj, WORK/man)
  default      one run per program in each mode (WORK/obj/<name>,
               WORK/man/<name>), N programs at a time with -j 1 each
  --verdicts   also compare the load verdicts: the "verdicts" list of every
               kernel of the two reports (--report), with each verdict's
               "object" (the input path) taken without ".btfgen.json";
               prints "verdicts: N (program, kernel) pairs: L loads,
               F fails, U unknown; D differ" (a difference fails the run)
  --verifier V with --verdicts: first check each manifest's recorded code
               against its object (`V --same-code MANIFEST OBJ`, the
               btfgen-verdict test tool); prints "code: N of N manifests
               give their object's programs"

For every output file that differs, both files are printed with
`btfgen-driver dump` and the first lines of the diff shown, so a failure
says which kernel and which types. Prints
  "object-vs-manifest (MODE): P programs x K kernels: T tree pairs, I identical, D differ"
Exit status 0 iff every tree pair is identical and no driver run failed.
"""

import argparse
import concurrent.futures
import difflib
import importlib.util
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location("check_dedup",
                                               os.path.join(HERE, "check-dedup.py"))
dedup = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(dedup)


def run_driver(args, inputs, out, jobs, report=None):
    cmd = [args.driver, "run"] + inputs + ["--archive", args.archive, "-o", out,
                                           "-j", str(jobs), "--fail-on=never"]
    if report:
        cmd += ["--report", report]
    if args.cache_dir:
        cmd += ["--cache-dir", args.cache_dir]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        return "driver failed (exit %d): %s\n  %s" % (
            proc.returncode, " ".join(cmd), proc.stderr.strip()[-800:])
    return None


def dump(args, path):
    proc = subprocess.run([args.driver, "dump", path], capture_output=True, text=True)
    return (proc.stdout + proc.stderr).splitlines()


def compare(args, label, a, b):
    """(identical, report lines) for trees a (objects) and b (manifests)."""
    ea, eb = dedup.walk(a), dedup.walk(b)
    lines = []
    for rel in sorted(set(ea) | set(eb)):
        if rel not in ea or rel not in eb:
            lines.append("%s: %s: only in %s mode" % (label, rel,
                                                      "object" if rel in ea else "manifest"))
        elif ea[rel][:2] != eb[rel][:2]:
            ka, kb = ea[rel][0], eb[rel][0]
            lines.append("%s: %s: differs (object: %s, manifest: %s)" % (
                label, rel, ea[rel][1] if ka == "link" else "file %d bytes" % ea[rel][2],
                eb[rel][1] if kb == "link" else "file %d bytes" % eb[rel][2]))
            if ka == "file" and kb == "file":
                diff = difflib.unified_diff(dump(args, os.path.join(a, rel)),
                                            dump(args, os.path.join(b, rel)),
                                            "object mode", "manifest mode",
                                            lineterm="", n=1)
                lines += ["    " + l for l in list(diff)[:60]]
    if not ea:
        lines.append("%s: no output at all" % label)
    return not lines, lines, len(ea)


def verdict_rows(path):
    """{(kernel path, object, program): verdict record} of a report."""
    import json
    with open(path) as f:
        rep = json.load(f)
    rows = {}
    for k in rep["kernels"]:
        for v in k.get("verdicts", []):
            v = dict(v)
            obj = v["object"]
            if obj.endswith(".btfgen.json"):
                obj = obj[:-len(".btfgen.json")]
            v["object"] = obj
            rows[(k["path"], obj, v["program"])] = v
    return rows


def compare_verdicts(rep_obj, rep_man):
    a, b = verdict_rows(rep_obj), verdict_rows(rep_man)
    lines = []
    for key in sorted(set(a) | set(b)):
        if a.get(key) != b.get(key):
            lines.append("verdict differs: %s %s on %s:\n    object:   %s\n    manifest: %s"
                         % (key[1], key[2], key[0], a.get(key), b.get(key)))
    counts = {"loads": 0, "fails": 0, "unknown": 0}
    for v in a.values():
        counts[v["verdict"]] += 1
    lines.append("verdicts: %d (program, kernel) pairs: %d loads, %d fails, "
                 "%d unknown; %d differ" % (len(a), counts["loads"], counts["fails"],
                                            counts["unknown"],
                                            len(set(a) ^ set(b)) +
                                            sum(1 for k in set(a) & set(b) if a[k] != b[k])))
    return not lines[:-1], lines


def same_code(args, objs):
    bad = []
    for o in objs:
        proc = subprocess.run([args.verifier, "--same-code", o + ".btfgen.json", o],
                              capture_output=True, text=True)
        if proc.returncode != 0:
            bad.append("%s: %s" % (o, (proc.stdout + proc.stderr).strip()))
    for l in bad:
        print("code differs: " + l)
    print("code: %d of %d manifests give their object's programs"
          % (len(objs) - len(bad), len(objs)))
    return not bad


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--driver", required=True)
    ap.add_argument("--archive", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--together", action="store_true")
    ap.add_argument("--cache-dir", default=None)
    ap.add_argument("-j", "--jobs", type=int, default=2)
    ap.add_argument("--verdicts", action="store_true")
    ap.add_argument("--verifier", default=None)
    ap.add_argument("objs", nargs="+")
    args = ap.parse_args()

    objs = sorted(args.objs)
    missing = [o for o in objs if not os.path.isfile(o + ".btfgen.json")]
    if missing:
        print("object-vs-manifest: no manifest for %s" % " ".join(missing))
        return 1
    # The driver refuses a program without CO-RE relocations (nothing to
    # tailor for): leave those out, and say how many.
    import json
    untailorable = []
    for o in objs:
        with open(o + ".btfgen.json") as f:
            if not json.load(f)["relocations"]:
                untailorable.append(o)
    if untailorable:
        print("object-vs-manifest: %d programs without CO-RE relocations left out: %s"
              % (len(untailorable), " ".join(os.path.basename(o) for o in untailorable)))
        objs = [o for o in objs if o not in untailorable]

    if args.together:
        pairs = [("all", objs, os.path.join(args.work, "obj"),
                  os.path.join(args.work, "man"))]
        driver_jobs = args.jobs
    else:
        pairs = [(os.path.basename(o), [o], os.path.join(args.work, "obj", os.path.basename(o)),
                  os.path.join(args.work, "man", os.path.basename(o))) for o in objs]
        driver_jobs = 1

    code_ok = True
    if args.verdicts and args.verifier:
        code_ok = same_code(args, objs)

    def one(pair):
        label, inputs, out_obj, out_man = pair
        rep = [None, None]
        if args.verdicts:
            rep = [out_obj + ".report.json", out_man + ".report.json"]
        errs = [e for e in (run_driver(args, inputs, out_obj, driver_jobs, rep[0]),
                            run_driver(args, [i + ".btfgen.json" for i in inputs],
                                       out_man, driver_jobs, rep[1])) if e]
        if errs:
            return False, ["%s: %s" % (label, e) for e in errs], 0
        ok, lines, n = compare(args, label, out_obj, out_man)
        if args.verdicts:
            vok, vlines = compare_verdicts(rep[0], rep[1])
            ok, lines = ok and vok, lines + vlines
        return ok, lines, n

    workers = 1 if args.together else args.jobs
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as ex:
        results = list(ex.map(one, pairs))

    same = 0
    kernels = 0
    for ok, lines, n in results:
        same += ok
        kernels = max(kernels, n)
        for l in lines:
            print(l)
    print("object-vs-manifest (%s): %d programs x %d kernels: %d tree pairs, "
          "%d identical, %d differ"
          % ("all programs together" if args.together else "one run per program",
             len(objs), kernels, len(pairs), same, len(pairs) - same))
    return 0 if same == len(pairs) and code_ok else 1


if __name__ == "__main__":
    sys.exit(main())
