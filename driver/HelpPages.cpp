//===- HelpPages.cpp - The manual of btfgen-driver ------------------------===//
//
// One page per command (`btfgen-driver help CMD`, `CMD --help`) and the
// whole-tool page (`--help`); the pieces both need (synopses, exit status,
// environment, files) are written once. docs/usage.md follows this text;
// test/driver/help-*.test check that they agree.
//
//===----------------------------------------------------------------------===//

#include "Commands.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;

namespace btfgen {

namespace {

constexpr const char *RunSynopsis =
    R"(    btfgen-driver [run] INPUT... --archive DIR [-o OUT] [-j N]
                  [--report FILE] [--index FILE] [--verify] [--no-shrink]
                  [--cache-dir DIR | --no-cache] [--cache-max SIZE]
                  [--cache-views auto|always|on-demand] [--wait-lock] [-v]
                  [--arch ARCH] [--include GLOB]... [--exclude GLOB]...
                  [--layout tree|content] [--link-scope dir|distro|tree|none]
                  [--fail-on never|error|unloadable|unknown]
)";
constexpr const char *EmbedSynopsis =
    "    btfgen-driver embed TREE -o OUT.c [--symbol NAME] [--header OUT.h]\n";
constexpr const char *DumpSynopsis =
    "    btfgen-driver dump FILE [--format raw|c]\n";
constexpr const char *MinCoreSynopsis =
    "    btfgen-driver min_core_btf INPUT OUTPUT OBJECT... [--shrink]\n"
    "    btfgen-driver gen min_core_btf INPUT OUTPUT OBJECT... [--shrink]\n";
constexpr const char *ManifestSynopsis = "    btfgen-driver manifest FILE\n";
constexpr const char *CacheSynopsis =
    "    btfgen-driver cache stats|prune|clear [--cache-dir DIR] [--max SIZE]\n";
constexpr const char *HelpSynopsis =
    R"(    btfgen-driver help [COMMAND]
    btfgen-driver COMMAND --help
)";

constexpr const char *InputText =
    R"(    A program INPUT is either a btfgen manifest (JSON, written by the clang
    plugin libBTFGenPass.so) or a BPF object file (ELF with .BTF and
    .BTF.ext). The kind is detected from the content, not the file name.
)";

constexpr const char *EnvironmentText = R"(ENVIRONMENT
    XDG_CACHE_HOME
        If set to an absolute path, the default cache directory of run is
        $XDG_CACHE_HOME/btfgen. An empty or relative value is ignored.

    HOME
        Otherwise the default cache directory is $HOME/.cache/btfgen. If
        neither variable gives one and --cache-dir is not used, run works
        without a cache.

    NO_COLOR
        If set and not empty, the "error:", "warning:" and "note:" prefixes
        are not colored. Colors are only ever used when stderr is a color
        terminal.

    No variable controls the progress line of run: it is shown exactly
    when stderr is a terminal, with or without -v. Redirect stderr
    (2>FILE, 2>&1 | cat) to turn it off.
)";

