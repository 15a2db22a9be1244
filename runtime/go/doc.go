// Package btfgen picks, at program start, the tailored BTF file that
// describes the running kernel, from the files btfgen-driver wrote and the
// JSON index it wrote with them (--index). It is the Go twin of the C
// library btfgen_runtime (runtime/include/btfgen/btfgen_runtime.h): the
// same os-release parsing, architecture aliases, lookup rules and error
// messages, checked against the same test vectors
// (test/unit-runtime/vectors). It uses the standard library only.
//
// The index is the entry point, because it works with every layout of the
// driver's output: the BTFHub tree with relative symlinks between equal
// files (the index names the regular file each symlink points to, so
// go:embed, which drops symlinks, loses nothing the index needs), and a
// layout of regular files only. Any fs.FS serves: an embed.FS, os.DirFS,
// or a testing/fstest.MapFS.
//
//	//go:embed btf
//	var btfFS embed.FS
//
//	idx, err := btfgen.Open(btfFS, "btf/index.json")
//	...
//	spec, entry, err := idx.Select() // nil spec: the kernel has its own BTF
//
// A lookup identifies the kernel by a Host: os-release ID and VERSION_ID
// (HostFromSystem, or HostFromRoot for a host root mounted in a container)
// and uname machine and release. The rules, first match wins: exact
// (distro, version, arch, release), distro (any version), release (any
// distro; LookupOptions.NoReleaseFallback turns it off). A rule whose
// candidates differ in content is ambiguous (ErrAmbiguous); no candidate
// at all is ErrNoMatch. docs/runtime.md describes the rules, the index
// format and the containment of HostFromRoot in detail.
package btfgen
