package transform

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// This file counts o200k_base tokens as OpenAI's tiktoken does, in about a
// fourteenth of tiktoken-go's time and without allocating: tiktoken-go splits
// the text with a backtracking regular expression engine (regexp2) that
// allocates for every piece it matches, and that split is nine tenths of its
// count. Here the split is hand-written from the same pattern,
//
//	[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?
//	|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?
//	|\p{N}{1,3}
//	| ?[^\s\p{L}\p{N}]+[\r\n/]*
//	|\s*[\r\n]+
//	|\s+(?!\S)
//	|\s+
//
// with the backtracking of each alternative worked out by hand, and the
// byte-pair merge runs on the vocabulary tiktoken-go compiles in (read once
// through its Decode); a piece longer than maxPiece (16 KiB, no piece of
// prose comes near) is merged in chunks, whose counts are summed (see
// o200kcount.go), so that one huge word costs neither memory past the
// text's size nor more than linear time. The tests hold the count equal
// to regexp2's interpreter on the same pattern (FuzzCountTokens) and to OpenAI's
// tiktoken itself (npm "tiktoken"). tiktoken-go v0.10.0 differs from both
// in two places, where this follows tiktoken: its generated matcher ends
// `\s*[\r\n]+` at the first newline of a space run instead of the last
// (" \n \n x" is 3 tokens there, 2 in tiktoken), and it takes "'ſ" for the
// contraction "'s".

