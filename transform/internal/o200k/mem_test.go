package o200k

import (
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"
)

// allocated returns the bytes fn allocates on the heap, from the runtime's
// running total (counts of allocations, as testing.AllocsPerRun gives,
// would not see one huge one).
func allocated(fn func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestCountTokensMemory holds the count of one huge piece (a 16 MiB prompt
// of one word, or of one character repeated) to less memory than the text
// itself: the byte-pair merge took about 20 bytes per byte of its piece,
// hundreds of MiB for one request. Invalid UTF-8 is read as U+FFFD, three
// bytes, per byte, converted a chunk at a time: at most three times the
// text is allocated then, and one chunk is live at a time (it was the
// whole text as runes, four times it, then the merge).
func TestCountTokensMemory(t *testing.T) {
	size, small := 16<<20, 2<<20
	if raceEnabled { // the race detector makes the merges of 16 MiB a minute long
		size, small = 2<<20, 256<<10
	}
	rng := rand.New(rand.NewPCG(5, 6))
	word := make([]byte, size)
	for k := range word {
		word[k] = "abcdefghijklmnopqrstuvwxyz"[rng.IntN(26)]
	}
	Load()
	for _, tc := range []struct {
		name, text string
		per        int // bytes allocated per byte of text, at most
	}{
		{"one 16 MiB word", string(word), 1},
		{"16 MiB of one letter", strings.Repeat("a", size), 1},
		{"2 MiB of spaces", strings.Repeat(" ", small), 1},
		{"2 MiB of one symbol", strings.Repeat("!", small), 1},
		{"2 MiB of one CJK character", strings.Repeat("語", small/3), 1},
		{"2 MiB of invalid UTF-8", strings.Repeat("\xff", small), 3},
		{"2 MiB of invalid UTF-8 between letters", strings.Repeat("a\xff", small/2), 3},
		{"2 MiB of invalid UTF-8 in short pieces", strings.Repeat("a \xff ", small/4), 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var n int
			got := allocated(func() { n = Count(tc.text) })
			// One chunk's merge takes about 20 bytes per byte of maxPiece.
			if want := uint64(tc.per*len(tc.text) + 32*maxPiece); got > want {
				t.Errorf("Count(%d bytes: %.8q…) = %d tokens, allocating %d bytes; want at most %d", len(tc.text), tc.text, n, got, want)
			}
			if n < len(tc.text)/maxPiece {
				t.Errorf("Count(%d bytes: %.8q…) = %d tokens, want at least one per %d bytes", len(tc.text), tc.text, n, maxPiece)
			}
		})
	}
}

// TestCountTokensLongPieces holds the chunked count of pieces past
// maxPiece to one rule whatever the bytes: a piece with invalid UTF-8,
// converted a chunk at a time, counts as the text converted whole; and a
// piece at the bound is merged whole.
func TestCountTokensLongPieces(t *testing.T) {
	for _, s := range []string{
		strings.Repeat("\xff", 3*maxPiece),
		strings.Repeat("ab\xff", maxPiece),
		strings.Repeat("é\xff", maxPiece) + "x",
		"\xff" + strings.Repeat("語", maxPiece),
		strings.Repeat("!\xff", maxPiece/2) + " " + strings.Repeat("\xc3", 5),
	} {
		if got, want := countO200k(s), countO200k(string([]rune(s))); got != want {
			t.Errorf("countO200k(%d bytes: %.12q…) = %d, converted to U+FFFD first: %d", len(s), s, got, want)
		}
	}
	vocab := ranks()
	atBound := strings.Repeat("xyz", maxPiece/3) + "x"
	if len(atBound) > maxPiece {
		t.Fatalf("len(atBound) = %d, want at most %d", len(atBound), maxPiece)
	}
	if got, want := countO200k(atBound), mergeCountLong(vocab, atBound); got != want {
		t.Errorf("countO200k(a %d-byte word) = %d, merged whole: %d", len(atBound), got, want)
	}
}

// BenchmarkCountTokensLongPiece is the count of one 1 MiB piece (a word,
// one letter repeated): merged chunk by chunk, linear in its length.
func BenchmarkCountTokensLongPiece(b *testing.B) {
	Load()
	rng := rand.New(rand.NewPCG(5, 6))
	word := make([]byte, 1<<20)
	for k := range word {
		word[k] = "abcdefghijklmnopqrstuvwxyz"[rng.IntN(26)]
	}
	for _, tc := range []struct{ name, text string }{
		{"word-1MiB", string(word)},
		{"letter-1MiB", strings.Repeat("a", 1<<20)},
	} {
		b.Run(tc.name, func(b *testing.B) {
			b.SetBytes(int64(len(tc.text)))
			b.ReportAllocs()
			for b.Loop() {
				_ = Count(tc.text)
			}
		})
	}
}
