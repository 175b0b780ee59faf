package jsonwalk

import (
	"bytes"
	"encoding/binary"
	"math/bits"
	"strings"
)

// Reader walks one JSON body once, validating it as it goes and stopping
// wherever its caller needs a value: a caller descends into the members
// and elements it wants (Object, Each) and moves past the rest (Skip), and
// the walk notes where the values it keeps lie (Span). Once the walk is
// done, the values kept are copied out of the body to one arena sized for
// them (copy.go): their strings share that one allocation, and none points
// into the body, which the caller may reuse.
//
// A walk that reaches the end of the body (End) has accepted exactly the
// bodies gjson.ValidBytes accepts, so that gjson may read the body after
// it: RFC 8259 JSON, whitespace being space, tab, line feed and carriage
// return; strings may hold any byte from 0x20 up, valid UTF-8 or not. But
// a container nested deeper than MaxDepth stops the walk (Deep).
type Reader struct {
	b     []byte          // the body
	i     int             // the offset of the next byte to read
	depth int             // the containers the walk is inside, at r.i
	deep  bool            // the walk stopped at a container nested deeper than MaxDepth
	out   strings.Builder // the arena the values kept are copied to
}

// MaxDepth bounds the nesting of containers a walk accepts: objects and
// arrays count alike, `[[1]]` and `{"a":{}}` are two levels deep. The walk
// itself is iterative; the bound keeps gjson, whose validator and getters
// recurse once per level, from overflowing the stack on a body the walk
// accepted.
const MaxDepth = 128

// New returns a Reader at the start of b.
func New(b []byte) Reader { return Reader{b: b} }

// Deep reports whether the walk stopped at a container nested deeper than
// MaxDepth.
func (r *Reader) Deep() bool { return r.deep }

// Len is the length of the body.
func (r *Reader) Len() int { return len(r.b) }

// Span is where one JSON value lies in the body: b[start:end]. The zero
// Span is a value not found.
type Span struct{ start, end int }

// Found reports whether s is a value found in the body (a value is never
// empty, so its end is never 0).
func (s Span) Found() bool { return s.end > 0 }

// Len is the length of the value's JSON, 0 for a value not found.
func (s Span) Len() int { return s.end - s.start }

// Bytes returns the JSON of the value at s, in the body (no copy: it is
// valid until the caller reuses the body).
func (r *Reader) Bytes(s Span) []byte { return r.b[s.start:s.end] }

// IsObject, IsArray, IsString and IsNull report whether s is a value of
// that type, as gjson's Result.IsObject and IsArray do.
func (r *Reader) IsObject(s Span) bool { return s.Found() && r.b[s.start] == '{' }
func (r *Reader) IsArray(s Span) bool  { return s.Found() && r.b[s.start] == '[' }
func (r *Reader) IsString(s Span) bool { return s.Found() && r.b[s.start] == '"' }
func (r *Reader) IsNull(s Span) bool   { return s.Found() && r.b[s.start] == 'n' }

// Key is a member's key: what its quotes enclose, still escaped, and
// whether that holds escapes.
type Key struct {
	raw []byte
	esc bool
}

// Raw returns what the key's quotes enclose, still escaped, in the body.
func (k Key) Raw() []byte { return k.raw }

// Escaped reports whether the key holds escapes.
func (k Key) Escaped() bool { return k.esc }

// Short returns the key unescaped into buf if it holds escapes, for
// comparing it with the names a caller knows without copying it; see the
// function short.
func (k Key) Short(buf *[ShortMax]byte) []byte { return short(k.raw, k.esc, buf) }

// Peek returns the byte at r.i, or 0 past the end: no JSON token starts
// with 0, so callers need no separate test for the end of the body.
func (r *Reader) Peek() byte {
	if r.i < len(r.b) {
		return r.b[r.i]
	}
	return 0
}

// WS skips the whitespace JSON allows between tokens.
func (r *Reader) WS() { r.i = ws(r.b, r.i) }

