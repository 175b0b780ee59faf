package transform

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// TestReadEventArena: the events of a stream read through one Arena read
// what ReadResponse reads, keep their strings unchanged whatever is read
// after them, and share blocks: a small event costs a fraction of an
// allocation, where it cost one; a large one an arena of its own, as
// ReadResponse's.
func TestReadEventArena(t *testing.T) {
	var bodies [][]byte
	for i := range 100 {
		bodies = append(bodies, benchArtifactEvent(fmt.Sprintf("chunk %d with \\u00e9scapes", i), i > 0, false))
	}
	bodies = append(bodies, benchArtifactEvent(strings.Repeat("long ", 200), true, false), benchStatusEvent("completed", true))
	var a Arena
	var one [1]Artifact
	var got, want []Event
	for _, b := range bodies {
		w, err := ReadResponse(b)
		if err != nil {
			t.Fatal(err)
		}
		ev, err := ReadEvent(b, &one, &a)
		if err != nil {
			t.Fatalf("ReadEvent(%s) error %v", b, err)
		}
		ev.Artifacts = append([]Artifact(nil), ev.Artifacts...) // one is reused; the strings are the arena's
		got, want = append(got, ev), append(want, w)
	}
	for i := range got { // every event read, checked once all were
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Errorf("ReadEvent(%s) = %+v after the rest, want %+v", bodies[i], got[i], want[i])
		}
	}
	if raceEnabled {
		return
	}
	small := bodies[1]
	if n, base := testing.AllocsPerRun(100, func() { _, _ = ReadEvent(small, &one, &a) }),
		testing.AllocsPerRun(100, func() { _, _ = ReadResponseInto(small, &one) }); n > base-0.8 {
		t.Errorf("ReadEvent(small event) allocations = %v, want a fraction of one (ReadResponseInto's %v less one)", n, base)
	}
	large := bodies[100]
	if n, base := testing.AllocsPerRun(100, func() { _, _ = ReadEvent(large, &one, &a) }),
		testing.AllocsPerRun(100, func() { _, _ = ReadResponseInto(large, &one) }); n != base {
		t.Errorf("ReadEvent(large event) allocations = %v, want ReadResponseInto's %v", n, base)
	}
}

// FuzzReadEvent: two bodies read in turn through one Arena read as
// ReadResponse reads each, and the first's strings are unchanged after
// the second.
func FuzzReadEvent(f *testing.F) {
	f.Add(benchArtifactEvent("a", false, false), benchStatusEvent("completed", true))
	f.Add([]byte(`{"result":{"kind":"task","id":"t","contextId":"c","status":{"state":"working","message":{"parts":[{"text":"x"},{"text":"y"}]}}}}`),
		benchArtifactEvent(strings.Repeat("z", 300), true, true))
	f.Fuzz(func(t *testing.T, first, second []byte) {
		var a Arena
		var got [2]Event
		var errs [2]error
		for i, b := range [][]byte{first, second} {
			got[i], errs[i] = ReadEvent(b, nil, &a)
		}
		for i, b := range [][]byte{first, second} {
			want, err := ReadResponse(b)
			if (err == nil) != (errs[i] == nil) || !reflect.DeepEqual(got[i], want) {
				t.Errorf("ReadEvent(%q) = %+v, %v, want %+v, %v", b, got[i], errs[i], want, err)
			}
		}
	})
}