constexpr const char *FilesText = R"(FILES
    OUT/<distro>/<version>/<arch>/<release>.btf
        Output of run for the archive file
        <distro>/<version>/<arch>/<release>.btf.tar.xz (or .btf): a regular
        file, or a relative symlink to the byte-identical output of the
        first such kernel in sorted path order. OUT defaults to
        ./custom-archive.

    .<name>.tmp-<pid>-XXXXXXXX
        Temporary file next to every file written (outputs, symlinks, the
        --report and --index files, the OUTPUT of min_core_btf), renamed
        over <name> once complete. Such names are hidden and do not end in
        .btf, so an archive walk never reads one. On SIGINT, SIGTERM or
        SIGHUP the driver removes its temporaries and dies of the signal;
        after SIGKILL or a crash they stay, and the next run writing into
        the same directory removes those whose <pid> no longer exists.

    CACHE/v2/btf/<kk>/<hash>.btf
        What tailoring reads of a kernel decoded from a tarball: its named
        types other than functions and variables, and all they refer to
        (zstd-compressed, smaller than the tarball), keyed by the BLAKE3
        hash of the tarball; <kk> is the first two hex digits of <hash>.

    CACHE/v2/out/<kk>/<hash>.res
        Result of one kernel for one set of programs (minimized BTF and the
        outcome of every relocation), keyed by the driver binary itself,
        the kernel file and the program INPUTs, in command-line order.

    CACHE/v2/vrd/<kk>/<hash>.vrd
        Load verdicts of one program INPUT for one set of relocation
        results, keyed by the driver binary, the INPUT's bytes and those
        results: shared by every kernel and program set that asks the same.

    CACHE/v2/bas/<kk>/<hash>.bas
        The part of a kernel's view that its last tailoring on the view
        read, and the program INPUTs it was for, keyed by the driver
        binary and the tarball's hash. A changed set of those INPUTs (one
        dropped, say) is tailored on it, and the result kept only if that
        read nothing else; otherwise the kernel is tailored on its view.

    CACHE/v2/{btf,out,vrd,bas}/<kk>/.<hash>.<ext>.tmp-<pid>-XXXXXXXX
        Temporary cache entry, renamed into place once complete; removed
        on SIGINT/SIGTERM/SIGHUP, and by the next run after a SIGKILL.

    CACHE is --cache-dir DIR, else $XDG_CACHE_HOME/btfgen, else
    $HOME/.cache/btfgen. Entries are checksummed; a corrupt one is
    ignored and replaced. The whole directory may be deleted at any time.
    After each run the cache is cut to its cap (--cache-max, default 2
    GiB), least recently used entries first; CACHE/v1 (an older format)
    is removed then.
)";

constexpr const char *HelpOptionText = R"(    -h, --help
        Print this page and exit, wherever it appears among the options.
)";

