package btfgen

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"
)

// The reader of the JSON index format (docs/runtime.md, "btfgen-index"
// version 1). Like the C reader (runtime/src/json_index.c), whose every
// check and message it repeats, it is a recursive-descent reader of that
// one document shape, not a general JSON parser: encoding/json would
// accept duplicate keys, keys in another case, 1.0 for 1 and lone
// surrogates, all of which the format rejects.

const (
	jsonIndexMax  = 64 << 20 // bytes of index
	jsonStringMax = 4096     // bytes of a decoded string, with the C NUL
	maxIntValue   = 1<<31 - 1
)

var entryKeys = [...]string{"distro", "version", "arch", "release", "file"}

const (
	kDistro = iota
	kVersion
	kArch
	kRelease
	kFile
)

type jsonParser struct {
	s    []byte
	p    int
	what string // the index's name in messages
}

// bad fails at the current offset.
func (ps *jsonParser) bad(msg string) error {
	return &Error{Err: ErrBadIndex, Msg: fmt.Sprintf("%s: offset %d: %s", ps.what, ps.p, msg)}
}

func (ps *jsonParser) skipWS() {
	for ps.p < len(ps.s) {
		switch ps.s[ps.p] {
		case ' ', '\t', '\n', '\r':
			ps.p++
		default:
			return
		}
	}
}

func (ps *jsonParser) expect(c byte, msg string) error {
	ps.skipWS()
	if ps.p >= len(ps.s) || ps.s[ps.p] != c {
		return ps.bad(msg)
	}
	ps.p++
	return nil
}

func (ps *jsonParser) accept(c byte) bool {
	ps.skipWS()
	if ps.p < len(ps.s) && ps.s[ps.p] == c {
		ps.p++
		return true
	}
	return false
}

func hex4(b []byte) (rune, bool) {
	var v rune
	for _, c := range b[:4] {
		v <<= 4
		switch {
		case c >= '0' && c <= '9':
			v |= rune(c - '0')
		case c >= 'a' && c <= 'f':
			v |= rune(c-'a') + 10
		case c >= 'A' && c <= 'F':
			v |= rune(c-'A') + 10
		default:
			return 0, false
		}
	}
	return v, true
}

var simpleEscapes = map[byte]byte{'"': '"', '\\': '\\', '/': '/', 'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t'}

// parseString decodes a JSON string (at most jsonStringMax-1 bytes); \u
// escapes become UTF-8, \u0000 and raw control characters are rejected,
// other bytes are kept as they are.
func (ps *jsonParser) parseString() (string, error) {
	ps.skipWS()
	if ps.p >= len(ps.s) || ps.s[ps.p] != '"' {
		return "", ps.bad("expected a string")
	}
	ps.p++
	var out []byte
	put := func(b ...byte) error {
		for _, c := range b {
			if len(out)+1 >= jsonStringMax {
				return ps.bad("string too long")
			}
			out = append(out, c)
		}
		return nil
	}
	for {
		if ps.p >= len(ps.s) {
			return "", ps.bad("unterminated string")
		}
		c := ps.s[ps.p]
		if c == '"' {
			ps.p++
			return string(out), nil
		}
		if c < 0x20 {
			return "", ps.bad("control character in string")
		}
		if c != '\\' {
			if err := put(c); err != nil {
				return "", err
			}
			ps.p++
			continue
		}
		if len(ps.s)-ps.p < 2 {
			return "", ps.bad("unterminated escape")
		}
		e := ps.s[ps.p+1]
		ps.p += 2
		if r, ok := simpleEscapes[e]; ok {
			if err := put(r); err != nil {
				return "", err
			}
			continue
		}
		if e != 'u' {
			ps.p -= 2
			return "", ps.bad("invalid escape in string")
		}
		cp, err := ps.unicodeEscape()
		if err != nil {
			return "", err
		}
		var buf [4]byte
		if err := put(buf[:utf8.EncodeRune(buf[:], cp)]...); err != nil {
			return "", err
		}
	}
}

