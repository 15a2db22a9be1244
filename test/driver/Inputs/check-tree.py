#!/usr/bin/env python3
"""Independent check of a btfgen-driver output tree's dedup invariants.

usage: check-tree.py [--scope dir|distro|tree|none] OUT

Checks, without using any btfgen code:
  - every *.btf is a regular file or a symlink, nothing else;
  - every symlink is relative, stays inside OUT and resolves to a regular
    file (not to another symlink) with the same bytes;
  - the symlink's target comes earlier in sorted path order than the link
    and lies in the same link scope (--link-scope of the driver; default
    dir: the same directory; distro: the same first component; tree:
    anywhere; none: no links at all);
  - no two regular files of one scope have identical bytes (so dedup is
    complete).
Prints one line per output ("path -> target" or "path"), sorted, so tests
can FileCheck the layout, then one line per directory symlink (the
archive's aliases, mirrored): "alias path -> target".
"""
import hashlib
import os
import sys


def scope_of(rel, scope):
    if scope == "dir":
        return os.path.dirname(rel)
    if scope == "distro":
        return rel.split("/")[0]
    if scope == "tree":
        return ""
    return rel  # none: every output alone


def main():
    args = sys.argv[1:]
    scope = "dir"
    if args[0] == "--scope":
        scope, args = args[1], args[2:]
    root = os.path.realpath(args[0])
    paths = []
    aliases = []
    for d, dirs, files in os.walk(root):
        for f in files:
            if f.endswith(".btf"):
                paths.append(os.path.relpath(os.path.join(d, f), root))
        for x in dirs:
            full = os.path.join(d, x)
            if os.path.islink(full):
                aliases.append((os.path.relpath(full, root), os.readlink(full)))
    paths.sort(key=lambda p: p.encode())
    seen = {}
    errors = []
    for rel in paths:
        full = os.path.join(root, rel)
        if os.path.islink(full):
            target = os.readlink(full)
            dest = os.path.normpath(os.path.join(os.path.dirname(full), target))
            if os.path.isabs(target):
                errors.append("%s: absolute symlink %s" % (rel, target))
            elif not dest.startswith(root + os.sep):
                errors.append("%s: symlink leaves the tree: %s" % (rel, target))
            elif os.path.islink(dest) or not os.path.isfile(dest):
                errors.append("%s: symlink target is not a regular file: %s" % (rel, target))
            else:
                drel = os.path.relpath(dest, root)
                if drel.encode() >= rel.encode():
                    errors.append("%s: links to a later path %s" % (rel, drel))
                if scope_of(drel, scope) != scope_of(rel, scope):
                    errors.append("%s: links out of its %s scope to %s" % (rel, scope, drel))
                if open(dest, "rb").read() != open(full, "rb").read():
                    errors.append("%s: bytes differ from %s" % (rel, drel))
            print("%s -> %s" % (rel, target))
        elif os.path.isfile(full):
            data = open(full, "rb").read()
            digest = (scope_of(rel, scope), hashlib.sha256(data).hexdigest())
            if digest in seen and open(os.path.join(root, seen[digest]), "rb").read() == data:
                errors.append("%s: identical to %s but not a symlink" % (rel, seen[digest]))
            seen.setdefault(digest, rel)
            print(rel)
        else:
            errors.append("%s: not a regular file or symlink" % rel)
    for path, target in sorted(aliases, key=lambda a: a[0].encode()):
        print("alias %s -> %s" % (path, target))
    for e in errors:
        print("ERROR: " + e)
    print("outputs=%d unique=%d" % (len(paths), len(seen)))
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
