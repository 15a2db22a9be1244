package btfgen_test

import (
	"embed"
	"encoding/binary"
	"errors"
	"fmt"
	"log"

	btfgen "github.com/btfgen/btfgen/runtime/go"
)

// testdata/btf is what btfgen-driver --index wrote for a small CO-RE
// program over five real kernels (testdata/make-testdata.sh), as go:embed
// sees it: regular files and the index.
//
//go:embed testdata/btf
var tailored embed.FS

// An application embeds the driver's output and, at start-up, picks the
// BTF of the running kernel. Here the kernel is given by hand; a program
// would call Select, or HostFromSystem and BTFForHost.
func Example() {
	idx, err := btfgen.Open(tailored, "testdata/btf/index.json")
	if err != nil {
		log.Fatal(err)
	}
	// 6.1.0-49-amd64 has the same tailored BTF as 6.1.0-48-amd64: the
	// index names 6.1.0-48's file for both.
	host := btfgen.Host{Distro: "debian", Version: "12", Arch: "x86_64", Release: "6.1.0-49-amd64"}
	spec, e, err := idx.BTFForHost(host)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(e.Match, e)
	fmt.Println(e.Path)
	fmt.Printf("BTF magic %#x, %d bytes\n", binary.LittleEndian.Uint16(spec), len(spec))
	// Output:
	// exact debian/12/x86_64/6.1.0-49-amd64
	// testdata/btf/debian/12/x86_64/6.1.0-48-amd64.btf
	// BTF magic 0xeb9f, 243 bytes
}

// The whole start-up decision. With cilium/ebpf (not a dependency of this
// package), the bytes become the collection's kernel types:
//
//	spec, _, err := idx.Select()
//	...
//	var opts ebpf.CollectionOptions
//	if spec != nil {
//		types, err := btf.LoadSpecFromReader(bytes.NewReader(spec))
//		...
//		opts.Programs.KernelTypes = types
//	}
//	coll, err := ebpf.NewCollectionWithOptions(collSpec, opts)
func ExampleIndex_Select() {
	idx, err := btfgen.Open(tailored, "testdata/btf/index.json")
	if err != nil {
		log.Fatal(err)
	}
	spec, e, err := idx.Select()
	switch {
	case err != nil:
		log.Printf("no BTF for this kernel: %v", err)
	case e.Match == btfgen.MatchNotNeeded:
		log.Print("the kernel has its own BTF")
	default:
		log.Printf("using %s (%s match, %d bytes)", e.Path, e.Match, len(spec))
	}
}

// Without os-release (a distroless container), the release alone decides
// when it is unique on the arch; aarch64 and arm64 are one arch.
func ExampleIndex_Lookup() {
	idx, err := btfgen.Open(tailored, "testdata/btf/index.json")
	if err != nil {
		log.Fatal(err)
	}
	e, err := idx.Lookup(btfgen.Host{Arch: "arm64", Release: "4.19.90-52.22.v2207.ky10.aarch64"})
	fmt.Println(e.Match, e, err)

	_, err = idx.Lookup(btfgen.Host{Distro: "debian", Version: "12", Arch: "x86_64", Release: "6.1.0-50-amd64"})
	fmt.Println(errors.Is(err, btfgen.ErrNoMatch))
	fmt.Println(err)
	// Output:
	// release kylin/V10/aarch64/4.19.90-52.22.v2207.ky10.aarch64 <nil>
	// true
	// no tailored BTF for kernel release '6.1.0-50-amd64' arch 'x86_64' (matched as 'x86_64'), distro 'debian' version '12': the index has 5 entries, 3 for this arch, none with this release
}

func ExampleParseOSRelease() {
	distro, version, err := btfgen.ParseOSRelease([]byte(`NAME="Ubuntu"
# quotes, escapes and concatenation as in the shell
ID="Ubuntu"
VERSION_ID='20'".04"
`))
	fmt.Println(distro, version, err)
	// Output: ubuntu 20.04 <nil>
}

func ExampleCanonicalArch() {
	fmt.Println(btfgen.CanonicalArch("aarch64"), btfgen.CanonicalArch("AMD64"), btfgen.CanonicalArch("s390x"))
	// Output: arm64 x86_64 s390x
}

// In a container that mounts the host's root at /host, the host's
// os-release describes the kernel; symlinks in it stay inside /host.
func ExampleHostFromRoot() {
	h, err := btfgen.HostFromRoot("/host")
	if err != nil {
		log.Fatal(err)
	}
	if h.OSReleaseErr != nil {
		log.Printf("no os-release under /host (%v): the release alone will decide", h.OSReleaseErr)
	}
	log.Printf("kernel: %v", h)
}
