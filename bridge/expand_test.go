package bridge

import (
	"strings"
	"testing"
)

var expandCases = []struct {
	name, in, want, err string
}{
	{"no reference", "plain text", "plain text", ""},
	{"variable", "${A}", "a", ""},
	{"variable in text", "x-${A}-y", "x-a-y", ""},
	{"two variables", "${A}${B}", "ab", ""},
	{"$$ is a dollar", "pa$$word", "pa$word", ""},
	{"$$ before a brace", "$${A}", "${A}", ""},
	{"$$$ then a reference", "$$${A}", "$a", ""},
	{"lone $ stays", "pa$word", "pa$word", ""},
	{"trailing $", "cost$", "cost$", ""},
	{"$ before a digit", "$1", "$1", ""},
	{"brace outside a reference", "a}b{c", "a}b{c", ""},
	{"default when unset", "${UNSET:-d}", "d", ""},
	{"default when empty", "${EMPTY:-d}", "d", ""},
	{"set wins over default", "${A:-d}", "a", ""},
	{"empty default", "${UNSET:-}", "", ""},
	{"default with spaces and colons", "${UNSET:-a: b c}", "a: b c", ""},
	{"default follows the rules", "${UNSET:-$$x ${B}}", "$x b", ""},
	{"nested default", "${UNSET:-${NONE:-deep}}", "deep", ""},
	{"unused default's unset variable", "${A:-${NONE}}", "a", ""},
	{"value not expanded again", "${DOLLAR}", "$${A}", ""},
	{"value with a newline", "${NL}", "one\ntwo: 2", ""},
	{"unset", "${NONE}", "", "${NONE} is not set"},
	{"empty counts as unset", "${EMPTY}", "", "${EMPTY} is not set"},
	{"used default's unset variable", "${UNSET:-${NONE}}", "", "${NONE} is not set"},
	{"first unset named", "${A}${NONE}${OTHER}", "", "${NONE} is not set"},
	{"unterminated", "ab${A", "", "unterminated ${"},
	{"unterminated at the end", "ab${", "", "unterminated ${"},
	{"unterminated default", "${UNSET:-abc", "", "unterminated ${"},
	{"syntax error wins over unset", "${NONE}${A", "", "unterminated ${"},
	{"empty name", "${}", "", "${ must be followed by a name"},
	{"name with a space", "${A B}", "", "${ must be followed by a name"},
	{"name starting with a digit", "${1A}", "", "${ must be followed by a name"},
	{"other shell forms", "${A-d}", "", "${ must be followed by a name"},
}

var expandEnvVars = map[string]string{"A": "a", "B": "b", "EMPTY": "", "DOLLAR": "$${A}", "NL": "one\ntwo: 2"}

func TestExpandEnv(t *testing.T) {
	for _, tc := range expandCases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := expandEnv(tc.in, env(expandEnvVars))
			switch {
			case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
				t.Errorf("expandEnv(%q) = %q, %v; want an error mentioning %q", tc.in, got, err, tc.err)
			case tc.err == "" && (err != nil || got != tc.want):
				t.Errorf("expandEnv(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
			}
		})
	}
}

// FuzzExpandEnv: no panic; a text without $ is unchanged; $$ is a literal $
// (doubling every $ of any text gives the text back); a variable's value is
// inserted as it is; no error holds a value.
func FuzzExpandEnv(f *testing.F) {
	for _, tc := range expandCases {
		f.Add(tc.in)
	}
	const secret = "SECRET-VALUE"
	f.Fuzz(func(t *testing.T, s string) {
		got, err := expandEnv(s, func(k string) string {
			if k == "EMPTY" {
				return ""
			}
			return secret
		})
		if err != nil && strings.Contains(err.Error(), secret) {
			t.Errorf("expandEnv(%q) error = %q, holds a value", s, err)
		}
		if !strings.Contains(s, "$") && (got != s || err != nil) {
			t.Errorf("expandEnv(%q) = %q, %v; want it unchanged", s, got, err)
		}
		if got, err := expandEnv(strings.ReplaceAll(s, "$", "$$"), env(nil)); got != s || err != nil {
			t.Errorf("expandEnv(%q with $ doubled) = %q, %v; want %q", s, got, err, s)
		}
		if s != "" {
			if got, err := expandEnv("<${V}>", func(string) string { return s }); got != "<"+s+">" || err != nil {
				t.Errorf("expandEnv(<${V}>) with V=%q = %q, %v; want <%s>", s, got, err, s)
			}
		}
	})
}
