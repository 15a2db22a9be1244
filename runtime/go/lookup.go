package btfgen

import (
	"bytes"
	"fmt"
	"io/fs"
)

// Match says how an entry was chosen.
type Match int

const (
	// MatchNone: not chosen by a lookup (Entries).
	MatchNone Match = iota
	// MatchNotNeeded: the kernel has its own BTF (Select only).
	MatchNotNeeded
	// MatchExact: distro, version, arch (modulo aliases) and release.
	MatchExact
	// MatchDistro: distro, arch and release, in any version (os-release
	// says rhel 8.4, the tree has rhel/8).
	MatchDistro
	// MatchRelease: arch and release only, in any distro (no os-release,
	// or a distro the index does not know).
	MatchRelease
)

// String gives the name btfgen-which -v prints.
func (m Match) String() string {
	switch m {
	case MatchNotNeeded:
		return "not-needed"
	case MatchExact:
		return "exact"
	case MatchDistro:
		return "distro"
	case MatchRelease:
		return "release"
	}
	return "none"
}

// LookupOptions change the lookup rules.
type LookupOptions struct {
	// NoReleaseFallback: never match by arch and release alone.
	NoReleaseFallback bool
}

// Lookup finds the entry for host with the default rules: see LookupWith.
func (x *Index) Lookup(h Host) (Entry, error) { return x.LookupWith(h, LookupOptions{}) }

// LookupWith finds the entry for host. Rules, first match wins:
//  1. MatchExact: distro (lowercase), version, arch (CanonicalArch) and
//     release equal; needs a known distro and version.
//  2. MatchDistro: distro, arch and release equal, any version; needs a
//     known distro.
//  3. MatchRelease: arch and release equal, any distro (unless
//     o.NoReleaseFallback).
//
// A rule with several candidates succeeds only if they all have identical
// content (the same file, or equal bytes), and then returns the first in
// index order; otherwise the lookup fails with ErrAmbiguous. No candidate
// in any rule fails with ErrNoMatch and a message saying what was looked
// for. The chosen file must exist (an error naming it otherwise). Errors
// are *Error with the C library's message.
func (x *Index) LookupWith(h Host, o LookupOptions) (Entry, error) {
	if h.Release == "" || h.Arch == "" {
		return Entry{}, &Error{Err: ErrInvalidHost, Msg: "lookup: kernel release and arch are required"}
	}
	distro, arch := asciiLower(h.Distro), CanonicalArch(h.Arch)
	var rules []Match
	if distro != "" && h.Version != "" {
		rules = append(rules, MatchExact)
	}
	if distro != "" {
		rules = append(rules, MatchDistro)
	}
	if !o.NoReleaseFallback {
		rules = append(rules, MatchRelease)
	}
	for _, r := range rules {
		e, found, err := x.applyRule(r, distro, h.Version, arch, h.Release)
		if err != nil || found {
			return e, err
		}
	}
	return Entry{}, x.noMatch(h, distro, arch)
}

func (e *indexEntry) matches(r Match, distro, version, arch, release string) bool {
	if e.Release != release || e.matchArch != arch {
		return false
	}
	if r == MatchRelease {
		return true
	}
	if e.matchDistro != distro {
		return false
	}
	return r == MatchDistro || e.Version == version
}

func ruleName(r Match) string {
	switch r {
	case MatchExact:
		return "distro+version+arch+release"
	case MatchDistro:
		return "distro+arch+release"
	}
	return "arch+release"
}

