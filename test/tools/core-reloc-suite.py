#!/usr/bin/env python3
"""core-reloc-suite.py - the kernel's own CO-RE selftests as a conformance test.

    core-reloc-suite.py --linuxsrc DIR --btfgen DRIVER --plugin SO
                        --loadcheck LOADCHECK --work DIR
                        [--clang clang-19] [--objcopy llvm-objcopy-19]
                        [--srcroot DIR] [--jobs N] [--raw-check] [--keep-going]

Upstream's tools/testing/selftests/bpf/prog_tests/core_reloc.c loads each
progs/test_core_reloc_*.c program with btf_custom_path = one of the
progs/btf__core_reloc_*.c objects: those objects' .BTF sections play the
role of kernels, each a variation (renamed, resized, missing, ambiguous,
...) of the program's local types. This script does the same for EVERY
(program, target) pair, with Debian's libbpf 1.1 as the referee
(btfgen-loadcheck --relocate-only), once with the full target BTF and once
with btfgen's minimized BTF of that target; the outputs (libbpf's CO-RE
outcome lines, warnings/errors, relocated instructions) must be identical.

Steps (everything below --work, which is emptied first):
  1. vmlinux.h (bpftool btf dump of the bundled Debian 6.1 BTF: only
     test_core_reloc_module.c includes it), the 18 programs compiled with the
     btfgen plugin (object + manifest), the 69 targets compiled as upstream
     does (clang -g -O2 --target=bpf, no plugin).
  2. archive/core_reloc/suite/x86_64/<target>.btf: each target's raw .BTF
     (llvm-objcopy --dump-section), i.e. a BTFHub-layout archive.
  3. btfgen-driver runs (--no-cache): all 18 manifests at once
     (out/shared-manifest), all 18 objects at once (out/shared-object), and
     per program, manifest and object (out/single-{manifest,object}/<prog>).
     Object mode and manifest mode must give byte-identical trees. Each
     run's exit status is judged in step 4: 1 (default --fail-on error)
     exactly when libbpf refuses one of its objects on some target, with
     that many targets named.
  4. For every program x target: loadcheck with the target's ELF (full; as
     upstream) vs the shared minimized BTF vs the per-program minimized BTF.
     With --raw-check, also the raw .BTF extracted in step 2 (must equal
     the ELF run: checks the archive is the same "kernel").

Each pair is classified from the full run's output: ok, poisoned (libbpf
substitutes an invalid instruction), hard error (a relocation fails, so
libbpf refuses the object), and the error kinds named in the summary.
Exit status 0 iff everything matched.
"""

import argparse
import concurrent.futures as cf
import os
import re
import shutil
import subprocess
import sys
import time

ARCHIVE_SUB = os.path.join("core_reloc", "suite", "x86_64")


def log(msg):
    print(msg, flush=True)


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def pmap(jobs, fn, items):
    with cf.ThreadPoolExecutor(max_workers=jobs) as ex:
        return list(ex.map(fn, items))


def compile_all(args, selftests, inc, objdir):
    progs = sorted(f[:-2] for f in os.listdir(os.path.join(selftests, "progs"))
                   if f.startswith("test_core_reloc_") and f.endswith(".c"))
    targets = sorted(f[:-2] for f in os.listdir(os.path.join(selftests, "progs"))
                     if f.startswith("btf__core_reloc_") and f.endswith(".c"))
    tools = os.path.dirname(os.path.dirname(os.path.dirname(selftests)))
    base = [args.clang, "--target=bpf", "-g", "-O2", "-D__TARGET_ARCH_x86",
            "-mlittle-endian", "-Wno-compare-distinct-pointer-types",
            "-I" + inc, "-I" + os.path.join(selftests, "progs"), "-I" + selftests,
            "-I" + os.path.join(tools, "include", "uapi"),
            "-idirafter", "/usr/include", "-idirafter", "/usr/include/x86_64-linux-gnu"]

    def one(item):
        name, plugin = item
        src = os.path.join(selftests, "progs", name + ".c")
        obj = os.path.join(objdir, name + ".bpf.o")
        cmd = base + (["-fpass-plugin=" + args.plugin] if plugin else []) + ["-c", src, "-o", obj]
        r = run(cmd)
        if r.returncode != 0:
            return "%s: compile failed:\n%s" % (name, r.stderr[-2000:])
        if plugin and not os.path.isfile(obj + ".btfgen.json"):
            return "%s: the plugin wrote no manifest" % name
        return None

    errs = [e for e in pmap(args.jobs, one, [(p, True) for p in progs] + [(t, False) for t in targets]) if e]
    return progs, targets, errs


