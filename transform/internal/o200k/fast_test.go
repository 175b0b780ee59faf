package o200k

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// fastEdgeAlphabet draws texts where the ASCII fast paths stop or give way:
// case runs (A-Z then a-z, a-z then A-Z), the contractions in both cases
// and cut short, digit runs about three long, spaces and tabs before
// newlines, symbols and slashes, and the non-ASCII characters that can
// extend an ASCII piece (a lower or upper letter, a titlecase, a modifier,
// a mark, a number, a no-break space, a line separator, a symbol, an
// invalid byte, ſ after an apostrophe).
var fastEdgeAlphabet = []string{
	"a", "b", "Z", "A", "HTTP", "Server", "the", " the", "'", "'s", "'S", "'t", "'T", "'re", "'RE", "'rE", "'ve", "'VE",
	"abcdefg", "abcdefgh", "ABCDEFG", "ABCDEFGH", "Abcdefgh", "ABCdefghijk", "'m", "'M", "'ll", "'LL", "'Ll", "'l",
	"'d", "'D", "'x", "1", "12", "123", "1234", " ", "  ", "\t", "\n", "\r",
	"\r\n", " \n", "\t\n", "\v", "\f", "!", ".", ",", "/", "//", "-", "_", "(", "\"", "é", "É", "ǅ", "ʰ", "\u0301",
	"٣", "½", "\u00a0", "\u0085", "\u2028", "\u3000", "€", "😀", "\xff", "\xc3", "ſ", "中", "あ",
}

func edgeTexts(seed uint64, n int) []string {
	rng := rand.New(rand.NewPCG(seed, seed^0x5eed))
	out := make([]string, n)
	for k := range out {
		var b strings.Builder
		for range 1 + rng.IntN(10) {
			b.WriteString(fastEdgeAlphabet[rng.IntN(len(fastEdgeAlphabet))])
		}
		out[k] = b.String()
	}
	return out
}

// checkASCIIPiece holds asciiPiece, wherever it answers, to slowPiece at
// every ASCII byte of s, and returns how often it answered and gave way.
func checkASCIIPiece(t *testing.T, s string) (answered, gaveWay int) {
	t.Helper()
	sp := splitter{s}
	for i := range len(s) {
		if s[i] >= 0x80 {
			continue
		}
		got := sp.asciiPiece(i)
		if got < 0 {
			gaveWay++
			continue
		}
		answered++
		if want := sp.slowPiece(i); got != want {
			t.Fatalf("asciiPiece(%q at %d) = %d (%q), slowPiece says %d (%q)", s, i, got, s[i:got], want, s[i:want])
		}
	}
	return answered, gaveWay
}

// TestASCIIPieceMatchesSlowPiece is the differential test of the split's
// ASCII fast path: at every ASCII byte of texts drawn from its edges it
// answers as the character-by-character split does or gives way, and the
// count of those texts is regexp2's.
func TestASCIIPieceMatchesSlowPiece(t *testing.T) {
	Load()
	texts := append([]string{
		"DON'T'LL", "x'ſ", "Aé", "aÉ", "ABCé", "abcǅ", "a\u0301", "12٣", "123٣", "1\u00a0", " \u00a0x", "  \u2028",
		" \n\u00a0", "!€", "!!é", " !é", "\t\n é", "a'", "a'L", "a'LLx", "I'M", "you'RE", "\r\r\n\n  x", "  \n  ",
		"x  ", "x \t", "/\n/é", " 1", "  1", "\v\fx", "\u0085x",
	}, edgeTexts(11, 30000)...)
	for _, s := range edgeTexts(12, 3000) { // longer texts: runs of words, symbols and spaces
		texts = append(texts, s+s+s)
	}
	answered, gaveWay := 0, 0
	for k, s := range texts {
		a, g := checkASCIIPiece(t, s)
		answered, gaveWay = answered+a, gaveWay+g
		if k < 5000 {
			if got, want := countO200k(s), referenceCount(t, s); got != want {
				t.Fatalf("countO200k(%q) = %d, the backtracking split gives %d", s, got, want)
			}
		}
	}
	t.Logf("asciiPiece answered %d times, gave way %d", answered, gaveWay)
	if answered == 0 || gaveWay == 0 {
		t.Errorf("asciiPiece answered %d times and gave way %d: the texts miss one side of its edges", answered, gaveWay)
	}
}

// FuzzASCIIPiece holds asciiPiece to slowPiece at every ASCII byte of any
// text (FuzzCountTokens holds the whole count to regexp2).
func FuzzASCIIPiece(f *testing.F) {
	for _, s := range []string{"DON'T'LL é", "x'ſ 1234٣", " \t\n\u00a0x", "!!€ //\r\n", "HTTPServer's", "\xffa'S"} {
		f.Add(s)
	}
	Load()
	f.Fuzz(func(t *testing.T, s string) { checkASCIIPiece(t, s) })
}
