package jsonwalk

// The walk's copies out of the body: the arena the values kept share,
// unescaping, and values of unexpected types read as gjson reads them.

import (
	"bytes"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/tidwall/gjson"
)

// Reserve readies the arena for a copy and returns where it starts. The
// arena is made on first use, for size bytes: a caller copying during the
// walk asks for the body's length (Len), which bounds all copies of
// distinct values of the body, since unescaping only shortens them; a
// caller copying once the walk is done knows the length of what it keeps
// (the Len of their Spans).
//
// A Reader made by NewIn whose first Reserve asks for at most
// ArenaShareMax bytes copies to the shared Arena instead, for the rest of
// the walk: the first reservation bounds what the walk copies.
func (r *Reader) Reserve(size int) int {
	if !r.reserved {
		r.reserved = true
		if a := r.shared; a != nil && size <= ArenaShareMax {
			r.inShared = true
			if a.b.Cap()-a.b.Len() < size {
				a.b.Reset() // the block before stays as long as a string in it
				a.b.Grow(ArenaBlock)
			}
		}
	}
	out := r.arena()
	if out.Cap() == 0 {
		out.Grow(size)
	}
	return out.Len()
}

// Arena is an arena shared by consecutive walks (a stream's events): each
// walk with little to keep copies it to the arena's current block, where
// it took an allocation of its own, and a block is replaced by a new one
// when it is full. What is copied to a block never changes: the strings of
// one walk stay valid whatever the walks after it copy. A block is
// ArenaBlock bytes; a walk keeping more than ArenaShareMax copies to an
// arena of its own, as a Reader of New does.
type Arena struct{ b strings.Builder }

// The size of an Arena's blocks, and the most a walk copies to one.
const (
	ArenaBlock    = 1 << 10
	ArenaShareMax = ArenaBlock / 4
)

// arena is the builder the walk copies to: its own, or the shared one.
func (r *Reader) arena() *strings.Builder {
	if r.inShared {
		return &r.shared.b
	}
	return &r.out
}

// Since returns what the arena received from start on.
func (r *Reader) Since(start int) string { return r.arena().String()[start:] }

// Text returns the string at s, unescaped, copied to the arena.
func (r *Reader) Text(s Span) string {
	start := r.Reserve(s.Len())
	r.writeUnescaped(r.b[s.start+1 : s.end-1])
	return r.Since(start)
}

// Raw returns the JSON of the value at s, copied to the arena.
func (r *Reader) Raw(s Span) string {
	start := r.Reserve(s.Len())
	r.arena().Write(r.b[s.start:s.end])
	return r.Since(start)
}

// WriteText copies the string at s to the arena, unescaped, as part of a
// copy started by Reserve.
func (r *Reader) WriteText(s Span) { r.writeUnescaped(r.b[s.start+1 : s.end-1]) }

// WriteString copies s to the arena, as part of a copy started by Reserve.
func (r *Reader) WriteString(s string) { r.arena().WriteString(s) }

// writeUnescaped copies what a string's quotes enclose to the arena,
// unescaped.
func (r *Reader) writeUnescaped(s []byte) {
	r.Reserve(len(s))
	out := r.arena()
	for {
		i := bytes.IndexByte(s, '\\')
		if i < 0 {
			out.Write(s)
			return
		}
		out.Write(s[:i])
		c, n := unescapeAt(s[i:])
		out.WriteRune(c)
		s = s[i+n:]
	}
}

// ShortMax bounds the escaped form of the short strings a caller compares
// unescaped (keys, kinds: at most 15 bytes): an escape sequence of up to 6
// bytes stands for at least 1 byte, so a longer escaped form unescapes to
// more than 15 bytes.
const ShortMax = 6 * 16

// Short returns the string at s (which must be one), unescaped into buf if
// it holds escapes; see short.
func (r *Reader) Short(s Span, buf *[ShortMax]byte) []byte {
	content := r.b[s.start+1 : s.end-1]
	return short(content, bytes.IndexByte(content, '\\') >= 0, buf)
}

// short returns what a string's quotes enclose, unescaped into buf if it
// holds escapes: for comparing keys and kinds without copying them to the
// arena. A string too long for buf is returned still escaped: it is longer
// than any string compared, and a backslash is in none of them.
func short(s []byte, esc bool, buf *[ShortMax]byte) []byte {
	if !esc || len(s) > len(buf) {
		return s
	}
	return AppendUnescaped(buf[:0], s)
}

// AppendUnescaped appends what a string's quotes enclose to dst, unescaped.
func AppendUnescaped(dst, s []byte) []byte {
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

// GJSON returns the value at s as the gjson.Result gjson reads for it, its
// text copied to the arena: the conversions of values of
// unexpected types (a number for an id, a string for a boolean) are then
// gjson's own. A value not found is the zero Result, as gjson's Get gives.
func (r *Reader) GJSON(s Span) gjson.Result {
	if !s.Found() {
		return gjson.Result{}
	}
	switch r.b[s.start] {
	case '"':
		return gjson.Result{Type: gjson.String, Str: r.Text(s)}
	case 't':
		return gjson.Result{Type: gjson.True, Raw: "true"}
	case 'f':
		return gjson.Result{Type: gjson.False, Raw: "false"}
	case 'n':
		return gjson.Result{Type: gjson.Null, Raw: "null"}
	case '{', '[':
		return gjson.Result{Type: gjson.JSON, Raw: r.Raw(s)}
	}
	raw := r.Raw(s)
	num, _ := strconv.ParseFloat(raw, 64)
	return gjson.Result{Type: gjson.Number, Raw: raw, Num: num}
}

// String returns the value at s as gjson's Result.String reads it: a
// string unescaped, a number as written (or reformatted if not an
// integer), a container as its JSON, null or nothing as "".
func (r *Reader) String(s Span) string {
	if s.Found() && r.b[s.start] == '"' {
		return r.Text(s)
	}
	return r.GJSON(s).String()
}

// Bool returns the value at s as gjson's Result.Bool reads it.
func (r *Reader) Bool(s Span) bool {
	if !s.Found() {
		return false
	}
	switch r.b[s.start] {
	case 't':
		return true
	case 'f', 'n', '{', '[':
		return false
	}
	return r.GJSON(s).Bool() // "TRUE", "1", 2: by gjson's rules
}
