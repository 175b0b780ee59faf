package bridge

import (
	"net/http"
	"regexp"
	"testing"
)

// traceparentShape is version 00's traceparent, as the W3C spec writes it.
var traceparentShape = regexp.MustCompile(`^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$`)

var printableASCII = regexp.MustCompile(`^[\x20-\x7e]*$`)

// FuzzTraceOf: no panic; a traceparent is passed on exactly when it has
// version 00's shape, a version other than ff and ids not all zero, and
// then as it came, with its trace id; a tracestate only with it, as it
// came, when it is at most 512 bytes of printable ASCII.
func FuzzTraceOf(f *testing.F) {
	for _, seed := range [][2]string{
		{"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "congo=t61rcWkgMzE"},
		{"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", ""},
		{"ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "a=b"},
		{"00-00000000000000000000000000000000-00f067aa0ba902b7-01", ""},
		{"00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01", ""},
		{"00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01", ""},
		{"00-xyz-00f067aa0ba902b7-01", "a=b"},
		{"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "a=\x01"},
	} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, p, s string) {
		h := http.Header{}
		h.Set(hdrTraceparent, p)
		h.Set(hdrTracestate, s)
		parent, state, id := traceOf(h)
		valid := traceparentShape.MatchString(p) && p[:2] != "ff" &&
			p[3:35] != "00000000000000000000000000000000" && p[36:52] != "0000000000000000"
		switch {
		case !valid && (parent != "" || state != "" || id != ""):
			t.Fatalf("traceOf(%q, %q) = %q, %q, %q; want nothing for a malformed traceparent", p, s, parent, state, id)
		case !valid:
			return
		case parent != p || id != p[3:35]:
			t.Fatalf("traceOf(%q, %q) = %q, trace id %q; want it as it came, trace id %q", p, s, parent, id, p[3:35])
		}
		if keep := len(s) <= maxTracestate && printableASCII.MatchString(s); keep && state != s || !keep && state != "" {
			t.Fatalf("traceOf(%q, %q) tracestate = %q; want it only when at most %d printable bytes", p, s, state, maxTracestate)
		}
	})
}
