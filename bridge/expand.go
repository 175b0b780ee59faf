package bridge

import (
	"errors"
	"strings"
)

// expandEnv replaces the references in one config value: ${VAR} by getenv's
// value, ${VAR:-default} by the default when VAR is unset or empty (the
// default follows the same rules), and $$ by a literal $. A $ followed by
// anything else stays as written, so "pa$word" is unchanged. Values are
// inserted as they are, never expanded again.
//
// Errors name the variable, never a value: a value may be a secret.
func expandEnv(s string, getenv func(string) string) (string, error) {
	if !strings.Contains(s, "$") {
		return s, nil
	}
	out, _, err := expandTo(s, getenv, false)
	return out, err
}

// errUnset is a ${VAR} without a default whose variable is unset or empty
// (getenv cannot tell the two apart).
type errUnset struct{ name string }

func (e errUnset) Error() string { return "${" + e.name + "} is not set" }

func isUnset(err error) bool { return errors.As(err, new(errUnset)) }

var (
	errUnterminated = errors.New("unterminated ${ (write $$ for a literal $)")
	errMalformed    = errors.New("${ must be followed by a name and } or :-default} (write $$ for a literal $)")
)

// expandTo expands s up to its end or, inside a default, up to the } that
// closes it, and returns the text and the bytes read (that } included). A
// syntax error anywhere wins over an unset variable; of those, the first
// is reported.
func expandTo(s string, getenv func(string) string, inDefault bool) (string, int, error) {
	var b strings.Builder
	var unset error
	for i := 0; i < len(s); {
		switch {
		case s[i] == '}' && inDefault:
			return b.String(), i + 1, unset
		case strings.HasPrefix(s[i:], "$$"):
			b.WriteByte('$')
			i += 2
		case strings.HasPrefix(s[i:], "${"):
			v, n, err := reference(s[i:], getenv)
			if err != nil && !isUnset(err) {
				return "", 0, err
			}
			if unset == nil {
				unset = err
			}
			b.WriteString(v)
			i += n
		default:
			b.WriteByte(s[i])
			i++
		}
	}
	if inDefault {
		return "", 0, errUnterminated
	}
	return b.String(), len(s), unset
}

// reference expands the ${...} that s starts with, returning its value and
// the bytes it spans. A default's own unset variables count only when the
// default is used, as in the shell.
func reference(s string, getenv func(string) string) (string, int, error) {
	name := varName(s[2:])
	end := 2 + len(name)
	switch {
	case name != "" && strings.HasPrefix(s[end:], "}"):
		if v := getenv(name); v != "" {
			return v, end + 1, nil
		}
		return "", end + 1, errUnset{name}
	case name != "" && strings.HasPrefix(s[end:], ":-"):
		def, n, err := expandTo(s[end+2:], getenv, true)
		if err != nil && !isUnset(err) {
			return "", 0, err
		}
		if v := getenv(name); v != "" {
			return v, end + 2 + n, nil
		}
		return def, end + 2 + n, err
	case !strings.Contains(s[end:], "}"):
		return "", 0, errUnterminated
	}
	return "", 0, errMalformed
}

// varName returns the shell variable name ([A-Za-z_][A-Za-z0-9_]*) that s
// starts with, or "".
func varName(s string) string {
	for i := 0; i < len(s); i++ {
		c := s[i]
		letter := c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
		if !letter && (i == 0 || c < '0' || c > '9') {
			return s[:i]
		}
	}
	return s
}
