package transform

import (
	"testing"
)

// TestReadResponseIntoSharesArtifact: ReadResponseInto puts an event's one
// artifact in the array it is given, and reads what ReadResponse reads,
// with one allocation fewer per event.
func TestReadResponseIntoSharesArtifact(t *testing.T) {
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"artifact-update", benchArtifactEvent("some text", true, false)},
		{"task of one artifact", []byte(`{"jsonrpc":"2.0","id":1,"result":{"kind":"task","id":"t","contextId":"c","status":{"state":"completed"},"artifacts":[{"artifactId":"a","parts":[{"kind":"text","text":"done"}]}]}}`)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want, err := ReadResponse(tc.data)
			if err != nil {
				t.Fatal(err)
			}
			var one [1]Artifact
			got, err := ReadResponseInto(tc.data, &one)
			if err != nil {
				t.Fatal(err)
			}
			if len(got.Artifacts) != 1 || &got.Artifacts[0] != &one[0] || got.Artifacts[0] != want.Artifacts[0] {
				t.Fatalf("ReadResponseInto().Artifacts = %+v (in one: %t), want %+v in one", got.Artifacts, len(got.Artifacts) == 1 && &got.Artifacts[0] == &one[0], want.Artifacts)
			}
			a := testing.AllocsPerRun(100, func() { _, _ = ReadResponse(tc.data) })
			b := testing.AllocsPerRun(100, func() { _, _ = ReadResponseInto(tc.data, &one) })
			if b != a-1 {
				t.Errorf("ReadResponseInto allocs = %v, want %v (ReadResponse's %v less the slice)", b, a-1, a)
			}
		})
	}
}

// TestTranslatorStreamAllocs: a streamed answer of 1 KiB in 32 appended
// chunks grows the answer and the artifact's shown text a few times, not
// once per doubling from the first chunk's size (7 and 5 allocations).
func TestTranslatorStreamAllocs(t *testing.T) {
	answer := benchWords(1 << 10)
	var evs []Event
	for i := range 32 {
		ev, err := ReadResponse(benchArtifactEvent(answer[i*32:(i+1)*32], i > 0, i == 31))
		if err != nil {
			t.Fatal(err)
		}
		evs = append(evs, ev)
	}
	got := testing.AllocsPerRun(50, func() {
		tr := Translator{Prompt: "user: hi"}
		for _, ev := range evs {
			if _, err := tr.Feed(ev); err != nil {
				panic(err)
			}
		}
		if tr.Text() != answer {
			panic("wrong answer")
		}
	})
	// 15 (21 when both grew from the first chunk's size): the first
	// chunk's records (the map, the id, its text), three growths each of
	// the answer and of the artifact's shown text, Text's copy.
	if want := 15.0; got > want {
		t.Errorf("Translator.Feed of 32 chunks: %v allocations, want at most %v", got, want)
	}
}
