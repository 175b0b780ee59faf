package transform

import (
	"fmt"
	"sync"
	"testing"
	"time"
)

// The Cold benchmarks count with the caches evicted before each count.
// Micro-benchmarks run with the vocabulary hot in L1 and L2, which hides
// what a lookup costs when it misses them, as it does in the bridge: the
// requests of 64 clients and the rest of the process pass through the
// caches between two counts.
//
// The walk is timed by the benchmark but left out of ns/op: each count is
// timed on its own and ns/op reports their mean. (b.StopTimer around the
// walk would do the same, but the framework sizes b.N by the timed time
// only, and with a walk of a millisecond or so per count a run would take
// minutes instead of a second.)

// coldBytes is the memory walked before each count: far more than any
// core's L1 and L2, and than the last-level cache of most machines.
const coldBytes = 32 << 20

// coldBuffer is written once, so that its pages are real memory (an
// untouched allocation maps every page to the one zero page, and reading it
// would evict nothing).
var coldBuffer = sync.OnceValue(func() []uint64 {
	buf := make([]uint64, coldBytes/8)
	for i := range buf {
		buf[i] = uint64(i)
	}
	return buf
})

// coldSink keeps the compiler from dropping the walk.
var coldSink uint64

// evictCaches reads one word of every cache line of buf.
func evictCaches(buf []uint64) {
	var s uint64
	for i := 0; i < len(buf); i += 8 { // 8 words: one 64-byte line
		s += buf[i]
	}
	coldSink += s
}

// coldLoop runs count after an eviction each iteration and reports the
// mean time of count alone as ns/op, and the throughput of size bytes a
// count from it.
func coldLoop(b *testing.B, size int, count func()) {
	buf := coldBuffer()
	b.ReportAllocs()
	var spent time.Duration
	for b.Loop() {
		evictCaches(buf)
		start := time.Now()
		count()
		spent += time.Since(start)
	}
	ns := float64(spent.Nanoseconds()) / float64(b.N)
	b.ReportMetric(ns, "ns/op")
	b.ReportMetric(float64(size)*1e3/ns, "MB/s")
}

// BenchmarkCountTokensCold is BenchmarkCountTokens with cold caches.
func BenchmarkCountTokensCold(b *testing.B) {
	_ = CountTokens("warm up: load the vocabulary once")
	for _, size := range []int{256, 1 << 10} {
		text := benchWords(size)
		b.Run(fmt.Sprintf("%dB", size), func(b *testing.B) {
			coldLoop(b, size, func() { _ = CountTokens(text) })
		})
	}
}

// BenchmarkCountUsageCold is BenchmarkCountUsage with cold caches: the
// count of one request, prompt and answer.
func BenchmarkCountUsageCold(b *testing.B) {
	prompt, answer := benchWords(1<<10), benchWords(1<<10)
	_ = CountUsage(prompt, answer)
	coldLoop(b, len(prompt)+len(answer), func() { _ = CountUsage(prompt, answer) })
}
