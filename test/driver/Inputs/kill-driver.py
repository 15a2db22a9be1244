#!/usr/bin/env python3
"""Interrupt btfgen-driver runs at different moments and check the output tree.

usage: kill-driver.py DRIVER WORKDIR ROUNDS -- DRIVER-ARGS...

DRIVER-ARGS are a complete `run` command line without -o (program inputs,
--archive, --no-cache or --cache-dir, -j); the script adds `-o DIR`.

1. Reference: one uninterrupted run into WORKDIR/ref (exit 0 required); its
   wall time is T. Every regular .btf in it must parse (`DRIVER dump`).
2. Rounds, all into WORKDIR/out: before each, every *.btf in out/ is
   deleted (stale temporaries and directories are kept), so the run has
   work to do. ROUNDS is a comma list of SIGNAL@TRIGGER:
     SIGNAL   INT, TERM or KILL
     TRIGGER  tN      N seconds after the start
              fN      N * T seconds after the start
              temp    as soon as a temporary file of this run exists in out/
                      (the run gets BTFGEN_TEST_SLOW_WRITES_MS=200)
              halfN   once at least half of ref's outputs exist in out/
                      (the run gets BTFGEN_TEST_SLOW_WRITES_MS=N)
   A trigger that never fires (the run ended first) is fine: the run must
   then have exited 0 with a complete tree.
   After each round:
     - a killed run died of exactly that signal; after INT/TERM, if its
       stderr has no "interrupted by SIGxxx" line the signal must have come
       before the handler was installed (only possible for early t/f
       triggers; with temp/half triggers the line is required);
     - every *.btf present (file or symlink) is exactly ref's entry at that
       path: same kind, same link text, same bytes (so it parses; regular
       files are also run through `DRIVER dump`);
     - no temporary of this run remains after INT/TERM; after KILL, its
       temporaries may remain (they carry its pid);
     - nothing else is in out/ (no file that is neither output nor temp).
3. Final rerun, uninterrupted: exit 0 and out/ identical to ref (same entries,
   kinds, link texts, bytes; no temporary left, not even a SIGKILLed one).

Whatever the timing (kill before, during or after the work), these checks
hold for a correct driver, so the test is not timing-dependent; the printed
round outcomes (where the kill landed) are informational.
"""
import os
import re
import signal
import subprocess
import sys
import time

TEMP_RE = re.compile(r"^\..+\.tmp-(\d+)-[0-9a-f]{8}$")
SIGS = {"INT": signal.SIGINT, "TERM": signal.SIGTERM, "KILL": signal.SIGKILL}
errors = []


def fail(msg):
    errors.append(msg)
    print("ERROR: " + msg)


def snapshot(root):
    """{relpath: ('file', bytes) | ('link', text, bytes-or-None) | ('temp', pid) | ('other',)}"""
    out = {}
    for d, dirs, files in os.walk(root):
        for name in files + [x for x in dirs if os.path.islink(os.path.join(d, x))]:
            full = os.path.join(d, name)
            rel = os.path.relpath(full, root)
            m = TEMP_RE.match(name)
            if name == ".btfgen-tree.json" and d == root:
                continue  # the tree's record (OutputTree.h), not an output
            if m:
                out[rel] = ("temp", int(m.group(1)))
            elif os.path.islink(full):
                try:
                    data = open(full, "rb").read()
                except OSError:
                    data = None
                out[rel] = ("link", os.readlink(full), data)
            elif os.path.isfile(full) and name.endswith(".btf"):
                out[rel] = ("file", open(full, "rb").read())
            else:
                out[rel] = ("other",)
    return out


def outputs(snap):
    return {k: v for k, v in snap.items() if v[0] in ("file", "link")}


def parses(driver, path):
    r = subprocess.run([driver, "dump", path], stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE)
    if r.returncode != 0:
        fail("%s does not parse: %s" % (path, r.stderr.decode(errors="replace").strip()))


def count_temps(root, pid):
    n = 0
    for _d, _dirs, files in os.walk(root):
        for f in files:
            m = TEMP_RE.match(f)
            if m and int(m.group(1)) == pid:
                n += 1
    return n


def count_outputs(root):
    n = 0
    for _d, _dirs, files in os.walk(root):
        n += sum(1 for f in files if f.endswith(".btf"))
    return n


def run_round(driver, args, out, sig, trigger, ref_time, ref_outputs):
    env = dict(os.environ)
    if trigger == "temp":
        env["BTFGEN_TEST_SLOW_WRITES_MS"] = "200"
    elif trigger.startswith("half"):
        env["BTFGEN_TEST_SLOW_WRITES_MS"] = trigger[4:] or "20"
    start = time.monotonic()
    p = subprocess.Popen([driver] + args + ["-o", out], stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, env=env)
    if trigger == "temp" or trigger.startswith("half"):
        deadline = None
    elif trigger.startswith("t"):
        deadline = start + float(trigger[1:])
    elif trigger.startswith("f"):
        deadline = start + float(trigger[1:]) * ref_time
    else:
        sys.exit("unknown trigger " + trigger)
    fired = False
    # Give up waiting for an event after 20x the reference time.
    limit = start + 20 * ref_time + 5
    while p.poll() is None and time.monotonic() < limit:
        if deadline is not None:
            if time.monotonic() >= deadline:
                fired = True
        elif trigger == "temp":
            fired = count_temps(out, p.pid) > 0
        else:
            fired = count_outputs(out) * 2 >= ref_outputs
        if fired:
            break
        time.sleep(0.003)
    killed = False
    if fired and p.poll() is None:
        p.send_signal(sig)
        killed = True
    _, err = p.communicate(timeout=120)
    err = err.decode(errors="replace")
    elapsed = time.monotonic() - start
    return p, killed, err, elapsed


