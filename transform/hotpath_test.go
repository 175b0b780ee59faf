package transform

import (
	"testing"

	"github.com/tidwall/gjson"
)

// TestHotPathAllocs: the allocations of what every answer does once or
// per event, each a test that counted more before.
func TestHotPathAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates on its own")
	}
	t.Run("one artifact's deltas: the id's and the text's copies", func(t *testing.T) {
		n := testing.AllocsPerRun(100, func() {
			var d Deltas
			d.Artifact("a", "some text", false)
			d.Artifact("a", " more", true)
		})
		if n > 3 { // the id, the short text (detach), the buffer the appended chunk grows
			t.Errorf("Deltas.Artifact(one artifact, twice) allocations = %v, want 3 (no map, no slice)", n)
		}
	})
	t.Run("the answer's text and usage share one copy", func(t *testing.T) {
		tr := &Translator{Prompt: "hi", Estimate: true}
		ev := Event{Kind: KindTask, TaskID: "t", State: StateCompleted, Artifacts: []Artifact{{ID: "a", Text: "the answer"}}}
		if _, err := tr.Feed(ev); err != nil {
			t.Fatal(err)
		}
		if got := tr.Text(); got != "the answer" {
			t.Fatalf("Text() = %q, want %q", got, "the answer")
		}
		if n := testing.AllocsPerRun(100, func() { sinkText, sinkUsage, sinkText = tr.Text(), tr.Usage(), tr.Text() }); n != 0 {
			t.Errorf("Text(), Usage(), Text() allocations = %v, want 0 once Text was read", n)
		}
		if _, err := tr.Feed(Event{Kind: KindArtifact, Append: true, Artifacts: []Artifact{{ID: "a", Text: "!"}}}); err != nil {
			t.Fatal(err)
		}
		if got := tr.Text(); got != "the answer!" {
			t.Errorf("Text() after more = %q, want %q", got, "the answer!")
		}
	})
	t.Run("duplicate members of a small request", func(t *testing.T) {
		root := gjson.Parse(`{"model":"a2a/a","messages":[],"stream":true,"user":"u","temperature":1}`)
		if n := testing.AllocsPerRun(100, func() { duplicateMember(root) }); n != 0 {
			t.Errorf("duplicateMember(5 members) allocations = %v, want 0", n)
		}
	})
}

// What the allocation tests keep, so that no call is optimised away.
var (
	sinkText  string
	sinkUsage Usage
)
