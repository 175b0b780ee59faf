package transform

import (
	"unicode/utf8"

	"github.com/tidwall/gjson"
)

// MaxName bounds a name from outside that the bridge keeps in memory or
// echoes in a header: the user field of a request (part of a
// conversation's key), and the task, context and artifact ids an agent
// returns. Longer is a client error (the user field) or an invalid agent
// answer (an id).
const MaxName = 256

// validName reports whether an agent-returned id may be kept: at most
// MaxName bytes, and no control byte (below 0x20, or 0x7f), which has no
// place in a response header.
func validName(s string) bool {
	if len(s) > MaxName {
		return false
	}
	for i := range len(s) {
		if c := s[i]; c < 0x20 || c == 0x7f {
			return false
		}
	}
	return true
}

// validIDs reports whether every id an Event keeps is a validName.
func validIDs(ev *Event) bool {
	if !validName(ev.TaskID) || !validName(ev.ContextID) {
		return false
	}
	for i := range ev.Artifacts {
		if !validName(ev.Artifacts[i].ID) {
			return false
		}
	}
	return true
}

// appendValidUTF8 appends the valid JSON raw with each byte of invalid
// UTF-8 replaced by U+FFFD, as the text parts are written (appendString):
// strict JSON readers upstream refuse invalid UTF-8. Outside its strings
// JSON is ASCII, so every invalid byte is inside a string, or a key.
func appendValidUTF8(b []byte, raw string) []byte {
	for len(raw) > 0 {
		i := 0
		for i < len(raw) {
			if raw[i] < utf8.RuneSelf {
				i++
				continue
			}
			r, size := utf8.DecodeRuneInString(raw[i:])
			if r == utf8.RuneError && size == 1 {
				break
			}
			i += size
		}
		b = append(b, raw[:i]...)
		if i < len(raw) {
			b = utf8.AppendRune(b, utf8.RuneError)
			i++
		}
		raw = raw[i:]
	}
	return b
}

// manyMessages is the count of messages past which ParseRequest counts
// the rest before reading them, to make room for all at once: appended
// one by one, a body of tiny messages ({"role":"tool"}, 16 bytes each, a
// Message 88) cost 36 bytes per byte, most of it the slice's regrowth.
const manyMessages = 256

// within returns the bytes of v in body, the body gjson parsed it from
// (v.Index is its offset there), or nil if they are not there.
func within(body []byte, v gjson.Result) []byte {
	if v.Index <= 0 || v.Index+len(v.Raw) > len(body) || string(body[v.Index:v.Index+len(v.Raw)]) != v.Raw {
		return nil
	}
	return body[v.Index : v.Index+len(v.Raw)]
}

// manyArtifacts is the count of a task's artifacts past which the reader
// counts the rest before copying them (see manyMessages).
const manyArtifacts = 64
