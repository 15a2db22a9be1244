#!/usr/bin/env python3
"""loader-referees.py - full vs tailored BTF under three loaders.

    loader-referees.py --btfgen DRIVER --referees DIR --work DIR [--jobs N]
                       [--set NAME OBJDIR ARCHIVE]...
                       [--probes ARCHIVE] [--core-reloc LINUXSRC
                        --plugin SO [--clang C] [--objcopy O] [--srcroot D]]
                       [--kernels REGEX] [--trees default,no-shrink]
                       [--cache-check]

For every set (a directory of BPF objects and a BTFHub-layout archive), the
driver tailors the archive for all the set's objects at once (object mode),
once by default (shrunk) and once with --no-shrink; then each referee of
DIR (see its README) compares, for every (kernel, object) pair, the CO-RE
relocation results on the full kernel BTF with those on the tailored one:

    libbpf-1.1.2   check-equivalence.sh                (Debian's libbpf 1.1.2)
    libbpf-latest  ORACLE=libbpf-latest/relo-oracle check-equivalence.sh
    cilium         cilium/check-equivalence-cilium.sh  (cilium/ebpf)

--probes adds the set "probes": the referees' probes/*.bpf.c, compiled
here (clang -g -O2 --target=bpf), x ARCHIVE. --core-reloc adds the set
"core_reloc": the kernel selftests' 18 test_core_reloc_*.c programs x their
69 btf__core_reloc_*.c targets, built as core-reloc-suite.py builds them.

Each archive is first decompressed once into raw .btf files under --work
(the referees would otherwise decompress every kernel once per run);
--kernels keeps only the kernels whose path matches REGEX, to fit a time
budget.

--cache-check also tailors each set's archive as tarballs (packed here
where the set's kernels are raw .btf files) four times: without the cache,
with an empty cache (the kernels are decoded, their views and bases
stored), with the results removed from the cache (the tailoring then runs
on the kernel bases, btfgen/KernelBasis.h), and with the results and the
bases removed (it then reads the kernel views, btfgen/KernelView.h); the
four trees and reports must be identical. It prints
    SET TREE cache: N kernels from bases, M from views, trees and reports identical

Prints one line per (set, tree, referee):
    SET TREE REFEREE: N passed, M failed
then the failing pairs of each, and a last line
    loader-referees: R runs, P passed, F failed
Exit status 0 iff no pair failed and every referee ran.
"""

import argparse
import concurrent.futures as cf
import os
import re
import shutil
import subprocess
import sys
import tarfile

REFEREES = [
    ("libbpf-1.1.2", "check-equivalence.sh", {}),
    ("libbpf-latest", "check-equivalence.sh", {"ORACLE": "libbpf-latest/relo-oracle"}),
    ("cilium", "cilium/check-equivalence-cilium.sh", {}),
]
TREES = {"default": [], "no-shrink": ["--no-shrink"]}


def kernels(archive):
    out = []
    for root, _, files in os.walk(archive, followlinks=True):
        for f in files:
            if f.endswith(".btf.tar.xz") or f.endswith(".btf"):
                out.append(os.path.relpath(os.path.join(root, f), archive))
    return sorted(out)


def raw_archive(archive, regex, dest):
    """The kernels of archive (those matching regex, if given) as raw .btf
    files in the same layout under dest: each tarball is decompressed once
    here instead of once per referee run."""
    picked = [k for k in kernels(archive) if not regex or re.search(regex, k)]
    for k in picked:
        src = os.path.join(os.path.abspath(archive), k)
        if k.endswith(".tar.xz"):
            p = os.path.join(dest, k[:-len(".tar.xz")])
            os.makedirs(os.path.dirname(p), exist_ok=True)
            with tarfile.open(src, "r:xz") as t:
                m = next(m for m in t.getmembers() if m.isfile())
                with open(p, "wb") as f:
                    shutil.copyfileobj(t.extractfile(m), f)
        else:
            p = os.path.join(dest, k)
            os.makedirs(os.path.dirname(p), exist_ok=True)
            os.symlink(src, p)
    return picked


