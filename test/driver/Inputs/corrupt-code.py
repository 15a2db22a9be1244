#!/usr/bin/env python3
"""corrupt-code.py MANIFEST OUTDIR - write corrupted copies of a version 2
manifest (one defect each) as OUTDIR/<name>.json, for
manifest-err-code.test. The manifest must have code with at least two
programs, a linked subprogram and a callback address (linked.bpf.c)."""
import copy
import json
import os
import sys

src, out = sys.argv[1], sys.argv[2]
with open(src) as f:
    base = json.load(f)
code = base["code"]


def variant(name, change):
    m = copy.deepcopy(base)
    change(m)
    with open(os.path.join(out, name + ".json"), "w") as f:
        json.dump(m, f)


def set_key(k, v):
    return lambda m: m.__setitem__(k, v)


variant("version3", set_key("version", 3))
variant("both", lambda m: m.__setitem__("no_code", "why"))
variant("neither", lambda m: m.pop("code"))
variant("v1-code", set_key("version", 1))
variant("insns", lambda m: m["code"]["functions"][0].__setitem__(
    "insns", m["code"]["functions"][0]["insns"][:-2]))
variant("reloc", lambda m: m["code"]["core_relos"][0].__setitem__(
    2, len(m["relocations"])))
variant("root-ids", lambda m: m["code"]["root_ids"].pop())
variant("programs", lambda m: m["code"]["programs"].pop())


def linked(m):
    """The first program with a subprogram part."""
    return next(p for p in m["code"]["programs"] if len(p["parts"]) > 1)


variant("parts", lambda m: linked(m)["parts"][1].__setitem__(1, linked(m)["parts"][1][1] + 1))
variant("patch", lambda m: linked(m)["patches"].append(
    [10**6, "9500000000000000"]))


def callback_outside(m):
    """Point a callback address (a func reference) out of its program."""
    fns = m["code"]["functions"]
    for p in m["code"]["programs"]:
        for fn, start in p["parts"]:
            for r in fns[fn]["refs"]:
                if r["kind"] != "func":
                    continue
                at = start + r["insn"]
                for x in p["patches"]:
                    if x[0] == at:
                        h = x[1]
                        x[1] = h[:8] + "00000070"  # imm 0x70000000
                        return
    raise SystemExit("corrupt-code: no callback in " + src)


variant("callback", callback_outside)
