// Package jsonwalk walks a JSON body once: it validates exactly what
// gjson.ValidBytes accepts (nesting bounded by MaxDepth), descends only
// where its caller asks, and copies the values kept to one arena,
// unescaped and converted as gjson converts them. Its reference is gjson:
// FuzzWalk holds validity and every key and value read to gjson's.
package jsonwalk

import "strings"

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
	// shared is the arena of a caller's walks, where a walk with little to
	// keep copies it instead of to out (see NewIn); inShared says this one
	// does, and reserved that its first Reserve decided.
	shared             *Arena
	inShared, reserved bool
}

// MaxDepth bounds the nesting of containers a walk accepts: objects and
// arrays count alike, `[[1]]` and `{"a":{}}` are two levels deep. The walk
// itself is iterative; the bound keeps gjson, whose validator and getters
// recurse once per level, from overflowing the stack on a body the walk
// accepted.
const MaxDepth = 128

// New returns a Reader at the start of b.
func New(b []byte) Reader { return Reader{b: b} }

// NewIn returns a Reader at the start of b that copies what it keeps to a
// when that is little (see Arena); a nil a is New.
func NewIn(b []byte, a *Arena) Reader { return Reader{b: b, shared: a} }

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
func (r *Reader) skipContainer() bool { //nolint:gocognit // one hot loop over every byte of a body: a call per token would cost the read path its speed
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