def tarball_archive(raw, dest):
    """raw's .btf kernels as BTFHub tarballs (<release>.btf.tar.xz holding
    <release>.btf) under dest, for the driver's kernel cache."""
    for k in kernels(raw):
        p = os.path.join(dest, k + ".tar.xz")
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with tarfile.open(p, "w:xz", preset=0) as t:
            t.add(os.path.realpath(os.path.join(raw, k)), arcname=os.path.basename(k))
    return dest


def same_trees(a, b):
    r = subprocess.run(["diff", "-r", "--no-dereference", a, b],
                       capture_output=True, text=True)
    return r.returncode == 0, r.stdout[-1000:]


def report_body(path):
    with open(path) as f:
        return re.sub(r'"output_dir":"[^"]*"', "", f.read())


def check_cache(args, work, name, tree, objs, archive):
    """Uncached, cold, basis-warm and view-warm runs over tarball archive:
    (basis hits, view hits, None) if the four trees and reports are
    identical, else what differed last."""
    base = os.path.join(work, name, "cache-" + tree)
    shutil.rmtree(base, ignore_errors=True)
    cache = os.path.join(base, "cache")
    runs = [("uncached", ["--no-cache"]), ("cold", ["--cache-dir", cache]),
            ("bases", ["--cache-dir", cache, "-v"]),
            ("views", ["--cache-dir", cache, "-v"])]
    stderr = {}
    for run, extra in runs:
        if run == "bases":
            shutil.rmtree(os.path.join(cache, "v2", "out"))
        if run == "views":
            shutil.rmtree(os.path.join(cache, "v2", "out"))
            shutil.rmtree(os.path.join(cache, "v2", "bas"))
        r = subprocess.run([args.btfgen, "run"] + objs +
                           ["--archive", archive, "-o", os.path.join(base, run),
                            "--report", os.path.join(base, run + ".json"),
                            "--fail-on", "never", "-j", str(args.jobs)] +
                           TREES[tree] + extra, capture_output=True, text=True)
        if r.returncode != 0:
            return 0, 0, "%s run: exit %d: %s" % (run, r.returncode, r.stderr[-1000:])
        stderr[run] = r.stderr
    basis_hits = stderr["bases"].count("': basis cache hit")
    view_hits = stderr["views"].count("': kernel cache hit")
    for run in ("cold", "bases", "views"):
        ok, diff = same_trees(os.path.join(base, "uncached"), os.path.join(base, run))
        if not ok:
            return basis_hits, view_hits, "%s tree differs from the uncached one:\n%s" % (run, diff)
        if report_body(os.path.join(base, run + ".json")) != \
                report_body(os.path.join(base, "uncached.json")):
            return basis_hits, view_hits, "%s report differs from the uncached one" % run
    shutil.rmtree(base)
    return basis_hits, view_hits, None


def core_objects(btfgen, objs):
    """The objects with CO-RE relocations ("relocations: M" of
    btfgen-driver manifest), and how many were left out."""
    keep = []
    for o in objs:
        r = subprocess.run([btfgen, "manifest", o], capture_output=True, text=True)
        m = re.search(r"^types: \d+, relocations: (\d+)$", r.stdout, re.M)
        if r.returncode == 0 and m and int(m.group(1)) > 0:
            keep.append(o)
    return keep, len(objs) - len(keep)


def prepare_probes(args, work):
    src = os.path.join(args.referees, "probes")
    out = os.path.join(work, "probes", "build")
    os.makedirs(out, exist_ok=True)
    multiarch = subprocess.run(["gcc", "-print-multiarch"], capture_output=True,
                               text=True).stdout.strip() or "x86_64-linux-gnu"
    for f in sorted(os.listdir(src)):
        if not f.endswith(".bpf.c"):
            continue
        r = subprocess.run([args.clang, "--target=bpf", "-g", "-O2",
                            "-I/usr/include/" + multiarch, "-c", os.path.join(src, f),
                            "-o", os.path.join(out, f[:-2] + ".o")],
                           capture_output=True, text=True)
        if r.returncode != 0:
            raise SystemExit("loader-referees: probe %s: %s" % (f, r.stderr[-1000:]))
    return out


