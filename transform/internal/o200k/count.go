package o200k

import (
	"strings"
	"unicode/utf8"
)

// maxPiece bounds the bytes one byte-pair merge works on. A piece of the
// split (a word, a run of spaces or of symbols) longer than that is merged
// in chunks of at most maxPiece bytes, cut at rune boundaries, and its
// count is the sum of theirs: tiktoken merges the whole piece, so past the
// bound the count may differ from its by a few tokens per chunk. Text of
// words has no such piece (the tests' longest exact one, "xyz" repeated,
// is 15,000 bytes); a 16 MiB one-word prompt does, and merged whole it
// took about 20 bytes of scratch per byte, and seconds of CPU.
const maxPiece = 16 << 10

// counter counts the tokens of one text. Its long pieces share one
// merger, so that counting allocates at most the scratch of one chunk of
// maxPiece bytes, whatever the text; its pieces with invalid UTF-8 are
// converted into conv, a chunk of maxPiece bytes at a time.
type counter struct {
	vocab *vocabulary
	merge merger
	conv  strings.Builder
}

// Count returns the number of o200k_base tokens of s, as OpenAI's
// tiktoken counts them (up to the maxPiece bound). The vocabulary is
// loaded on the first call, unless Load loaded it.
func Count(s string) int {
	if s == "" {
		return 0
	}
	return countO200k(s)
}

// Load loads the vocabulary now rather than on the first Count.
func Load() { ranks() }

// countO200k counts the o200k_base tokens of s. Invalid UTF-8 is read as
// regexp2 and tiktoken read it, one U+FFFD per invalid byte: the split
// classes an invalid byte as U+FFFD in place, and only a piece that holds
// one is converted, a chunk at a time.
func countO200k(s string) int {
	c := counter{vocab: ranks()}
	valid := utf8.ValidString(s)
	sp := splitter{s}
	n := 0
	for i := 0; i < len(s); {
		end := -1 // the piece at i: asciiPiece's where it answers, else slowPiece's
		if s[i] < utf8.RuneSelf {
			end = sp.asciiPiece(i)
		}
		if end < 0 {
			end = sp.slowPiece(i)
		}
		switch p := s[i:end]; {
		case !valid && !utf8.ValidString(p):
			n += c.invalidPiece(p)
		case len(p) <= shortPiece: // chunk's short case, without two calls
			if _, ok := c.vocab.rank(p); ok {
				n++
			} else {
				n += mergeCount(c.vocab, p)
			}
		default:
			n += c.piece(p)
		}
		i = end
	}
	return n
}

// piece counts the tokens of a piece of valid UTF-8, in chunks of at most
// maxPiece bytes.
func (c *counter) piece(p string) int {
	n := 0
	for len(p) > maxPiece {
		cut := maxPiece
		for !utf8.RuneStart(p[cut]) {
			cut--
		}
		n += c.chunk(p[:cut])
		p = p[cut:]
	}
	return n + c.chunk(p)
}

// chunk counts the tokens of a piece, or of one chunk of a long piece.
func (c *counter) chunk(p string) int {
	switch {
	case len(p) == 0:
		return 0
	case len(p) > shortPiece:
		if _, ok := c.vocab.rank(p); ok {
			return 1
		}
		return c.merge.count(c.vocab, p)
	}
	if _, ok := c.vocab.rank(p); ok {
		return 1
	}
	return mergeCount(c.vocab, p)
}

// invalidPiece counts the tokens of a piece that holds invalid UTF-8, each
// invalid byte read as U+FFFD: converted a chunk at a time, the chunks
// being those piece makes of the converted text.
func (c *counter) invalidPiece(p string) int {
	n := 0
	for len(p) > 0 {
		start := c.room(min(3*len(p), maxPiece))
		for len(p) > 0 {
			r, size := utf8.DecodeRuneInString(p)
			if c.conv.Len()-start+utf8.RuneLen(r) > maxPiece {
				break
			}
			c.conv.WriteRune(r) // RuneError for an invalid byte
			p = p[size:]
		}
		n += c.chunk(c.conv.String()[start:])
	}
	return n
}

// room readies conv for a conversion of up to n bytes and returns where it
// starts. Conversions follow each other in one buffer of maxPiece bytes
// (the strings already taken from it stay as they are: a Builder only
// appends), and a new buffer is made when one is full: short pieces do not
// cost an allocation each.
func (c *counter) room(n int) int {
	if c.conv.Cap()-c.conv.Len() < n {
		c.conv = strings.Builder{}
		c.conv.Grow(maxPiece)
	}
	return c.conv.Len()
}
