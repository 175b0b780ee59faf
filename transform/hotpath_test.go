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
	t.Run("a stream's chunk encoder: the encoder and one buffer", func(t *testing.T) {
		m := Meta{ID: "chatcmpl-0123456789abcdef0123456789abcdef", Created: 1700000000, Model: "a2a/agent"}
		ext := &Ext{TaskID: "0f5a9c6e-8d7b-4c3a-9e2f-1a2b3c4d5e6f", ContextID: "1f5a9c6e-8d7b-4c3a-9e2f-1a2b3c4d5e6f", State: StateWorking}
		buf := make([]byte, 0, 4096)
		if n := testing.AllocsPerRun(100, func() {
			c := NewChunks(m, true)
			sinkText = string(c.AppendText(buf, ext, "hi")[:0]) // the tail rebuilt with ids, in place
		}); n != 2 {
			t.Errorf("NewChunks and a chunk with ids: allocations = %v, want 2", n)
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