// unicodeEscape decodes the XXXX of \uXXXX (ps.p at the first X),
// combining a surrogate pair.
func (ps *jsonParser) unicodeEscape() (rune, error) {
	if len(ps.s)-ps.p < 4 {
		return 0, ps.bad("invalid \\u escape")
	}
	cp, ok := hex4(ps.s[ps.p:])
	if !ok {
		return 0, ps.bad("invalid \\u escape")
	}
	ps.p += 4
	switch {
	case cp >= 0xD800 && cp <= 0xDBFF:
		rest := ps.s[ps.p:]
		if len(rest) < 6 || rest[0] != '\\' || rest[1] != 'u' {
			return 0, ps.bad("unpaired surrogate in \\u escape")
		}
		lo, ok := hex4(rest[2:])
		if !ok || lo < 0xDC00 || lo > 0xDFFF {
			return 0, ps.bad("unpaired surrogate in \\u escape")
		}
		ps.p += 6
		cp = 0x10000 + (cp-0xD800)<<10 + (lo - 0xDC00)
	case cp >= 0xDC00 && cp <= 0xDFFF:
		return 0, ps.bad("unpaired surrogate in \\u escape")
	}
	if cp == 0 {
		return 0, ps.bad("\\u0000 in string")
	}
	return cp, nil
}

// parseInt reads a JSON integer without fraction or exponent, in
// [0, 2^31-1].
func (ps *jsonParser) parseInt() (int, error) {
	ps.skipWS()
	s := ps.p
	if s >= len(ps.s) || ps.s[s] < '0' || ps.s[s] > '9' {
		return 0, ps.bad("expected a non-negative integer")
	}
	if ps.s[s] == '0' && s+1 < len(ps.s) && ps.s[s+1] >= '0' && ps.s[s+1] <= '9' {
		return 0, ps.bad("leading zero in integer")
	}
	v := 0
	for ; s < len(ps.s) && ps.s[s] >= '0' && ps.s[s] <= '9'; s++ {
		if v > (maxIntValue-9)/10 {
			return 0, ps.bad("integer too large")
		}
		v = v*10 + int(ps.s[s]-'0')
	}
	if s < len(ps.s) && (ps.s[s] == '.' || ps.s[s] == 'e' || ps.s[s] == 'E') {
		return 0, ps.bad("expected an integer")
	}
	ps.p = s
	return v, nil
}

// checkName: distro, version, arch, release are directory names.
func (ps *jsonParser) checkName(s, key string) error {
	if s == "" || strings.IndexByte(s, '/') >= 0 || s == "." || s == ".." {
		return ps.bad(fmt.Sprintf("\"%s\" must be a non-empty name without '/'", key))
	}
	return nil
}

// checkFile: a relative, '/'-separated path without empty, "." or ".."
// components.
func (ps *jsonParser) checkFile(s string) error {
	if s == "" || s[0] == '/' {
		return ps.bad("\"file\" must be a relative path")
	}
	for _, c := range strings.Split(s, "/") {
		if c == "" || c == "." || c == ".." {
			return ps.bad("\"file\" must not contain empty, '.' or '..' components")
		}
	}
	return nil
}

