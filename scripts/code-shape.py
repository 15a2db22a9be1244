#!/usr/bin/env python3
"""Check the shape rules of docs/design.md ("Code shape") on product sources.

usage: code-shape.py [--max-file N] [--max-function N] [ROOT]

Product sources are the C/C++ files under btfgen-core/, driver/, llvm-pass/
and runtime/ (tests, benches and fuzzers aside). Rules:
  - no file over --max-file lines (default 800);
  - no function over --max-function lines (default 150), counted from the
    line that opens its body to the line that closes it. Manual text (a
    function whose body is mostly string literals, like HelpPages.cpp's
    pages) is exempt and listed as such.
A function is a definition starting at column 0 whose body's closing brace
is at column 0 (the LLVM style every product file follows). Prints the
longest files and functions, one line per violation, and exits 1 if any.
"""
import argparse
import os
import re
import sys

DIRS = ("btfgen-core", "driver", "llvm-pass", "runtime")
EXTS = (".c", ".cpp", ".h")
NOT_FUNCTION = re.compile(r"^(namespace|extern \"\"|typedef)\b")


def product_files(root):
    for d in DIRS:
        for dirpath, dirnames, filenames in os.walk(os.path.join(root, d)):
            dirnames.sort()
            for f in sorted(filenames):
                if f.endswith(EXTS):
                    yield os.path.join(dirpath, f)


def strip_literals(text):
    """TEXT with comments, string and character literals blanked, line
    breaks kept, so braces can be matched and lines counted."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append("\n" * text.count("\n", i, j))
            i = j
        elif text.startswith('R"(', i):
            j = text.find(')"', i + 3)
            j = n if j < 0 else j + 2
            out.append('""' + "\n" * text.count("\n", i, j))
            i = j
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            out.append('""')
            i = j + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def functions(lines):
    """(head, first, last, body) for each function body: a brace block whose
    head (the text since the previous ';', '{' or '}') has a parameter list,
    outside any other function."""
    text = strip_literals("\n".join("" if l.lstrip().startswith("#") else l
                                     for l in lines))
    stack, head_start, line = [], 0, 0
    for i, c in enumerate(text):
        if c == "\n":
            line += 1
        elif c == "{":
            head = " ".join(text[head_start:i].split())
            in_function = any(kind == "function" for kind, _, _ in stack)
            is_function = (not in_function and head.endswith((")", "const", "override",
                                                              "noexcept", "final"))
                           and "(" in head and not NOT_FUNCTION.match(head)
                           and "=" not in head.split("(")[0]
                           and not head.startswith(("if", "for", "while", "switch", "else")))
            stack.append(("function" if is_function else "block", line, head))
            head_start = i + 1
        elif c == "}":
            if stack:
                kind, first, head = stack.pop()
                if kind == "function":
                    yield head, first, line, lines[first + 1:line]
            head_start = i + 1
        elif c == ";":
            head_start = i + 1


def code_lines(body):
    """Lines of BODY that hold code once string literals (raw ones too) are
    blanked: manual text does not count against the function limit."""
    text = strip_literals("\n".join(body))
    n = 0
    for line in text.split("\n"):
        rest = re.sub(r'(""|<<|OS|\s|;)', "", line)
        if rest and not rest.startswith("//"):
            n += 1
    return n


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--max-file", type=int, default=800)
    ap.add_argument("--max-function", type=int, default=150)
    ap.add_argument("root", nargs="?", default=os.path.join(os.path.dirname(__file__), ".."))
    a = ap.parse_args()
    problems, sizes, funcs, manual = [], [], [], []
    for path in product_files(a.root):
        rel = os.path.relpath(path, a.root)
        lines = open(path, encoding="utf-8", errors="replace").read().split("\n")
        n = len(lines) - (1 if lines and lines[-1] == "" else 0)
        sizes.append((n, rel))
        if n > a.max_file:
            problems.append("%s: %d lines (limit %d)" % (rel, n, a.max_file))
        for head, first, last, body in functions(lines):
            length = last - first + 1
            code = code_lines(body) + 2
            if code * 2 < length:
                manual.append((length, code, rel, head))
                length = code
            funcs.append((length, rel, first + 1, head))
            if length > a.max_function:
                problems.append("%s:%d: function of %d lines (limit %d): %s"
                                % (rel, first + 1, length, a.max_function, head[:70]))
    sizes.sort(reverse=True)
    funcs.sort(reverse=True)
    print("%d product files; longest:" % len(sizes))
    for n, rel in sizes[:5]:
        print("  %5d  %s" % (n, rel))
    print("%d functions; longest:" % len(funcs))
    for n, rel, line, head in funcs[:5]:
        print("  %5d  %s:%d  %s" % (n, rel, line, head[:60]))
    for n, code, rel, head in sorted(manual, reverse=True):
        print("  mostly manual text: %d lines, %d of code  %s  %s" % (n, code, rel, head[:40]))
    for p in problems:
        print("shape: " + p)
    print("%d problem(s)" % len(problems))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
