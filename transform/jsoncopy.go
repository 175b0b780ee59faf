package transform

// The reader's copies out of the body: the arena the Event's strings share,
// unescaping, and values of unexpected types read as gjson reads them.

import (
	"bytes"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/tidwall/gjson"
)

// reserve readies the arena for a copy and returns where it starts. The
// arena is made on first use, for size bytes: the copies made during the
// walk (a part list's joined text, artifacts) ask for the body's length,
// which bounds them all, since they come from distinct parts of the body
// and unescaping only shortens them (a part rendered by PartText aside);
// ReadResponse, copying last, knows the length of what it keeps.
func (r *reader) reserve(size int) int {
	if r.out.Cap() == 0 {
		r.out.Grow(size)
	}
	return r.out.Len()
}

// since returns what the arena received from start on.
func (r *reader) since(start int) string { return r.out.String()[start:] }

// text returns the string at s, unescaped, copied to the arena.
func (r *reader) text(s span) string {
	start := r.reserve(s.len())
	r.writeUnescaped(r.b[s.start+1 : s.end-1])
	return r.since(start)
}

// raw returns the JSON of the value at s, copied to the arena.
func (r *reader) raw(s span) string {
	start := r.reserve(s.len())
	r.out.Write(r.b[s.start:s.end])
	return r.since(start)
}

// writeUnescaped copies what a string's quotes enclose to the arena,
// unescaped.
func (r *reader) writeUnescaped(s []byte) {
	r.reserve(len(s))
	for {
		i := bytes.IndexByte(s, '\\')
		if i < 0 {
			r.out.Write(s)
			return
		}
		r.out.Write(s[:i])
		c, n := unescapeAt(s[i:])
		r.out.WriteRune(c)
		s = s[i+n:]
	}
}

// shortMax bounds the escaped form of the short strings the reader
// compares (keys, kinds: at most 15 bytes): an escape sequence of up to 6
// bytes stands for at least 1 byte, so a longer escaped form unescapes to
// more than 15 bytes.
const shortMax = 6 * 16

// short returns what a string's quotes enclose, unescaped into buf if it
// holds escapes: for comparing keys and kinds without copying them to the
// arena. A string too long for buf is returned still escaped: it is longer
// than any string compared, and a backslash is in none of them.
func short(s []byte, esc bool, buf *[shortMax]byte) []byte {
	if !esc || len(s) > len(buf) {
		return s
	}
	return appendUnescaped(buf[:0], s)
}

// appendUnescaped appends what a string's quotes enclose to dst, unescaped.
func appendUnescaped(dst, s []byte) []byte {
	for {
		i := bytes.IndexByte(s, '\\')
		if i < 0 {
			return append(dst, s...)
		}
		dst = append(dst, s[:i]...)
		c, n := unescapeAt(s[i:])
		dst = utf8.AppendRune(dst, c)
		s = s[i+n:]
	}
}

// unescapeAt decodes the escape sequence s starts with (s is the rest of a
// valid string's content, s[0] a backslash) as gjson does: a \u high
// surrogate pairs with a \u low surrogate right after it; any other
// surrogate stands alone and is written as U+FFFD, as WriteRune and
// AppendRune write every invalid rune. It returns the rune and the length
// of the sequence.
func unescapeAt(s []byte) (rune, int) {
	switch s[1] {
	case 'b':
		return '\b', 2
	case 'f':
		return '\f', 2
	case 'n':
		return '\n', 2
	case 'r':
		return '\r', 2
	case 't':
		return '\t', 2
	case 'u':
		c := hex4(s[2:6])
		if 0xD800 <= c && c < 0xDC00 && len(s) >= 12 && s[6] == '\\' && s[7] == 'u' {
			if lo := hex4(s[8:12]); 0xDC00 <= lo && lo < 0xE000 {
				return utf16.DecodeRune(c, lo), 12
			}
		}
		return c, 6
	}
	return rune(s[1]), 2 // '"', '\\' or '/'
}

// hex4 reads four hex digits, already validated.
func hex4(h []byte) rune {
	var c rune
	for _, d := range h[:4] {
		switch {
		case d <= '9':
			d -= '0'
		case d <= 'F':
			d -= 'A' - 10
		default:
			d -= 'a' - 10
		}
		c = c<<4 | rune(d)
	}
	return c
}

// asGJSON returns the value at s as the gjson.Result the replaced reader
// held for it, its text copied to the arena: the conversions of values of
// unexpected types (a number for an id, a string for a boolean) are then
// gjson's own. A value not found is the zero Result, as gjson's Get gives.
func (r *reader) asGJSON(s span) gjson.Result {
	if !s.found() {
		return gjson.Result{}
	}
	switch r.b[s.start] {
	case '"':
		return gjson.Result{Type: gjson.String, Str: r.text(s)}
	case 't':
		return gjson.Result{Type: gjson.True, Raw: "true"}
	case 'f':
		return gjson.Result{Type: gjson.False, Raw: "false"}
	case 'n':
		return gjson.Result{Type: gjson.Null, Raw: "null"}
	case '{', '[':
		return gjson.Result{Type: gjson.JSON, Raw: r.raw(s)}
	}
	raw := r.raw(s)
	num, _ := strconv.ParseFloat(raw, 64)
	return gjson.Result{Type: gjson.Number, Raw: raw, Num: num}
}

// string returns the value at s as gjson's Result.String reads it: a
// string unescaped, a number as written (or reformatted if not an
// integer), a container as its JSON, null or nothing as "".
func (r *reader) string(s span) string {
	if s.found() && r.b[s.start] == '"' {
		return r.text(s)
	}
	return r.asGJSON(s).String()
}

// bool returns the value at s as gjson's Result.Bool reads it.
func (r *reader) bool(s span) bool {
	if !s.found() {
		return false
	}
	switch r.b[s.start] {
	case 't':
		return true
	case 'f', 'n', '{', '[':
		return false
	}
	return r.asGJSON(s).Bool() // "TRUE", "1", 2: by gjson's rules
}
