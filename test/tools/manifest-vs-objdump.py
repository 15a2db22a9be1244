#!/usr/bin/env python3
# ===- manifest-vs-objdump.py - Cross-check a manifest against its object --===#
#
# Independent check of the plugin's manifest against what LLVM actually put
# into the object:
#
#   1. Relocation set. The set of (kind, root kind, root name, access) in the
#      manifest must equal the set of CO-RE records `llvm-objdump -dr` prints
#      for the object's .BTF.ext. objdump prints three shapes:
#        CO-RE <byte_off> [2] struct task_struct::parent (0:3)
#        CO-RE <type_exists> [3] typedef pid_t            (access is "0")
#        CO-RE <enumval_value> [7] enum e::B = 2          (access = index of B)
#      Root kinds/names and enumerator indexes come from the object's .BTF via
#      `bpftool btf dump file OBJ -j`.
#   2. Shapes. For every relocation, the type graph reachable from the
#      manifest root must be isomorphic to the one from the object's root:
#      same kinds, names, sizes, vlen, kflag, member names/offsets/bitfield
#      sizes, enumerators, int encodings, array lengths, func-proto params,
#      and the DECL_TAGs attached to each type.
#      A manifest FWD where the object has the complete struct/union of that
#      name is reported as a note and tolerated with --allow-fwd (the
#      plugin only expands what the relocation roots reach; see
#      docs/manifest.md).
#
# Usage: manifest-vs-objdump.py [--allow-fwd] MANIFEST OBJECT
# Prints "OK: N relocations (M records) match, K root graphs equal" or a diff
# and exits 1.
#
# ===----------------------------------------------------------------------===#
import argparse
import json
import re
import shutil
import subprocess
import sys

CORE_RE = re.compile(r"CO-RE <(\w+)> \[(\d+)\] (.*)$")
FIELD_KINDS = {"byte_off", "byte_sz", "field_exists", "signed", "lshift_u64",
               "rshift_u64"}
ENUM_KINDS = {"enumval_exists", "enumval_value"}


def tool(*names):
    for n in names:
        p = shutil.which(n)
        if p:
            return p
    sys.exit("error: none of %s found in PATH" % ", ".join(names))


def load_object_btf(obj):
    out = subprocess.run([tool("bpftool"), "btf", "dump", "file", obj, "-j"],
                         check=True, capture_output=True, text=True).stdout
    types = json.loads(out)["types"]
    for i, t in enumerate(types):
        assert t["id"] == i + 1, "bpftool ids are positions"
    return types


def norm_name(n):
    return "" if n == "(anon)" else n


def object_relocs(obj, btf):
    out = subprocess.run([tool("llvm-objdump-19", "llvm-objdump"), "-dr", obj],
                         check=True, capture_output=True, text=True).stdout
    keys, records = set(), 0
    for line in out.splitlines():
        m = CORE_RE.search(line)
        if not m:
            continue
        records += 1
        kind, tid, rest = m.group(1), int(m.group(2)), m.group(3)
        root = btf[tid - 1]
        if kind in FIELD_KINDS:
            am = re.search(r"\(([\d:]+)\)$", rest)
            if not am:
                sys.exit("error: cannot parse access in: " + line.strip())
            access = am.group(1)
        elif kind in ENUM_KINDS:
            em = re.search(r"::(\S+) = ", rest)
            if not em:
                sys.exit("error: cannot parse enumerator in: " + line.strip())
            # The root may be a typedef of an (anonymous) enum.
            enum = root
            while enum["kind"] in ("TYPEDEF", "CONST", "VOLATILE", "TYPE_TAG"):
                enum = btf[enum["type_id"] - 1]
            names = [v["name"] for v in enum.get("values", [])]
            if em.group(1) not in names:
                sys.exit("error: enumerator %s not in BTF [%d]" % (em.group(1), tid))
            access = str(names.index(em.group(1)))
        else:
            access = "0"
        keys.add((kind, root["kind"], norm_name(root["name"]), access))
        keys_ids[(kind, root["kind"], norm_name(root["name"]), access)] = tid
    return keys, records


keys_ids = {}


class ShapeDiff(Exception):
    pass


def decl_tags(types):
    """type id -> sorted [(tag, component_idx)] of the DECL_TAGs naming it."""
    tags = {}
    for t in types:
        if t["kind"] == "DECL_TAG":
            tags.setdefault(t["type_id"], []).append((t["name"], t["component_idx"]))
    return {k: sorted(v) for k, v in tags.items()}


