// Package jsonenc appends JSON values to a byte slice, byte for byte as
// encoding/json writes them (HTML-safe strings, invalid UTF-8 as \ufffd,
// U+2028 and U+2029 escaped), without reflection and without allocating:
// the bridge writes the chunk of every stream event with it.
// FuzzAppendString holds AppendString to encoding/json.Marshal.
package jsonenc

import (
	"encoding/json"
	"unicode/utf8"
)

// Member is a member of an object with a string value.
type Member struct{ Name, Value string }

// AppendObject appends the members as one object, leaving those with an
// empty value out.
func AppendObject(b []byte, members ...Member) []byte {
	b = append(b, '{')
	sep := false
	for _, m := range members {
		if m.Value == "" {
			continue
		}
		if sep {
			b = append(b, ',')
		}
		b = AppendString(append(AppendName(b, m.Name), ':'), m.Value)
		sep = true
	}
	return append(b, '}')
}

// AppendMember appends ,"name":value; omitEmpty leaves an empty value out.
func AppendMember(b []byte, name, value string, omitEmpty bool) []byte {
	if omitEmpty && value == "" {
		return b
	}
	return AppendString(append(AppendName(append(b, ','), name), ':'), value)
}

// AppendName appends a member name that needs no escaping, quoted.
func AppendName(b []byte, name string) []byte {
	return append(append(append(b, '"'), name...), '"')
}

const hexDigits = "0123456789abcdef"

// safeWord reports whether the eight bytes of w are all jsonSafe:
// ASCII from 0x20 up, none of " \\ < > &. It tests them at once with the
// carry tricks of "Bit Twiddling Hacks": (v-0x01…)&^v has the high bit set
// in the first zero byte of v (carries can only mark bytes after it), so
// x^(0x01…*c) marks the first byte equal to c, and (x-0x20…)&^x the first
// below 0x20.
func safeWord(w string) bool {
	_ = w[7] // one bounds check, and the eight loads become one
	x := uint64(w[0]) | uint64(w[1])<<8 | uint64(w[2])<<16 | uint64(w[3])<<24 |
		uint64(w[4])<<32 | uint64(w[5])<<40 | uint64(w[6])<<48 | uint64(w[7])<<56
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	if x&highs != 0 {
		return false // a byte from 0x80: UTF-8 to check
	}
	q, s := x^(ones*'"'), x^(ones*'\\')
	lt, gt, amp := x^(ones*'<'), x^(ones*'>'), x^(ones*'&')
	marks := (q-ones)&^q | (s-ones)&^s | (x-ones*0x20)&^x | (lt-ones)&^lt | (gt-ones)&^gt | (amp-ones)&^amp
	return marks&highs == 0
}

// jsonSafe marks the ASCII bytes a JSON string holds as they are.
var jsonSafe = func() (t [utf8.RuneSelf]bool) {
	for c := byte(0x20); c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
	}
	return t
}()

// AppendString appends s as a JSON string exactly as encoding/json does:
// HTML-sensitive <, >, & escaped, invalid UTF-8 as \ufffd, U+2028/U+2029
// escaped.
func AppendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		for i+8 <= len(s) && safeWord(s[i:i+8]) {
			i += 8 // most text is plain ASCII: eight bytes a test
		}
		if i == len(s) {
			break
		}
		c := s[i]
		if c < utf8.RuneSelf {
			if jsonSafe[c] {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(append(b, s[start:i]...), `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(append(b, s[start:i]...), '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	return append(append(b, s[start:]...), '"')
}

// AppendJSON appends v as encoding/json.Marshal writes it, or null for a
// nil v.
func AppendJSON[T any](b []byte, v *T) []byte {
	if v == nil {
		return append(b, "null"...)
	}
	j, _ := json.Marshal(v)
	return append(b, j...)
}