// parseEntry reads one element of "kernels".
func (ps *jsonParser) parseEntry() ([kFile + 1]string, error) {
	var vals [kFile + 1]string
	var seen [kFile + 1]bool
	obj := ps.p
	if err := ps.expect('{', "expected '{' starting a kernel entry"); err != nil {
		return vals, err
	}
	if !ps.accept('}') {
		for {
			ps.skipWS()
			keyAt := ps.p
			key, err := ps.parseString()
			if err != nil {
				return vals, err
			}
			k := 0
			for k < len(entryKeys) && entryKeys[k] != key {
				k++
			}
			if k == len(entryKeys) || seen[k] {
				ps.p = keyAt
				if k == len(entryKeys) {
					return vals, ps.bad("unknown key in kernel entry")
				}
				return vals, ps.bad("duplicate key in kernel entry")
			}
			seen[k] = true
			if err := ps.expect(':', "expected ':' after key"); err != nil {
				return vals, err
			}
			if vals[k], err = ps.parseString(); err != nil {
				return vals, err
			}
			if k == kFile {
				err = ps.checkFile(vals[k])
			} else {
				err = ps.checkName(vals[k], entryKeys[k])
			}
			if err != nil {
				return vals, err
			}
			if !ps.accept(',') {
				break
			}
		}
		if err := ps.expect('}', "expected ',' or '}' in kernel entry"); err != nil {
			return vals, err
		}
	}
	for k, ok := range seen {
		if !ok {
			ps.p = obj
			return vals, ps.bad(fmt.Sprintf("kernel entry lacks \"%s\"", entryKeys[k]))
		}
	}
	return vals, nil
}

// topLevelKey reads one member of the top-level object into d.
func (ps *jsonParser) topLevelKey(seen map[string]bool, kernels *[][kFile + 1]string) error {
	ps.skipWS()
	keyAt := ps.p
	key, err := ps.parseString()
	if err != nil {
		return err
	}
	if err := ps.expect(':', "expected ':' after key"); err != nil {
		return err
	}
	if key != "format" && key != "version" && key != "kernels" {
		ps.p = keyAt
		return ps.bad("unknown top-level key")
	}
	if seen[key] {
		ps.p = keyAt
		return ps.bad(fmt.Sprintf("duplicate key \"%s\"", key))
	}
	seen[key] = true
	switch key {
	case "format":
		at := ps.p
		f, err := ps.parseString()
		if err != nil {
			return err
		}
		if f != "btfgen-index" {
			ps.p = at
			return ps.bad("\"format\" is not \"btfgen-index\"")
		}
	case "version":
		at := ps.p
		v, err := ps.parseInt()
		if err != nil {
			return err
		}
		if v != 1 {
			ps.p = at
			return ps.bad(fmt.Sprintf("unsupported index version %d (expected 1)", v))
		}
	case "kernels":
		if err := ps.expect('[', "\"kernels\" must be an array"); err != nil {
			return err
		}
		if ps.accept(']') {
			return nil
		}
		for {
			e, err := ps.parseEntry()
			if err != nil {
				return err
			}
			*kernels = append(*kernels, e)
			if !ps.accept(',') {
				break
			}
		}
		return ps.expect(']', "expected ',' or ']' in \"kernels\"")
	}
	return nil
}

// parseDocument reads the whole index and returns its kernels in file
// order.
func parseDocument(data []byte, what string) ([][kFile + 1]string, error) {
	ps := &jsonParser{s: data, what: what}
	if bytes.IndexByte(data, 0) >= 0 {
		return nil, &Error{Err: ErrBadIndex, Msg: what + ": NUL byte in JSON"}
	}
	if err := ps.expect('{', "expected '{' at the start of the index"); err != nil {
		return nil, err
	}
	if ps.accept('}') {
		return nil, ps.bad("empty object is not a btfgen index")
	}
	seen := map[string]bool{}
	var kernels [][kFile + 1]string
	for {
		if err := ps.topLevelKey(seen, &kernels); err != nil {
			return nil, err
		}
		if !ps.accept(',') {
			break
		}
	}
	if err := ps.expect('}', "expected ',' or '}' at top level"); err != nil {
		return nil, err
	}
	ps.skipWS()
	if ps.p != len(ps.s) {
		return nil, ps.bad("trailing data after the index")
	}
	for _, k := range []string{"format", "version", "kernels"} {
		if !seen[k] {
			return nil, ps.bad(fmt.Sprintf("missing \"%s\"", k))
		}
	}
	return kernels, nil
}