void printRunPage(raw_ostream &OS) {
  OS << "NAME\n"
        "    btfgen-driver run - minimize every kernel BTF of an archive\n"
        "\n"
        "SYNOPSIS\n"
     << RunSynopsis << "\nDESCRIPTION\n"
     << InputText << R"(    All INPUTs are minimized together: each output BTF serves every
    program. run is the default command: the word "run" may be left out,
    except when the first INPUT is a file named like a command (dump,
    manifest, ...).

    The archive DIR has the BTFHub layout
        <distro>/<version>/<arch>/<release>.btf.tar.xz
    (raw <release>.btf files are accepted as well). Every regular file
    below DIR whose name ends in .btf.tar.xz or .btf is a kernel (file
    symlinks are followed); a kernel file at another depth is an error
    naming the expected shape (and, for an archive given too deep, its
    likely root). Directory symlinks inside DIR are aliases, as BTFHub
    uses for distro codenames: each is mirrored in OUT as the same
    relative symlink and its kernels are in the index under the alias
    names too; one that leaves DIR or forms a cycle is skipped with a
    note. Hidden entries (btfhub's .hasbtf and .failed markers) are
    skipped. For each kernel, run writes
        OUT/<distro>/<version>/<arch>/<release>.btf
    with the types and members the programs' CO-RE relocations need, so
    that libbpf computes the same relocations against it as against the
    full BTF. Tarballs are read in memory; the only entry used is the
    regular file <release>.btf (or ./<release>.btf); tarballs with absolute
    paths, '..' components, links or device entries are rejected. An
    x.btf next to an x.btf.tar.xz fails: both would write OUT/.../x.btf.

    Kernels are processed in parallel; the output tree, the messages and
    the exit status do not depend on -j. Files are written atomically
    (temporary file + rename), and a file whose content would not change
    is not rewritten. Kernels with byte-identical outputs in one
    <distro>/<version>/<arch> directory share one regular file (the first
    in sorted path order); the others are relative symlinks to it (see
    --link-scope, --layout). A kernel that fails is reported by file name
    with the reason; the other kernels are still written, and an earlier
    output of the failed kernel is left as is. Relocations that libbpf
    would refuse to load (for example an ambiguous match) give a warning;
    the kernel's output is still written.

    Output inside the archive: a btfgen output tree inside DIR (this
    run's OUT, e.g. `--archive .` with the default ./custom-archive, or
    any other, recognized by its record file) is skipped with a note,
    never read as kernels.

    The tree holds exactly this run's kernels: OUT/.btfgen-tree.json
    records what run wrote; the next run removes what it wrote before and
    no longer produces (kernels gone from the archive or the selection,
    a --index file not asked for again) and the directories that leaves
    empty. Files it never wrote are never touched. embed lists a tree
    from this record. OUT is locked for the whole run (one run per tree).

    Reruns are fast: decoded kernel BTF and per-kernel results are kept in
    a content-addressed cache (see --cache-dir and FILES), so a rerun with
    a changed program skips xz decoding, and a rerun with unchanged inputs
    only checks hashes and rewrites nothing.

    VERDICTS. For every kernel and every BPF program of every object
    INPUT (each entry point, named as libbpf names it), run decides
    whether the program loads: it applies that kernel's relocations to
    the program's instructions as libbpf does (a relocation without a
    target poisons its instruction) and follows the paths the kernel's
    verifier explores, pruning the branches it decides on known values.
    loads: no libbpf error and no poisoned instruction reachable; fails: a
    libbpf error, or a reachable poison (named by field path and source
    line); unknown: the analysis cannot decide (an older verifier that
    may not prune, a manifest INPUT without the program's code, ...). A
    manifest the plugin wrote records that code (docs/manifest.md): it
    gets the verdicts of its object. Verdicts
    cover CO-RE only, not verifier limits unrelated to it. Details:
    docs/verdicts.md; the report lists them per kernel.

    At the end a summary goes to stderr: kernels processed, failed, unique
    outputs and their bytes, how many programs load on every kernel and,
    for each that does not, where it fails and why; how many kernels are
    fully supported (no poisoned or failing relocation), and the most
    frequent unresolved relocations by field path. The last line says
    what decided the exit status. While kernels are processed, a
    progress line (kernels done, rate, ETA) is shown if stderr is a
    terminal.

OPTIONS
    INPUT
        A manifest or BPF object; at least one is required. Every argument
        that does not start with '-', the argument '-' (a file named "-"),
        and every argument after `--` is an INPUT.

    --archive DIR, --archive=DIR
        Kernel BTF archive to process. Required; may be given only once.

    -o OUT, -oOUT, --output OUT, --output=OUT
        Output directory, created if missing. Default: ./custom-archive.

    -j N, -jN, --jobs N, --jobs=N
        Number of kernels (and INPUTs) processed in parallel, 1 to 4096.
        Default: the number of physical CPU cores (at least 1).

    --report FILE, --report=FILE
        Write a JSON report: per kernel its distro, version, arch,
        release, output path, size and dedup target, or its error; and the
        outcome of every relocation (resolved, not-found, poisoned, error)
        with its value. Written also when kernels failed; "-" writes it to
        standard output. Format: docs/report.md.

    --arch ARCH
        Only kernels of this arch directory (compared canonically: amd64
        and x86_64 are one, arm64 and aarch64 are one).

    --include GLOB, --exclude GLOB
        Repeatable shell globs over <distro>/<version>/<arch>/<release>
        ('*' also matches '/'); a glob also matches when it matches a
        leading directory part, so "centos/7*" and "centos/7" both take
        all of centos/7/. With --include a kernel must match one of them;
        a kernel matching an --exclude is left out.

    --layout tree|content
        tree (default): OUT/<distro>/<version>/<arch>/<release>.btf, with
        dedup symlinks. content: no symlinks and no per-kernel paths, for
        go:embed (which drops symlinks), zip and plain tar readers: one
        OUT/blobs/<sha256>.btf per distinct content and the index, written
        to OUT/index.json unless --index names another place.

    --fail-on never|error|unloadable|unknown
        Which load verdicts make the exit status 1 (see VERDICTS):
        error (default): a libbpf hard error on some kernel (the whole
        object would fail to load there); unloadable: also any program
        that fails on some kernel; unknown: also any verdict that is not
        a proven `loads`; never: verdicts do not change it. The default
        fails a build only on what breaks every program of the object;
        applications often switch programs off per kernel, so a program
        failing where it is never loaded is not an error unless asked.
        The last line on stderr says what decided the exit status.

    --link-scope dir|distro|tree|none
        How far a dedup symlink may reach in the tree layout: dir
        (default) keeps links inside their <distro>/<version>/<arch>
        directory, so any distro, version or arch subtree can be packed
        alone; distro inside one distro; tree anywhere (fewest files);
        none: every kernel a regular file.

    --index FILE, --index=FILE
        Write a JSON index (format btfgen-index, docs/runtime.md) mapping
        (distro, version, arch, release) to the regular output file that
        holds its BTF (the dedup leader), for consumers that cannot follow
        symlinks; alias names are rows too. Its "file" paths are
        relative to the directory of FILE and never contain '..', so FILE
        must be inside OUT or above it (else a usage error); OUT/index.json
        is the usual place. "-" writes it to standard output (paths
        relative to OUT). Failed kernels are left out.

    --verify
        After minimizing, read each output back and match every
        relocation against it again; any difference from the result on the
        full BTF (outcome, value; target type name and kind for
        target_type_id) fails that kernel. Stored results are not reused:
        every kernel is matched against its full BTF.

    --no-shrink
        Write bpftool's output shape (what min_core_btf writes): kept
        types as in the kernel, in kernel order. By default the output is
        shrunk: a member's type that libbpf only inspects for its kind,
        size and encoding becomes a canonical anonymous type (void *, an
        INT per size and encoding, an empty STRUCT per size), a composite
        size no relocation reads covers just its kept members, and types
        are ordered by name; kernels whose relocations resolve alike then
        give byte-identical files. Each shrunk output is checked
        in-process (every relocation, every candidate, as on the full BTF);
        if the check fails, that kernel gets the unshrunk output (a note
        with -v). Details: docs/core.md, "Shrinking".

    --cache-dir DIR, --cache-dir=DIR
        Cache directory, not empty (default $XDG_CACHE_HOME/btfgen, else
        $HOME/.cache/btfgen). Entries are keyed by content (BLAKE3), written
        atomically, checksummed and replaced when corrupt; it may be deleted.

    --no-cache
        Neither read nor write the cache (also when --cache-dir is given).

    --cache-max SIZE
        Cap on the cache's size, in bytes or with a K, M, G or T suffix
        (powers of 1024), or none. Default 2G. After the run, least
        recently used entries (a hit counts as a use) are removed until the
        cache holds at most SIZE. See `btfgen-driver help cache`.

    --cache-views auto|always|on-demand
        Views (CACHE/v2/btf, FILES) of every decoded kernel (always), or only
        once a run reads past the kernel's basis, which then decodes its
        tarball again (on-demand: a cold run is faster, stores 1/20 of the
        bytes). auto, the default: always if they fit in half of the cap.

    --wait-lock
        OUT is locked for the whole run (one run per output tree). Without
        this option a run that finds OUT locked by another run fails at
        once (exit 1); with it, it waits for the other run to finish.

    -v, --verbose
        Also print per-phase times, worker time per stage, notes (cache
        hits, corrupt cache entries, failed cache writes), one line per
        kernel ("PATH: N types, M bytes [-> LINK]"), cache hit counts and
        what the cap removed from the cache.

)" << HelpOptionText
     << R"(
    --
        End of options: every later argument is an INPUT.

    Options and INPUTs may come in any order. A value follows its option
    as the next argument, after '=' (long forms), or attached (-oOUT,
    -j8). If -o, -j, --report, --index or --cache-dir is repeated, the
    last one counts.

EXIT STATUS
    0   every kernel was minimized and written, and no verdict trips
        --fail-on (warnings do not change it)
    1   an INPUT could not be read or parsed, or no INPUT has a CO-RE
        relocation (nothing is written), the archive could not be read
        or holds no kernel, a kernel failed (read, decode, parse, match,
        --verify), an output, the report or the index could not be
        written, or a verdict trips --fail-on; each failure is on stderr
    2   usage error: unknown option, missing value, no INPUT, no or a
        repeated --archive, bad -j, empty -o or --cache-dir, --index
        outside OUT; or a first argument named like a command that is
        neither a command nor an existing file
    On SIGINT, SIGTERM or SIGHUP the driver removes its temporary files
    and dies of that signal (a shell reports 130, 143 or 129).

)" << EnvironmentText
     << "\n" << FilesText << R"(
