package jsonwalk

// The tokens of the walk: scalars, numbers and strings, validated as
// gjson.ValidBytes validates them.

import (
	"bytes"
	"encoding/binary"
	"math/bits"
)

// scalar validates the string, number, true, false or null at r.i and
// moves past it.
func (r *Reader) scalar() bool {
	switch c := r.Peek(); {
	case c == '"':
		_, ok := r.str()
		return ok
	case c == '-' || '0' <= c && c <= '9':
		return r.number()
	case c == 't':
		return r.literal("true")
	case c == 'f':
		return r.literal("false")
	case c == 'n':
		return r.literal("null")
	}
	return false
}

// literal validates the word (true, false or null) at r.i and moves past
// it; what follows it is for the caller to judge, as after a number.
func (r *Reader) literal(word string) bool {
	if !bytes.HasPrefix(r.b[r.i:], []byte(word)) {
		return false
	}
	r.i += len(word)
	return true
}

// number validates the number at r.i: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
// What follows it is for the caller to judge ("01" is a 0 followed by a
// stray 1).
func (r *Reader) number() bool {
	b, i := r.b, r.i
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && '1' <= b[i] && b[i] <= '9':
		i = digits(b, i+1)
	default:
		return false
	}
	if i < len(b) && b[i] == '.' {
		if i+1 >= len(b) || !isDigit(b[i+1]) {
			return false
		}
		i = digits(b, i+2)
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if i >= len(b) || !isDigit(b[i]) {
			return false
		}
		i = digits(b, i+1)
	}
	r.i = i
	return true
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// digits returns the offset of the first byte from i on that is no digit.
func digits(b []byte, i int) int {
	for i < len(b) && isDigit(b[i]) {
		i++
	}
	return i
}

// plain marks the bytes a string holds as they are: not the closing
// quote, not a backslash, not a control byte. Bytes from 0x80 up are plain
// whether they form valid UTF-8 or not, as gjson.ValidBytes has it.
var plain = func() (t [256]bool) {
	for c := 0x20; c < len(t); c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// str validates the string whose opening quote is at r.i and moves past
// its closing quote. esc reports whether the string holds escapes.
// Strings are most of an event's bytes, so they are scanned eight bytes at
// a time while no byte needs a look.
func (r *Reader) str() (esc, ok bool) {
	b, i := r.b, r.i+1
	for {
		if i+8 <= len(b) {
			m := notPlain(binary.LittleEndian.Uint64(b[i:]))
			if m == 0 {
				i += 8
				continue
			}
			i += bits.TrailingZeros64(m) >> 3
		} else {
			for i < len(b) && plain[b[i]] {
				i++
			}
			if i == len(b) {
				return false, false
			}
		}
		switch b[i] {
		case '"':
			r.i = i + 1
			return esc, true
		case '\\':
			n := escapeLen(b[i:])
			if n == 0 {
				return false, false
			}
			esc = true
			i += n
		default:
			return false, false // a control byte
		}
	}
}

// notPlain returns, for eight bytes of a string read little-endian, a word
// whose lowest set bit is the high bit of the first byte that is not plain,
// or 0 if all are. It tests the eight at once with the carry tricks of
// "Bit Twiddling Hacks": (v-0x01…)&^v has the high bit set in the first
// zero byte of v (carries can only mark bytes after it), and x-0x20…&^x in
// the first byte below 0x20; bytes from 0x80 up are never marked.
func notPlain(x uint64) uint64 {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	q := x ^ ones*'"'
	s := x ^ ones*'\\'
	return ((q-ones)&^q | (s-ones)&^s | (x-ones*0x20)&^x) & highs
}

// escapeLen returns the length of the escape sequence s starts with (s[0]
// is a backslash), or 0 if it is not one JSON allows.
func escapeLen(s []byte) int {
	if len(s) < 2 {
		return 0
	}
	switch s[1] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		return 2
	case 'u':
		if len(s) >= 6 && isHex(s[2]) && isHex(s[3]) && isHex(s[4]) && isHex(s[5]) {
			return 6
		}
	}
	return 0
}

func isHex(c byte) bool { return isDigit(c) || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }
