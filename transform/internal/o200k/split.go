package o200k

import (
	"unicode"
	"unicode/utf8"
)

// The split of a text into pieces, by the o200k_base pattern (see doc.go).

// Character classes of the pattern, as bits.
const (
	clUpper   = 1 << iota // \p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}: the leading run of a word
	clLower               // \p{Ll}\p{Lm}\p{Lo}\p{M}: the rest of a word
	clLetter              // \p{L}
	clNumber              // \p{N}
	clSpace               // \s
	clNewline             // \r or \n
	clHigh                // a byte of 0x80 or more (byteClasses only): not ASCII
)

// classOf classifies r the way regexp2 does: Go's unicode tables, and
// unicode.IsSpace for \s.
func classOf(r rune) uint8 {
	var c uint8
	switch {
	case unicode.In(r, unicode.Lu, unicode.Lt):
		c = clUpper | clLetter
	case unicode.Is(unicode.Ll, r):
		c = clLower | clLetter
	case unicode.In(r, unicode.Lm, unicode.Lo):
		c = clUpper | clLower | clLetter
	case unicode.Is(unicode.M, r):
		c = clUpper | clLower
	case unicode.Is(unicode.N, r):
		c = clNumber
	}
	if unicode.IsSpace(r) {
		c |= clSpace
	}
	if r == '\r' || r == '\n' {
		c |= clNewline
	}
	return c
}

// bmpClasses caches classOf for the Basic Multilingual Plane (64 KiB),
// built on first use with the vocabulary.
var bmpClasses [0x10000]uint8

// byteClasses is bmpClasses for the ASCII bytes, and clHigh alone for the
// others (the bytes of a multi-byte character or invalid UTF-8), for the
// ASCII fast path of the split: a byte's class in one load from four cache
// lines, no decoding. Built with bmpClasses.
var byteClasses [256]uint8

func class(r rune) uint8 {
	if r < 0x10000 {
		return bmpClasses[r]
	}
	return classOf(r)
}

// otherClass is [^\r\n\p{L}\p{N}], the optional character before a word.
func otherClass(c uint8) bool { return c&(clLetter|clNumber|clNewline) == 0 }

// symbolClass is [^\s\p{L}\p{N}], a run of punctuation and symbols.
func symbolClass(c uint8) bool { return c&(clLetter|clNumber|clSpace) == 0 }

// splitter walks a valid UTF-8 string piece by piece.
type splitter struct{ s string }

func (sp splitter) at(i int) (uint8, int) {
	if c := sp.s[i]; c < utf8.RuneSelf {
		return bmpClasses[c], 1
	}
	r, n := utf8.DecodeRuneInString(sp.s[i:])
	return class(r), n
}

// slowPiece returns the end of the piece that starts at i < len(s): the
// first alternative of the pattern that matches there, in the pattern's
// order, character by character. A piece of ASCII, the commonest, is told
// faster by asciiPiece, which countO200k asks first.
func (sp splitter) slowPiece(i int) int { //nolint:gocognit // the pattern's alternatives in its order, each one backtracking by hand, held to regexp2 by FuzzCountTokens
	c0, n0 := sp.at(i)
	if otherClass(c0) {
		if end := sp.wordLowerTail(i + n0); end > 0 {
			return end
		}
	}
	if end := sp.wordLowerTail(i); end > 0 {
		return end
	}
	if otherClass(c0) {
		if end := sp.wordUpperHead(i + n0); end > 0 {
			return end
		}
	}
	if end := sp.wordUpperHead(i); end > 0 {
		return end
	}
	if c0&clNumber != 0 { // \p{N}{1,3}
		end := i + n0
		for k := 1; k < 3 && end < len(sp.s); k++ {
			c, n := sp.at(end)
			if c&clNumber == 0 {
				break
			}
			end += n
		}
		return end
	}
	if end := sp.symbols(i); end > 0 {
		return end
	}
	// c0 is \s: every character is a letter, a mark, a number, a symbol
	// (caught above) or a space.
	end, prev, lastNewline := i, i, -1
	for end < len(sp.s) {
		c, n := sp.at(end)
		if c&clSpace == 0 {
			break
		}
		if c&clNewline != 0 {
			lastNewline = end + n
		}
		prev, end = end, end+n
	}
	switch {
	case lastNewline > 0: // \s*[\r\n]+ backtracks to the last newline
		return lastNewline
	case end == len(sp.s) || prev == i: // \s+(?!\S) at the end, or else \s+
		return end
	default: // \s+(?!\S) gives back the space before the next word
		return prev
	}
}

// wordLowerTail matches [\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+
// and a contraction at i, or returns -1. The greedy first run backtracks to
// the last place the second run can start.
func (sp splitter) wordLowerTail(i int) int {
	start, j := -1, i
	for j < len(sp.s) {
		c, n := sp.at(j)
		if c&clLower != 0 {
			start = j
		}
		if c&clUpper == 0 {
			break
		}
		j += n
	}
	if start < 0 {
		return -1
	}
	return sp.contraction(sp.run(start, clLower))
}

// wordUpperHead matches [\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*
// and a contraction at i, or returns -1.
func (sp splitter) wordUpperHead(i int) int {
	end := sp.run(i, clUpper)
	if end == i {
		return -1
	}
	return sp.contraction(sp.run(end, clLower))
}

