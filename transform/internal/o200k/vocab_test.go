package o200k

import (
	"cmp"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
)

// referenceRanks is the vocabulary built the way it was before the table:
// a Go map over one string arena, read from tiktoken-go by Decode. The
// table is held equal to it.
var referenceRanks = sync.OnceValue(func() map[string]uint32 {
	enc := o200k()
	var arena strings.Builder
	var ends []int
	var ids []uint32
	id := make([]uint, 1)
	for t, misses := uint(0), 0; misses < 1024; t++ { // ids are dense, then a few specials
		id[0] = t
		tok, err := enc.Decode(id)
		if err != nil || tok == "" {
			misses++
			continue
		}
		misses = 0
		arena.WriteString(tok)
		ends = append(ends, arena.Len())
		ids = append(ids, uint32(t))
	}
	all := arena.String()
	m := make(map[string]uint32, len(ids))
	start := 0
	for k, end := range ends {
		m[all[start:end]] = ids[k]
		start = end
	}
	return m
})

// TestVocabularyFindsEveryToken looks up every token of the reference map.
func TestVocabularyFindsEveryToken(t *testing.T) {
	v, ref := ranks(), referenceRanks()
	if len(ref) < 199_000 {
		t.Fatalf("the reference holds %d tokens; o200k_base has 199,998", len(ref))
	}
	for tok, want := range ref {
		if got, ok := v.rank(tok); !ok || got != want {
			t.Fatalf("rank(%q) = %d, %v; want %d", tok, got, ok, want)
		}
	}
}

// TestVocabularyMissesNonTokens looks up strings near tokens, where a
// table that compared too little would answer wrong: every token with a
// byte changed, appended or dropped, every prefix of the tokens longer
// than a slot's inline bytes, and random bytes. Each answer must be the
// reference map's (some of these strings are tokens too).
func TestVocabularyMissesNonTokens(t *testing.T) {
	v, ref := ranks(), referenceRanks()
	rng := rand.New(rand.NewPCG(5, 6))
	lookups, tokens := 0, 0
	check := func(s string) {
		lookups++
		got, ok := v.rank(s)
		want, wok := ref[s]
		if ok != wok || got != want {
			t.Fatalf("rank(%q) = %d, %v; the reference says %d, %v", s, got, ok, want, wok)
		}
		if ok {
			tokens++
		}
	}
	for _, tok := range byRank(ref) { // in order, so that the test draws the same strings each run
		b := []byte(tok)
		k := rng.IntN(len(b))
		old := b[k]
		b[k] ^= byte(1 + rng.IntN(255))
		check(string(b))
		b[k] = old
		if len(b) > inlineKey { // past the inline bytes: only the long record tells
			b[len(b)-1] ^= 1
			check(string(b))
			b[len(b)-1] ^= 1
			for n := 1; n < len(tok); n++ {
				check(tok[:n])
			}
		}
		check(tok + string(rune(rng.IntN(128))))
		check(tok + tok[:1])
		check(tok[:k] + tok[k+1:])
	}
	for range 500_000 {
		b := make([]byte, 1+rng.IntN(40))
		for k := range b {
			b[k] = byte(rng.Uint32())
		}
		check(string(b))
	}
	check("")
	check(strings.Repeat("a", 4096))
	t.Logf("%d lookups, %d of them tokens", lookups, tokens)
}

// byRank lists the tokens of ref in rank order.
func byRank(ref map[string]uint32) []string {
	toks := make([]string, 0, len(ref))
	for tok := range ref {
		toks = append(toks, tok)
	}
	slices.SortFunc(toks, func(a, b string) int { return cmp.Compare(ref[a], ref[b]) })
	return toks
}

