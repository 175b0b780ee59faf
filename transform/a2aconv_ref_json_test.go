package transform

// The reference translation, continued (see a2aconv_ref_test.go): its JSON objects.

import (
	"slices"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/a2a-bridge/a2a-bridge/transform/internal/jsonenc"
)

// refJobj is one JSON object, its members raw JSON text: the translation
// descends only where a dialect differs, and copies the rest as it came.
// The raw values are substrings of the one string the body was read into
// (gjson's), so reading a level copies nothing.
type refJobj map[string]string

// refAsObject reads raw, JSON its caller checked (CheckJSON), as an object;
// false for anything else. The first of duplicate members wins, as gjson
// reads them everywhere else.
func refAsObject(raw string) (refJobj, bool) {
	r := gjson.Parse(raw)
	if !r.IsObject() {
		return nil, false
	}
	o := make(refJobj, 8)
	r.ForEach(func(k, v gjson.Result) bool {
		// A name's invalid UTF-8 is U+FFFD, written as such: the same bytes
		// whether the name came raw or already escaped (\ufffd).
		name := strings.ToValidUTF8(k.Str, "\uFFFD")
		if _, dup := o[name]; !dup {
			o[name] = v.Raw
		}
		return true
	})
	return o, true
}

// refAsArray reads raw as an array; false for anything else.
func refAsArray(raw string) ([]string, bool) {
	r := gjson.Parse(raw)
	if !r.IsArray() {
		return nil, false
	}
	var a []string
	r.ForEach(func(_, v gjson.Result) bool {
		a = append(a, v.Raw)
		return true
	})
	return a, true
}

// keep copies the members names of src that src has.
func (o refJobj) keep(src refJobj, names ...string) {
	for _, n := range names {
		if v, ok := src[n]; ok {
			o[n] = v
		}
	}
}

// set sets member n to v unless v is empty (no member).
func (o refJobj) set(n string, v string) {
	if v != "" {
		o[n] = v
	}
}

// refFirstOfMembers returns the first of the members names that o has, or "".
func refFirstOfMembers(o refJobj, names ...string) string {
	for _, n := range names {
		if v, ok := o[n]; ok {
			return v
		}
	}
	return ""
}

// bytes is o as JSON text: members in sorted order (deterministic, for
// the goldens), values as they came.
func (o refJobj) bytes() string {
	n := 2
	for k, v := range o {
		n += len(k) + len(v) + 4
	}
	return string(o.append(make([]byte, 0, n)))
}

func (o refJobj) append(b []byte) []byte {
	var small [16]string // A2A objects have a dozen members at most: no allocation
	keys := small[:0]
	for k := range o {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(jsonenc.AppendString(b, k), ':')
		b = append(b, o[k]...)
	}
	return append(b, '}')
}

func refArrayBytes(a []string) string {
	n := 2 + len(a)
	for _, v := range a {
		n += len(v)
	}
	b := make([]byte, 0, n)
	b = append(b, '[')
	for i, v := range a {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, v...)
	}
	return string(append(b, ']'))
}

// refJSONString is s as a JSON string.
func refJSONString(s string) string { return string(jsonenc.AppendString(nil, s)) }
