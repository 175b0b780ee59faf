package transform

import (
	"bytes"
	"encoding/binary"
	"math/bits"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/tidwall/gjson"

	"github.com/a2a-bridge/a2a-bridge/transform/internal/jsonenc"
)

// The translation's reading and writing. A body is validated once
// (CheckJSON: one iterative walk, depth bounded); what follows reads that
// trusted text in place, a level at a time where a dialect differs, and
// appends the target's shape to one []byte as it goes: no map per level,
// no string per member. Every object the translation writes has a known
// set of members, which each writer emits in sorted order by construction
// (the order the map implementation sorted them in, a2aconv_ref_test.go),
// so the output is byte for byte what it was; an object copied whole (the
// envelope, an error, a result of no known shape) is sorted by name.
//
// A value is its JSON text, a slice of the body; nil is a member absent
// (a present value is never empty).

// wsEnd is the offset of the first byte from i on that is not whitespace.
func wsEnd(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// strEnd is the offset past the closing quote of the string at b[i], and
// whether it holds escapes. Strings are most of a body's bytes: they are
// scanned eight bytes at a time, to the first quote or backslash.
func strEnd(b []byte, i int) (int, bool) {
	i++
	esc := false
	for i < len(b) {
		if i+8 <= len(b) {
			m := quotesOrBackslashes(binary.LittleEndian.Uint64(b[i:]))
			if m == 0 {
				i += 8
				continue
			}
			i += bits.TrailingZeros64(m) >> 3
		}
		switch b[i] {
		case '"':
			return i + 1, esc
		case '\\':
			esc = true
			i += 2
		default:
			i++
		}
	}
	return len(b), esc
}

// quotesOrBackslashes has the high bit set of the first byte of x (the
// lowest) that is '"' or '\\', if one is, and of none if none is:
// (v-0x01…)&^v marks the first zero byte of v (a borrow can mark bytes
// after it, never before).
func quotesOrBackslashes(x uint64) uint64 {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	q, s := x^(ones*'"'), x^(ones*'\\')
	return ((q-ones)&^q | (s-ones)&^s) & highs
}

// scan is one translation's reading of one body. Descending a level at a
// time, it would walk a nested value once per level above it (each skip
// of a container walks all of it): ends remembers where the containers a
// skip walked through end, by their offset from the end of the body's
// array (every value read is a slice of it), so that a later skip of one
// of them costs nothing.
type scan struct {
	ends [64]struct{ at, end int32 } // at is the offset + 1 (0: a free slot); end as an offset
	base int                         // cap of the body: a value v starts at offset base-cap(v)
}

// newScan is the scan of body.
func newScan(body []byte) scan { return scan{base: cap(body)} }

// remember notes that the container at b[start] ends at b[end].
func (sc *scan) remember(b []byte, start, end int) {
	at := sc.base - cap(b) + start
	for n, j := 0, at; n < 4; n, j = n+1, j+1 { // open addressing, a few probes
		if e := &sc.ends[j%len(sc.ends)]; e.at == 0 {
			e.at, e.end = int32(at+1), int32(sc.base-cap(b)+end)
			return
		}
	}
}

// remembered returns the end of the container at b[i], if remembered.
func (sc *scan) remembered(b []byte, i int) (int, bool) {
	at := sc.base - cap(b) + i
	for n, j := 0, at; n < 4; n, j = n+1, j+1 {
		e := &sc.ends[j%len(sc.ends)]
		if e.at == 0 {
			return 0, false
		}
		if int(e.at) == at+1 {
			if end := int(e.end) - (sc.base - cap(b)); end <= len(b) {
				return end, true
			}
			return 0, false
		}
	}
	return 0, false
}

// valueEnd is the offset past the value at b[i].
func (sc *scan) valueEnd(b []byte, i int) int {
	if i >= len(b) {
		return i
	}
	switch b[i] {
	case '"':
		end, _ := strEnd(b, i)
		return end
	case '{', '[':
		if end, ok := sc.remembered(b, i); ok {
			return end
		}
		return sc.containerEnd(b, i)
	}
	for i < len(b) {
		switch b[i] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			return i
		}
		i++
	}
	return i
}