def compare_graph(mtypes, otypes, mroot, oroot, notes, allow_fwd):
    """Walks both graphs in parallel; raises ShapeDiff on the first
    difference."""
    seen = set()
    mtags, otags = decl_tags(mtypes), decl_tags(otypes)
    work = [(mroot, oroot, "root")]
    while work:
        mid, oid, path = work.pop()
        if mid == 0 or oid == 0:
            if mid != oid:
                raise ShapeDiff("%s: manifest type %d vs object type %d (void)" % (path, mid, oid))
            continue
        # Pairs, not a map: one manifest type may legitimately stand for two
        # equal object types (BTFDebug does not deduplicate everything).
        if (mid, oid) in seen:
            continue
        seen.add((mid, oid))
        m, o = mtypes[mid - 1], otypes[oid - 1]
        where = "%s (manifest [%d] %s '%s', object [%d] %s '%s')" % (
            path, mid, m["kind"], m["name"], oid, o["kind"], norm_name(o["name"]))
        if m["kind"] == "FWD" and o["kind"] in ("STRUCT", "UNION") and \
                m["name"] == norm_name(o["name"]):
            if not allow_fwd:
                raise ShapeDiff(where + ": FWD in manifest, complete in object")
            notes.append(where + ": FWD in manifest, complete in object")
            continue
        if m["kind"] != o["kind"] or m["name"] != norm_name(o["name"]):
            raise ShapeDiff(where + ": kind/name differ")
        k = m["kind"]
        if mtags.get(mid, []) != otags.get(oid, []):
            raise ShapeDiff("%s: decl tags %r vs %r" % (where, mtags.get(mid), otags.get(oid)))

        def same(key, okey=None):
            mv, ov = m.get(key), o.get(okey or key)
            if mv != ov:
                raise ShapeDiff("%s: %s %r vs %r" % (where, key, mv, ov))

        if k == "INT":
            for key in ("size", "bits_offset", "nr_bits", "encoding"):
                same(key)
        elif k in ("PTR", "TYPEDEF", "CONST", "VOLATILE", "RESTRICT", "TYPE_TAG"):
            work.append((m["type_id"], o["type_id"], path + "->" + k.lower()))
        elif k == "ARRAY":
            same("nr_elems")
            work.append((m["type_id"], o["type_id"], path + "[]"))
            work.append((m["index_type_id"], o["index_type_id"], path + "[index]"))
        elif k in ("STRUCT", "UNION"):
            same("size")
            same("vlen")
            for i, (mm, om) in enumerate(zip(m["members"], o["members"])):
                if mm["name"] != norm_name(om["name"]):
                    raise ShapeDiff("%s: member %d name %r vs %r" % (where, i, mm["name"], om["name"]))
                if mm["bits_offset"] != om["bits_offset"]:
                    raise ShapeDiff("%s: member %d bits_offset %r vs %r" % (where, i, mm["bits_offset"], om["bits_offset"]))
                if mm.get("bitfield_size", 0) != om.get("bitfield_size", 0):
                    raise ShapeDiff("%s: member %d bitfield_size differs" % (where, i))
                work.append((mm["type_id"], om["type_id"], "%s.%s" % (path, mm["name"])))
            # bpftool prints bitfield_size only under kflag, and LLVM sets
            # kflag exactly when some member is a bitfield.
            okflag = any(x.get("bitfield_size", 0) for x in o["members"])
            if bool(m.get("kflag", 0)) != okflag:
                raise ShapeDiff(where + ": kflag differs")
        elif k in ("ENUM", "ENUM64"):
            same("size")
            same("vlen")
            ovals = [(v["name"], v["val"]) for v in o["values"]]
            mvals = [(v["name"], v["val"]) for v in m["values"]]
            if mvals != ovals:
                raise ShapeDiff("%s: enumerators %r vs %r" % (where, mvals, ovals))
            signed = o.get("encoding") == "SIGNED"
            if bool(m.get("kflag", 0)) != signed:
                raise ShapeDiff(where + ": signedness differs")
        elif k == "FWD":
            union = o.get("fwd_kind") == "union"
            if bool(m.get("kflag", 0)) != union:
                raise ShapeDiff(where + ": fwd kind differs")
        elif k == "FUNC_PROTO":
            same("vlen")
            work.append((m["ret_type_id"], o["ret_type_id"], path + "->ret"))
            for i, (mp, op) in enumerate(zip(m["params"], o["params"])):
                work.append((mp["type_id"], op["type_id"], "%s(param %d)" % (path, i)))
        elif k == "FLOAT":
            same("size")
    return len(seen)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--allow-fwd", action="store_true")
    ap.add_argument("manifest")
    ap.add_argument("object")
    args = ap.parse_args()

    with open(args.manifest) as f:
        man = json.load(f)
    mtypes = man["types"]
    otypes = load_object_btf(args.object)
    okeys, records = object_relocs(args.object, otypes)

    mkeys, mroots = set(), {}
    for r in man["relocations"]:
        root = mtypes[r["type"] - 1]
        if root["name"] != r["type_name"]:
            print("manifest: type_name %r != types[%d].name %r" % (r["type_name"], r["type"], root["name"]))
            return 1
        key = (r["kind"], root["kind"], root["name"], r["access"])
        mkeys.add(key)
        mroots[key] = r["type"]

    fail = False
    for key in sorted(mkeys - okeys):
        print("only in manifest: %s %s '%s' %s" % key)
        fail = True
    for key in sorted(okeys - mkeys):
        print("only in object:   %s %s '%s' %s" % key)
        fail = True

    notes, graphs = [], 0
    for key in sorted(mkeys & okeys):
        try:
            compare_graph(mtypes, otypes, mroots[key], keys_ids[key], notes, args.allow_fwd)
            graphs += 1
        except ShapeDiff as e:
            print("shape differs for %s %s '%s' %s: %s" % (key + (e,)))
            fail = True
    for n in sorted(set(notes)):
        print("note: " + n)
    if fail:
        print("FAIL: manifest %d relocations, object %d unique (%d records)"
              % (len(mkeys), len(okeys), records))
        return 1
    print("OK: %d relocations (%d records) match, %d root graphs equal"
          % (len(mkeys), records, graphs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
