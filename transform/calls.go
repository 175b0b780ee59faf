package transform

// The tool calls of a request's messages, kept as text.

import (
	"strings"

	"github.com/tidwall/gjson"
)

// toolCallsText names each tool call on a line of its own; one Builder,
// not a string per call: a body of many empty calls ("[{},{},…]") cost
// about 50 bytes per byte.
func toolCallsText(calls gjson.Result) string {
	var b strings.Builder
	calls.ForEach(func(_, c gjson.Result) bool {
		if b.Len() > 0 {
			b.WriteByte('\n')
		}
		writeCall(&b, c.Get("id").String(), c.Get("function"))
		return true
	})
	return b.String()
}

func callText(id string, fn gjson.Result) string {
	var b strings.Builder
	writeCall(&b, id, fn)
	return b.String()
}

// writeCall writes "[call name(arguments) id=id]".
func writeCall(b *strings.Builder, id string, fn gjson.Result) {
	b.WriteString("[call ")
	b.WriteString(fn.Get("name").String())
	b.WriteByte('(')
	b.WriteString(fn.Get("arguments").String())
	b.WriteByte(')')
	if id != "" {
		b.WriteString(" id=")
		b.WriteString(id)
	}
	b.WriteByte(']')
}

func joinNonEmpty(a, b string) string {
	if a == "" {
		return b
	}
	return a + "\n" + b
}
