#!/usr/bin/env python3
"""referee-b-pairs.py - referee B (libbpf) for every kernel x object pair.

    referee-b-pairs.py --archive DIR --ours OUT --loadcheck PATH
                       [-j N] [--kernels REGEX] [--log FILE] OBJ...

For every kernel <rel>.btf.tar.xz (or <rel>.btf) of the BTFHub-layout
archive DIR and every OBJ with CO-RE relocations, runs

    btfgen-loadcheck --relocate-only --pointer-size OBJ FULL_KERNEL_BTF a.txt
    btfgen-loadcheck --relocate-only --pointer-size OBJ OUT/<rel>.btf   b.txt

and requires a.txt == b.txt (libbpf 1.1's CO-RE outcome lines, the pointer
size libbpf reads from the BTF, and the relocated instructions; see
loadcheck.c). Unlike conformance-corpus.py this
needs no manifests: whether an object has CO-RE relocations is decided by
`llvm-objdump -dr` (its "CO-RE <kind>" annotations of .BTF.ext records), not
by btfgen's own object reader. Objects without any are listed and skipped:
libbpf does not look at the target BTF for them.

Kernels are processed by N workers (each kernel's tarball is decoded once);
our side is run once per distinct output file (the driver's symlinked
duplicates share the result).
Every identical pair is classified by what libbpf did on both sides:
  both-error  libbpf failed a CO-RE relocation ("failed to perform CO-RE
              relocations", "failed to relocate"): hard error on both
  poisoned    some relocation had no target (poisoned instruction)
  clean       every relocation resolved
Prints one block per differing pair (first lines of the diff) and
  "referee B: K kernels x M objects with CO-RE relocations (S skipped):
   P pairs, I identical (E both-error, Q poisoned, C clean), D differ, X error"
Exit status 0 iff every pair is identical (and at least one was checked).
"""

import argparse
import concurrent.futures
import difflib
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading

HERE = os.path.dirname(os.path.abspath(__file__))


def _load(name, file):
    spec = importlib.util.spec_from_file_location(name, os.path.join(HERE, file))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


corpus = _load("conformance_corpus", "conformance-corpus.py")
refA = corpus.refA

CORE_RECORD = re.compile(r"CO-RE <\w+>")
HARD_ERROR = re.compile(r"failed to perform CO-RE relocations|failed to relocate")
POISON = re.compile(r"substituting insn .* w/ invalid insn")


def objdump():
    for name in ("llvm-objdump-19", "llvm-objdump"):
        path = shutil.which(name)
        if path:
            return path
    raise SystemExit("referee-b-pairs: llvm-objdump not found")


