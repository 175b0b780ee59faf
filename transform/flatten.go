package transform

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"hash"
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
	size := len(user)
	for _, m := range msgs {
		size += 4*8 + len(m.Role) + len(m.Name) + len(m.ToolCallID) + len(m.Text)
	}
	b := hashBuffer{h: sha256.New(), buf: make([]byte, 0, min(max(size, 64), 4<<10))}
	b.writeString(user)
	for _, m := range msgs {
		for _, f := range []string{m.Role, m.Name, m.ToolCallID, m.Text} {
			b.writeLen(len(f))
			b.writeString(f)
		}
	}
	b.flush()
	return hex.EncodeToString(b.h.Sum(nil))
}

// hashBuffer feeds strings to a hash through one small buffer. Through the
// hash.Hash interface, h.Write([]byte(s)) copies each string to the heap
// first: the whole conversation, on every multi-turn request. (sha256 has
// no WriteString to call instead.)
type hashBuffer struct {
	h   hash.Hash
	buf []byte
}

func (b *hashBuffer) flush() {
	b.h.Write(b.buf)
	b.buf = b.buf[:0]
}

func (b *hashBuffer) writeString(s string) {
	for len(s) > 0 {
		if len(b.buf) == cap(b.buf) {
			b.flush()
		}
		n := copy(b.buf[len(b.buf):cap(b.buf)], s)
		b.buf, s = b.buf[:len(b.buf)+n], s[n:]
	}
}

// writeLen writes n as 8 bytes, big-endian: lengths keep the fields apart.
func (b *hashBuffer) writeLen(n int) {
	if cap(b.buf)-len(b.buf) < 8 {
		b.flush()
	}
	b.buf = binary.BigEndian.AppendUint64(b.buf, uint64(n))
}