EXAMPLES
    Minimize the bundled archive for one object:
        btfgen-driver prog.bpf.o --archive examples/archive -o out

    Several programs (a plugin manifest and an object), 8 threads, with
    a report and an index for btfgen-which / btfgen_runtime:
        btfgen-driver run a.bpf.o.btfgen.json b.bpf.o \
            --archive btfhub-archive -o btf -j 8 \
            --report report.json --index btf/index.json

    A clean tree after kernels were removed from the archive:
        btfgen-driver prog.bpf.o --archive btfhub-archive -o btf.new &&
            rm -rf btf && mv btf.new btf

    Check every output, without reading or writing the user's cache:
        btfgen-driver prog.bpf.o --archive btfhub-archive --verify --no-cache
)";
}

void printEmbedPage(raw_ostream &OS) {
  OS << "NAME\n"
        "    btfgen-driver embed - write a tailored tree as a C source file\n"
        "\n"
        "SYNOPSIS\n"
     << EmbedSynopsis << R"(
DESCRIPTION
    Turn the output tree of run (or its --index file) into one C source
    file, so that an application can carry its tailored BTFs inside its
    binary instead of installing the tree. OUT.c defines
        const struct btfgen_entry NAME_entries[];
        const size_t NAME_count;
    (struct btfgen_entry from <btfgen/btfgen_runtime.h>), ready for
    btfgen_index_from_entries(NAME_entries, NAME_count, &idx, &err). The
    BTF bytes are static arrays of hex literals aligned to 8 bytes, plain
    C11 that gcc and clang compile (no #embed, no assembler).

    Each distinct content is emitted once: kernels that run deduplicated
    into symlinks, and any other files with identical bytes, share one
    array. Entries are sorted by (distro, version, arch, release), arrays
    are numbered in the order of their first entry, and the file names no
    path or time, so OUT.c is a pure function of the tree's names and
    bytes: the same tree always gives the same OUT.c.

    TREE is read like btfgen_index_open_dir() reads it: every
    <distro>/<version>/<arch>/<release>.btf, a regular file or a symlink;
    names starting with '.', other suffixes (index.json, .btf.tar.xz) and
    files at other depths are ignored. It is checked strictly, and each of
    these fails naming the path: a symlink that resolves outside TREE, a
    dangling symlink, a directory symlink, a file that is not valid BTF,
    two entries btfgen_runtime would take for the same kernel (Debian/ and
    debian/, amd64/ and x86_64/), and a tree with no entry at all.

    If TREE is a file, it is a JSON index (format btfgen-index, written by
    run --index, see docs/runtime.md): its kernels are embedded, each from
    its "file", which must be relative, without '.' or '..' components,
    and resolve inside the index's directory.

    OUT.c (and OUT.h) are written atomically and not rewritten when their
    content would not change, so a build that depends on them does not
    recompile an unchanged table.

OPTIONS
    TREE
        The output directory of run, or its JSON index file; exactly one.

    -o OUT.c, -oOUT.c, --output OUT.c, --output=OUT.c
        The C file to write. Required.

    --symbol NAME, --symbol=NAME
        Prefix of the defined names (a C identifier): NAME_entries,
        NAME_count, and the static arrays NAME_blob_<N>. Default:
        btfgen_btf.

    --header OUT.h, --header=OUT.h
        Also write a header declaring NAME_entries and NAME_count (it
        includes <btfgen/btfgen_runtime.h>). Without it, declare them
        yourself:
            extern const struct btfgen_entry NAME_entries[];
            extern const size_t NAME_count;

)" << HelpOptionText
     << R"(
    --
        End of options: a later TREE may start with '-'.

EXIT STATUS
    0   OUT.c (and OUT.h) were written or are already up to date
    1   TREE could not be read or is not a valid tree or index (see
        DESCRIPTION), or an output could not be written
    2   usage error: no TREE or more than one, no -o, a --symbol that is
        not a C identifier, --header equal to -o, or an unknown option

EXAMPLES
    Tailor, then embed the tree into the application:
        btfgen-driver prog.bpf.o --archive btfhub-archive -o btf
        btfgen-driver embed btf -o prog_btf.c --symbol prog_btf \
            --header prog_btf.h
        cc -c prog_btf.c -I/opt/btfgen/include

    From the JSON index instead of the tree:
        btfgen-driver embed btf/index.json -o prog_btf.c
)";
}

