package btfgen

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// buildRoot makes a [root] record's scratch tree in dir.
func buildRoot(t *testing.T, r *vectorRecord, dir string) {
	t.Helper()
	must := func(err error) {
		if err != nil {
			t.Fatalf("%v: %v", r, err)
		}
	}
	must(os.MkdirAll(filepath.Join(dir, "root"), 0o755))
	for _, f := range r.fields {
		p, arg, _ := strings.Cut(f[1], " ")
		full := filepath.Join(dir, p)
		switch f[0] {
		case "file", "big", "link", "fifo":
			must(os.MkdirAll(filepath.Dir(full), 0o755))
		}
		switch f[0] {
		case "file":
			must(os.WriteFile(full, []byte(unescape(t, r, arg)), 0o644))
		case "big":
			n, err := strconv.Atoi(arg)
			must(err)
			must(os.WriteFile(full, []byte(strings.Repeat("#", n)), 0o644))
		case "link":
			must(os.Symlink(arg, full))
		case "dir":
			must(os.MkdirAll(full, 0o755))
		case "fifo":
			must(syscall.Mkfifo(full, 0o600))
		}
	}
}

// TestVectorsRoots reads os-release inside each [root] record's root, as
// HostFromRoot does.
func TestVectorsRoots(t *testing.T) {
	for _, r := range loadVectors(t, "roots.txt", "root") {
		dir := t.TempDir()
		buildRoot(t, r, dir)
		distro, version, err := ReadOSRelease(filepath.Join(dir, "root"))
		if got, want := statusName(err), r.get("status"); got != want {
			t.Errorf("%v: status %s, want %s", r, got, want)
		}
		if distro != r.get("distro") || version != r.get("version") {
			t.Errorf("%v: got %q %q, want %q %q", r, distro, version, r.get("distro"), r.get("version"))
		}
	}
}

func TestHostFromSystemMatchesUname(t *testing.T) {
	h, err := HostFromRoot(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	var u syscall.Utsname
	if err := syscall.Uname(&u); err != nil {
		t.Fatal(err)
	}
	if h.Arch != cString(u.Machine[:]) || h.Release != cString(u.Release[:]) || h.Arch == "" {
		t.Errorf("host %v, uname %q %q", h, cString(u.Machine[:]), cString(u.Release[:]))
	}
	if statusName(h.OSReleaseErr) != "no-os-release" || h.Distro != "" {
		t.Errorf("empty root: %v, %v", h, h.OSReleaseErr)
	}
}

func TestKernelHasBTF(t *testing.T) {
	dir := t.TempDir()
	vmlinux := filepath.Join(dir, "vmlinux")
	if err := os.WriteFile(vmlinux, []byte("BTF"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		path string
		want bool
	}{{vmlinux, true}, {filepath.Join(dir, "missing"), false}, {vmlinux + "/x", false}} {
		if got, err := kernelHasBTF(c.path); got != c.want || err != nil {
			t.Errorf("kernelHasBTF(%s) = %v, %v; want %v", c.path, got, err, c.want)
		}
	}
}
