package transform

import "strings"

// Flatten renders the whole conversation as the one text part an A2A agent
// receives: every message in order, one block per message that starts with
// its role ("system: ", "user: ", ...). A name and a tool call id are kept
// in brackets after the role: "tool (lookup, call_1): 42". Nothing is dropped, not even
// an empty message, so the agent sees every turn the client sent.
func Flatten(msgs []Message) string {
	var b strings.Builder
	for i, m := range msgs {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(m.Role)
		if m.Name != "" || m.ToolCallID != "" {
			b.WriteString(" (")
			b.WriteString(m.Name)
			if m.Name != "" && m.ToolCallID != "" {
				b.WriteString(", ")
			}
			b.WriteString(m.ToolCallID)
			b.WriteByte(')')
		}
		b.WriteString(": ")
		b.WriteString(m.Text)
	}
	return b.String()
}
