// Package embed checks the Go package (runtime/go) on a real tailored
// tree embedded with go:embed, against the C library. run-go.sh tailors
// examples/tracer for a real archive (the corpus when present) with
// btfgen-driver --layout content into btf/ (blobs named by content and
// the index, no symlinks: go:embed takes it as it is), and the same run
// with the path layout into $BTFGEN_TREE; it runs this test with
// $BTFGEN_WHICH (btfgen-which).
package embed

import (
	"embed"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	btfgen "github.com/btfgen/btfgen/runtime/go"
)

//go:embed btf
var tree embed.FS

// cResult is what btfgen-which chose: the chosen file's bytes, or its
// error message.
type cResult struct {
	data []byte
	msg  string
}

func runWhich(t *testing.T, args ...string) cResult {
	t.Helper()
	cmd := exec.Command(os.Getenv("BTFGEN_WHICH"), append([]string{"--force"}, args...)...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		msg := strings.TrimSpace(stderr.String())
		if !strings.HasPrefix(msg, "btfgen-which: error: ") {
			t.Fatalf("btfgen-which %v: %v: %s", args, err, msg)
		}
		return cResult{msg: strings.TrimPrefix(msg, "btfgen-which: error: ")}
	}
	data, err := os.ReadFile(strings.TrimSpace(string(out)))
	if err != nil {
		t.Fatal(err)
	}
	return cResult{data: data}
}

// host is one simulated machine: what its os-release says (nil: none)
// and what uname says.
type host struct {
	name             string
	osRelease        []byte
	machine, release string
}

var aliases = map[string]string{"x86_64": "amd64", "amd64": "x86_64", "arm64": "aarch64", "aarch64": "arm64"}

// variants of the machine an entry was built for: as it is, with the
// other spelling of its arch, with a finer VERSION_ID (the distro rule),
// an uppercase quoted ID, and without os-release (the release rule).
func variants(e btfgen.Entry) []host {
	osr := func(id, version string) []byte {
		return []byte("NAME=\"Test\"\nID=\"" + id + "\"\nVERSION_ID='" + version + "'\n")
	}
	hs := []host{
		{"exact", osr(e.Distro, e.Version), e.Arch, e.Release},
		{"finer-version", osr(e.Distro, e.Version+".9"), e.Arch, e.Release},
		{"uppercase-id", osr(strings.ToUpper(e.Distro), e.Version), e.Arch, e.Release},
		{"no-os-release", nil, e.Arch, e.Release},
		{"unknown-release", osr(e.Distro, e.Version), e.Arch, e.Release + "-unknown"},
	}
	if a, ok := aliases[e.Arch]; ok {
		hs = append(hs, host{"arch-alias", osr(e.Distro, e.Version), a, e.Release})
	}
	return hs
}

func TestEveryKernelAsTheCLibraryChoosesIt(t *testing.T) {
	idx, err := btfgen.Open(tree, "btf/index.json")
	if err != nil {
		t.Fatal(err)
	}
	treeDir := os.Getenv("BTFGEN_TREE")
	entries := idx.Entries()
	if len(entries) < 5 {
		t.Fatalf("the tree has only %d kernels", len(entries))
	}
	found, failed, exact := 0, 0, 0
	for _, e := range entries {
		for _, h := range variants(e) {
			root := t.TempDir()
			if h.osRelease != nil {
				if err := os.MkdirAll(filepath.Join(root, "usr", "lib"), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(root, "usr", "lib", "os-release"), h.osRelease, 0o644); err != nil {
					t.Fatal(err)
				}
				if err := os.MkdirAll(filepath.Join(root, "etc"), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.Symlink("../../../../usr/lib/os-release", filepath.Join(root, "etc", "os-release")); err != nil {
					t.Fatal(err)
				}
			}
			distro, version, osErr := btfgen.ReadOSRelease(root)
			if (osErr == nil) != (h.osRelease != nil) {
				t.Fatalf("%v %s: os-release: %v", e, h.name, osErr)
			}
			data, got, goErr := idx.BTFForHost(btfgen.Host{Distro: distro, Version: version, Arch: h.machine, Release: h.release})
			args := []string{"--root", root, "--machine", h.machine, "--release", h.release}
			for _, c := range []struct {
				what string
				res  cResult
			}{
				{"--index", runWhich(t, append(args, "--index", filepath.Join(treeDir, "index.json"))...)},
				{"--dir", runWhich(t, append(args, "--dir", treeDir)...)},
			} {
				switch {
				case goErr != nil && c.res.msg != goErr.Error():
					t.Errorf("%v %s: Go: %v\nC (%s): %s", e, h.name, goErr, c.what, c.res.msg)
				case goErr == nil && (c.res.msg != "" || string(c.res.data) != string(data)):
					t.Errorf("%v %s: Go chose %v (%s match, %d bytes); C (%s): %d bytes %s",
						e, h.name, got, got.Match, len(data), c.what, len(c.res.data), c.res.msg)
				}
			}
			if goErr == nil && h.name == "exact" {
				// The right BTF: what the path layout holds for this kernel.
				want, err := os.ReadFile(filepath.Join(treeDir, e.Distro, e.Version, e.Arch, e.Release+".btf"))
				if err != nil {
					t.Fatal(err)
				}
				if string(want) != string(data) {
					t.Errorf("%v: Go chose %v (%d bytes), the path layout holds %d other bytes",
						e, got, len(data), len(want))
				}
				exact++
			}
			if goErr == nil {
				found++
			} else {
				failed++
			}
		}
	}
	if exact != len(entries) {
		t.Errorf("%d of %d kernels found by their own os-release and uname", exact, len(entries))
	}
	t.Logf("%d kernels (%d found as themselves, bytes as in the path layout), %d lookups "+
		"found the same BTF as btfgen-which, %d failed with the same message",
		len(entries), exact, found, failed)
}

// This machine, as HostFromSystem sees it, against btfgen-which with no
// overrides. run-go.sh adds this machine's kernel to the archive when
// /sys/kernel/btf/vmlinux is readable, so its lookup usually succeeds.
func TestThisMachine(t *testing.T) {
	idx, err := btfgen.Open(tree, "btf/index.json")
	if err != nil {
		t.Fatal(err)
	}
	h, err := btfgen.HostFromSystem()
	if err != nil {
		t.Fatal(err)
	}
	data, e, goErr := idx.BTFForHost(h)
	c := runWhich(t, "--index", filepath.Join(os.Getenv("BTFGEN_TREE"), "index.json"))
	if goErr != nil {
		if c.msg != goErr.Error() {
			t.Errorf("Go: %v\nC: %s", goErr, c.msg)
		}
		t.Logf("host %v: no tailored BTF (%v)", h, goErr)
		return
	}
	if c.msg != "" || string(c.data) != string(data) {
		t.Errorf("host %v: Go chose %v, C: %s", h, e, c.msg)
	}
	t.Logf("host %v: %s match %v, %d bytes, same as btfgen-which", h, e.Match, e, len(data))
}
