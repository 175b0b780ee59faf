package transform

import (
	"fmt"
	"testing"

	openai "github.com/sashabaranov/go-openai"
)

// benchMeta is the Meta of a running stream: id, model and the A2A ids.
var benchMeta = Meta{ID: "chatcmpl-0f5a9c6e8d7b4c3a9e2f1a2b3c4d5e6f", Created: 1795522326, Model: "a2a/bench",
	Ext: &Ext{TaskID: "0f5a9c6e-8d7b-4c3a-9e2f-1a2b3c4d5e6f", ContextID: "1f5a9c6e-8d7b-4c3a-9e2f-1a2b3c4d5e6f",
		State: StateWorking}}

func BenchmarkCompletion(b *testing.B) {
	for _, size := range []int{1 << 10, 16 << 10} {
		content := benchWords(size)
		u := CountUsage(benchWords(2048), content)
		b.Run(fmt.Sprintf("%dKiB", size>>10), func(b *testing.B) {
			b.SetBytes(int64(size))
			b.ReportAllocs()
			for b.Loop() {
				_ = Completion(benchMeta, content, u)
			}
		})
	}
}

// BenchmarkChunk is the one encoding done per streamed event.
func BenchmarkChunk(b *testing.B) {
	cases := []struct {
		name      string
		d         Delta
		finish    openai.FinishReason
		withUsage bool
	}{
		{"role", RoleDelta(), "", false},
		{"text-32B", TextDelta(benchWords(32)), "", false},
		{"text-32B-usage-null", TextDelta(benchWords(32)), "", true},
		{"text-32B-escaped", TextDelta("line one\n\"quoted\" <b> & é\tend."), "", false},
		{"text-1KiB", TextDelta(benchWords(1024)), "", false},
		{"finish", Delta{}, openai.FinishReasonStop, false},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = Chunk(benchMeta, tc.d, tc.finish, tc.withUsage)
			}
		})
	}
}

func BenchmarkUsageChunk(b *testing.B) {
	u := CountUsage(benchWords(2048), benchWords(1024))
	b.ReportAllocs()
	for b.Loop() {
		_ = UsageChunk(benchMeta, u)
	}
}
