package o200k

import (
	"math/bits"
	"strings"
)

// vocabulary is o200k_base's token table, token bytes to merge rank: a
// read-only hash table laid out so that most lookups read one cache line.
//
// A Go map of the 200,000 tokens costs two or three cache misses a lookup
// (the map's directory and group, then the key's bytes elsewhere), and the
// count does one lookup per piece of text and one per candidate pair of
// every merge, so under load the map's misses were half the count's time.
// Here a slot is 16 bytes, four to a cache line, and holds the first 12
// bytes of its key inline with the key's length and rank: 93% of tokens fit
// whole in their slot, and a miss is nearly always told by the length or
// the inline bytes without reading anything else.
//
// Open addressing with linear probing, a load of one half: a probe ends at
// the first empty slot, on average within the line of the first. The slots
// do not wrap around: the table is its home slots followed by the slots
// the last ones overflowed into, and always ends with an empty one. Inputs
// cannot make a probe longer than the longest run of full slots, which is
// fixed when the table is built.
type vocabulary struct {
	slots []vocabSlot
	homes uint64 // the number of home slots: a key's hash is scaled to [0, homes)

	// long holds, for each key longer than inlineKey bytes, its rank (4
	// bytes, little-endian) then its bytes after the inline ones. The slot
	// of such a key holds the offset of that record instead of the rank.
	long string

	maxLen int // the longest key: a longer piece is missed without probing

	// ones and twos hold the rank plus one of every token of one byte b
	// (ones[b]) and of two bytes b0 b1 (twos[b0<<8|b1]), 0 where there is
	// none: the lookups of a merge's first pass, and of short pieces (a
	// comma, " a"), are one load from 257 KiB, no hash, no probe. The
	// slots hold these tokens too.
	ones *[256]uint32
	twos *[1 << 16]uint32
}

// vocabSlot is one key, or none when word is 0 (every key has a length).
type vocabSlot struct {
	head uint64 // key bytes 0..7, little-endian, zero past the key's end
	word uint64 // key bytes 8..11 (bits 0..31), length (32..39), rank or long offset (40..63)
}

const (
	inlineKey = 12 // key bytes held in a slot

	wordKey   = 1<<40 - 1 // the bits of word that are key: bytes 8..11 and length
	wordShift = 40        // the rank or long offset is word >> wordShift
	maxValue  = 1<<24 - 1 // the largest rank or long offset a slot holds
	maxKeyLen = 255       // the longest key whose length a slot holds
)

// newVocabulary builds the table of tokens, where tokens[rank] is the
// token of that rank ("" for a rank that has none). Tokens are inserted in
// rank order, so the lowest ranks, the commonest merges, sit nearest their
// home slots. It panics if a token or rank does not fit a slot, which the
// compiled-in vocabulary never does (the tests build it).
func newVocabulary(tokens []string) *vocabulary {
	n := 0
	for _, tok := range tokens {
		if tok != "" {
			n++
		}
	}
	v := &vocabulary{homes: uint64(2*n + 1)}         // a load of one half (and never no homes)
	v.slots = make([]vocabSlot, v.homes, v.homes+64) // room for the last runs to overflow
	var long strings.Builder
	for rank, tok := range tokens {
		if tok == "" {
			continue
		}
		if len(tok) > maxKeyLen || rank > maxValue {
			panic("o200k: token does not fit the vocabulary table")
		}
		head, word, tail := keyWords(tok)
		value := uint64(rank)
		if len(tok) > inlineKey {
			value = uint64(long.Len())
			if value > maxValue {
				panic("o200k: long tokens do not fit the vocabulary table")
			}
			r := uint32(rank)
			long.Write([]byte{byte(r), byte(r >> 8), byte(r >> 16), byte(r >> 24)})
			long.WriteString(tok[inlineKey:])
		}
		i := v.home(head, word, tail)
		for v.slots[i].word != 0 {
			if i++; i == uint64(len(v.slots)) {
				v.slots = append(v.slots, vocabSlot{})
			}
		}
		v.slots[i] = vocabSlot{head: head, word: word | value<<wordShift}
		v.maxLen = max(v.maxLen, len(tok))
	}
	v.slots = append(v.slots, vocabSlot{}) // every probe ends in the table
	v.long = long.String()
	v.ones, v.twos = shortTables(tokens)
	return v
}