def core_records(tool, obj):
    """Number of CO-RE records llvm-objdump shows for obj."""
    proc = subprocess.run([tool, "-dr", obj], capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit("referee-b-pairs: %s -dr %s failed: %s"
                         % (tool, obj, proc.stderr.strip()[-300:]))
    return len(CORE_RECORD.findall(proc.stdout))


def classify(text):
    if HARD_ERROR.search(text):
        return "both-error"
    if POISON.search(text):
        return "poisoned"
    return "clean"


# Results on our side, keyed by (object, real path of the output): kernels
# whose outputs the driver deduplicated (symlinks to one file) share them.
_ours_cache = {}
_ours_lock = threading.Lock()


def loadcheck_ours(args, obj, ours, tmp):
    key = (obj, os.path.realpath(ours))
    with _ours_lock:
        if key in _ours_cache:
            return _ours_cache[key]
    # Always the resolved path, so a cached text never depends on which of
    # the kernels sharing the file ran first.
    text = corpus.loadcheck(args.loadcheck, obj, key[1], os.path.join(tmp, "ours.txt"),
                            pointer_size=True)
    with _ours_lock:
        _ours_cache[key] = text
    return text


def check_kernel(args, objs, rel, full_path):
    """[(object, verdict, detail)] for one kernel."""
    ours = os.path.join(args.ours, rel)
    if not os.path.isfile(ours):
        return [(os.path.basename(o), "error", "no output %s" % ours) for o in objs]
    results = []
    tmp = tempfile.mkdtemp(prefix="btfgen-refb-")
    try:
        full = refA.extract_raw_btf(full_path, tmp)
        for obj in objs:
            name = os.path.basename(obj)
            try:
                a = corpus.loadcheck(args.loadcheck, obj, full, os.path.join(tmp, "full.txt"),
                                     pointer_size=True)
                b = loadcheck_ours(args, obj, ours, tmp)
            except RuntimeError as e:
                results.append((name, "error", str(e)))
                continue
            if a == b:
                results.append((name, classify(a), ""))
            else:
                diff = difflib.unified_diff(a.splitlines(), b.splitlines(),
                                            "libbpf(full)", "libbpf(ours)",
                                            lineterm="", n=1)
                results.append((name, "differ", "\n".join(list(diff)[:40])))
    except Exception as e:  # a referee that cannot run is a failure
        results.append(("*", "error", "%s: %s" % (full_path, e)))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return results


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--archive", required=True)
    ap.add_argument("--ours", required=True)
    ap.add_argument("--loadcheck", required=True)
    ap.add_argument("-j", "--jobs", type=int, default=2)
    ap.add_argument("--kernels", default=None, help="only kernels whose path matches")
    ap.add_argument("--log", default=None, help="write every verdict here")
    ap.add_argument("objs", nargs="+")
    args = ap.parse_args()

    # libbpf reads the whole kernel BTF (5-10 MB) into malloc'ed memory on
    # every run; most of a run's time is page faults on it. Transparent huge
    # pages for malloc cut a full-BTF run by about a third (measured); the
    # relocation results do not depend on how memory is backed.
    os.environ.setdefault("GLIBC_TUNABLES", "glibc.malloc.hugetlb=1")
    tool = objdump()
    objs, skipped, records = [], [], 0
    for obj in sorted(args.objs):
        n = core_records(tool, obj)
        records += n
        (objs if n else skipped).append(obj)
    print("objects: %d, with CO-RE relocations: %d (%d records), without: %d%s"
          % (len(args.objs), len(objs), records, len(skipped),
             (" (" + " ".join(os.path.basename(o) for o in skipped) + ")") if skipped else ""))

    kernels = corpus.list_kernels(args.archive)
    if args.kernels:
        kernels = [k for k in kernels if re.search(args.kernels, k[0])]
    if not kernels or not objs:
        print("referee-b-pairs: nothing to check (%d kernels, %d objects)"
              % (len(kernels), len(objs)))
        return 1

    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as ex:
        futures = [ex.submit(check_kernel, args, objs, rel, full) for rel, full in kernels]
        all_results = [(rel, f.result()) for (rel, _), f in zip(kernels, futures)]

    counts = {}
    log = open(args.log, "w") if args.log else None
    for rel, results in all_results:
        for name, verdict, detail in results:
            counts[verdict] = counts.get(verdict, 0) + 1
            if log:
                log.write("%s\t%s\t%s\n" % (rel, name, verdict))
            if verdict in ("differ", "error"):
                print("%s: %s: %s" % (rel, name, verdict.upper()))
                if detail:
                    print("  " + detail.replace("\n", "\n  "))
    if log:
        log.close()
    identical = sum(counts.get(v, 0) for v in ("both-error", "poisoned", "clean"))
    pairs = len(kernels) * len(objs)
    print("referee B (libbpf relocate-only): %d kernels x %d objects with CO-RE "
          "relocations (%d skipped): %d pairs, %d identical (%d both-error, "
          "%d poisoned, %d clean), %d differ, %d error"
          % (len(kernels), len(objs), len(skipped), pairs, identical,
             counts.get("both-error", 0), counts.get("poisoned", 0),
             counts.get("clean", 0), counts.get("differ", 0), counts.get("error", 0)))
    return 0 if identical == pairs else 1


if __name__ == "__main__":
    sys.exit(main())
