package transform

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"strings"
)

// Flatten renders the whole conversation as the one text part an A2A agent
// receives: every message in order, one block per message that starts with
// its role ("system: ", "user: ", ...). A name and a tool call id are kept
// in brackets after the role: "tool (lookup, call_1): 42". Nothing is dropped, not even
// an empty message, so the agent sees every turn the client sent.
func Flatten(msgs []Message) string {
	// Size the Builder first (a bound: every separator counted for every
	// message): one allocation, where growing it would copy a long
	// conversation several times over.
	n := 0
	for _, m := range msgs {
		n += len("\n") + len(m.Role) + len(" (") + len(m.Name) + len(", ") + len(m.ToolCallID) + len("): ") + len(m.Text)
	}
	var b strings.Builder
	b.Grow(n)
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

// NewTurns returns the messages after the last assistant message: what an
// agent that keeps its own context has not seen yet. A conversation with no
// assistant message is new turns all through.
func NewTurns(msgs []Message) []Message {
	for i := len(msgs) - 1; i >= 0; i-- {
		if msgs[i].Role == "assistant" {
			return msgs[i+1:]
		}
	}
	return msgs
}

// ConversationKey names a conversation by its turns: the same turns give
// the same key. The bridge stores an answered conversation under the key
// of its turns plus the answer, and finds it again when the client sends
// them back with one more turn.
func ConversationKey(user string, msgs []Message) string {
	h := sha256.New()
	h.Write([]byte(user))
	for _, m := range msgs {
		for _, f := range []string{m.Role, m.Name, m.ToolCallID, m.Text} {
			var n [8]byte
			binary.BigEndian.PutUint64(n[:], uint64(len(f)))
			h.Write(n[:])
			h.Write([]byte(f))
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}
