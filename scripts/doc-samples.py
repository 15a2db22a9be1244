#!/usr/bin/env python3
# ===- scripts/doc-samples.py - the figures and outputs quoted in docs ----===#
#
# Docs quote tool output (summaries, sizes). Each such quote is a fenced
# block right after a marker line
#
#   <!-- sample: NAME (scripts/doc-samples.py) -->
#
# and this script produces NAME by running the tools, so a quote is never
# typed by hand and never goes stale unnoticed:
#
#   scripts/doc-samples.py BUILD_DIR --check FILE|DIR...  exit 1 on any drift
#   scripts/doc-samples.py BUILD_DIR --write FILE...   rewrite the blocks
#   scripts/doc-samples.py BUILD_DIR --print NAME      print one sample
#
# Samples (all with --no-cache, so they do not depend on the user's cache):
#   example-summary  stderr of `run` for examples/tracer (manifest) over the
#                    bundled archive, from a checkout (examples/archive/...)
#   example-embed    the embedded table of that tree: kernels, distinct
#                    contents, BTF bytes, C file bytes
#   corpus-summary   stderr of `run` for Debian's libbpf-tools tcpconnect,
#                    execsnoop and bindsnoop (object mode) over the corpus
#   corpus-embed     the embedded table of examples/tracer over the corpus
# --check also requires every ```sh block of the files to be marked on the
# line before as run by a test, `<!-- tested: PATH -->` (PATH must exist
# and name the doc or run its commands), or as `<!-- illustrative -->`
# (placeholder names such as prog.bpf.o stand for the reader's files).
# The corpus samples need ../shared/corpus (or $BTFGEN_CORPUS) and, for
# libbpf-tools, the installed package; without them they are reported as
# skipped ("SKIPPED: ..." on stderr) and their blocks are not checked.
#
# ===----------------------------------------------------------------------===#
import os
import re
import shutil
import subprocess
import sys
import tempfile

SRC = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
MARK = re.compile(r"^<!-- sample: ([a-z0-9-]+) \(scripts/doc-samples.py\) -->$")
SHELL_MARK = re.compile(r"^<!-- (illustrative|tested: (\S+)) -->$")


def unmarked_shell_blocks(path, text):
    """Problems with the ```sh blocks of one doc."""
    problems, lines = [], text.split("\n")
    for i, line in enumerate(lines):
        if line.strip() != "```sh":
            continue
        m = SHELL_MARK.match(lines[i - 1]) if i else None
        if not m:
            problems.append("%s:%d: shell block neither <!-- tested: PATH --> nor "
                            "<!-- illustrative -->" % (path, i + 1))
        elif m.group(2) and not os.path.exists(os.path.join(SRC, m.group(2))):
            problems.append("%s:%d: tested by %s, which does not exist" % (path, i + 1, m.group(2)))
    return problems


class Skip(Exception):
    pass