def dump_btf(args, objdir, archive, target):
    out = os.path.join(archive, target + ".btf")
    r = run([args.objcopy, "--dump-section", ".BTF=" + out,
             os.path.join(objdir, target + ".bpf.o"), os.path.join(archive, target + ".tmp.o")])
    try:
        os.unlink(os.path.join(archive, target + ".tmp.o"))
    except FileNotFoundError:
        pass
    if r.returncode != 0 or not os.path.isfile(out):
        return "%s: cannot extract .BTF: %s" % (target, r.stderr.strip())
    return None


def driver(args, inputs, archive, out):
    r = run([args.btfgen, "run"] + inputs + ["--archive", archive, "-o", out, "--no-cache"])
    return r


def check_exit_statuses(results, hard_targets):
    """The driver's verdicts against libbpf's: with the default --fail-on
    error, a run exits 1 iff one of its objects hits a libbpf hard error on
    some target (the ___err_* targets), and says on how many. Any other
    failure is a failure. Returns problems."""
    problems = []
    for (name, inputs, _), r in results:
        progs = [os.path.basename(i).split(".bpf.o")[0] for i in inputs]
        expect = set().union(*[hard_targets.get(p, set()) for p in progs])
        said = re.search(r"would fail to load \(libbpf error\) on (\d+) kernel", r.stderr)
        if not expect and r.returncode == 0:
            continue
        if expect and r.returncode == 1 and said and int(said.group(1)) == len(expect):
            continue
        problems.append("driver %s: exit %d, libbpf refuses it on %d target(s)\n%s"
                        % (name, r.returncode, len(expect), r.stderr[-3000:]))
        log("DRIVER FAIL " + problems[-1])
    return problems


def same_tree(a, b):
    """Paths, kinds, link texts and bytes: [] if identical, else problems."""
    def walk(t):
        ent = {}
        for root, dirs, files in os.walk(t):
            for n in files:
                p = os.path.join(root, n)
                rel = os.path.relpath(p, t)
                if os.path.islink(p):
                    ent[rel] = ("link", os.readlink(p))
                else:
                    with open(p, "rb") as f:
                        ent[rel] = ("file", f.read())
        return ent
    ea, eb = walk(a), walk(b)
    probs = []
    for k in sorted(set(ea) | set(eb)):
        if ea.get(k) != eb.get(k):
            probs.append(k)
    return probs


def loadcheck(args, obj, btf, out):
    r = run([args.loadcheck, "--relocate-only", obj, btf, out])
    try:
        with open(out) as f:
            text = f.read()
    except FileNotFoundError:
        text = ""
    return "rc=%d\n%s" % (r.returncode, text)


# Classification of a full-BTF loadcheck output, by libbpf 1.1's messages
# (relo_core.c bpf_core_calc_relo_insn / bpf_core_calc_field_relo,
# libbpf.c bpf_core_resolve_relo / bpf_object__relocate_core).
KINDS = [
    ("decision-ambiguity", "relocation decision ambiguity"),
    ("field-offset-ambiguity", "field offset ambiguity"),
    ("too-big-bitfield", "can't be satisfied for bitfield"),
    ("candidate-error", "error matching candidate"),
]


def classify(text):
    kinds = [k for k, msg in KINDS if msg in text]
    hard = "failed to relocate" in text or text.startswith("rc=2")
    poisoned = "substituting insn" in text
    return hard, poisoned, kinds


def family(name, prefix):
    """'btf__core_reloc_arrays___err_x' -> 'arrays' (upstream pairs a
    test_core_reloc_<family> program with btf__core_reloc_<family>* targets)."""
    f = name[len(prefix):]
    f = f.split("__")[0]
    return {"bitfields_direct": "bitfields", "bitfields_probed": "bitfields"}.get(f, f)


def write_empty_btf(path):
    """A raw BTF with no types (header + the empty string)."""
    import struct
    hdr = struct.pack("<HBBIIIII", 0xEB9F, 1, 0, 24, 0, 0, 0, 1)
    with open(path, "wb") as f:
        f.write(hdr + b"\0")