void printDumpPage(raw_ostream &OS) {
  OS << "NAME\n"
        "    btfgen-driver dump - print BTF like bpftool btf dump\n"
        "\n"
        "SYNOPSIS\n"
     << DumpSynopsis << R"(
DESCRIPTION
    Print every type of the BTF in FILE on stdout, as the same text as
    `bpftool btf dump file FILE [format raw|c]`. FILE may be
      - raw BTF (/sys/kernel/btf/vmlinux, an output of run);
      - an ELF file with a .BTF section (a BPF object, a vmlinux);
      - an xz-compressed tarball (recognized by its content) named
        <release>.btf.tar.xz, <release>.tar.xz or <release>.txz: its
        entry <release>.btf (or ./<release>.btf) is printed.

    With --format c the BTF is printed as a C header, the vmlinux.h that
    CO-RE programs include: every struct, union, enum and typedef in an
    order that compiles (forward declarations where types point at each
    other), anonymous ones inline, repeated names numbered name___2, explicit
    padding and __attribute__((packed)) where the layout needs them, inside
    an __VMLINUX_H__ guard and a `#pragma clang attribute` block that marks
    every struct and union preserve_access_index (define
    BPF_NO_PRESERVE_ACCESS_INDEX to leave it out).

OPTIONS
    FILE
        The file to print; exactly one. After `--` it may start with '-'.

    --format FORMAT, --format=FORMAT
        raw (the default): one line per type and one per member, value or
        parameter, as bpftool's default (raw) format.
        c: compilable C type definitions, as bpftool's `format c`.

)" << HelpOptionText
     << R"(
    --
        End of options.

