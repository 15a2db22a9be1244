#!/usr/bin/env python3
"""check-dedup.py - check a btfgen-driver output tree.

    check-dedup.py TREE
        No two regular files of one directory in TREE have the same bytes
        (the driver's default --link-scope dir); every symlink is
        relative, stays inside TREE and resolves to a regular file; every
        file is raw BTF (magic 0xeB9F). Prints
        "TREE: N outputs, U regular files, L symlinks, 0 duplicates".
    check-dedup.py --same TREE1 TREE2
        The two trees are identical: same paths, same kinds (file/symlink),
        same symlink texts and same bytes (determinism of reruns).

Exit status 0 if the check holds, 1 otherwise (each problem is printed).
"""

import hashlib
import os
import sys


def walk(tree):
    """Sorted {relpath: ('link', text) | ('file', sha256, size) | ('other',)}."""
    entries = {}
    for root, dirs, files in os.walk(tree):
        dirs.sort()
        for name in sorted(files) + [d for d in dirs if os.path.islink(os.path.join(root, d))]:
            path = os.path.join(root, name)
            rel = os.path.relpath(path, tree)
            if rel == ".btfgen-tree.json":
                continue  # the tree's record (driver/OutputTree.h), not an output
            if os.path.islink(path):
                entries[rel] = ("link", os.readlink(path))
            elif os.path.isfile(path):
                with open(path, "rb") as f:
                    data = f.read()
                entries[rel] = ("file", hashlib.sha256(data).hexdigest(), len(data), data[:2])
            else:
                entries[rel] = ("other",)
    return entries


def check_dedup(tree):
    problems = []
    entries = walk(tree)
    by_hash = {}
    real_tree = os.path.realpath(tree)
    n_files = n_links = 0
    for rel, e in sorted(entries.items()):
        if e[0] == "file":
            n_files += 1
            if e[3] != b"\x9f\xeb":
                problems.append("%s: not raw little-endian BTF (magic %r)" % (rel, e[3]))
            by_hash.setdefault((os.path.dirname(rel), e[1]), []).append(rel)
        elif e[0] == "link":
            n_links += 1
            text = e[1]
            if os.path.isabs(text):
                problems.append("%s: absolute symlink '%s'" % (rel, text))
                continue
            target = os.path.realpath(os.path.join(tree, rel))
            if not (target + os.sep).startswith(real_tree + os.sep):
                problems.append("%s: symlink '%s' leaves the tree" % (rel, text))
            elif not os.path.isfile(target) or os.path.islink(os.path.join(tree, os.path.dirname(rel), text)):
                problems.append("%s: symlink '%s' does not point at a regular file" % (rel, text))
        else:
            problems.append("%s: neither a regular file nor a symlink" % rel)
    dups = 0
    for h, rels in sorted(by_hash.items()):
        if len(rels) > 1:
            dups += len(rels) - 1
            problems.append("identical regular files (should be symlinks): %s" % ", ".join(rels))
    print("%s: %d outputs, %d regular files, %d symlinks, %d duplicates"
          % (tree, n_files + n_links, n_files, n_links, dups))
    return problems


def check_same(a, b):
    ea, eb = walk(a), walk(b)
    problems = []
    for rel in sorted(set(ea) | set(eb)):
        if rel not in ea or rel not in eb:
            problems.append("%s: only in %s" % (rel, a if rel in ea else b))
        elif ea[rel][:2] != eb[rel][:2]:
            problems.append("%s: differs (%s vs %s)" % (rel, ea[rel][0], eb[rel][0]))
    print("%s vs %s: %d entries, %d differences" % (a, b, len(ea), len(problems)))
    return problems


def main(argv):
    if len(argv) == 2 and not argv[1].startswith("-"):
        problems = check_dedup(argv[1])
    elif len(argv) == 4 and argv[1] == "--same":
        problems = check_same(argv[2], argv[3])
    else:
        sys.stderr.write(__doc__)
        return 2
    for p in problems:
        print("error: " + p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
