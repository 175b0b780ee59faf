package transform

import (
	"fmt"
	"reflect"
	"testing"
)

// artifactUpdate is one artifact update given to Deltas.Artifact.
type artifactUpdate struct {
	id, text string
	append   bool
}

type emitted struct {
	delta    string
	diverged bool
}

func (e emitted) String() string { return fmt.Sprintf("(%q, %v)", e.delta, e.diverged) }

// deltasTests are update sequences with what each emits; they also seed FuzzDeltas.
var deltasTests = []struct {
	name      string
	updates   []artifactUpdate
	want      []emitted
	wantText  string
	wantShown int
}{
	{
		name:     "append deltas (a2a-go and a2a-js echo)",
		updates:  []artifactUpdate{{"A", "echo: ", false}, {"A", "hi ", true}, {"A", "you", true}},
		want:     []emitted{{"echo: ", false}, {"hi ", false}, {"you", false}},
		wantText: "echo: hi you", wantShown: 12,
	},
	{
		name:     "a new artifact sent with append true",
		updates:  []artifactUpdate{{"A", "x", true}, {"A", "y", true}},
		want:     []emitted{{"x", false}, {"y", false}},
		wantText: "xy", wantShown: 2,
	},
	{
		name:     "second artifact prefixed with a newline",
		updates:  []artifactUpdate{{"A", "one", false}, {"B", "two", false}, {"B", " more", true}},
		want:     []emitted{{"one", false}, {"\ntwo", false}, {" more", false}},
		wantText: "one\ntwo more", wantShown: 12,
	},
	{
		name:     "three artifacts",
		updates:  []artifactUpdate{{"A", "a", false}, {"B", "b", false}, {"C", "c", false}},
		want:     []emitted{{"a", false}, {"\nb", false}, {"\nc", false}},
		wantText: "a\nb\nc", wantShown: 5,
	},
	{
		name:     "snapshot re-send under a known id emits only the unseen suffix",
		updates:  []artifactUpdate{{"A", "echo: ", false}, {"A", "hi ", true}, {"A", "echo: hi you", false}},
		want:     []emitted{{"echo: ", false}, {"hi ", false}, {"you", false}},
		wantText: "echo: hi you", wantShown: 12,
	},
	{
		// @a2a-js/sdk 0.3.14 MODE:snapshot, recorded: the ADK whole re-send.
		name: "identical snapshot emits nothing",
		updates: []artifactUpdate{{"a1", "echo: ", false}, {"a1", "MODE:snapshot ", true}, {"a1", "hi ", true}, {"a1", "you", true},
			{"a1", "echo: MODE:snapshot hi you", false}},
		want:     []emitted{{"echo: ", false}, {"MODE:snapshot ", false}, {"hi ", false}, {"you", false}, {"", false}},
		wantText: "echo: MODE:snapshot hi you", wantShown: 26,
	},
	{
		name:     "snapshots only (cumulative text every time)",
		updates:  []artifactUpdate{{"A", "H", false}, {"A", "He", false}, {"A", "Hello", false}},
		want:     []emitted{{"H", false}, {"e", false}, {"llo", false}},
		wantText: "Hello", wantShown: 5,
	},
	{
		name:     "diverging snapshot emits nothing, reports it, keeps the old text",
		updates:  []artifactUpdate{{"A", "Hello wrld", false}, {"A", "Hello world", false}, {"A", "!", true}},
		want:     []emitted{{"Hello wrld", false}, {"", true}, {"!", false}},
		wantText: "Hello wrld!", wantShown: 11,
	},
	{
		name:     "shorter snapshot diverges",
		updates:  []artifactUpdate{{"A", "abc", false}, {"A", "ab", false}},
		want:     []emitted{{"abc", false}, {"", true}},
		wantText: "abc", wantShown: 3,
	},
	{
		name:     "empty artifact grows by snapshots",
		updates:  []artifactUpdate{{"A", "", false}, {"A", "", false}, {"A", "x", false}},
		want:     []emitted{{"", false}, {"", false}, {"x", false}},
		wantText: "x", wantShown: 1,
	},
	{
		// Interleaved artifacts cannot be re-ordered on an append-only
		// stream: the stream shows "a\nbc" while Text (the non-stream
		// answer) is "ac\nb". Shown still counts every emitted byte.
		name:     "append to an earlier artifact after a later one",
		updates:  []artifactUpdate{{"A", "a", false}, {"B", "b", false}, {"A", "c", true}},
		want:     []emitted{{"a", false}, {"\nb", false}, {"c", false}},
		wantText: "ac\nb", wantShown: 4,
	},
	{
		name:     "empty artifact id is an id like any other",
		updates:  []artifactUpdate{{"", "x", false}, {"", "y", true}},
		want:     []emitted{{"x", false}, {"y", false}},
		wantText: "xy", wantShown: 2,
	},
}

func TestDeltas(t *testing.T) {
	for _, tc := range deltasTests {
		t.Run(tc.name, func(t *testing.T) {
			var d Deltas
			var got []emitted
			for _, u := range tc.updates {
				delta, diverged := d.Artifact(u.id, u.text, u.append)
				got = append(got, emitted{delta, diverged})
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Artifact(%v...) = %v, want %v", tc.updates, got, tc.want)
			}
			if got := d.Text(); got != tc.wantText {
				t.Errorf("after %v: Text() = %q, want %q", tc.updates, got, tc.wantText)
			}
			if got := d.Shown(); got != tc.wantShown {
				t.Errorf("after %v: Shown() = %d, want %d", tc.updates, got, tc.wantShown)
			}
		})
	}
}

func TestDeltasZero(t *testing.T) {
	var d Deltas
	if got := d.Text(); got != "" {
		t.Errorf("Deltas{}.Text() = %q, want \"\"", got)
	}
	if got := d.Shown(); got != 0 {
		t.Errorf("Deltas{}.Shown() = %d, want 0", got)
	}
}
