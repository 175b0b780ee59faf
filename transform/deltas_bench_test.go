package transform

import (
	"fmt"
	"testing"
)

// BenchmarkDeltas is one whole answer through Deltas, per op: appended
// chunks (most SDKs), and snapshots re-sent whole each time (ADK style).
// The cost per answer should grow with its size, not with its square.
func BenchmarkDeltas(b *testing.B) {
	for _, tc := range []struct{ chunks, size int }{{32, 32}, {256, 16}, {512, 32}, {2048, 32}} {
		answer := benchWords(tc.chunks * tc.size)
		b.Run(fmt.Sprintf("append-%dx%dB", tc.chunks, tc.size), func(b *testing.B) {
			b.SetBytes(int64(len(answer)))
			b.ReportAllocs()
			for b.Loop() {
				var d Deltas
				for i := range tc.chunks {
					d.Artifact("answer", answer[i*tc.size:(i+1)*tc.size], i > 0)
				}
			}
		})
	}
	for _, tc := range []struct{ snapshots, size int }{{16, 64}, {64, 64}} {
		answer := benchWords(tc.snapshots * tc.size)
		b.Run(fmt.Sprintf("snapshot-%dx%dB", tc.snapshots, tc.size), func(b *testing.B) {
			b.SetBytes(int64(len(answer)))
			b.ReportAllocs()
			for b.Loop() {
				var d Deltas
				for i := range tc.snapshots {
					d.Artifact("answer", answer[:(i+1)*tc.size], false)
				}
			}
		})
	}
}
