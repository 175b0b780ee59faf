package transform

import (
	"strings"
	"testing"
)

// TestConversationPrefix: the key of a prefix followed by more turns is
// ConversationKey of all the turns.
func TestConversationPrefix(t *testing.T) {
	long := strings.Repeat("a long turn ", 1000)
	for _, tc := range []struct {
		name       string
		user       string
		msgs, more []Message
	}{
		{"nothing more", "u", []Message{{Role: "user", Text: "hi"}}, nil},
		{"an answer", "", []Message{{Role: "system", Text: "be brief"}, {Role: "user", Text: "hi"}}, []Message{{Role: "assistant", Text: "hello"}}},
		{"long turns", "u", []Message{{Role: "user", Text: long}}, []Message{{Role: "assistant", Text: long}}},
		{"no turns", "u", nil, []Message{{Role: "assistant", Text: "x"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := ConversationKey(tc.user, append(append([]Message(nil), tc.msgs...), tc.more...))
			if got := NewConversationPrefix(tc.user, tc.msgs).Key(tc.more...); got != want {
				t.Errorf("NewConversationPrefix(%q, ...).Key(...) = %s, want %s", tc.user, got, want)
			}
		})
	}
}
