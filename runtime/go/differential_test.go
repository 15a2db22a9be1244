package btfgen

// TestDifferential compares this package with the C library on many
// inputs at once: $BTFGEN_RUNTIME_DUMP is test/unit-runtime/
// btfgen-runtime-dump (built with the C tests), which prints what the C
// parsers make of each file; this test prints the same for the Go parsers
// and the two must be equal, line for line. The inputs are the files in
// $BTFGEN_DIFF_OS_RELEASE and $BTFGEN_DIFF_JSON (directories, e.g. the
// fuzz corpora of test/fuzz). ctest runs it on the seed corpora; after a
// fuzzing run, point it at the grown corpora.

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

func dumpEscaped(b *strings.Builder, s string) {
	b.WriteByte(' ')
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= 0x20 || c >= 0x7f || c == '\\' {
			fmt.Fprintf(b, `\x%02x`, c)
		} else {
			b.WriteByte(c)
		}
	}
}

func dumpOSRelease(b *strings.Builder, text []byte) {
	distro, version, err := ParseOSRelease(text)
	if err == nil {
		b.WriteString("ok")
	} else {
		b.WriteString("too-long")
	}
	dumpEscaped(b, distro)
	dumpEscaped(b, version)
	if err != nil {
		dumpEscaped(b, err.Error())
	}
	b.WriteByte('\n')
}

func dumpJSON(b *strings.Builder, text []byte) {
	x, err := ParseIndex(text, nil, ".")
	if err != nil {
		b.WriteString("bad")
		dumpEscaped(b, err.Error())
		b.WriteByte('\n')
		return
	}
	fmt.Fprintf(b, "ok %d\n", len(x.Entries()))
	for _, e := range x.Entries() {
		b.WriteString(" ")
		for _, f := range []string{e.Distro, e.Version, e.Arch, e.Release, e.Path} {
			dumpEscaped(b, f)
		}
		b.WriteByte('\n')
	}
}

func TestDifferential(t *testing.T) {
	tool := os.Getenv("BTFGEN_RUNTIME_DUMP")
	if tool == "" {
		t.Skip("BTFGEN_RUNTIME_DUMP not set (ctest sets it): no comparison with the C library")
	}
	for _, c := range []struct {
		env, mode string
		dump      func(*strings.Builder, []byte)
	}{{"BTFGEN_DIFF_OS_RELEASE", "os-release", dumpOSRelease}, {"BTFGEN_DIFF_JSON", "json", dumpJSON}} {
		dir := os.Getenv(c.env)
		if dir == "" {
			t.Errorf("%s not set", c.env)
			continue
		}
		files, err := filepath.Glob(filepath.Join(dir, "*"))
		if err != nil || len(files) == 0 {
			t.Errorf("%s=%s: no files (%v)", c.env, dir, err)
			continue
		}
		sort.Strings(files)
		for start := 0; start < len(files); start += 500 {
			batch := files[start:min(start+500, len(files))]
			out, err := exec.Command(tool, append([]string{c.mode}, batch...)...).Output()
			if err != nil {
				t.Fatalf("%s: %v", tool, err)
			}
			cLines := strings.SplitAfter(string(out), "\n")
			var goOut strings.Builder
			for _, f := range batch {
				text, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				goOut.Reset()
				c.dump(&goOut, text)
				n := strings.Count(goOut.String(), "\n")
				if len(cLines) < n || strings.Join(cLines[:n], "") != goOut.String() {
					t.Errorf("%s %s:\nC:  %sGo: %s", c.mode, f, strings.Join(cLines[:min(n, len(cLines))], ""), goOut.String())
					break
				}
				cLines = cLines[n:]
			}
		}
		t.Logf("%s: %d files compared", c.mode, len(files))
	}
}
