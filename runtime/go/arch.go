package btfgen

// archAliases maps alternative spellings to the canonical one: BTFHub
// names its directories x86_64 and arm64, uname says x86_64 and aarch64,
// Debian and Go say amd64 and arm64.
var archAliases = map[string]string{
	"amd64":   "x86_64",
	"x86-64":  "x86_64",
	"aarch64": "arm64",
	"arm64le": "arm64",
	"ppc64el": "ppc64le",
}

// CanonicalArch returns the spelling of an architecture name used for
// matching: lowercased (ASCII only), then "amd64" and "x86-64" become
// "x86_64", "aarch64" becomes "arm64", "ppc64el" becomes "ppc64le".
// Every other name is only lowercased.
func CanonicalArch(arch string) string {
	a := asciiLower(arch)
	if c, ok := archAliases[a]; ok {
		return c
	}
	return a
}

// asciiLower lowercases A-Z only, whatever the locale, as the C library
// does.
func asciiLower(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if b[j] >= 'A' && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}
