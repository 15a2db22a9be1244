package btfgen

// The Go package against the shared test vectors of the C library
// (test/unit-runtime/vectors, format in the README.md there; the C side is
// test/unit-runtime/VectorsTest.cpp with Vectors.h). Both must give the
// same answers and messages.

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"testing/fstest"
)

type vectorRecord struct {
	kind, name string
	line       int
	fields     [][2]string
}

func (r *vectorRecord) all(key string) []string {
	var out []string
	for _, f := range r.fields {
		if f[0] == key {
			out = append(out, f[1])
		}
	}
	return out
}

func (r *vectorRecord) get(key string) string {
	v := r.all(key)
	if len(v) == 0 {
		return ""
	}
	return v[len(v)-1]
}

func (r *vectorRecord) String() string {
	return fmt.Sprintf("[%s %s] (line %d)", r.kind, r.name, r.line)
}

// vectorsDir is test/unit-runtime/vectors, or $BTFGEN_RUNTIME_VECTORS.
func vectorsDir(t *testing.T) string {
	dir := os.Getenv("BTFGEN_RUNTIME_VECTORS")
	if dir == "" {
		dir = filepath.Join("..", "..", "test", "unit-runtime", "vectors")
	}
	if _, err := os.Stat(filepath.Join(dir, "README.md")); err != nil {
		t.Fatalf("shared test vectors not found (set BTFGEN_RUNTIME_VECTORS): %v", err)
	}
	return dir
}

func loadVectors(t *testing.T, file, kind string) []*vectorRecord {
	t.Helper()
	f, err := os.Open(filepath.Join(vectorsDir(t), file))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var all []*vectorRecord
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for no := 1; sc.Scan(); no++ {
		line := sc.Text()
		switch {
		case line == "" || line[0] == '#':
		case line[0] == '[':
			sp := strings.IndexByte(line, ' ')
			if sp < 0 || !strings.HasSuffix(line, "]") {
				t.Fatalf("%s:%d: bad record header", file, no)
			}
			all = append(all, &vectorRecord{kind: line[1:sp], name: line[sp+1 : len(line)-1], line: no})
		default:
			colon := strings.IndexByte(line, ':')
			if len(all) == 0 || colon < 0 || (colon+1 < len(line) && line[colon+1] != ' ') {
				t.Fatalf("%s:%d: expected 'KEY: VALUE'", file, no)
			}
			value := ""
			if colon+2 <= len(line) {
				value = line[colon+2:]
			}
			r := all[len(all)-1]
			r.fields = append(r.fields, [2]string{line[:colon], value})
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	var out []*vectorRecord
	for _, r := range all {
		if r.kind == kind {
			out = append(out, r)
		}
	}
	if len(out) == 0 {
		t.Fatalf("%s has no [%s] records", file, kind)
	}
	return out
}

// unescape decodes \n \r \t \\ \xHH.
func unescape(t *testing.T, r *vectorRecord, v string) string {
	t.Helper()
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		if v[i] != '\\' {
			b.WriteByte(v[i])
			continue
		}
		if i+1 >= len(v) {
			t.Fatalf("%v: bad escape in %q", r, v)
		}
		i++
		switch v[i] {
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case '\\':
			b.WriteByte('\\')
		case 'x':
			n, err := strconv.ParseUint(v[i+1:min(i+3, len(v))], 16, 8)
			if err != nil || i+2 >= len(v) {
				t.Fatalf("%v: bad \\x escape in %q", r, v)
			}
			b.WriteByte(byte(n))
			i += 2
		default:
			t.Fatalf("%v: bad escape in %q", r, v)
		}
	}
	return b.String()
}

func min(a, b int) int {
	if a < b {
		return a
	}
	return b
}

// recordText joins line: (with a newline) and raw: (escaped) fields.
func recordText(t *testing.T, r *vectorRecord) []byte {
	var b bytes.Buffer
	for _, f := range r.fields {
		switch f[0] {
		case "line":
			b.WriteString(f[1] + "\n")
		case "raw":
			b.WriteString(unescape(t, r, f[1]))
		}
	}
	return b.Bytes()
}

func statusName(err error) string {
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, ErrTooLong):
		return "too-long"
	case errors.Is(err, ErrNotRegular):
		return "not-regular"
	case errors.Is(err, fs.ErrNotExist):
		return "no-os-release"
	case errors.Is(err, syscall.ENOTDIR):
		return "not-dir"
	case errors.Is(err, syscall.EISDIR):
		return "is-dir"
	case errors.Is(err, syscall.ELOOP):
		return "loop"
	case errors.Is(err, syscall.EFBIG):
		return "too-big"
	}
	return "other: " + err.Error()
}

func orDefault(v, d string) string {
	if v == "" {
		return d
	}
	return v
}

func TestVectorsOsRelease(t *testing.T) {
	for _, r := range loadVectors(t, "os-release.txt", "os-release") {
		distro, version, err := ParseOSRelease(recordText(t, r))
		if got, want := statusName(err), orDefault(r.get("status"), "ok"); got != want {
			t.Errorf("%v: status %s, want %s", r, got, want)
		}
		if want := r.get("distro"); distro != want {
			t.Errorf("%v: distro %q, want %q", r, distro, want)
		}
		if want := r.get("version"); version != want {
			t.Errorf("%v: version %q, want %q", r, version, want)
		}
		if err != nil && !strings.Contains(err.Error(), "value longer than 63 bytes") {
			t.Errorf("%v: message %q", r, err)
		}
	}
}

