#!/usr/bin/env python3
"""Check btfgen-driver's help pages against their structure and docs/usage.md.

usage: help-doc-sync.py DRIVER USAGE_MD

For the whole manual and every command page (commands are read from the
manual's COMMANDS section, not hard-coded):
  - the sections a page must have are present, in man-page order;
  - `help CMD` prints the same bytes as `CMD --help`;
  - every option named in a page's OPTIONS section (the header lines,
    indented by four spaces above a description indented by eight) appears
    in docs/usage.md;
  - every SYNOPSIS line of the manual appears verbatim in docs/usage.md.
Prints one line per problem and exits 1 if there is any.
"""
import re
import subprocess
import sys

driver, usage_md = sys.argv[1], sys.argv[2]
doc = open(usage_md, encoding="utf-8").read()
problems = []


def run(*args):
    p = subprocess.run([driver, *args], capture_output=True, text=True)
    if p.returncode != 0:
        problems.append("%s: exit %d" % (" ".join(args), p.returncode))
    return p.stdout


def sections(text):
    """Section name -> list of body lines, in order."""
    out, cur = {}, None
    for line in text.splitlines():
        if line and not line[0].isspace():
            cur = line
            out[cur] = []
        elif cur is not None:
            out[cur].append(line)
    return out


def check_order(name, secs, wanted):
    have = [s for s in secs if s in wanted]
    if have != wanted:
        problems.append("%s: sections %s, expected %s" % (name, have, wanted))


manual = run("--help")
msecs = sections(manual)
check_order("--help", list(msecs), ["NAME", "SYNOPSIS", "DESCRIPTION", "COMMANDS",
                                    "GLOBAL OPTIONS", "EXIT STATUS", "ENVIRONMENT",
                                    "FILES", "EXAMPLES", "SEE ALSO"])
commands = [l.split()[0] for l in msecs.get("COMMANDS", [])
            if re.match(r"^    [a-z_]+  ", l)]
if sorted(commands) != sorted(["run", "embed", "dump", "min_core_btf", "gen", "cache",
                               "manifest", "help"]):
    problems.append("COMMANDS lists %s" % commands)

for line in msecs.get("SYNOPSIS", []):
    if line.strip() and line[4:] not in doc:
        problems.append("usage.md lacks SYNOPSIS line %r" % line[4:])

pages = {}
for cmd in commands:
    page = run(cmd, "--help")
    pages[cmd] = page
    if run("help", cmd) != page:
        problems.append("'help %s' differs from '%s --help'" % (cmd, cmd))
    if page == manual:
        problems.append("'%s --help' prints the whole manual" % cmd)
    secs = sections(page)
    check_order(cmd, list(secs), ["NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS",
                                  "EXIT STATUS", "EXAMPLES"])
    # An alias (gen = min_core_btf, bpftool's words) shows its command's page.
    alias_of = [c for c in pages if c != cmd and pages[c] == page]
    named = alias_of[0] if alias_of else cmd
    if not any(l.startswith("    btfgen-driver %s - " % named) for l in secs.get("NAME", [])):
        problems.append("%s: NAME does not name the command" % cmd)
    opts = secs.get("OPTIONS", [])
    for i, line in enumerate(opts):
        # An option's header line: indent 4, its description indent 8.
        if not re.match(r"^    \S", line) or i + 1 >= len(opts) or \
                not opts[i + 1].startswith("        "):
            continue
        for form in line.strip().split(", "):
            opt = form.split()[0].split("=")[0]
            if not opt.startswith("-"):
                continue  # positional (INPUT, FILE, ...)
            if opt in ("-oOUT", "-jN"):
                opt = opt[:2]
            if not re.search(r"(?<![\w-])%s(?![\w-])" % re.escape(opt), doc):
                problems.append("%s: option %s is not in usage.md" % (cmd, opt))

for p in problems:
    print(p)
sys.exit(1 if problems else 0)
