#!/usr/bin/env python3
# check-report.py REPORT.json KERNEL_REL_PATH BPFTOOL_DUMP
#
# Independent check of the values in a btfgen --report for task.bpf.c on one
# kernel: the expected numbers come from `bpftool btf dump file` of that
# kernel's FULL BTF (not from btfgen), and from the C types (comm is
# char[16]). Prints one line per relocation: "<kind> <access> ok <value>",
# or "MISMATCH ..." (and exits 1).
import json
import re
import sys

report = json.load(open(sys.argv[1]))
kernel = sys.argv[2]
dump = open(sys.argv[3]).read().splitlines()

# task_struct size and member byte offsets from the bpftool dump.
size = None
members = {}
for i, line in enumerate(dump):
    m = re.match(r"\[\d+\] STRUCT 'task_struct' size=(\d+) vlen=\d+", line)
    if not m:
        continue
    size = int(m.group(1))
    for mline in dump[i + 1:]:
        if not mline.startswith("\t"):
            break
        mm = re.match(r"\t'(\w*)' type_id=\d+ bits_offset=(\d+)", mline)
        if mm:
            members[mm.group(1)] = int(mm.group(2)) // 8
    break
if size is None:
    sys.exit("no task_struct in the dump")

# task.bpf.c's local task_struct: pid, tgid, flags, real_parent, children, comm.
local = ["pid", "tgid", "flags", "real_parent", "children", "comm"]
relocs = {r["id"]: r for r in report["relocations"]}
kern = [k for k in report["kernels"] if k["path"] == kernel]
if len(kern) != 1:
    sys.exit("kernel %s not in the report" % kernel)
bad = 0
for res in kern[0]["relocations"]:
    r = relocs[res["id"]]
    idx = [int(x) for x in r["access"].split(":")]
    if r["kind"] == "byte_off":
        want = members[local[idx[1]]]
    elif r["kind"] == "byte_sz":
        want = 16 if local[idx[1]] == "comm" else None
    elif r["kind"] == "field_exists":
        want = 1 if local[idx[1]] in members else 0
    elif r["kind"] == "type_size":
        want = size
    else:
        want = None
    ok = res["outcome"] == "resolved" and res.get("value") == want
    bad += not ok
    print("%s %s %s %s" % (r["kind"], r["access"], "ok" if ok else "MISMATCH", res.get("value")))
sys.exit(1 if bad else 0)