def prepare_core_reloc(args, work):
    import importlib.util
    here = os.path.dirname(os.path.abspath(__file__))
    spec = importlib.util.spec_from_file_location(
        "core_reloc_suite", os.path.join(here, "core-reloc-suite.py"))
    crs = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(crs)
    base = os.path.join(work, "core_reloc")
    inc, objs = os.path.join(base, "include"), os.path.join(base, "build")
    progdir = os.path.join(base, "progs")
    arch = os.path.join(base, "archive", crs.ARCHIVE_SUB)
    for d in (inc, objs, progdir, arch):
        os.makedirs(d, exist_ok=True)
    tar = os.path.join(args.srcroot, "examples", "archive", "debian", "12", "x86_64",
                       "6.1.0-48-amd64.btf.tar.xz")
    k61 = os.path.join(inc, "vmlinux-6.1.btf")
    r = subprocess.run("xz -dc '%s' | tar -xO > '%s' && bpftool btf dump file '%s' format c > '%s'"
                       % (tar, k61, k61, os.path.join(inc, "vmlinux.h")),
                       shell=True, capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit("loader-referees: vmlinux.h: " + r.stderr.strip())
    ns = argparse.Namespace(clang=args.clang, plugin=args.plugin, jobs=args.jobs,
                            objcopy=args.objcopy)
    selftests = os.path.join(args.core_reloc, "tools", "testing", "selftests", "bpf")
    progs, targets, errs = crs.compile_all(ns, selftests, inc, objs)
    errs += [e for e in (crs.dump_btf(ns, objs, arch, t) for t in targets) if e]
    if errs:
        raise SystemExit("loader-referees: " + "\n".join(errs))
    for p in progs:
        os.link(os.path.join(objs, p + ".bpf.o"), os.path.join(progdir, p + ".bpf.o"))
    return progdir, os.path.join(base, "archive")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--btfgen", required=True)
    ap.add_argument("--referees", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--set", nargs=3, action="append", default=[],
                    metavar=("NAME", "OBJDIR", "ARCHIVE"))
    ap.add_argument("--probes", metavar="ARCHIVE")
    ap.add_argument("--core-reloc", metavar="LINUXSRC")
    ap.add_argument("--plugin")
    ap.add_argument("--clang", default="clang-19")
    ap.add_argument("--objcopy", default="llvm-objcopy-19")
    ap.add_argument("--srcroot", default=os.path.dirname(os.path.dirname(
        os.path.dirname(os.path.abspath(__file__)))))
    ap.add_argument("--kernels", default=None)
    ap.add_argument("--trees", default="default,no-shrink")
    ap.add_argument("--cache-check", action="store_true")
    args = ap.parse_args()

    work = os.path.abspath(args.work)
    os.makedirs(work, exist_ok=True)
    trees = [t for t in args.trees.split(",") if t]
    sets = list(args.set)
    if args.probes:
        sets.append(["probes", prepare_probes(args, work), args.probes])
    if args.core_reloc:
        sets.append(["core_reloc"] + list(prepare_core_reloc(args, work)))
    runs, bad, raw = [], 0, {}
    for name, objdir, archive in sets:
        objs = sorted(os.path.join(objdir, f) for f in os.listdir(objdir)
                      if f.endswith(".o"))
        if not objs:
            print("loader-referees: %s: no objects in %s" % (name, objdir))
            return 1
        key = (os.path.abspath(archive), args.kernels)
        if key not in raw:
            raw[key] = os.path.join(work, "archive%d" % len(raw))
            if not raw_archive(archive, args.kernels, raw[key]):
                print("loader-referees: %s: no kernel in %s matches %r"
                      % (name, archive, args.kernels))
                return 1
        archive_src, archive = archive, raw[key]
        # Objects without CO-RE relocations have nothing to tailor for (the
        # driver refuses them) and nothing for a referee to compare.
        objs, skipped = core_objects(args.btfgen, objs)
        objdir = os.path.join(work, name, "objs")
        os.makedirs(objdir, exist_ok=True)
        for o in objs:  # regular files: the referees find '-type f'
            shutil.copyfile(o, os.path.join(objdir, os.path.basename(o)))
        print("%s: %d objects with CO-RE relocations (%d without, skipped)"
              % (name, len(objs), skipped))
        # cilium/ebpf cannot load some objects at all, whatever the BTF
        # (weak extern symbols: "unsupported binding: STB_WEAK"), and its
        # message then names a section picked in Go map order, so two runs
        # differ. Those are not cilium's to judge.
        probe_k = os.path.join(archive, kernels(archive)[0])
        ciliumdir = os.path.join(work, name, "objs-cilium")
        os.makedirs(ciliumdir, exist_ok=True)
        unloadable = []
        for o in objs:
            r = subprocess.run([os.path.join(args.referees, "cilium", "cilium-referee"),
                                "-t", probe_k, o], capture_output=True, text=True)
            if "cannot load collection spec" in r.stdout:
                unloadable.append(os.path.basename(o))
            else:
                shutil.copyfile(o, os.path.join(ciliumdir, os.path.basename(o)))
        if unloadable:
            print("%s: cilium/ebpf cannot load %d object(s), not judged by it: %s"
                  % (name, len(unloadable), " ".join(sorted(unloadable))))
        tarballs = None
        if args.cache_check:
            has_tar = any(k.endswith(".tar.xz") for k in kernels(archive_src))
            tarballs = archive_src if has_tar and not args.kernels else \
                tarball_archive(archive, os.path.join(work, name, "tarballs"))
        for tree in trees:
            if tarballs:
                basis_hits, view_hits, why = check_cache(args, work, name, tree, objs,
                                                         tarballs)
                if why:
                    bad += 1
                    print("%s %s cache: %s" % (name, tree, why))
                else:
                    print("%s %s cache: %d kernels from bases, %d from views, trees and "
                          "reports identical" % (name, tree, basis_hits, view_hits))
            out = os.path.join(work, name, tree)
            r = subprocess.run([args.btfgen, "run"] + objs + ["--archive", archive, "-o", out,
                               "--no-cache", "--fail-on", "never", "-j", str(args.jobs)] + TREES[tree],
                               capture_output=True, text=True)
            if r.returncode != 0:
                print("loader-referees: %s %s: driver exit %d\n%s"
                      % (name, tree, r.returncode, r.stderr[-2000:]))
                return 1
            for ref, script, env in REFEREES:
                odir = ciliumdir if ref == "cilium" else objdir
                runs.append((name, tree, ref, script, env, odir, archive, out))

    def referee(run):
        name, tree, ref, script, env, objdir, archive, out = run
        e = dict(os.environ, JOBS="1")
        for k, v in env.items():
            e[k] = os.path.join(args.referees, v)
        r = subprocess.run([os.path.join(args.referees, script), objdir, archive, out],
                           capture_output=True, text=True, env=e)
        return r

    with cf.ThreadPoolExecutor(max_workers=args.jobs) as ex:
        results = list(ex.map(referee, runs))
    total_p = total_f = 0
    details = []
    for run, r in zip(runs, results):
        name, tree, ref = run[:3]
        last = r.stdout.strip().splitlines()[-1] if r.stdout.strip() else ""
        m = re.match(r"(\d+) passed, (\d+) failed$", last)
        if not m:
            bad += 1
            print("%s %s %s: referee did not run (exit %d): %s"
                  % (name, tree, ref, r.returncode, (r.stderr or last).strip()[-300:]))
            continue
        p, f = int(m.group(1)), int(m.group(2))
        total_p += p
        total_f += f
        print("%s %s %s: %d passed, %d failed" % (name, tree, ref, p, f))
        if f:
            details.append("== %s %s %s\n%s" % (name, tree, ref,
                           "\n".join(r.stdout.strip().splitlines()[:60])))
    for d in details:
        print(d)
    print("loader-referees: %d runs, %d passed, %d failed" % (len(runs), total_p, total_f))
    return 0 if total_f == 0 and bad == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