// run returns the end of the run of characters of class mask from i.
func (sp splitter) run(i int, mask uint8) int {
	for i < len(sp.s) {
		c, n := sp.at(i)
		if c&mask == 0 {
			break
		}
		i += n
	}
	return i
}

// contraction extends a word ending at i by (?i:'s|'t|'re|'ve|'m|'ll|'d),
// ASCII case folding only, as OpenAI's tiktoken matches it (regexp2 also
// takes ſ, U+017F, for an s).
func (sp splitter) contraction(i int) int {
	rest := sp.s[i:]
	if len(rest) < 2 || rest[0] != '\'' {
		return i
	}
	switch rest[1] | 0x20 { // ASCII lower case; only a letter's two cases map to one
	case 's', 't', 'm', 'd':
		return i + 2
	case 'r', 'v':
		if len(rest) > 2 && rest[2]|0x20 == 'e' {
			return i + 3
		}
	case 'l':
		if len(rest) > 2 && rest[2]|0x20 == 'l' {
			return i + 3
		}
	}
	return i
}

// symbols matches ` ?[^\s\p{L}\p{N}]+[\r\n/]*` at i, or returns -1.
func (sp splitter) symbols(i int) int {
	end := i
	if sp.s[end] == ' ' {
		end++
	}
	first := end
	for end < len(sp.s) {
		c, n := sp.at(end)
		if !symbolClass(c) {
			break
		}
		end += n
	}
	if end == first {
		return -1
	}
	for end < len(sp.s) && (sp.s[end] == '\r' || sp.s[end] == '\n' || sp.s[end] == '/') {
		end++
	}
	return end
}

// asciiPiece is slowPiece where the piece at i and the byte after it are
// ASCII, one byte a character and its class in byteClasses; it returns -1
// where it meets a byte of 0x80 or more before it can tell the end (a
// non-ASCII letter, mark, number, symbol or space could extend or change
// the piece), and slowPiece answers instead. s[i] is ASCII.
//
// In ASCII the pattern's alternatives come down to these: no character is
// both of the leading and the trailing run of a word (A-Z are only the one,
// a-z only the other, and ASCII has no marks), so the first run cannot
// backtrack; a word preceded by a character of [^\r\n\p{L}\p{N}] (a space,
// a symbol) takes it; digits go by three; and a space run is one byte a
// character. FuzzCountTokens and TestASCIIPieceMatchesSlowPiece hold it to
// slowPiece and regexp2.
func (sp splitter) asciiPiece(i int) int {
	s := sp.s
	c0 := byteClasses[s[i]]
	if j := i + 1; c0&clLetter != 0 {
		return sp.asciiWord(i)
	} else if otherClass(c0) && j < len(s) {
		if c := byteClasses[s[j]]; c&clLetter != 0 {
			return sp.asciiWord(j)
		} else if c&clHigh != 0 {
			return -1
		}
	}
	switch {
	case c0&clNumber != 0: // \p{N}{1,3}
		end := i + 1
		for end < len(s) && end-i < 3 && byteClasses[s[end]]&clNumber != 0 {
			end++
		}
		if end-i < 3 && end < len(s) && s[end] >= utf8.RuneSelf {
			return -1
		}
		return end
	case c0&clSpace == 0 || s[i] == ' ' && i+1 < len(s) && symbolClass(byteClasses[s[i+1]]):
		return sp.asciiSymbols(i)
	}
	return sp.asciiSpaces(i)
}

// asciiWord is the word at j, an ASCII letter, with its contraction: the
// run of A-Z, then the run of a-z, or -1 if a byte of 0x80 or more ends
// them.
func (sp splitter) asciiWord(j int) int {
	s := sp.s
	end := j
	for end < len(s) && byteClasses[s[end]]&clUpper != 0 {
		end++
	}
	for end < len(s) && byteClasses[s[end]]&clLower != 0 {
		end++
	}
	if end < len(s) && s[end] >= utf8.RuneSelf {
		return -1
	}
	return sp.contraction(end)
}

// asciiSymbols matches ` ?[^\s\p{L}\p{N}]+[\r\n/]*` at i, where s[i] or,
// after a space, s[i+1] is an ASCII symbol or a byte of 0x80 or more.
func (sp splitter) asciiSymbols(i int) int {
	s := sp.s
	end := i
	if s[end] == ' ' {
		end++
	}
	for end < len(s) && byteClasses[s[end]]&(clLetter|clNumber|clSpace|clHigh) == 0 {
		end++
	}
	if end < len(s) && s[end] >= utf8.RuneSelf {
		return -1
	}
	for end < len(s) && (s[end] == '\r' || s[end] == '\n' || s[end] == '/') {
		end++
	}
	return end
}

// asciiSpaces is the space run at i: to its last newline if it has one,
// else to its end at the end of the text or where it is one space, else
// to the space before the next character.
func (sp splitter) asciiSpaces(i int) int {
	s := sp.s
	end, lastNewline := i, -1
	for end < len(s) {
		c := byteClasses[s[end]]
		if c&clSpace == 0 {
			break
		}
		end++
		if c&clNewline != 0 {
			lastNewline = end
		}
	}
	switch {
	case end < len(s) && s[end] >= utf8.RuneSelf:
		return -1
	case lastNewline > 0:
		return lastNewline
	case end == len(s) || end == i+1:
		return end
	default:
		return end - 1
	}
}
