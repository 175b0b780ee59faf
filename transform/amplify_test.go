package transform

import (
	"strings"
	"testing"
)

// repeated returns head, unit repeated to about size bytes (its trailing
// comma dropped), and tail.
func repeated(size int, head, unit, tail string) string {
	return head + strings.TrimSuffix(strings.Repeat(unit, (size-len(head)-len(tail))/len(unit)), ",") + tail
}

// TestAmplification holds what reading a hostile body of many tiny
// elements allocates to a small multiple of its size: each of these cost
// 36 to 245 bytes per byte (a Result per tools element, a slice regrown by
// a quarter at a time, a string per tool call), hundreds of MiB for one
// 16 MiB request.
func TestAmplification(t *testing.T) {
	LoadTokenizer()
	const size = 4 << 20
	request := func(body string) func() {
		return func() {
			req, err := ParseRequest([]byte(body))
			if err != nil {
				t.Fatalf("ParseRequest(%.60q…) error = %v", body, err)
			}
			text := Flatten(req.Messages)
			_ = ConversationKey(req.User, req.Messages)
			_ = SendRequest(Send{Text: text, Params: req.Params, Files: Files(req.Messages)})
		}
	}
	event := func(body string) func() {
		return func() {
			if _, err := ReadResponse([]byte(body)); err != nil {
				t.Fatalf("ReadResponse(%.60q…) error = %v", body, err)
			}
		}
	}
	for _, tc := range []struct {
		name string
		body string
		read func(string) func()
		per  float64 // bytes allocated per byte of body, at most
	}{
		// The body is copied by gjson.ParseBytes, the message text once more
		// by Flatten and by SendRequest.
		{"tools", repeated(size, `{"model":"a2a/x","messages":[{"role":"user"}],"tools":[`, `0,`, `]}`), request, 4},
		{"messages", repeated(size, `{"model":"a2a/x","messages":[`, `{"role":"tool"},`, `]}`), request, 12},
		{"content parts", repeated(size, `{"model":"a2a/x","messages":[{"role":"user","content":[`, `{"type":"text"},`, `]}]}`), request, 6},
		{"artifacts", repeated(size, `{"result":{"kind":"task","id":"t","artifacts":[`, `{},`, `]}}`), event, 16},
		{"artifacts of two parts", repeated(size, `{"result":{"kind":"task","id":"t","artifacts":[`, `{"parts":[{"text":"a"},{"text":"b"}]},`, `]}}`), event, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := allocated(tc.read(tc.body))
			if raceEnabled {
				tc.per *= 2 // the race detector's build allocates more
			}
			if per := float64(got) / float64(len(tc.body)); per > tc.per {
				t.Errorf("reading %d bytes of %s allocated %d bytes, %.1f a byte; want at most %.0f", len(tc.body), tc.name, got, per, tc.per)
			}
		})
	}
}

// TestTranslatorManyArtifacts holds a task of many large artifacts to
// linear work: their texts were joined by a concatenation per artifact,
// each copying all the text before (a GiB for 4 MiB here).
func TestTranslatorManyArtifacts(t *testing.T) {
	arts := make([]Artifact, 512)
	for k := range arts {
		arts[k] = Artifact{ID: strings.Repeat("i", 8) + string(rune('a'+k%26)) + strings.Repeat("x", k/26), Text: strings.Repeat("t", 8<<10)}
	}
	total := 0
	for _, a := range arts {
		total += len(a.Text) + 1
	}
	tr := Translator{Prompt: "p", NoUsage: true}
	var text string
	got := allocated(func() {
		var err error
		if text, err = tr.Feed(Event{Kind: KindTask, State: StateCompleted, Artifacts: arts}); err != nil {
			t.Fatalf("Feed(a task of %d artifacts) error = %v", len(arts), err)
		}
	})
	if len(text) != total-1 {
		t.Fatalf("Feed(a task of %d artifacts) = %d bytes of text, want %d", len(arts), len(text), total-1)
	}
	if want := uint64(6 * total); got > want {
		t.Errorf("Feed(a task of %d artifacts, %d bytes of text) allocated %d bytes, want at most %d", len(arts), total, got, want)
	}
}
