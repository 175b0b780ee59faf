package bridge

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestClip(t *testing.T) {
	tests := []struct {
		name string
		in   string
		max  int
		want string
	}{
		{"short", "abc", 8, "abc"},
		{"exact", "abcdefgh", 8, "abcdefgh"},
		{"long", "abcdefghij", 8, "abcde…"},
		{"rune boundary", "ééééé", 8, "éé…"},
		{"bound of the ellipsis", "abcdef", 3, "…"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := clip(tc.in, tc.max)
			if got != tc.want {
				t.Errorf("clip(%q, %d) = %q, want %q", tc.in, tc.max, got, tc.want)
			}
			if !utf8.ValidString(got) {
				t.Errorf("clip(%q, %d) = %q is not valid UTF-8", tc.in, tc.max, got)
			}
		})
	}
	if got := clip(strings.Repeat("x", 1<<20), maxLogged); len(got) > maxLogged {
		t.Errorf("clip of 1 MiB to %d = %d bytes", maxLogged, len(got))
	}
}