def first_diff(a, b):
    la, lb = a.splitlines(), b.splitlines()
    for i in range(max(len(la), len(lb))):
        x = la[i] if i < len(la) else "<end>"
        y = lb[i] if i < len(lb) else "<end>"
        if x != y:
            return "line %d:\n      full: %s\n      min:  %s" % (i + 1, x, y)
    return "(equal)"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--linuxsrc", required=True)
    ap.add_argument("--btfgen", required=True)
    ap.add_argument("--plugin", required=True)
    ap.add_argument("--loadcheck", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--clang", default="clang-19")
    ap.add_argument("--objcopy", default="llvm-objcopy-19")
    ap.add_argument("--srcroot", default=os.path.dirname(os.path.dirname(
        os.path.dirname(os.path.abspath(__file__)))))
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--raw-check", action="store_true",
                    help="also run loadcheck on the extracted raw .BTF")
    args = ap.parse_args()

    t0 = time.time()
    selftests = os.path.join(args.linuxsrc, "tools", "testing", "selftests", "bpf")
    if not os.path.isdir(os.path.join(selftests, "progs")):
        log("core-reloc-suite: no selftests in %s" % args.linuxsrc)
        return 1
    work = os.path.abspath(args.work)
    shutil.rmtree(work, ignore_errors=True)
    inc, objdir = os.path.join(work, "include"), os.path.join(work, "objs")
    archive = os.path.join(work, "archive")
    arch_dir = os.path.join(archive, ARCHIVE_SUB)
    outdir, lcdir = os.path.join(work, "out"), os.path.join(work, "loadcheck")
    for d in (inc, objdir, arch_dir, outdir, lcdir):
        os.makedirs(d)
    failures = []

    # 1. vmlinux.h and compiles.
    tar = os.path.join(args.srcroot, "examples", "archive", "debian", "12", "x86_64",
                       "6.1.0-48-amd64.btf.tar.xz")
    k61 = os.path.join(inc, "vmlinux-6.1.btf")
    r = subprocess.run("xz -dc '%s' | tar -xO > '%s' && bpftool btf dump file '%s' format c > '%s'"
                       % (tar, k61, k61, os.path.join(inc, "vmlinux.h")),
                       shell=True, capture_output=True, text=True)
    if r.returncode != 0:
        log("core-reloc-suite: vmlinux.h: %s" % r.stderr.strip())
        return 1
    progs, targets, errs = compile_all(args, selftests, inc, objdir)
    for e in errs:
        log("core-reloc-suite: " + e)
    if errs:
        return 1
    t1 = time.time()
    log("compiled: %d programs with the plugin (%d manifests), %d targets (%.0f s)"
        % (len(progs), len(progs), len(targets), t1 - t0))

    # 2. The archive.
    errs = [e for e in pmap(args.jobs, lambda t: dump_btf(args, objdir, arch_dir, t), targets) if e]
    for e in errs:
        log("core-reloc-suite: " + e)
    if errs:
        return 1

    # 3. Driver runs.
    objs = [os.path.join(objdir, p + ".bpf.o") for p in progs]
    mans = [o + ".btfgen.json" for o in objs]
    runs = [("shared-manifest", mans, os.path.join(outdir, "shared-manifest")),
            ("shared-object", objs, os.path.join(outdir, "shared-object"))]
    for p, o, m in zip(progs, objs, mans):
        runs.append(("single-manifest/" + p, [m], os.path.join(outdir, "single-manifest", p)))
        runs.append(("single-object/" + p, [o], os.path.join(outdir, "single-object", p)))
    results = pmap(args.jobs, lambda rn: (rn, driver(args, rn[1], archive, rn[2])), runs)
    # Exit statuses are judged in step 4, against libbpf's own hard errors.
    # Object mode == manifest mode, byte for byte.
    identical_trees = 0
    pairs = [("shared-manifest", "shared-object")] + [
        ("single-manifest/" + p, "single-object/" + p) for p in progs]
    for a, b in pairs:
        probs = same_tree(os.path.join(outdir, a), os.path.join(outdir, b))
        if probs:
            failures.append("object vs manifest mode: %s != %s: %s" % (a, b, ", ".join(probs[:5])))
            log("MODE MISMATCH %s vs %s: %d paths differ (%s)" % (a, b, len(probs), ", ".join(probs[:5])))
        else:
            identical_trees += 1
    n_out = sum(1 for t in targets if os.path.exists(
        os.path.join(outdir, "shared-manifest", ARCHIVE_SUB, t + ".btf")))
    t2 = time.time()
    log("driver: %d runs (2 shared, %d per program, manifest and object mode) over %d targets; "
        "shared run wrote %d/%d outputs (%.0f s)"
        % (len(runs), 2 * len(progs), len(targets), n_out, len(targets), t2 - t1))
    log("object mode vs manifest mode: %d/%d tree pairs byte-identical" % (identical_trees, len(pairs)))

    # 4. Referee: libbpf via loadcheck.
    empty = os.path.join(work, "empty.btf")
    write_empty_btf(empty)

    def check(item):
        p, t = item
        obj = os.path.join(objdir, p + ".bpf.o")
        d = os.path.join(lcdir, p)
        os.makedirs(d, exist_ok=True)
        res = {"full": loadcheck(args, obj, os.path.join(objdir, t + ".bpf.o"),
                                 os.path.join(d, t + ".full.txt"))}
        for mode in ("shared-manifest", "single-manifest/" + p):
            btf = os.path.join(outdir, mode, ARCHIVE_SUB, t + ".btf")
            key = mode.split("-")[0]
            if not os.path.exists(btf):
                res[key] = "MISSING %s" % btf
            else:
                res[key] = loadcheck(args, obj, btf, os.path.join(d, "%s.%s.txt" % (t, key)))
        if args.raw_check:
            res["raw"] = loadcheck(args, obj, os.path.join(arch_dir, t + ".btf"),
                                   os.path.join(d, t + ".raw.txt"))
        # Not compared: with no types at all, does the result change? (If
        # not, the pair only exercises "no candidate" and tells little.)
        trivial = loadcheck(args, obj, empty, os.path.join(d, t + ".empty.txt")) == res["full"]
        return p, t, res, trivial

    checked = pmap(args.jobs, check, [(p, t) for p in progs for t in targets])
    t3 = time.time()
    total = same = 0
    differ = []
    cnt = {"hard": 0, "poisoned": 0, "nontrivial": 0}
    fam = {"pairs": 0, "hard": 0, "poisoned": 0, "clean": 0, "nontrivial": 0}
    kind_pairs = {}
    hard_pairs = []
    hard_targets = {}
    per_prog = {}
    for p, t, res, trivial in checked:
        total += 1
        full = res["full"]
        bad = [k for k in res if k != "full" and res[k] != full]
        h, po, ks = classify(full)
        short = "%s x %s" % (p[len("test_core_reloc_"):], t[len("btf__core_reloc_"):])
        pp = per_prog.setdefault(p, [0, 0, 0, 0, 0])
        pp[0] += 1
        if bad:
            differ.append((p, t, bad))
            pp[4] += 1
            for k in bad:
                log("DIFFER %s x %s [full vs %s]: %s" % (p, t, k, first_diff(full, res[k])))
        else:
            same += 1
        cnt["hard"] += h
        cnt["poisoned"] += po and not h
        cnt["nontrivial"] += not trivial
        pp[1] += h
        pp[2] += po and not h
        pp[3] += not trivial
        if h:
            hard_pairs.append(short)
            hard_targets.setdefault(p, set()).add(t)
        for k in ks:
            kind_pairs.setdefault(k, []).append(short)
        if family(p, "test_core_reloc_") == family(t, "btf__core_reloc_"):
            fam["pairs"] += 1
            fam["hard"] += h
            fam["poisoned"] += po and not h
            fam["clean"] += not h and not po
            fam["nontrivial"] += not trivial
    wrong_status = check_exit_statuses(results, hard_targets)
    failures += wrong_status
    log("driver exit statuses: %d runs, %d wrong (each must be 1 exactly where libbpf "
        "refuses the object on some target, naming that many targets)"
        % (len(results), len(wrong_status)))
    log("per program (pairs / hard error / poisoned only / depend on target BTF / differing):")
    for p in progs:
        pp = per_prog[p]
        log("  %-34s %3d %3d %3d %3d %3d" % ((p,) + tuple(pp)))
    log("hard errors (libbpf refuses the object; relocations after the failing one "
        "are not compared): %s" % ", ".join(hard_pairs))
    for k, msg in KINDS:
        lst = kind_pairs.get(k, [])
        log("%s ('%s'): %d pairs%s" % (k, msg, len(lst), (": " + ", ".join(lst)) if lst else ""))
    log("same-family pairs (upstream's cases: program test_core_reloc_F x targets "
        "btf__core_reloc_F*): %d: %d clean, %d poisoned only, %d hard errors, "
        "%d depend on the target BTF" % (fam["pairs"], fam["clean"], fam["poisoned"],
                                          fam["hard"], fam["nontrivial"]))
    compared = "full ELF vs shared vs single" + (" vs raw .BTF" if args.raw_check else "")
    log("loadcheck (%s, + empty BTF) took %.0f s; whole run %.0f s" % (compared, t3 - t2, t3 - t0))
    log("core-reloc-suite: %d programs x %d targets: %d pairs, %d identical, %d differ; "
        "%d hard errors (both sides), %d poisoned only, %d depend on the target BTF"
        % (len(progs), len(targets), total, same, len(differ), cnt["hard"],
           cnt["poisoned"], cnt["nontrivial"]))
    if differ or failures:
        for f in failures:
            log("FAIL: " + f.splitlines()[0])
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