// TestKeyWords holds the overlapping loads of keyWords equal to reading
// the key byte by byte, at every length around the load sizes.
func TestKeyWords(t *testing.T) {
	const src = "\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10\x11"
	for n := range len(src) + 1 {
		s := src[:n]
		var head, word uint64
		for k := 0; k < min(n, 8); k++ {
			head |= uint64(s[k]) << (8 * k)
		}
		for k := 8; k < min(n, inlineKey); k++ {
			word |= uint64(s[k]) << (8 * (k - 8))
		}
		word |= uint64(n) << 32
		if h, w, _ := keyWords(s); h != head || w != word {
			t.Errorf("keyWords(% x) = %#x, %#x; want %#x, %#x", s, h, w, head, word)
		}
	}
}

// TestVocabularyProbes bounds the probes: the longest run of full slots is
// the most any lookup reads, so it must stay short, and a lookup of a token
// should mostly end in the line of its home slot.
func TestVocabularyProbes(t *testing.T) {
	v := ranks()
	run, longest, full := 0, 0, 0
	for _, sl := range v.slots {
		if sl.word == 0 {
			run = 0
			continue
		}
		full++
		run++
		longest = max(longest, run)
	}
	probes := 0
	for tok := range referenceRanks() {
		head, word, tail := keyWords(tok)
		for i := v.home(head, word, tail); v.slots[i].head != head || v.slots[i].word&wordKey != word || !vocabHolds(v, i, tok); i++ {
			probes++
		}
	}
	mean := float64(probes)/float64(full) + 1
	t.Logf("%d tokens in %d slots (%d home), longest run %d, %.2f slots read per token found, %d bytes of long records",
		full, len(v.slots), v.homes, longest, mean, len(v.long))
	if longest > 64 || mean > 2 {
		t.Errorf("longest run %d, %.2f slots per token: the hash clusters", longest, mean)
	}
	if over := uint64(len(v.slots)) - v.homes; over > 64 {
		t.Errorf("%d slots past the homes: the slice outgrew its capacity and was copied", over)
	}
}

// vocabHolds reports whether slot i holds tok, long records included.
func vocabHolds(v *vocabulary, i uint64, tok string) bool {
	if len(tok) <= inlineKey {
		return true
	}
	_, ok := v.longRank(uint32(v.slots[i].word>>wordShift), tok)
	return ok
}

// FuzzVocabularyRank holds the table equal to the reference map on any
// string, seeded with tokens of every length class.
func FuzzVocabularyRank(f *testing.F) {
	for _, s := range []string{"a", " the", "Hello", " information", " international", "________________", "\x00", ""} {
		f.Add(s)
	}
	v, ref := ranks(), referenceRanks()
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := v.rank(s)
		want, wok := ref[s]
		if ok != wok || got != want {
			t.Fatalf("rank(%q) = %d, %v; the reference says %d, %v", s, got, ok, want, wok)
		}
	})
}

// BenchmarkBuildVocabulary builds the table and, for comparison, the Go map
// it replaces, from tokens already decoded, and reports the heap each
// keeps (heap-B, measured after a collection, the decoded tokens aside).
func BenchmarkBuildVocabulary(b *testing.B) {
	tokens := o200kTokens()
	b.Run("table", func(b *testing.B) {
		keep := func() any { return newVocabulary(tokens) }
		for b.Loop() {
			_ = newVocabulary(tokens)
		}
		b.ReportMetric(float64(retained(keep)), "heap-B")
	})
	b.Run("map", func(b *testing.B) {
		keep := func() any { return mapVocabulary(tokens) }
		for b.Loop() {
			_ = mapVocabulary(tokens)
		}
		b.ReportMetric(float64(retained(keep)), "heap-B")
	})
}

// mapVocabulary is the map referenceRanks builds, from decoded tokens: one
// arena for the keys, as before.
func mapVocabulary(tokens []string) map[string]uint32 {
	all := strings.Join(tokens, "")
	m := make(map[string]uint32, len(tokens))
	start := 0
	for rank, tok := range tokens {
		if tok != "" {
			m[all[start:start+len(tok)]] = uint32(rank)
		}
		start += len(tok)
	}
	return m
}

// retained is the heap that build's result keeps alive.
func retained(build func() any) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	x := build()
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(x)
	return after.HeapAlloc - before.HeapAlloc
}
