package transform

import (
	"fmt"
	"testing"
)

// BenchmarkCountTokens is the o200k_base count of one text, done for the
// prompt and the answer of every non-stream request and of every stream
// that asks for usage (unless the agent reports its own).
func BenchmarkCountTokens(b *testing.B) {
	_ = CountTokens("warm up: load the vocabulary once")
	for _, size := range []int{256, 1 << 10, 16 << 10} {
		text := benchWords(size)
		b.Run(fmt.Sprintf("%dB", size), func(b *testing.B) {
			b.SetBytes(int64(size))
			b.ReportAllocs()
			for b.Loop() {
				_ = CountTokens(text)
			}
		})
	}
}

// BenchmarkCountUsage is the usage of the bench program's exchange: a
// flattened 1 KiB conversation and a 1 KiB answer.
func BenchmarkCountUsage(b *testing.B) {
	prompt, answer := benchWords(1<<10), benchWords(1<<10)
	_ = CountUsage(prompt, answer)
	b.SetBytes(int64(len(prompt) + len(answer)))
	b.ReportAllocs()
	for b.Loop() {
		_ = CountUsage(prompt, answer)
	}
}