func TestVectorsArch(t *testing.T) {
	for _, r := range loadVectors(t, "arch.txt", "arch") {
		for _, m := range r.all("map") {
			in, want, _ := strings.Cut(m, " ")
			if got := CanonicalArch(in); got != want {
				t.Errorf("%v: CanonicalArch(%q) = %q, want %q", r, in, got, want)
			}
		}
	}
}

// escapeField writes an entry field as the vectors do.
func escapeField(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\':
			b.WriteString(`\\`)
		case c == '\n':
			b.WriteString(`\n`)
		case c == '\r':
			b.WriteString(`\r`)
		case c == '\t':
			b.WriteString(`\t`)
		case c < 0x20 || c == ' ':
			fmt.Fprintf(&b, `\x%02x`, c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func TestVectorsJSONIndex(t *testing.T) {
	for _, r := range loadVectors(t, "json-index.txt", "json") {
		x, err := ParseIndex(recordText(t, r), nil, ".")
		kind, offset, _ := strings.Cut(r.get("expect"), " ")
		if kind == "ok" {
			if err != nil {
				t.Errorf("%v: %v", r, err)
				continue
			}
			var got []string
			for _, e := range x.Entries() {
				got = append(got, strings.Join([]string{escapeField(e.Distro), escapeField(e.Version),
					escapeField(e.Arch), escapeField(e.Release), escapeField(e.Path)}, " "))
			}
			if want := r.all("entry"); strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("%v: entries\n%s\nwant\n%s", r, strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			continue
		}
		if kind != "bad" {
			t.Fatalf("%v: unknown expect %q", r, kind)
		}
		if !errors.Is(err, ErrBadIndex) || x != nil {
			t.Errorf("%v: got %v, want ErrBadIndex", r, err)
			continue
		}
		msg := err.Error()
		if offset != "" && !strings.HasPrefix(msg, "JSON index: offset "+offset+": ") {
			t.Errorf("%v: message %q, want offset %s", r, msg, offset)
		}
		if offset == "" && (strings.Contains(msg, "offset") || !strings.HasPrefix(msg, "JSON index: ")) {
			t.Errorf("%v: message %q, want no offset", r, msg)
		}
		if !strings.Contains(msg, r.get("error")) {
			t.Errorf("%v: message %q lacks %q", r, msg, r.get("error"))
		}
	}
}

// vectorIndex builds an [index] record as a file system: the files and
// index.json next to them.
func vectorIndex(t *testing.T, r *vectorRecord) fstest.MapFS {
	fsys := fstest.MapFS{}
	var kernels []string
	for _, f := range r.all("file") {
		p, content, _ := strings.Cut(f, " ")
		fsys[p] = &fstest.MapFile{Data: []byte(unescape(t, r, content))}
	}
	for _, k := range r.all("kernel") {
		v := strings.SplitN(k, " ", 5)
		kernels = append(kernels, fmt.Sprintf(`{"distro":"%s","version":"%s","arch":"%s","release":"%s","file":"%s"}`,
			v[0], v[1], v[2], v[3], v[4]))
	}
	fsys["index.json"] = &fstest.MapFile{Data: []byte(
		`{"format":"btfgen-index","version":1,"kernels":[` + strings.Join(kernels, ",") + "]}\n")}
	return fsys
}

func vectorHost(r *vectorRecord) Host {
	v := strings.SplitN(r.get("host"), " ", 4)
	for i := range v {
		if v[i] == "-" {
			v[i] = ""
		}
	}
	return Host{Distro: v[0], Version: v[1], Arch: v[2], Release: v[3]}
}

func TestVectorsLookup(t *testing.T) {
	indexes := map[string]*vectorRecord{}
	for _, r := range loadVectors(t, "lookup.txt", "index") {
		indexes[r.name] = r
	}
	for _, r := range loadVectors(t, "lookup.txt", "lookup") {
		ir := indexes[r.get("index")]
		if ir == nil {
			t.Fatalf("%v: no index %q", r, r.get("index"))
		}
		fsys := vectorIndex(t, ir)
		x, err := Open(fsys, "index.json")
		if err != nil {
			t.Fatalf("%v: %v", r, err)
		}
		e, err := x.LookupWith(vectorHost(r), LookupOptions{NoReleaseFallback: r.get("flags") == "strict"})
		checkLookup(t, r, x, e, err)
	}
}

func checkLookup(t *testing.T, r *vectorRecord, x *Index, e Entry, err error) {
	t.Helper()
	kind, names, _ := strings.Cut(r.get("expect"), " ")
	switch kind {
	case "exact", "distro", "release":
		if err != nil {
			t.Errorf("%v: %v", r, err)
			return
		}
		if e.Match.String() != kind || e.String() != names {
			t.Errorf("%v: got %v %v, want %s %s", r, e.Match, e, kind, names)
		}
		if r.get("content") != "" {
			data, err := x.BTF(e)
			if want := unescape(t, r, r.get("content")); err != nil || string(data) != want {
				t.Errorf("%v: content %q (%v), want %q", r, data, err, want)
			}
		}
		return
	}
	want := map[string]error{"no-match": ErrNoMatch, "ambiguous": ErrAmbiguous,
		"invalid": ErrInvalidHost, "missing-file": fs.ErrNotExist}[kind]
	if want == nil {
		t.Fatalf("%v: unknown expect %q", r, kind)
	}
	if !errors.Is(err, want) {
		t.Errorf("%v: got %v, want %v", r, err, want)
		return
	}
	if !strings.Contains(err.Error(), r.get("error")) {
		t.Errorf("%v: message %q lacks %q", r, err, r.get("error"))
	}
}