def check_round(driver, out, ref, p, sig, trigger, killed, err, label):
    rc = p.returncode
    name = signal.Signals(sig).name
    msg = re.search(r"interrupted by %s; removed (\d+) temporary" % name, err)
    if not killed or rc == 0:
        where = "finished before the signal"
        if rc != 0:
            fail("%s: run exited %d without a signal:\n%s" % (label, rc, err))
    else:
        where = "killed"
        if rc != -sig:
            fail("%s: exit status %d, expected death by %s (%d):\n%s" % (label, rc, name, -sig, err))
        if sig != signal.SIGKILL:
            if msg:
                where += ", message: removed %s temporary file(s)" % msg.group(1)
            elif trigger in ("temp",) or trigger.startswith("half"):
                fail("%s: no 'interrupted by %s' message after the run had started writing:\n%s"
                     % (label, name, err))
            else:
                where += ", no message (signal before the handler was installed?)"
            if "interrupted" in err and not msg:
                fail("%s: malformed interruption message:\n%s" % (label, err))
    snap = snapshot(out)
    n_out = 0
    for rel, v in sorted(snap.items()):
        kind = v[0]
        if kind == "temp":
            if v[1] == p.pid and sig != signal.SIGKILL:
                fail("%s: temporary of the interrupted run left behind: %s" % (label, rel))
            continue
        if kind == "other":
            fail("%s: unexpected file in the output tree: %s" % (label, rel))
            continue
        n_out += 1
        r = ref.get(rel)
        if r is None:
            fail("%s: %s is not an output of the reference run" % (label, rel))
        elif r != v:
            fail("%s: %s differs from the reference run (%s vs %s)" % (label, rel, kind, r[0]))
        elif kind == "file":
            parses(driver, os.path.join(out, rel))
    temps_self = sum(1 for v in snap.values() if v[0] == "temp" and v[1] == p.pid)
    temps_stale = sum(1 for v in snap.values() if v[0] == "temp" and v[1] != p.pid)
    print("%s: %s; outputs present %d/%d; temporaries of this run %d, older %d"
          % (label, where, n_out, len(ref), temps_self, temps_stale))


def main():
    sep = sys.argv.index("--")
    driver, work, rounds = sys.argv[1:sep]
    args = sys.argv[sep + 1:]
    ref_dir = os.path.join(work, "ref")
    out = os.path.join(work, "out")
    t0 = time.monotonic()
    r = subprocess.run([driver] + args + ["-o", ref_dir], stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE)
    ref_time = time.monotonic() - t0
    if r.returncode != 0:
        sys.exit("reference run failed (%d):\n%s" % (r.returncode, r.stderr.decode()))
    ref = snapshot(ref_dir)
    if any(v[0] not in ("file", "link") for v in ref.values()):
        sys.exit("reference tree has non-output entries: %r" %
                 [k for k, v in ref.items() if v[0] not in ("file", "link")])
    for rel, v in ref.items():
        if v[0] == "file":
            parses(driver, os.path.join(ref_dir, rel))
    print("reference: %d outputs (%d files, %d symlinks)"
          % (len(ref), sum(v[0] == "file" for v in ref.values()),
             sum(v[0] == "link" for v in ref.values())))
    sys.stderr.write("reference run: %.2f s\n" % ref_time)

    os.makedirs(out, exist_ok=True)
    for i, spec in enumerate(rounds.split(",")):
        signame, trigger = spec.split("@")
        sig = SIGS[signame]
        for d, _dirs, files in os.walk(out):
            for f in files:
                if f.endswith(".btf"):
                    os.unlink(os.path.join(d, f))
        label = "round %d %s@%s" % (i + 1, "SIG" + signame, trigger)
        p, killed, err, elapsed = run_round(driver, args, out, sig, trigger, ref_time, len(ref))
        sys.stderr.write("%s: %.2f s\n" % (label, elapsed))
        check_round(driver, out, ref, p, sig, trigger, killed, err, label)

    r = subprocess.run([driver] + args + ["-o", out], stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE)
    if r.returncode != 0:
        fail("final rerun exited %d:\n%s" % (r.returncode, r.stderr.decode()))
    final = snapshot(out)
    if final != ref:
        for rel in sorted(set(final) | set(ref)):
            if final.get(rel) != ref.get(rel):
                fail("final tree: %s: %s vs reference %s"
                     % (rel, final.get(rel, ("missing",))[0], ref.get(rel, ("missing",))[0]))
    else:
        print("final rerun: complete, identical to the uninterrupted run")
    if errors:
        print("FAILED: %d error(s)" % len(errors))
        sys.exit(1)
    print("all checks passed")


if __name__ == "__main__":
    main()