EXIT STATUS
    0   the BTF was printed
    1   FILE could not be read, unpacked or parsed as BTF; or, with
        --format c, a type cannot be written in C (a cycle of anonymous
        types, or types nested more than 1000 levels deep)
    2   usage error: no FILE, more than one, an unknown option or format

EXAMPLES
    Show what a tailored file keeps:
        btfgen-driver dump btf/debian/12/x86_64/6.1.0-48-amd64.btf

    Compare with bpftool:
        diff <(bpftool btf dump file min.btf) <(btfgen-driver dump min.btf)

    Look into a BTFHub tarball without unpacking it:
        btfgen-driver dump 6.1.0-48-amd64.btf.tar.xz | grep "'task_struct'"

    Write the vmlinux.h of a BTFHub kernel (no bpftool, no unpacking):
        btfgen-driver dump 6.1.0-48-amd64.btf.tar.xz --format c > vmlinux.h
)";
}

void printMinCorePage(raw_ostream &OS) {
  OS << "NAME\n"
        "    btfgen-driver min_core_btf - minimize one kernel BTF, like "
        "bpftool\n"
        "\n"
        "SYNOPSIS\n"
     << MinCoreSynopsis << R"(
DESCRIPTION
    The arguments of `bpftool gen min_core_btf INPUT OUTPUT OBJECT...`:
    read the kernel BTF INPUT, keep only what the CO-RE relocations of the
    OBJECTs need, and write the result as raw BTF to OUTPUT. OBJECTs are
    BPF objects or btfgen manifests (detected from the content), minimized
    together. INPUT may be raw BTF, an ELF file with .BTF, or a
    <release>.btf.tar.xz tarball (see `btfgen-driver help dump`).
    `gen min_core_btf` is the same command in bpftool's words, so a script
    that calls bpftool (BTFHub's tools/btfgen.sh) needs only the binary
    name changed. OUTPUT is bpftool's shape, byte for byte, unless
    --shrink asks for run's default shape.

    OUTPUT is written atomically (temporary file + rename) and is not
    rewritten if its content would not change. No cache is used.
    Relocations that libbpf would refuse to load against INPUT (for
    example an ambiguous match) give a warning; OUTPUT is still written.

OPTIONS
    INPUT
        The full kernel BTF.

    OUTPUT
        The minimized raw BTF file to write.

    OBJECT...
        One or more BPF objects or btfgen manifests.

    --shrink
        Write run's default, shrunk output (see `btfgen-driver help run`,
        --no-shrink) instead of bpftool's shape.

)" << HelpOptionText
     << R"(
    --
        End of options: later arguments may start with '-'.