// containerEnd is the offset past the container at b[i], whose nested
// containers' ends it remembers.
func (sc *scan) containerEnd(b []byte, i int) int {
	var open [MaxDepth + 1]int32
	depth := 0
	for i < len(b) {
		switch b[i] {
		case '"':
			i, _ = strEnd(b, i)
			continue
		case '{', '[':
			if depth < len(open) {
				open[depth] = int32(i)
			}
			depth++
		case '}', ']':
			if depth--; depth < len(open) && depth >= 0 {
				sc.remember(b, int(open[depth]), i+1)
			}
			if depth <= 0 {
				return i + 1
			}
		}
		i++
	}
	return i
}

// elems iterates over the elements of an array, or the members of an
// object (key is then the member's key, quotes included).
type elems struct {
	b []byte
	i int
}

// objectIn starts the members of v, and reports whether v is an object.
func (sc *scan) objectIn(v []byte) (elems, bool) {
	if len(v) == 0 || v[0] != '{' {
		return elems{}, false
	}
	return elems{v, 1}, true
}

// arrayIn starts the elements of v, and reports whether v is an array.
func (sc *scan) arrayIn(v []byte) (elems, bool) {
	if len(v) == 0 || v[0] != '[' {
		return elems{}, false
	}
	return elems{v, 1}, true
}

// next returns the next element, false after the last.
func (e *elems) next(sc *scan) ([]byte, bool) {
	i := wsEnd(e.b, e.i)
	if i >= len(e.b) || e.b[i] == ']' || e.b[i] == '}' {
		return nil, false
	}
	if e.b[i] == ',' {
		i = wsEnd(e.b, i+1)
	}
	end := sc.valueEnd(e.b, i)
	e.i = end
	return e.b[i:end], true
}

// member returns the next member's key (quoted, escaped) and value, false
// after the last.
func (e *elems) member(sc *scan) (key, val []byte, esc, ok bool) {
	i := wsEnd(e.b, e.i)
	if i >= len(e.b) || e.b[i] == '}' {
		return nil, nil, false, false
	}
	if e.b[i] == ',' {
		i = wsEnd(e.b, i+1)
	}
	kend, esc := strEnd(e.b, i)
	key = e.b[i:kend]
	i = wsEnd(e.b, kend)
	i = wsEnd(e.b, i+1) // the colon
	end := sc.valueEnd(e.b, i)
	e.i = end
	return key, e.b[i:end], esc, true
}

// memberName is the name of a member whose key is key (quoted): unescaped
// as gjson reads it, invalid UTF-8 as U+FFFD.
func memberName(key []byte, esc bool) []byte {
	name := key[1 : len(key)-1]
	if esc {
		return []byte(strings.ToValidUTF8(gjson.Parse(string(key)).Str, "\uFFFD"))
	}
	if !utf8.Valid(name) {
		return []byte(strings.ToValidUTF8(string(name), "\uFFFD"))
	}
	return name
}

// fields reads the members names of the object v into vals, the first of
// each name (nil for one absent), and reports whether v is an object. The
// names are plain ASCII: a key holding neither an escape nor invalid
// UTF-8 is its name as it stands.
func (sc *scan) fields(v []byte, names []string, vals [][]byte) bool {
	it, ok := sc.objectIn(v)
	if !ok {
		return false
	}
	for {
		key, val, esc, ok := it.member(sc)
		if !ok {
			return true
		}
		name := key[1 : len(key)-1]
		if esc {
			name = memberName(key, esc)
		}
		for j, n := range names {
			if string(name) == n {
				if vals[j] == nil {
					vals[j] = val
				}
				break
			}
		}
	}
}

// member is one member of an object copied whole: its name, as the
// output writes it, and its value.
type member struct{ name, val []byte }

// sortedMembers appends the members of the object v to ms, sorted by
// name, the first of each name only.
func (sc *scan) sortedMembers(v []byte, ms []member) []member {
	it, _ := sc.objectIn(v)
	for {
		key, val, esc, ok := it.member(sc)
		if !ok {
			break
		}
		ms = append(ms, member{memberName(key, esc), val})
	}
	return sortMembers(ms)
}

