package transform

import "strconv"

// MaxDepth bounds the nesting of the JSON the bridge reads from outside:
// request bodies, agent answers and stream events, agent cards. Objects
// and arrays count alike, inside any member: `[[1]]` and `{"a":{}}` are
// two levels deep. A deeper body is refused before any recursive code sees
// it: gjson's validator and getters recurse once per level, and about
// 6 MiB of "[" (under the 16 MiB body limit) overflowed the goroutine
// stack, which in Go is fatal to the whole process, not to one request.
// No A2A or OpenAI body the bridge has met nests past a dozen levels.
const MaxDepth = 128

// ErrTooDeep is returned by ParseRequest for a body nested deeper than
// MaxDepth. It is an ErrInvalidJSON (errors.Is), with a message that says
// why.
var ErrTooDeep error = tooDeep{}

type tooDeep struct{}

func (tooDeep) Error() string {
	return "request body is nested deeper than " + strconv.Itoa(MaxDepth) + " levels"
}

func (tooDeep) Is(target error) bool { return target == ErrInvalidJSON }

// checkJSON reports whether b is one JSON value, no deeper than MaxDepth,
// and if not, whether its nesting is why (the walk stops at the first
// container too deep). It accepts exactly what gjson.ValidBytes accepts up
// to that depth (the reader's walk, iterative and with no call per level),
// so gjson may read b once it passed.
func checkJSON(b []byte) (ok, deep bool) {
	r := reader{b: b}
	ok = r.skip() && r.end()
	return ok, r.deep
}