// ws returns the offset of the first byte from i on that is not
// whitespace. The tokenizing steps run it on offsets in registers: most
// bodies are compact, and it then costs a single test.
func ws(b []byte, i int) int {
	for i < len(b) && b[i] <= ' ' {
		switch b[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// End reports whether nothing but whitespace follows the value just read.
func (r *Reader) End() bool {
	r.WS()
	return r.i == len(r.b)
}

// Value validates the value at r.i, moves past it and returns where it
// lies (the zero Span if it is not valid), to be converted or copied once
// the walk is done.
func (r *Reader) Value() (Span, bool) {
	start := r.i
	if !r.Skip() {
		return Span{}, false
	}
	return Span{start, r.i}, true
}

// Skip validates the value at r.i (whitespace may precede it) and moves
// past it.
func (r *Reader) Skip() bool {
	r.WS()
	switch r.Peek() {
	case '"':
		_, ok := r.str()
		return ok
	case '{', '[':
		return r.skipContainer()
	}
	return r.scalar()
}

// skipContainer validates the object or array at r.i and moves past it,
// in a loop, not by recursion: open holds the closing bracket of each
// container the walk is inside, on the stack (MaxDepth bounds it), so any
// depth costs no call per level and no allocation.
func (r *Reader) skipContainer() bool {
	var inline [MaxDepth]byte
	open := inline[:0]
	for {
		r.WS()
		switch c := r.Peek(); c {
		case '{', '[':
			if len(open) >= MaxDepth-r.depth {
				r.deep = true
				return false
			}
			if r.enter() {
				if c == '{' {
					if _, _, ok := r.key(); !ok {
						return false
					}
				}
				open = append(open, c+2) // '{'+2 is '}', '['+2 is ']'
				continue
			}
		case '"':
			if _, ok := r.str(); !ok {
				return false
			}
		default:
			if !r.scalar() {
				return false
			}
		}
		// A value ended: close the containers it ends, then move on to
		// the next member or element of the innermost open one.
		for {
			if len(open) == 0 {
				return true
			}
			closer := open[len(open)-1]
			more, ok := r.next(closer)
			if !ok {
				return false
			}
			if !more {
				open = open[:len(open)-1]
				continue
			}
			if closer == '}' {
				if _, _, ok := r.key(); !ok {
					return false
				}
			}
			break
		}
	}
}

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

// key reads a member's key at r.i, the colon after it and the whitespace
// around that, leaving r.i at the member's value. It returns what the
// key's quotes enclose, still escaped, and whether it holds escapes.
func (r *Reader) key() (k []byte, esc, ok bool) {
	start := r.i
	if r.Peek() != '"' {
		return nil, false, false
	}
	if esc, ok = r.str(); !ok {
		return nil, false, false
	}
	b, end := r.b, r.i
	i := ws(b, end)
	if i == len(b) || b[i] != ':' {
		return nil, false, false
	}
	r.i = ws(b, i+1)
	return b[start+1 : end-1], esc, true
}

// enter moves past the '{' or '[' at r.i and the whitespace after it. It
// reports whether the container holds a member or an element: if not, it
// moves past the closing bracket too.
func (r *Reader) enter() (more bool) {
	closer := r.b[r.i] + 2 // '{'+2 is '}', '['+2 is ']'
	r.i++
	r.WS()
	if r.Peek() == closer {
		r.i++
		return false
	}
	return true
}

// next moves past what follows a member or an element: a comma and the
// whitespace after it (more is true), or the container's closing bracket.
func (r *Reader) next(closer byte) (more, ok bool) {
	b, i := r.b, ws(r.b, r.i)
	switch {
	case i == len(b):
		return false, false
	case b[i] == ',':
		r.i = ws(b, i+1)
		return true, true
	case b[i] == closer:
		r.i = i + 1
		return false, true
	}
	return false, false
}

// members walks the members of the object at r.i, calling fn with each
// member's key and r.i at its value, which fn must walk.
func (r *Reader) members(fn func(Key) bool) bool {
	if !r.descend() {
		return false
	}
	more, ok := r.enter(), true
	for ok && more {
		var k Key
		if k.raw, k.esc, ok = r.key(); ok {
			if ok = fn(k); ok {
				more, ok = r.next('}')
			}
		}
	}
	r.depth--
	return ok
}

// descend counts the container at r.i as entered, unless it is nested
// deeper than MaxDepth. A caller's own descent is a few levels; the depth
// that matters is what Skip meets below it.
func (r *Reader) descend() bool {
	if r.depth >= MaxDepth {
		r.deep = true
		return false
	}
	r.depth++
	return true
}

// Object walks the value at r.i, calling fn at each member if it is an
// object (fn must walk the member's value), and only validates it
// otherwise; it returns where the value lies either way (the zero Span if
// it is not valid).
func (r *Reader) Object(fn func(Key) bool) (Span, bool) {
	start := r.i
	var ok bool
	if r.Peek() == '{' {
		ok = r.members(fn)
	} else {
		ok = r.Skip()
	}
	if !ok {
		return Span{}, false
	}
	return Span{start, r.i}, true
}

// Each walks a list the way gjson's ForEach does: fn is called at each
// element of an array, at each member value of an object, or once at a
// value of any other type, and must walk that value.
func (r *Reader) Each(fn func() bool) (Span, bool) {
	start := r.i
	var ok bool
	switch r.Peek() {
	case '[':
		if !r.descend() {
			return Span{}, false
		}
		more := r.enter()
		ok = true
		for ok && more {
			if ok = fn(); ok {
				more, ok = r.next(']')
			}
		}
		r.depth--
	case '{':
		ok = r.members(func(Key) bool { return fn() })
	default:
		ok = fn()
	}
	if !ok {
		return Span{}, false
	}
	return Span{start, r.i}, true
}

// Check reports whether b is one JSON value, no deeper than MaxDepth, and
// if not, whether its nesting is why (the walk stops at the first
// container too deep). It accepts exactly what gjson.ValidBytes accepts up
// to that depth, so gjson may read b once it passed.
func Check(b []byte) (ok, deep bool) {
	r := Reader{b: b}
	ok = r.Skip() && r.End()
	return ok, r.deep
}

// Elements returns the number of elements of the valid JSON array b, by
// the walk (no call per level), or 0 if b is not one.
func Elements(b []byte) int {
	r := Reader{b: b}
	if r.Peek() != '[' || !r.enter() {
		return 0
	}
	n := 0
	for more := true; more; {
		n++
		var ok bool
		if !r.Skip() {
			return 0
		}
		if more, ok = r.next(']'); !ok {
			return 0
		}
	}
	return n
}

// Remaining returns the number of elements after the one the walk just
// read, in the array it is in, without moving r: the walk validates them
// after. A caller that keeps every element sizes its list with it.
func (r *Reader) Remaining() int {
	sub := Reader{b: r.b, i: r.i, depth: r.depth}
	n := 0
	for {
		if more, ok := sub.next(']'); !more || !ok || !sub.Skip() {
			return n
		}
		n++
	}
}