// shortTables builds ones and twos (see vocabulary) from tokens by rank.
func shortTables(tokens []string) (ones *[256]uint32, twos *[1 << 16]uint32) {
	ones, twos = new([256]uint32), new([1 << 16]uint32)
	for rank, tok := range tokens {
		switch len(tok) {
		case 1:
			ones[tok[0]] = uint32(rank) + 1
		case 2:
			twos[uint16(tok[0])<<8|uint16(tok[1])] = uint32(rank) + 1
		}
	}
	return ones, twos
}

// rank returns the rank of token s, or false if s is not a token. A key
// of one or two bytes is read from ones or twos; a longer one by probing
// the slots from its home to the first empty one, and the long record only
// for a key longer than inlineKey whose inline bytes and length match.
func (v *vocabulary) rank(s string) (uint32, bool) {
	switch len(s) {
	case 1:
		return short(v.ones[s[0]])
	case 2:
		return short(v.twos[uint16(s[0])<<8|uint16(s[1])])
	}
	if uint(len(s)-1) >= uint(v.maxLen) { // also "": no token is empty
		return 0, false
	}
	var head, word, tail uint64
	switch n := len(s); {
	case n > 8:
		head, word, tail = keyWords(s)
	case n >= 4: // keyWords' case, inline: most probes are of 3 to 8 bytes
		head, word = uint64(le32(s))|uint64(le32(s[n-4:]))<<(8*(n-4)), uint64(n)<<32
	default:
		head, word = upTo3(s), uint64(n)<<32
	}
	for i := v.home(head, word, tail); ; i++ {
		sl := &v.slots[i]
		if sl.word == 0 {
			return 0, false
		}
		if sl.head != head || sl.word&wordKey != word {
			continue
		}
		value := uint32(sl.word >> wordShift)
		if len(s) <= inlineKey {
			return value, true
		}
		if r, ok := v.longRank(value, s); ok {
			return r, true
		}
	}
}

// short is the rank in an entry of ones or twos: 0 for none, else rank+1.
func short(r uint32) (uint32, bool) {
	if r == 0 {
		return 0, false
	}
	return r - 1, true
}

// longRank checks the bytes of s after the inline ones against the long
// record at off, and returns the record's rank if they are equal.
func (v *vocabulary) longRank(off uint32, s string) (uint32, bool) {
	rec := v.long[off:]
	if rec[4:4+len(s)-inlineKey] != s[inlineKey:] {
		return 0, false
	}
	return uint32(rec[0]) | uint32(rec[1])<<8 | uint32(rec[2])<<16 | uint32(rec[3])<<24, true
}

// keyWords returns what a slot holds of key s: bytes 0..7 as head, and
// bytes 8..11 with the length as word; and, for the hash, the last 8 bytes
// of a key longer than the inline bytes as tail (so that long tokens that
// share their first 12 bytes and length spread out), else 0. Short keys are
// read with loads that overlap rather than byte by byte: the overlapping
// bytes are equal, so OR-ing them is exact.
func keyWords(s string) (head, word, tail uint64) {
	n := len(s)
	switch {
	case n >= inlineKey:
		head, word = le64(s), uint64(le32(s[8:]))
		if n > inlineKey {
			tail = le64(s[n-8:])
		}
	case n >= 8:
		head, word = le64(s), upTo3(s[8:])
	case n >= 4:
		head = uint64(le32(s)) | uint64(le32(s[n-4:]))<<(8*(n-4))
	default:
		head = upTo3(s)
	}
	return head, word | uint64(n)<<32, tail
}

// home is the first slot to probe for a key: a hash of its key words
// scaled to the home slots.
func (v *vocabulary) home(head, word, tail uint64) uint64 {
	i, _ := bits.Mul64(mix(head^0x9e3779b97f4a7c15, word^tail^0xd6e8feb86659fd93), v.homes)
	return i
}

// mix folds the 128-bit product of a and b: every input bit reaches most
// output bits, for one multiplication.
func mix(a, b uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	return hi ^ lo
}

// le64 is s[0:8] as a little-endian number; the compiler makes it one load.
func le64(s string) uint64 {
	_ = s[7]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// le32 is s[0:4] as a little-endian number, one load.
func le32(s string) uint32 {
	_ = s[3]
	return uint32(s[0]) | uint32(s[1])<<8 | uint32(s[2])<<16 | uint32(s[3])<<24
}

// upTo3 is s, at most 3 bytes long, as a little-endian number, without a
// loop: the first, middle and last bytes cover every length from 1 to 3.
func upTo3(s string) uint64 {
	n := len(s)
	if n == 0 {
		return 0
	}
	return uint64(s[0]) | uint64(s[n/2])<<(8*(n/2)) | uint64(s[n-1])<<(8*(n-1))
}