EXIT STATUS
    0   OUTPUT was written
    1   INPUT or an OBJECT could not be read or parsed, a relocation could
        not be matched, or OUTPUT could not be written (OUTPUT is then
        unchanged)
    2   usage error: fewer than three arguments, or an unknown option

EXAMPLES
    BTFHub's per-kernel loop, with btfgen instead of bpftool:
        btfgen-driver gen min_core_btf 5.4.0-91.btf out/5.4.0-91.btf prog.bpf.o

    Tailor the running kernel's BTF for one program:
        btfgen-driver min_core_btf /sys/kernel/btf/vmlinux min.btf prog.bpf.o

    Compare with bpftool:
        bpftool gen min_core_btf vmlinux.btf ref.btf prog.bpf.o
        btfgen-driver min_core_btf vmlinux.btf min.btf prog.bpf.o
        diff <(btfgen-driver dump ref.btf) <(btfgen-driver dump min.btf)
)";
}

void printManifestPage(raw_ostream &OS) {
  OS << "NAME\n"
        "    btfgen-driver manifest - list the CO-RE relocations of a "
        "program\n"
        "\n"
        "SYNOPSIS\n"
     << ManifestSynopsis << R"(
DESCRIPTION
    Read a btfgen manifest or BPF object FILE (detected from the content)
    and print what run matches for it:
        file: FILE (manifest) | FILE (BPF object)
        source: SOURCE          (if recorded)
        object: OBJECT          (if recorded)
        types: N, relocations: M
    then one line per unique relocation: its kind, the local root type
    ([ID] KIND 'name'), the access string, and the source places that use
    it (file:line:col (function)).

OPTIONS
    FILE
        The manifest or object; exactly one. It cannot start with '-'
        (write ./-name); this command has no `--`.

)" << HelpOptionText
     << R"(
EXIT STATUS
    0   the summary was printed
    1   FILE could not be read, is neither a manifest nor a BPF object, or
        has an invalid relocation
    2   usage error: no FILE, more than one, or an unknown option

EXAMPLES
    What the plugin recorded for a program:
        btfgen-driver manifest prog.bpf.o.btfgen.json

    The same from the object's .BTF.ext:
        btfgen-driver manifest prog.bpf.o
)";
}

void printCachePage(raw_ostream &OS) {
  OS << "NAME\n"
        "    btfgen-driver cache - show or trim the cache of run\n"
        "\n"
        "SYNOPSIS\n"
     << CacheSynopsis << R"(
DESCRIPTION
    run keeps decoded kernels, per-kernel results, load verdicts and
    kernel bases (the part of each kernel its tailorings read) in a cache
    (FILES in `btfgen-driver --help`), so reruns skip xz decoding, verdicts
    already worked out and unchanged kernels, and a changed program set
    that reads nothing new skips the decoded kernels too. After each run the
    cache is cut to its cap (run --cache-max, default 2G), least recently
    used entries first.

    stats   print the entries and bytes per kind (decoded kernels, results,
            verdicts, bases, temporaries of running writers, entries of an
            older format)
    prune   remove entries of an older format, then the least recently
            used entries until the cache holds at most --max SIZE
    clear   remove every entry (prune --max 0)

    Concurrent runs are safe: an entry is removed whole, and a run that
    finds it gone decodes the kernel again.

OPTIONS
    --cache-dir DIR, --cache-dir=DIR
        The cache of run --cache-dir DIR. Default: $XDG_CACHE_HOME/btfgen,
        else $HOME/.cache/btfgen.

    --max SIZE
        prune only: the size to cut to, in bytes or with a K, M, G or T
        suffix (powers of 1024). Default 2G, run's default cap.

)" << HelpOptionText
     << R"(
