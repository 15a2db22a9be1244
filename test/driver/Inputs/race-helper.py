#!/usr/bin/env python3
"""Races and locks around btfgen-driver runs (issue 13 tests).

usage:
  race-helper.py swap-race DRIVER TRIALS OUTSIDE DIR-TO-SWAP... -- RUN-ARGS...
      For each trial: start `DRIVER RUN-ARGS...` (BTFGEN_TEST_SLOW_WRITES_MS=5
      so writes span the race) while a thread exchanges every
      DIR-TO-SWAP with a symlink to OUTSIDE (renameat2 RENAME_EXCHANGE) in a
      tight loop; when the run ends, put every directory back and require
      that OUTSIDE is still empty (no output, link or temporary landed
      there). Prints one line per trial and "outside empty in N/N trials".
      DIR-TO-SWAP directories are created (empty) if missing.
  race-helper.py hold-lock DIR -- CMD...
      Hold an exclusive flock on directory DIR (as a running driver does)
      while CMD runs; exit with CMD's status.
  race-helper.py second-run DRIVER OUT -- RUN-ARGS...
      Start run A (`DRIVER RUN-ARGS... -o OUT`, slow writes), wait until a
      temporary of A exists in OUT (A is mid-run and holds the lock), run B
      with the same arguments, print B's exit status and stderr, then wait
      for A and print its exit status.
  race-helper.py signal-cache DRIVER SIG CACHE -- RUN-ARGS...
      Start the run with slow writes, wait until a temporary of it exists
      under CACHE, send SIG (INT or KILL), wait, and print how many
      temporaries of that run remain under CACHE.
"""
import ctypes
import os
import re
import signal
import subprocess
import sys
import threading
import time

TEMP_RE = re.compile(r"^\..+\.tmp-(\d+)-[0-9a-f]{8}$")
RENAME_EXCHANGE = 2
libc = ctypes.CDLL(None, use_errno=True)
AT_FDCWD = -100


def renameat2(a, b, flags):
    r = libc.renameat2(AT_FDCWD, a.encode(), AT_FDCWD, b.encode(), flags)
    return r == 0


def split_args(argv):
    i = argv.index("--")
    return argv[:i], argv[i + 1:]


def temps_of(root, pid):
    n = 0
    for d, dirs, files in os.walk(root):
        for name in files + dirs:
            m = TEMP_RE.match(name)
            if m and int(m.group(1)) == pid:
                n += 1
    return n


def wait_for_temp(root, proc, timeout=60):
    end = time.time() + timeout
    while time.time() < end and proc.poll() is None:
        if temps_of(root, proc.pid):
            return True
        time.sleep(0.002)
    return False


def swap_race(argv):
    head, run = split_args(argv)
    driver, trials, outside, dirs = head[0], int(head[1]), head[2], head[3:]
    os.makedirs(outside, exist_ok=True)
    ok = 0
    env = dict(os.environ, BTFGEN_TEST_SLOW_WRITES_MS="5")
    for t in range(trials):
        links = []
        for d in dirs:
            os.makedirs(d, exist_ok=True)
            link = d + ".swap"
            if os.path.lexists(link):
                os.unlink(link)
            os.symlink(os.path.abspath(outside), link)
            links.append((d, link))
        stop = threading.Event()
        swaps = [0]

        def swapper():
            while not stop.is_set():
                for d, link in links:
                    if renameat2(d, link, RENAME_EXCHANGE):
                        swaps[0] += 1

        th = threading.Thread(target=swapper)
        th.start()
        p = subprocess.run([driver] + run, env=env, stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE)
        stop.set()
        th.join()
        for d, link in links:
            if os.path.islink(d):  # put the real directory back
                renameat2(d, link, RENAME_EXCHANGE)
            os.unlink(link)
        leaked = sorted(os.listdir(outside))
        if not leaked:
            ok += 1
        print("trial %d: exit %d, %s, outside %s" % (
            t + 1, p.returncode, "swapped" if swaps[0] else "NOT SWAPPED",
            "empty" if not leaked else "HAS " + " ".join(leaked)))
        for name in leaked:
            path = os.path.join(outside, name)
            if os.path.isdir(path) and not os.path.islink(path):
                subprocess.run(["rm", "-rf", path])
            else:
                os.unlink(path)
    print("outside empty in %d/%d trials" % (ok, trials))
    return 0


def hold_lock(argv):
    import fcntl
    head, cmd = split_args(argv)
    fd = os.open(head[0], os.O_RDONLY | os.O_DIRECTORY)
    fcntl.flock(fd, fcntl.LOCK_EX)
    return subprocess.run(cmd).returncode


def second_run(argv):
    head, run = split_args(argv)
    driver, out = head
    env = dict(os.environ, BTFGEN_TEST_SLOW_WRITES_MS="300")
    a = subprocess.Popen([driver] + run + ["-o", out], env=env,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if not wait_for_temp(out, a):
        print("run A never wrote a temporary")
        a.wait()
        return 1
    b = subprocess.run([driver] + run + ["-o", out], stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, text=True)
    print("run B exit %d" % b.returncode)
    sys.stdout.write(b.stderr)
    a.wait()
    print("run A exit %d" % a.returncode)
    return 0


def signal_cache(argv):
    head, run = split_args(argv)
    driver, sig, cache = head
    env = dict(os.environ, BTFGEN_TEST_SLOW_WRITES_MS="500")
    p = subprocess.Popen([driver] + run, env=env, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE)
    if not wait_for_temp(cache, p):
        print("the run never wrote a cache temporary")
        p.wait()
        return 1
    p.send_signal({"INT": signal.SIGINT, "KILL": signal.SIGKILL}[sig])
    p.wait()
    print("killed by %s: %s" % (sig, p.returncode == -{"INT": signal.SIGINT,
                                                        "KILL": signal.SIGKILL}[sig]))
    print("cache temporaries of the run left: %d" % temps_of(cache, p.pid))
    return 0


if __name__ == "__main__":
    verb, rest = sys.argv[1], sys.argv[2:]
    sys.exit({"swap-race": swap_race, "hold-lock": hold_lock,
              "second-run": second_run,
              "signal-cache": signal_cache}[verb](rest))
