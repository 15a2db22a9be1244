package btfgen

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"syscall"
)

// Entry is one kernel of an index and the file holding its tailored BTF.
type Entry struct {
	// The BTFHub directory names, as spelled in the index.
	Distro, Version, Arch, Release string
	// Path is the file in the index's file system: the index's directory
	// joined with the entry's "file". Entries with equal Path share their
	// content.
	Path string
	// Match says which rule chose the entry (Lookup); MatchNone in
	// Entries().
	Match Match
}

// String gives the entry as distro/version/arch/release.
func (e Entry) String() string {
	return e.Distro + "/" + e.Version + "/" + e.Arch + "/" + e.Release
}

// Index is an immutable list of kernels and their tailored BTF files,
// read from a JSON index. It is safe for concurrent use.
type Index struct {
	fsys    fs.FS // nil: parsed without files (ParseIndex)
	entries []indexEntry
}

type indexEntry struct {
	Entry
	matchDistro string // lowercased
	matchArch   string // CanonicalArch
}

// Open reads the JSON index at indexPath in fsys (an embed.FS, os.DirFS,
// ...) and returns the index over the files it names, which are relative
// to the index's directory. The index must be a regular file of at most
// 64 MiB and follow the format of docs/runtime.md exactly; anything else
// fails with an *Error wrapping ErrBadIndex that gives the byte offset.
func Open(fsys fs.FS, indexPath string) (*Index, error) {
	what := "'" + indexPath + "'"
	data, err := readRegular(fsys, indexPath, jsonIndexMax)
	if err != nil {
		return nil, fileError(indexPath, err)
	}
	return parseIndex(data, fsys, path.Dir(indexPath), what)
}

// OpenFile is Open on the operating system's file system: it reads the
// index file at name (a path of this system), whose "file" members are
// relative to its directory.
func OpenFile(name string) (*Index, error) {
	return Open(os.DirFS(filepath.Dir(name)), filepath.Base(name))
}

// ParseIndex parses JSON index text whose files are in fsys below dir
// (fsys may be nil: the index can then be listed and looked up, but
// lookups that must compare content and BTF fail).
func ParseIndex(data []byte, fsys fs.FS, dir string) (*Index, error) {
	return parseIndex(data, fsys, dir, "JSON index")
}

func parseIndex(data []byte, fsys fs.FS, dir, what string) (*Index, error) {
	kernels, err := parseDocument(data, what)
	if err != nil {
		return nil, err
	}
	x := &Index{fsys: fsys}
	for _, k := range kernels {
		p := k[kFile]
		if dir != "." && dir != "" {
			p = dir + "/" + p
		}
		x.entries = append(x.entries, indexEntry{
			Entry: Entry{Distro: k[kDistro], Version: k[kVersion], Arch: k[kArch],
				Release: k[kRelease], Path: p},
			matchDistro: asciiLower(k[kDistro]),
			matchArch:   CanonicalArch(k[kArch]),
		})
	}
	sort.SliceStable(x.entries, func(i, j int) bool {
		return lessNames(&x.entries[i].Entry, &x.entries[j].Entry)
	})
	if err := x.checkDuplicates(what); err != nil {
		return nil, err
	}
	return x, nil
}

func lessNames(a, b *Entry) bool {
	if a.Distro != b.Distro {
		return a.Distro < b.Distro
	}
	if a.Version != b.Version {
		return a.Version < b.Version
	}
	if a.Arch != b.Arch {
		return a.Arch < b.Arch
	}
	return a.Release < b.Release
}

// checkDuplicates rejects two entries that are one kernel: the same
// (lowercased distro, version, canonical arch, release).
func (x *Index) checkDuplicates(what string) error {
	order := make([]*indexEntry, len(x.entries))
	for i := range x.entries {
		order[i] = &x.entries[i]
	}
	key := func(e *indexEntry) [4]string {
		return [4]string{e.matchDistro, e.Version, e.matchArch, e.Release}
	}
	sort.SliceStable(order, func(i, j int) bool {
		a, b := key(order[i]), key(order[j])
		for k := range a {
			if a[k] != b[k] {
				return a[k] < b[k]
			}
		}
		return false
	})
	for i := 1; i < len(order); i++ {
		if key(order[i-1]) == key(order[i]) {
			return &Error{Err: ErrBadIndex, Msg: fmt.Sprintf(
				"%s: duplicate kernel %s and %s", what, order[i-1].Entry, order[i].Entry)}
		}
	}
	return nil
}

// Entries lists the kernels in index order (sorted by distro, version,
// arch, release, byte-wise).
func (x *Index) Entries() []Entry {
	out := make([]Entry, len(x.entries))
	for i := range x.entries {
		out[i] = x.entries[i].Entry
	}
	return out
}

// BTF returns the tailored BTF of an entry (from Lookup or Entries).
func (x *Index) BTF(e Entry) ([]byte, error) {
	if x.fsys == nil {
		return nil, errNoFS(e.Path)
	}
	data, err := readRegular(x.fsys, e.Path, -1)
	if err != nil {
		return nil, fileError(e.Path, err)
	}
	return data, nil
}

func errNoFS(p string) error {
	return &Error{Err: fs.ErrInvalid, Msg: fmt.Sprintf("'%s': the index has no file system", p)}
}

// readRegular reads a regular file of fsys, at most max bytes (max < 0:
// no limit).
func readRegular(fsys fs.FS, name string, max int64) ([]byte, error) {
	st, err := fs.Stat(fsys, name)
	if err != nil {
		return nil, err
	}
	if st.IsDir() {
		return nil, syscall.EISDIR
	}
	if !st.Mode().IsRegular() {
		return nil, ErrNotRegular
	}
	if max >= 0 && st.Size() > max {
		return nil, syscall.EFBIG
	}
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var r io.Reader = f
	if max >= 0 {
		r = io.LimitReader(f, max+1)
	}
	data, err := io.ReadAll(r)
	if err == nil && max >= 0 && int64(len(data)) > max {
		err = syscall.EFBIG
	}
	return data, err
}

// fileError names the file as the C library does: "'path': what".
func fileError(p string, err error) error {
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	msg := err.Error()
	switch {
	case errors.Is(err, fs.ErrNotExist):
		msg = "no such file or directory"
	case errors.Is(err, syscall.EISDIR):
		msg = "is a directory"
	case errors.Is(err, syscall.EFBIG):
		msg = "file too large"
	case errors.Is(err, ErrNotRegular):
		msg = ErrNotRegular.Error()
	case errors.Is(err, fs.ErrPermission):
		msg = "permission denied"
	}
	if pe, ok := err.(*fs.PathError); ok {
		err = pe.Err
	}
	return &Error{Err: err, Msg: fmt.Sprintf("'%s': %s", p, msg)}
}
