// Package jsontest holds the references the tests of transform and its
// JSON machinery share: a plain byte loop's count of nesting depth, and a
// builder of deeply nested documents. Tests only; nothing in the bridge
// imports it.
package jsontest

import "strings"

// NestingDepth is the reference a reader's or walk's depth count is held to: the
// deepest nesting of brackets outside strings, by a plain byte loop. On
// invalid JSON it still counts every bracket up to the first that closes
// nothing; gjson's validator stops at the first error, so it never
// recurses deeper than this.
func NestingDepth(b []byte) int {
	depth, deepest, inString := 0, 0, false
	for i := 0; i < len(b); i++ {
		switch c := b[i]; {
		case inString && c == '\\':
			i++
		case c == '"':
			inString = !inString
		case inString:
		case c == '[' || c == '{':
			depth++
			deepest = max(deepest, depth)
		case c == ']' || c == '}':
			if depth == 0 {
				return deepest
			}
			depth--
		}
	}
	return deepest
}

// Nested returns n levels of open, inner, then n closing brackets matching open.
func Nested(open string, n int, inner string) string {
	var b strings.Builder
	var closers []byte
	for i := range n {
		o := open[i%len(open)]
		b.WriteByte(o)
		if o == '{' {
			b.WriteString(`"k":`)
		}
		closers = append(closers, o+2)
	}
	b.WriteString(inner)
	for i := len(closers) - 1; i >= 0; i-- {
		b.WriteByte(closers[i])
	}
	return b.String()
}
