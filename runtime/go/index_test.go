package btfgen

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"testing/fstest"
)

const oneKernel = `{"format":"btfgen-index","version":1,"kernels":[
{"distro":"debian","version":"12","arch":"x86_64","release":"6.1.0-48-amd64","file":"debian/12/x86_64/6.1.0-48-amd64.btf"}]}`

func TestOpenResolvesFilesNextToTheIndex(t *testing.T) {
	fsys := fstest.MapFS{
		"app/btf/index.json":                          {Data: []byte(oneKernel)},
		"app/btf/debian/12/x86_64/6.1.0-48-amd64.btf": {Data: []byte("D")},
	}
	x, err := Open(fsys, "app/btf/index.json")
	if err != nil {
		t.Fatal(err)
	}
	data, e, err := x.BTFForHost(Host{Distro: "debian", Version: "12", Arch: "amd64", Release: "6.1.0-48-amd64"})
	if err != nil || string(data) != "D" || e.Path != "app/btf/debian/12/x86_64/6.1.0-48-amd64.btf" || e.Match != MatchExact {
		t.Fatalf("got %q %+v %v", data, e, err)
	}
}

func TestOpenErrorsNameTheIndex(t *testing.T) {
	dir := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(dir, "fifo.json"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "bad.json"), []byte(`{"format":"btfgen-index","version":1.0}`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		want error
		msg  string
	}{
		{"missing.json", fs.ErrNotExist, "'missing.json': no such file or directory"},
		{"fifo.json", ErrNotRegular, "'fifo.json': not a regular file"},
		{".", syscall.EISDIR, "'.': is a directory"},
		{"bad.json", ErrBadIndex, "'bad.json': offset 35: expected an integer"},
	} {
		_, err := Open(os.DirFS(dir), c.name)
		if !errors.Is(err, c.want) || err.Error() != c.msg {
			t.Errorf("Open(%s) = %v, want %q (%v)", c.name, err, c.msg, c.want)
		}
	}
	// OpenFile: the same from a path of this system.
	if _, err := OpenFile(filepath.Join(dir, "fifo.json")); !errors.Is(err, ErrNotRegular) {
		t.Errorf("OpenFile(fifo) = %v", err)
	}
}

func TestParseIndexWithoutFiles(t *testing.T) {
	x, err := ParseIndex([]byte(oneKernel), nil, ".")
	if err != nil {
		t.Fatal(err)
	}
	e, err := x.Lookup(Host{Arch: "x86_64", Release: "6.1.0-48-amd64"})
	if err != nil || e.Match != MatchRelease {
		t.Fatalf("lookup without files: %+v %v", e, err)
	}
	if _, err := x.BTF(e); err == nil || !strings.Contains(err.Error(), "no file system") {
		t.Errorf("BTF without files: %v", err)
	}
}

// The real tree of testdata/btf through the operating system's files:
// every kernel of the index is found exactly by its own names.
func TestEveryEntryFindsItself(t *testing.T) {
	x, err := OpenFile(filepath.Join("testdata", "btf", "index.json"))
	if err != nil {
		t.Fatal(err)
	}
	entries := x.Entries()
	if len(entries) != 5 {
		t.Fatalf("%d entries", len(entries))
	}
	for _, want := range entries {
		h := Host{Distro: want.Distro, Version: want.Version, Arch: want.Arch, Release: want.Release}
		got, err := x.Lookup(h)
		if err != nil || got.Path != want.Path || got.Match != MatchExact {
			t.Errorf("%v: got %+v %v", want, got, err)
		}
		data, err := x.BTF(got)
		if err != nil || len(data) < 24 || data[0] != 0x9f || data[1] != 0xeb {
			t.Errorf("%v: BTF %d bytes, %v", want, len(data), err)
		}
	}
}

func TestSelectFollowsKernelBTF(t *testing.T) {
	x, err := OpenFile(filepath.Join("testdata", "btf", "index.json"))
	if err != nil {
		t.Fatal(err)
	}
	has, _ := KernelHasBTF()
	data, e, err := x.Select()
	if has && (e.Match != MatchNotNeeded || data != nil || err != nil) {
		t.Errorf("kernel has BTF: got %v %d bytes %v", e.Match, len(data), err)
	}
	if !has && err == nil && e.Match == MatchNotNeeded {
		t.Errorf("kernel has no BTF, but Select said not needed")
	}
}