EXIT STATUS
    0   done (stats: printed; a missing cache is reported as empty)
    1   the cache could not be read or an entry could not be removed
    2   usage error: no or unknown action, bad SIZE, unknown option

EXAMPLES
    How much the cache holds:
        btfgen-driver cache stats

    Keep at most 500 MiB:
        btfgen-driver cache prune --max 500M
)";
}

void printHelpPage(raw_ostream &OS) {
  OS << "NAME\n"
        "    btfgen-driver help - print the manual or one command's page\n"
        "\n"
        "SYNOPSIS\n"
     << HelpSynopsis << "    btfgen-driver --help\n"
     << R"(
DESCRIPTION
    Without COMMAND, print the whole manual (the same as `btfgen-driver
    --help`). With COMMAND, print only that command's page, the same text
    as `btfgen-driver COMMAND --help`.

OPTIONS
    COMMAND
        One of: )" << commandList() << R"(.

)" << HelpOptionText
     << R"(
EXIT STATUS
    0   the page was printed
    2   usage error: unknown COMMAND, or more than one

EXAMPLES
    The options of run:
        btfgen-driver help run
)";
}

using PageFn = void (*)(raw_ostream &);

struct CommandPage {
  const char *Name;
  PageFn Print;
};

const CommandPage Pages[] = {
    {"run", printRunPage},           {"embed", printEmbedPage},
    {"dump", printDumpPage},
    {"min_core_btf", printMinCorePage}, {"gen", printMinCorePage},
    {"manifest", printManifestPage},
    {"cache", printCachePage},
    {"help", printHelpPage},
};

} // namespace

bool printCommandHelp(StringRef Name, raw_ostream &OS) {
  for (const CommandPage &P : Pages)
    if (Name == P.Name) {
      P.Print(OS);
      return true;
    }
  return false;
}

void printHelp(raw_ostream &OS) {
  OS << R"(NAME
    btfgen-driver - minimize kernel BTF for eBPF CO-RE programs

SYNOPSIS
)" << RunSynopsis
     << EmbedSynopsis << DumpSynopsis << MinCoreSynopsis << ManifestSynopsis
     << CacheSynopsis << HelpSynopsis
     << R"(    btfgen-driver --help | --version

DESCRIPTION
    For every kernel BTF in a BTFHub-layout archive, btfgen-driver keeps
    only the types and members that the CO-RE relocations of the given
    programs need, so that libbpf computes exactly the same relocations
    against the small BTF as against the full one (the job of
    `bpftool gen min_core_btf`, for a whole archive at once).

)" << InputText
     << R"(
COMMANDS
)";
  for (const Command &C : commands())
    OS << format("    %-14s%s\n", C.Name, C.Summary);
  OS << R"(
    `btfgen-driver help COMMAND` or `btfgen-driver COMMAND --help` prints
    the page of one command, with all its options.

GLOBAL OPTIONS
    -h, --help
        As the first argument: print this manual. After a COMMAND: print
        that command's page.

    --version
        As the first argument: print the version.

EXIT STATUS
    0   success
    1   an input or a kernel failed (each failure is reported on stderr)
    2   command-line usage error, including a first argument named like a
        command that is neither a command nor an existing file

)" << EnvironmentText
     << "\n" << FilesText << R"(
EXAMPLES
    Minimize the bundled archive for one object:
        btfgen-driver prog.bpf.o --archive examples/archive -o out

    Use the manifests written by the clang plugin, 8 threads, and an index:
        btfgen-driver a.json b.json --archive btfhub-archive -j 8 \
            -o btf --index btf/index.json

    Compare with bpftool:
        btfgen-driver min_core_btf vmlinux.btf min.btf prog.bpf.o
        btfgen-driver dump min.btf

    Link the tailored BTFs into the application:
        btfgen-driver embed btf -o app_btf.c --symbol app_btf

    All options of run:
        btfgen-driver help run

SEE ALSO
    bpftool-gen(8), bpftool-btf(8), btfgen-which --help,
    docs/usage.md (tools and options), docs/report.md (--report and
    --index formats), docs/runtime.md (run-time lookup, index format),
    docs/manifest.md (manifest format)
)";
}

} // namespace btfgen
