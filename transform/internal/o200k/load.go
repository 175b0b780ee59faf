package o200k

import (
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/tiktoken-go/tokenizer"
)

// o200k is OpenAI's o200k_base encoding (GPT-4o and later), loaded once on
// first use from the vocabulary compiled into tiktoken-go: no network. The
// bridge reads only its vocabulary (ranks, below).
var o200k = sync.OnceValue(func() tokenizer.Codec {
	enc, err := tokenizer.Get(tokenizer.O200kBase)
	if err != nil {
		panic("o200k: o200k_base encoding: " + err.Error()) // compiled in: cannot fail
	}
	return enc
})

// ranks is o200k_base's vocabulary, token bytes to merge rank, read once
// from tiktoken-go (whose own table is not exported) into a vocabulary
// table (vocab.go). The classes of the BMP and of bytes are filled here too, so that
// Load readies both.
var ranks = sync.OnceValue(func() *vocabulary {
	for r := range rune(len(bmpClasses)) {
		bmpClasses[r] = classOf(r)
	}
	for b := range len(byteClasses) {
		byteClasses[b] = clHigh
		if b < utf8.RuneSelf {
			byteClasses[b] = bmpClasses[b]
		}
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