// sortMembers sorts ms by name, stably, and keeps the first of each name.
func sortMembers(ms []member) []member {
	if len(ms) <= 12 {
		for i := 1; i < len(ms); i++ {
			for j := i; j > 0 && bytes.Compare(ms[j-1].name, ms[j].name) > 0; j-- {
				ms[j-1], ms[j] = ms[j], ms[j-1]
			}
		}
	} else {
		slices.SortStableFunc(ms, func(a, b member) int { return bytes.Compare(a.name, b.name) })
	}
	out := ms[:0]
	for _, m := range ms {
		if len(out) == 0 || !bytes.Equal(m.name, out[len(out)-1].name) {
			out = append(out, m)
		}
	}
	return out
}

// appendObject appends the object v as it came but for its members'
// order (sorted) and duplicates (the first).
func (sc *scan) appendObject(b, v []byte) []byte {
	var buf [16]member
	b = append(b, '{')
	for _, m := range sc.sortedMembers(v, buf[:0]) {
		b = append(appendName(b, m.name), m.val...)
	}
	return append(b, '}')
}

// appendName appends a member's name and colon, after a comma unless the
// member is its object's first.
func appendName(b, name []byte) []byte {
	b = sep(b)
	for _, c := range name {
		if c < 0x20 || c >= 0x80 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			return append(jsonenc.AppendString(b, string(name)), ':')
		}
	}
	b = append(append(append(b, '"'), name...), '"')
	return append(b, ':')
}

// sep appends the comma before a member or an element, unless it is its
// container's first: no value ends with '{' or '['.
func sep(b []byte) []byte {
	if c := b[len(b)-1]; c != '{' && c != '[' {
		b = append(b, ',')
	}
	return b
}

// key appends the name of a member (plain ASCII) and its colon.
func key(b []byte, name string) []byte {
	b = append(append(sep(b), '"'), name...)
	return append(b, '"', ':')
}

// keep appends the member name, v as it came, if v is present.
func keep(b []byte, name string, v []byte) []byte {
	if v == nil {
		return b
	}
	return append(key(b, name), v...)
}

// isObject and isArray report the type of the value v.
func isObject(v []byte) bool { return len(v) > 0 && v[0] == '{' }
func isArray(v []byte) bool  { return len(v) > 0 && v[0] == '[' }

// firstPresent is the first of vs present, or nil.
func firstPresent(vs ...[]byte) []byte {
	for _, v := range vs {
		if v != nil {
			return v
		}
	}
	return nil
}

// plainString returns what the string v's quotes enclose if it holds no
// escape, and false for any other value.
func plainString(v []byte) ([]byte, bool) {
	if len(v) < 2 || v[0] != '"' || bytes.IndexByte(v, '\\') >= 0 {
		return nil, false
	}
	return v[1 : len(v)-1], true
}

// parsed is v as gjson reads it: the rarer values' conversions are then
// gjson's own.
func parsed(v []byte) gjson.Result { return gjson.Parse(string(v)) }

// isText reports whether v, read as gjson's String does, is s.
func isText(v []byte, s string) bool {
	if p, ok := plainString(v); ok {
		return string(p) == s
	}
	if v == nil || v[0] == 'n' {
		return s == ""
	}
	if v[0] == '{' || v[0] == '[' {
		return string(v) == s
	}
	return parsed(v).String() == s
}

// boolOf is v as gjson's Bool reads it.
func boolOf(v []byte) bool {
	switch string(v) {
	case "true":
		return true
	case "false", "null", "":
		return false
	}
	return parsed(v).Bool()
}

// boolJSON is b as JSON.
func boolJSON(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

// stateOf is the state v spells (ParseState), without a copy when it is
// one of the specifications' spellings.
func stateOf(v []byte) State {
	if p, ok := plainString(v); ok {
		if st, ok := spelled[string(p)]; ok {
			return st
		}
	}
	if v == nil {
		return ParseState(gjson.Result{})
	}
	return ParseState(parsed(v))
}

// statesV10 are the states as 1.0 spells them, in the order of numbered.
var statesV10 = func() (s [len(numbered)]string) {
	for i, st := range numbered {
		s[i] = StateIn(st, V10)
	}
	return s
}()

// appendState appends st as dialect to spells it, a JSON string.
func appendState(b []byte, st State, to Dialect) []byte {
	if to == V10 {
		for i, n := range numbered {
			if n == st {
				return append(append(append(b, '"'), statesV10[i]...), '"')
			}
		}
	}
	return jsonenc.AppendString(b, StateIn(st, to))
}