// applyRule returns the rule's entry, or found == false if it has no
// candidate, or an error (ambiguity, a missing file).
func (x *Index) applyRule(r Match, distro, version, arch, release string) (Entry, bool, error) {
	var first, other *indexEntry
	var firstData []byte
	matches := 0
	for i := range x.entries {
		e := &x.entries[i]
		if !e.matches(r, distro, version, arch, release) {
			continue
		}
		matches++
		if first == nil {
			first = e
			continue
		}
		same, err := x.sameContent(first, e, &firstData)
		if err != nil {
			return Entry{}, false, err
		}
		if !same && other == nil {
			other = e
		}
	}
	if first == nil {
		return Entry{}, false, nil
	}
	if other != nil {
		hint := ""
		if r == MatchRelease {
			hint = "; the os-release distro/version would decide"
		}
		return Entry{}, false, &Error{Err: ErrAmbiguous, Msg: fmt.Sprintf(
			"ambiguous: kernel release '%s' arch '%s' matches %d entries by %s "+
				"with different content, e.g. %s and %s%s",
			release, arch, matches, ruleName(r), first.Entry, other.Entry, hint)}
	}
	if err := x.checkExists(first.Path); err != nil {
		return Entry{}, false, err
	}
	chosen := first.Entry
	chosen.Match = r
	return chosen, true, nil
}

// sameContent: the same file, or equal bytes (a's bytes are read once per
// rule into *aData).
func (x *Index) sameContent(a, b *indexEntry, aData *[]byte) (bool, error) {
	if a.Path == b.Path {
		return true, nil
	}
	if x.fsys == nil {
		return false, errNoFS(a.Path)
	}
	if *aData == nil {
		d, err := x.BTF(a.Entry)
		if err != nil {
			return false, err
		}
		*aData = d
	}
	d, err := x.BTF(b.Entry)
	if err != nil {
		return false, err
	}
	return bytes.Equal(*aData, d), nil
}

func (x *Index) checkExists(p string) error {
	if x.fsys == nil {
		return nil // listed without files: nothing to check
	}
	if _, err := fs.Stat(x.fsys, p); err != nil {
		return fileError(p, err)
	}
	return nil
}

// noMatch says what was looked for and what the index has.
func (x *Index) noMatch(h Host, distro, arch string) error {
	sameArch := 0
	var otherArch, otherDistro *indexEntry
	for i := range x.entries {
		e := &x.entries[i]
		archEq := e.matchArch == arch
		if archEq {
			sameArch++
		}
		if e.Release == h.Release {
			if !archEq && otherArch == nil {
				otherArch = e
			}
			if archEq && otherDistro == nil {
				otherDistro = e
			}
		}
	}
	hint := ""
	if otherDistro != nil {
		hint = fmt.Sprintf("; release-only fallback is disabled, %s would match", otherDistro.Entry)
	} else if otherArch != nil {
		hint = fmt.Sprintf("; the release exists only for arch '%s'", otherArch.Arch)
	}
	who := "distro unknown (no os-release)"
	if distro != "" {
		v := h.Version
		if v == "" {
			v = "(unknown)"
		}
		who = fmt.Sprintf("distro '%s' version '%s'", distro, v)
	}
	return &Error{Err: ErrNoMatch, Msg: fmt.Sprintf(
		"no tailored BTF for kernel release '%s' arch '%s' (matched as '%s'), %s: "+
			"the index has %d entries, %d for this arch, none with this release%s",
		h.Release, h.Arch, arch, who, len(x.entries), sameArch, hint)}
}

// BTFForHost looks up host and returns the chosen entry's BTF.
func (x *Index) BTFForHost(h Host) ([]byte, Entry, error) {
	e, err := x.Lookup(h)
	if err != nil {
		return nil, Entry{}, err
	}
	data, err := x.BTF(e)
	if err != nil {
		return nil, Entry{}, err
	}
	return data, e, nil
}

// Select makes the whole start-up decision, as btfgen_select() does: if
// the kernel has its own BTF (KernelHasBTF), it returns nil bytes and an
// Entry with MatchNotNeeded (load without custom BTF); otherwise it
// identifies the kernel (HostFromSystem) and returns BTFForHost. An
// unreadable kernel BTF counts as none.
func (x *Index) Select() ([]byte, Entry, error) {
	if has, _ := KernelHasBTF(); has {
		return nil, Entry{Match: MatchNotNeeded}, nil
	}
	h, err := HostFromSystem()
	if err != nil {
		return nil, Entry{}, err
	}
	return x.BTFForHost(h)
}
