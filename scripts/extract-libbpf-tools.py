#!/usr/bin/env python3
# ===- scripts/extract-libbpf-tools.py - BPF objects from libbpf-tools ----===#
#
# Debian's libbpf-tools package ships bcc's libbpf-based tools (execsnoop,
# biolatency, ...) with each tool's BPF ELF object embedded in the executable
# (bpftool gen skeleton). This finds those images and writes each as
# <tool>.bpf.o, so they can be used as object-mode program inputs:
#
#   scripts/extract-libbpf-tools.py OUTDIR [EXECUTABLE...]
#
# Without EXECUTABLEs, every executable of the installed package
# (`dpkg -L libbpf-tools`) is scanned. For every "\x7fELF" in a file, the
# image is accepted only if it is a little-endian ELF64 relocatable with
# e_machine == EM_BPF (247) and sane section headers; its size is the end of
# the section header table (e_shoff + e_shnum * e_shentsize) or the end of
# the furthest section (sh_offset + sh_size, SHT_NOBITS excluded),
# whichever is larger, and must lie inside the file. Byte-identical images
# (several tools built from one object) are written once. A tool with more
# than one image gets <tool>.<n>.bpf.o. Prints one line per object and a
# summary; exit status 1 if nothing was found.
#
# ===----------------------------------------------------------------------===#

import hashlib
import os
import struct
import subprocess
import sys

EM_BPF = 247
ET_REL = 1
SHT_NOBITS = 8
ELF_MAGIC = b"\x7fELF"


def image_at(data, off):
    """The BPF ELF image starting at data[off:], or None."""
    if len(data) - off < 64:
        return None
    ident = data[off:off + 16]
    if ident[4] != 2 or ident[5] != 1:  # ELFCLASS64, ELFDATA2LSB
        return None
    (e_type, e_machine, e_version, _entry, _phoff, e_shoff, _flags, e_ehsize,
     _phentsize, _phnum, e_shentsize, e_shnum, e_shstrndx) = struct.unpack_from(
        "<HHIQQQIHHHHHH", data, off + 16)
    if e_machine != EM_BPF or e_type != ET_REL or e_version != 1:
        return None
    if e_ehsize != 64 or e_shentsize != 64 or e_shnum == 0 or e_shstrndx >= e_shnum:
        return None
    end = e_shoff + e_shnum * e_shentsize
    if off + end > len(data):
        return None
    sections = []
    for i in range(e_shnum):
        (sh_name, sh_type, _fl, _addr, sh_offset, sh_size, _link, _info, _align,
         _entsize) = struct.unpack_from("<IIQQQQIIQQ", data, off + e_shoff + i * 64)
        sections.append((sh_name, sh_type, sh_offset, sh_size))
        if sh_type != SHT_NOBITS:
            end = max(end, sh_offset + sh_size)
    if off + end > len(data):
        return None
    # Section names must resolve, and a CO-RE object has .BTF.
    _n, st_type, st_off, st_size = sections[e_shstrndx]
    if st_type == SHT_NOBITS or st_off + st_size > end:
        return None
    strtab = data[off + st_off:off + st_off + st_size]
    names = set()
    for sh_name, _t, _o, _s in sections:
        if sh_name >= len(strtab):
            return None
        names.add(strtab[sh_name:strtab.index(b"\0", sh_name)].decode("latin-1"))
    if ".BTF" not in names:
        return None
    return data[off:off + end]


def images(data):
    pos = data.find(ELF_MAGIC, 1)  # offset 0 is the executable itself
    while pos >= 0:
        img = image_at(data, pos)
        if img is not None:
            yield img
            pos = data.find(ELF_MAGIC, pos + len(img))
        else:
            pos = data.find(ELF_MAGIC, pos + 1)


def package_executables():
    out = subprocess.run(["dpkg", "-L", "libbpf-tools"], capture_output=True,
                         text=True, check=True).stdout.split()
    return sorted(p for p in out
                  if ("/bin/" in p or "/sbin/" in p) and os.path.isfile(p)
                  and not os.path.islink(p) and os.access(p, os.X_OK))


def main():
    if len(sys.argv) < 2 or sys.argv[1] in ("-h", "--help"):
        print("usage: extract-libbpf-tools.py OUTDIR [EXECUTABLE...]")
        return 2
    outdir = sys.argv[1]
    exes = sys.argv[2:] or package_executables()
    os.makedirs(outdir, exist_ok=True)
    seen = {}
    written = dups = 0
    for exe in exes:
        with open(exe, "rb") as f:
            data = f.read()
        tool = os.path.basename(exe)
        found = list(images(data))
        for n, img in enumerate(found):
            digest = hashlib.sha256(img).hexdigest()
            name = tool + (".%d" % n if len(found) > 1 else "") + ".bpf.o"
            if digest in seen:
                print("%s: %d bytes, same as %s (skipped)" % (name, len(img), seen[digest]))
                dups += 1
                continue
            seen[digest] = name
            with open(os.path.join(outdir, name), "wb") as f:
                f.write(img)
            written += 1
            print("%s: %d bytes" % (name, len(img)))
        if not found:
            print("%s: no BPF object found" % tool)
    print("%d objects written to %s (%d duplicates skipped, %d executables)"
          % (written, outdir, dups, len(exes)))
    return 0 if written else 1


if __name__ == "__main__":
    sys.exit(main())