// Character classes of the pattern, as bits.
const (
	clUpper   = 1 << iota // \p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}: the leading run of a word
	clLower               // \p{Ll}\p{Lm}\p{Lo}\p{M}: the rest of a word
	clLetter              // \p{L}
	clNumber              // \p{N}
	clSpace               // \s
	clNewline             // \r or \n
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

// piece returns the end of the piece that starts at i < len(s): the first
// alternative of the pattern that matches there, in the pattern's order.
func (sp splitter) piece(i int) int {
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

// ranks is o200k_base's vocabulary, token bytes to merge rank, read once
// from tiktoken-go (whose own table is not exported) into a vocabulary
// table (vocab.go). The classes of the BMP are filled here too, so that
// LoadTokenizer readies both.
var ranks = sync.OnceValue(func() *vocabulary {
	for r := range rune(len(bmpClasses)) {
		bmpClasses[r] = classOf(r)
	}
	return newVocabulary(o200kTokens())
})

// o200kTokens returns o200k_base's tokens by rank ("" where a rank has no
// token), decoded one id at a time through tiktoken-go into one string:
// 200,000 small strings would be 200,000 objects for the collector to mark
// while the table is built.
func o200kTokens() []string {
	enc := o200k()
	var arena strings.Builder
	var ends []int // ends[rank]: where the token of rank ends in arena
	id := make([]uint, 1)
	for t, misses := uint(0), 0; misses < 1024; t++ { // ids are dense, then a few specials
		id[0] = t
		tok, err := enc.Decode(id)
		if err != nil || tok == "" {
			misses++
			continue
		}
		misses = 0
		for uint(len(ends)) < t {
			ends = append(ends, arena.Len())
		}
		arena.WriteString(tok)
		ends = append(ends, arena.Len())
	}
	all := arena.String()
	tokens := make([]string, len(ends))
	start := 0
	for rank, end := range ends {
		tokens[rank] = all[start:end]
		start = end
	}
	return tokens
}

// mergeCount is the number of tokens byte-pair encoding makes of piece:
// merge the adjacent pair of lowest rank (the leftmost of equals) until no
// pair is in the vocabulary.
func mergeCount(vocab *vocabulary, piece string) int {
	if len(piece) > shortPiece {
		return mergeCountLong(vocab, piece)
	}
	// bound[k] is where part k starts; rank[k] the rank of parts k and k+1
	// merged. Small arrays on the stack: a short piece allocates nothing,
	// and zeroing them costs little (a word missing from the vocabulary
	// is a few bytes).
	var bound [shortPiece + 1]int32
	var rank [shortPiece + 1]uint32
	n := len(piece) + 1
	for k := range n {
		bound[k] = int32(k)
	}
	pair := func(k int) uint32 {
		if k+2 < n {
			if r, ok := vocab.rank(piece[bound[k]:bound[k+2]]); ok {
				return r
			}
		}
		return noMerge
	}
	for k := 0; k < n-1; k++ {
		rank[k] = pair(k)
	}
	for n > 2 {
		best, at := uint32(noMerge), -1
		for k := 0; k < n-2; k++ {
			if rank[k] < best {
				best, at = rank[k], k
			}
		}
		if at < 0 {
			break
		}
		copy(bound[at+1:n-1], bound[at+2:n])
		copy(rank[at+1:n-1], rank[at+2:n])
		n--
		rank[at] = pair(at)
		if at > 0 {
			rank[at-1] = pair(at - 1)
		}
	}
	return n - 1
}

const noMerge = ^uint32(0)

// shortPiece is the longest piece mergeCount merges on the stack.
const shortPiece = 64

// mergeCountLong is mergeCount for long pieces (a run of letters without a
// space, base64): parts in a linked list, candidate pairs in a min-heap by
// rank then position, O(n log n) where the scan is O(n²).
func mergeCountLong(vocab *vocabulary, piece string) int {
	var m merger
	return m.count(vocab, piece)
}

// merger holds the scratch space of mergeCountLong, about 20 bytes per
// byte of a piece: a text's long pieces share one, sized for the longest
// (at most maxPiece bytes, see counter).
type merger struct {
	next, prev []int32
	rank       []uint32
	heap       mergeHeap
}

// count is mergeCountLong on m's scratch space.
func (m *merger) count(vocab *vocabulary, piece string) int {
	n := int32(len(piece))
	next, prev, rank := sized(m.next, n+1), sized(m.prev, n+1), sized(m.rank, n+1)
	m.next, m.prev, m.rank = next, prev, rank
	for k := range next {
		next[k], prev[k], rank[k] = int32(k)+1, int32(k)-1, noMerge
	}
	next[n] = -1
	pair := func(k int32) uint32 {
		j := next[k]
		if j < 0 || next[j] < 0 {
			return noMerge
		}
		if r, ok := vocab.rank(piece[k:next[j]]); ok {
			return r
		}
		return noMerge
	}
	h := sized(m.heap, n)[:0]
	for k := int32(0); k < n; k++ {
		if rank[k] = pair(k); rank[k] != noMerge {
			h = append(h, mergeAt{rank[k], k})
		}
	}
	h.init()
	parts := int(n)
	for len(h) > 0 {
		top := h.pop()
		k := top.pos
		if rank[k] != top.rank || next[k] < 0 {
			continue // stale: this part changed since the pair was pushed
		}
		j := next[k]
		next[k] = next[j]
		if next[j] >= 0 {
			prev[next[j]] = k
		}
		next[j], rank[j] = -1, noMerge
		parts--
		for _, b := range [2]int32{k, prev[k]} {
			if b < 0 {
				continue
			}
			if rank[b] = pair(b); rank[b] != noMerge {
				h.push(mergeAt{rank[b], b})
			}
		}
	}
	m.heap = h[:0]
	return parts
}

// sized returns s with length n, reusing its array if it is large enough.
func sized[S ~[]E, E any](s S, n int32) S {
	if int(n) <= cap(s) {
		return s[:n]
	}
	return make(S, n)
}

type mergeAt struct {
	rank uint32
	pos  int32
}

// mergeHeap is a min-heap of candidate merges, lowest rank first and the
// leftmost among equal ranks, as the scan in mergeCount picks them.
type mergeHeap []mergeAt

func (h mergeHeap) less(a, b int) bool {
	return h[a].rank < h[b].rank || h[a].rank == h[b].rank && h[a].pos < h[b].pos
}

func (h mergeHeap) init() {
	for k := len(h)/2 - 1; k >= 0; k-- {
		h.down(k)
	}
}

func (h *mergeHeap) push(m mergeAt) {
	*h = append(*h, m)
	for k := len(*h) - 1; k > 0; {
		p := (k - 1) / 2
		if !h.less(k, p) {
			break
		}
		(*h)[k], (*h)[p] = (*h)[p], (*h)[k]
		k = p
	}
}

func (h *mergeHeap) pop() mergeAt {
	old := *h
	top := old[0]
	old[0] = old[len(old)-1]
	*h = old[:len(old)-1]
	h.down(0)
	return top
}

func (h mergeHeap) down(k int) {
	for {
		l := 2*k + 1
		if l >= len(h) {
			return
		}
		m := l
		if r := l + 1; r < len(h) && h.less(r, l) {
			m = r
		}
		if !h.less(m, k) {
			return
		}
		h[k], h[m] = h[m], h[k]
		k = m
	}
}
