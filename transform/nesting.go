package transform

import (
	"strconv"

	"github.com/a2a-bridge/a2a-bridge/transform/internal/jsonwalk"
)

// MaxDepth bounds the nesting of the JSON the bridge reads from outside:
// request bodies, agent answers and stream events, agent cards. Objects
// and arrays count alike, inside any member: `[[1]]` and `{"a":{}}` are
// two levels deep. A deeper body is refused before any recursive code sees
// it: gjson's validator and getters recurse once per level, and about
// 6 MiB of "[" (under the 16 MiB body limit) overflowed the goroutine
// stack, which in Go is fatal to the whole process, not to one request.
// No A2A or OpenAI body the bridge has met nests past a dozen levels.
const MaxDepth = jsonwalk.MaxDepth

// ErrTooDeep is returned by ParseRequest for a body nested deeper than
// MaxDepth. It is an ErrInvalidJSON (errors.Is), with a message that says
// why.
var ErrTooDeep error = tooDeep{}

type tooDeep struct{}

func (tooDeep) Error() string {
	return "request body is nested deeper than " + strconv.Itoa(MaxDepth) + " levels"
}

func (tooDeep) Is(target error) bool { return target == ErrInvalidJSON }