class Samples:
    def __init__(self, build):
        self.build = os.path.abspath(build)
        self.driver = os.path.join(self.build, "bin", "btfgen-driver")
        self.work = tempfile.mkdtemp(prefix="btfgen-doc-samples-")
        os.symlink(os.path.join(SRC, "examples"), os.path.join(self.work, "examples"))
        self.corpus = os.environ.get("BTFGEN_CORPUS", os.path.join(SRC, "..", "shared", "corpus"))
        self.cache = {}

    def run(self, *args, check=True):
        p = subprocess.run(list(args), cwd=self.work, capture_output=True, text=True)
        if check and p.returncode not in (0, 1):
            raise SystemExit("doc-samples: %s: exit %d\n%s" % (args, p.returncode, p.stderr))
        return p

    def tracer(self):
        if "tracer" not in self.cache:
            multiarch = subprocess.run(["gcc", "-print-multiarch"], capture_output=True,
                                       text=True).stdout.strip() or "x86_64-linux-gnu"
            self.run("clang-19", "--target=bpf", "-g", "-O2", "-I/usr/include/" + multiarch,
                     "-fpass-plugin=" + os.path.join(self.build, "lib", "libBTFGenPass.so"),
                     "-c", "examples/tracer/tracer.bpf.c", "-o", "tracer.bpf.o")
            self.cache["tracer"] = True

    def embed_line(self, tree, out_c):
        self.run(self.driver, "embed", tree, "-o", out_c)
        blobs = {}
        kernels = 0
        for dirpath, _, files in os.walk(os.path.join(self.work, tree)):
            for f in files:
                p = os.path.join(dirpath, f)
                if f.endswith(".btf"):
                    kernels += 1
                    if not os.path.islink(p):
                        blobs[p] = os.path.getsize(p)
        size = os.path.getsize(os.path.join(self.work, out_c))
        return ("%d kernels, %d distinct contents: %d bytes of BTF in a %d-byte C file\n"
                % (kernels, len(blobs), sum(blobs.values()), size))

    def example_summary(self):
        self.tracer()
        p = self.run(self.driver, "tracer.bpf.o.btfgen.json", "--archive", "examples/archive",
                     "-o", "example-out", "--no-cache")
        return p.stderr

    def example_embed(self):
        self.example_summary()
        return self.embed_line("example-out", "example_btf.c")

    def corpus_dir(self):
        if not os.path.isdir(self.corpus):
            raise Skip("no corpus at %s (set BTFGEN_CORPUS)" % self.corpus)
        return os.path.abspath(self.corpus)

    def corpus_summary(self):
        corpus = self.corpus_dir()
        objs = os.path.join(self.work, "lbt")
        if not os.path.isdir(objs):
            p = subprocess.run([sys.executable, os.path.join(SRC, "scripts", "extract-libbpf-tools.py"),
                                objs], capture_output=True, text=True)
            if p.returncode != 0:
                raise Skip("Debian's libbpf-tools objects not available: " + p.stderr.strip())
        names = ["tcpconnect.bpf.o", "execsnoop.bpf.o", "bindsnoop.bpf.o"]
        for n in names:
            shutil.copy(os.path.join(objs, n), os.path.join(self.work, n))
        os.symlink(corpus, os.path.join(self.work, "corpus"))
        p = self.run(self.driver, *names, "--archive", "corpus", "-o", "corpus-out", "--no-cache")
        os.unlink(os.path.join(self.work, "corpus"))
        return p.stderr

    def corpus_embed(self):
        corpus = self.corpus_dir()
        self.tracer()
        self.run(self.driver, "tracer.bpf.o.btfgen.json", "--archive", corpus, "-o", "corpus-tracer",
                 "--no-cache")
        return self.embed_line("corpus-tracer", "corpus_btf.c")

    def get(self, name):
        fn = {"example-summary": self.example_summary, "example-embed": self.example_embed,
              "corpus-summary": self.corpus_summary, "corpus-embed": self.corpus_embed}.get(name)
        if fn is None:
            raise SystemExit("doc-samples: unknown sample %r" % name)
        if name not in self.cache:
            self.cache[name] = fn()
        return self.cache[name]


def blocks(text):
    """(name, start, end) of each marked block's body lines."""
    lines = text.split("\n")
    for i, line in enumerate(lines):
        m = MARK.match(line)
        if not m:
            continue
        if i + 1 >= len(lines) or not lines[i + 1].startswith("```"):
            raise SystemExit("doc-samples: marker %r not followed by a fenced block" % line)
        j = i + 2
        while j < len(lines) and lines[j] != "```":
            j += 1
        yield m.group(1), i + 2, j


def main():
    if len(sys.argv) < 3:
        raise SystemExit("usage: doc-samples.py BUILD_DIR --check|--write FILE... | --print NAME")
    s = Samples(sys.argv[1])
    mode, rest = sys.argv[2], sys.argv[3:]
    try:
        if mode == "--print":
            sys.stdout.write(s.get(rest[0]))
            return 0
        drift = checked = skipped = 0
        paths = []
        for a in rest:  # a directory stands for its *.md files
            paths += (sorted(os.path.join(a, f) for f in os.listdir(a) if f.endswith(".md"))
                      if os.path.isdir(a) else [a])
        for path in paths:
            text = open(path, encoding="utf-8").read()
            for problem in unmarked_shell_blocks(path, text):
                print("UNMARKED: " + problem)
                drift += 1
            lines = text.split("\n")
            out = list(lines)
            for name, start, end in sorted(blocks(text), key=lambda b: -b[1]):
                try:
                    want = s.get(name).rstrip("\n").split("\n")
                except Skip as e:
                    print("SKIPPED: %s: sample %s: %s" % (path, name, e), file=sys.stderr)
                    skipped += 1
                    continue
                checked += 1
                if lines[start:end] != want:
                    drift += 1
                    print("DRIFT: %s: sample %s (line %d) differs from the tools' output:" %
                          (path, name, start + 1))
                    for l in want:
                        print("    " + l)
                    out[start:end] = want
            if mode == "--write" and out != lines:
                open(path, "w", encoding="utf-8").write("\n".join(out))
        print("%d sample block(s) checked, %d drifted, %d skipped" % (checked, drift, skipped))
        return 1 if drift and mode == "--check" else 0
    finally:
        shutil.rmtree(s.work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
