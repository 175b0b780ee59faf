package transform

import (
	"fmt"
	"testing"

	openai "github.com/sashabaranov/go-openai"
)

// benchStream is the data of every event of a 0.3 stream, as the SDKs send
// it: the submitted task echoing the prompt, working, the answer in chunks
// (the first new, then appended), completed.
func benchStream(promptBytes, answerBytes, chunks int) [][]byte {
	answer := benchWords(answerBytes)
	task := benchTask(promptBytes, 0)
	evs := [][]byte{task, benchStatusEvent("working", false)}
	for i := range chunks {
		evs = append(evs, benchArtifactEvent(answer[i*len(answer)/chunks:(i+1)*len(answer)/chunks], i > 0, i == chunks-1))
	}
	return append(evs, benchStatusEvent("completed", true))
}

// BenchmarkTranslateStream is the bridge's CPU work for one whole streamed
// answer, per op, with no I/O: every event read (ReadResponse), translated
// (Translator.Feed) and encoded as a chat.completion.chunk (Chunk), as the
// bridge's relay does, plus the role and finish chunks.
func BenchmarkTranslateStream(b *testing.B) {
	for _, tc := range []struct{ answer, chunks int }{{1 << 10, 32}, {4 << 10, 256}, {16 << 10, 512}} {
		evs := benchStream(1<<10, tc.answer, tc.chunks)
		total := 0
		for _, ev := range evs {
			total += len(ev)
		}
		b.Run(fmt.Sprintf("%dKiB-%dchunks", tc.answer>>10, tc.chunks), func(b *testing.B) {
			b.SetBytes(int64(total))
			b.ReportAllocs()
			for b.Loop() {
				translateStream(b, evs, tc.answer)
			}
		})
	}
}

func translateStream(b *testing.B, evs [][]byte, want int) {
	t := Translator{Prompt: "user: hi", MaxAnswer: 16 << 20}
	m := benchMeta
	_ = Chunk(m, RoleDelta(), "", false)
	for _, data := range evs {
		ev, err := ReadResponse(data)
		if err != nil {
			b.Fatal(err)
		}
		text, err := t.Feed(ev)
		if err != nil {
			b.Fatal(err)
		}
		if text != "" {
			m.Ext = t.Ext()
			_ = Chunk(m, TextDelta(text), "", false)
		}
	}
	if _, err := t.Finish(); err != nil || len(t.Text()) != want {
		b.Fatalf("answer of %d bytes, want %d (%v)", len(t.Text()), want, err)
	}
	_ = Chunk(m, Delta{}, openai.FinishReasonStop, false)
}
