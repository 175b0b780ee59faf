package transform

import (
	"bytes"
	"testing"
)

// TestConvertEventAllocs bounds what translating one stream event costs:
// into a buffer in use, nothing; into its own, the one slice returned (20
// allocations before the one-pass writer: a map and a string per level).
func TestConvertEventAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates on its own")
	}
	for _, tc := range []struct {
		name string
		in   []byte
		to   Dialect
	}{{"1.0 to 0.3", benchArtifact10, V03}, {"0.3 to 1.0", benchArtifact03, V10}} {
		t.Run(tc.name, func(t *testing.T) {
			if got := testing.AllocsPerRun(100, func() { _, _ = ConvertResponse(tc.in, tc.to, false) }); got > 1 {
				t.Errorf("ConvertResponse allocations = %v, want at most 1", got)
			}
			buf := make([]byte, 0, 1024)
			if got := testing.AllocsPerRun(100, func() { buf, _ = AppendConvertResponse(buf[:0], tc.in, tc.to, false) }); got > 0 {
				t.Errorf("AppendConvertResponse allocations = %v, want 0", got)
			}
			var one [1]Artifact
			// The read's strings: one arena, as ReadResponseInto alone.
			if got := testing.AllocsPerRun(100, func() { c, _ := AppendConvertEvent(buf[:0], tc.in, tc.to, false, &one); buf = c.Out }); got > 1 {
				t.Errorf("AppendConvertEvent allocations = %v, want at most 1", got)
			}
		})
	}
}

// TestAppendConvertKeepsDst: the Append forms append to what dst holds,
// and give it back as it came on an error.
func TestAppendConvertKeepsDst(t *testing.T) {
	dst := []byte("data: ")
	out, err := AppendConvertResponse(dst, benchArtifact10, V03, false)
	want, _ := ConvertResponse(benchArtifact10, V03, false)
	if err != nil || !bytes.Equal(out, append([]byte("data: "), want...)) {
		t.Errorf("AppendConvertResponse(data: , event) = %q, %v, want %q", out, err, "data: "+string(want))
	}
	if out, err := AppendConvertRequest(dst, []byte(`{"jsonrpc":`), V10, ""); err == nil || string(out) != "data: " {
		t.Errorf("AppendConvertRequest(data: , no JSON) = %q, %v, want %q and an error", out, err, "data: ")
	}
	if c, err := AppendConvertEvent(dst, []byte(`[1]`), V10, false, nil); err == nil || string(c.Out) != "data: " {
		t.Errorf("AppendConvertEvent(data: , no object) = %q, %v, want %q and an error", c.Out, err, "data: ")
	}
}
