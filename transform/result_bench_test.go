package transform

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// benchTask is a completed A2A 0.3 Task as the SDKs answer message/send:
// the user's message echoed in its history, then the answer artifact.
func benchTask(promptBytes, answerBytes int) []byte {
	return fmt.Appendf(nil, `{"jsonrpc":"2.0","id":"00000000-0000-4000-8000-000000000000","result":{"kind":"task",`+
		`"id":"0f5a9c6e-8d7b-4c3a-9e2f-1a2b3c4d5e6f","contextId":"1f5a9c6e-8d7b-4c3a-9e2f-1a2b3c4d5e6f",`+
		`"history":[{"kind":"message","role":"user","messageId":"00000000-0000-4000-8000-000000000001",`+
		`"parts":[{"kind":"text","text":%q}]}],"status":{"state":"completed","timestamp":"2026-11-24T12:14:45.847Z"},`+
		`"artifacts":[{"artifactId":"answer","parts":[{"kind":"text","text":%q}]}]}}`,
		benchWords(promptBytes), benchWords(answerBytes))
}

// benchArtifactEvent is one artifact-update event of a 0.3 stream.
func benchArtifactEvent(text string, appendMode, last bool) []byte {
	return fmt.Appendf(nil, `{"jsonrpc":"2.0","id":"00000000-0000-4000-8000-000000000000","result":{"kind":"artifact-update",`+
		`"taskId":"0f5a9c6e-8d7b-4c3a-9e2f-1a2b3c4d5e6f","contextId":"1f5a9c6e-8d7b-4c3a-9e2f-1a2b3c4d5e6f",`+
		`"append":%t,"lastChunk":%t,"artifact":{"artifactId":"answer","parts":[{"kind":"text","text":%q}]}}}`,
		appendMode, last, text)
}

func benchStatusEvent(state string, final bool) []byte {
	return fmt.Appendf(nil, `{"jsonrpc":"2.0","id":"00000000-0000-4000-8000-000000000000","result":{"kind":"status-update",`+
		`"taskId":"0f5a9c6e-8d7b-4c3a-9e2f-1a2b3c4d5e6f","contextId":"1f5a9c6e-8d7b-4c3a-9e2f-1a2b3c4d5e6f",`+
		`"final":%t,"status":{"state":%q,"timestamp":"2026-11-24T12:14:45.847Z"}}}`, final, state)
}

func resultInputs(b *testing.B) []benchInput {
	var in []benchInput
	for _, name := range []string{"a2a-js-0.3-task", "v1.0-task-wrapper"} {
		raw, err := os.ReadFile("../testdata/golden/result/" + name + ".txtar")
		if err != nil {
			b.Fatal(err)
		}
		body, ok := parseArchive(raw).get("a2a.result.json")
		if !ok {
			b.Fatalf("%s: no a2a.result.json", name)
		}
		in = append(in, benchInput{"golden-" + name, body})
	}
	return append(in,
		benchInput{"task-1KiB-answer-1KiB-history", benchTask(1<<10, 1<<10)},
		benchInput{"task-16KiB-answer-8KiB-history", benchTask(8<<10, 16<<10)},
		benchInput{"event-artifact-update-32B", benchArtifactEvent(benchWords(32), true, false)},
		benchInput{"event-status-update-working", benchStatusEvent("working", false)},
	)
}

func BenchmarkReadResponse(b *testing.B) {
	for _, in := range resultInputs(b) {
		b.Run(in.name, func(b *testing.B) {
			b.SetBytes(int64(len(in.data)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := ReadResponse(in.data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkAnswer is the non-stream answer of a real-sized task: read, then
// translated as sendChat does.
func BenchmarkAnswer(b *testing.B) {
	body := benchTask(1<<10, 1<<10)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		ev, err := ReadResponse(body)
		if err != nil {
			b.Fatal(err)
		}
		t := Translator{Prompt: "user: hi"}
		if _, err := t.Feed(ev); err != nil {
			b.Fatal(err)
		}
		if _, err := t.Finish(); err != nil || !strings.HasPrefix(t.Text(), "The quick") {
			b.Fatalf("answer %.20q, %v", t.Text(), err)
		}
	}
}
