package btfgen

import (
	"bytes"
	"fmt"
)

// The C library's field sizes: values must be shorter (a NUL ends them).
const (
	maxDistro  = 64
	maxVersion = 64
	maxArch    = 32
	maxRelease = 256
)

// ParseOSRelease parses os-release(5) text and returns ID (lowercased,
// ASCII only) and VERSION_ID, each "" when absent. Lines are KEY=VALUE
// assignments, '#' comments or blank; values are unquoted, "double-quoted"
// (where a backslash escapes only " \ $ and `, and is kept before anything
// else) or 'single-quoted' (no escapes), and adjacent segments are
// concatenated, as in the shell. An unquoted space ends the value, a value
// never spans lines (an unterminated quote makes the line ignored) and a
// NUL byte ends it. A later assignment replaces an earlier one. A value of
// 64 bytes or more leaves its field empty, and the returned error (which
// wraps ErrTooLong) says so; the other field is still returned.
func ParseOSRelease(text []byte) (distro, version string, err error) {
	for len(text) > 0 {
		line := text
		if i := bytes.IndexByte(text, '\n'); i >= 0 {
			line, text = text[:i], text[i+1:]
		} else {
			text = nil
		}
		key, value, ok := assignment(line)
		if !ok || (key != "ID" && key != "VERSION_ID") {
			continue
		}
		v, ok := parseValue(value)
		if !ok {
			continue
		}
		limit := maxDistro
		if key == "VERSION_ID" {
			limit = maxVersion
		}
		if len(v) >= limit {
			v = nil
			err = &Error{Err: ErrTooLong, Msg: fmt.Sprintf(
				"os-release: %s value longer than %d bytes", key, limit-1)}
		} else if i := bytes.IndexByte(v, 0); i >= 0 {
			v = v[:i]
		}
		if key == "ID" {
			distro = asciiLower(string(v))
		} else {
			version = string(v)
		}
	}
	return distro, version, err
}

// assignment splits "  KEY=rest" (KEY of ASCII letters, digits and '_')
// or reports that the line is blank, a comment or no assignment.
func assignment(line []byte) (key string, value []byte, ok bool) {
	i := 0
	for i < len(line) && (line[i] == ' ' || line[i] == '\t') {
		i++
	}
	if i == len(line) || line[i] == '#' {
		return "", nil, false
	}
	start := i
	for i < len(line) && (isAlnum(line[i]) || line[i] == '_') {
		i++
	}
	if i == start || i == len(line) || line[i] != '=' {
		return "", nil, false
	}
	return string(line[start:i]), line[i+1:], true
}

func isAlnum(c byte) bool {
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
}

// parseValue decodes one shell-style value; false for an unterminated
// quote. Unquoted space, tab or CR ends it; the rest of the line is
// ignored.
func parseValue(s []byte) ([]byte, bool) {
	var out []byte
	for p := 0; p < len(s); {
		switch c := s[p]; c {
		case ' ', '\t', '\r':
			return out, true
		case '"':
			p++
			for {
				if p >= len(s) {
					return nil, false
				}
				if s[p] == '"' {
					p++
					break
				}
				if s[p] == '\\' && p+1 < len(s) && bytes.IndexByte([]byte("$`\"\\"), s[p+1]) >= 0 {
					out = append(out, s[p+1])
					p += 2
					continue
				}
				out = append(out, s[p])
				p++
			}
		case '\'':
			end := bytes.IndexByte(s[p+1:], '\'')
			if end < 0 {
				return nil, false
			}
			out = append(out, s[p+1:p+1+end]...)
			p += end + 2
		case '\\':
			// A backslash at the end of the line escapes nothing.
			if p+1 < len(s) {
				out = append(out, s[p+1])
				p += 2
			} else {
				p++
			}
		default:
			out = append(out, c)
			p++
		}
	}
	return out, true
}
