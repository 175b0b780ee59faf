package bridge

import (
	"net/http"
	"strings"
	"testing"
)

const demoRPC = `{"jsonrpc":"2.0","id":1,"method":"message/send","params":{"message":{"kind":"message","role":"user","messageId":"m","parts":[{"kind":"text","text":"hi"}]}}}`

// TestDemoAgentObeysKeys: with keys configured, the demo agent wants one
// too (it was served outside auth), while the chat path to a2a/echo, which
// calls it with the bridge's own credential, still works.
func TestDemoAgentObeysKeys(t *testing.T) {
	checkLeaks(t)
	s, base, logs := serveBridge(t, Config{APIKeys: Keys("sk-a")}, nil)
	c := httpClient(t)
	tests := []struct {
		name, method, path, body, auth string
		want                           int
	}{
		{"no key", http.MethodPost, demoPath, demoRPC, "", 401},
		{"wrong key", http.MethodPost, demoPath, demoRPC, "Bearer sk-b", 401},
		{"a configured key", http.MethodPost, demoPath, demoRPC, "Bearer sk-a", 200},
		{"the card is public", http.MethodGet, demoPath + "/.well-known/agent-card.json", "", "", 200},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(tc.method, base+tc.path, strings.NewReader(tc.body))
			if tc.auth != "" {
				req.Header.Set("Authorization", tc.auth)
			}
			resp, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.want {
				t.Errorf("%s %s with %q = %d, want %d", tc.method, tc.path, tc.auth, resp.StatusCode, tc.want)
			}
		})
	}
	for _, stream := range []bool{false, true} {
		res := post(t, c, base+"/v1/chat/completions", chatBody("a2a/echo", stream, "user", "hello there"), "Authorization", "Bearer sk-a")
		var got string
		if stream {
			frames, _ := chunks(t, res.body)
			got, _ = streamText(t, frames)
		} else if res.status == 200 {
			got, _ = completionText(t, res.body)
		}
		if res.status != 200 || got != "hello there" {
			t.Errorf("chat to a2a/echo (stream %t) = %d %q, want 200 %q: %s", stream, res.status, got, "hello there", res.body)
		}
	}
	// The bridge's own credential is never written anywhere.
	for _, l := range logs.lines() {
		if len(s.demoToken) < 16 || strings.Contains(l, s.demoToken) {
			t.Errorf("a credential in the log: %s", l)
		}
	}
}

// TestDemoAgentOutputBounded: a long text of short words is streamed in a
// bounded number of events, not one event (~270 bytes) per word.
func TestDemoAgentOutputBounded(t *testing.T) {
	checkLeaks(t)
	_, base, _ := serveBridge(t, Config{}, nil)
	c := httpClient(t)
	input := strings.Repeat("a ", 1<<19) // 1 MiB of one-letter words
	for _, stream := range []bool{false, true} {
		body := chatBody("a2a/echo", stream, "user", input)
		res := post(t, c, base+"/v1/chat/completions", body)
		if res.status != 200 {
			t.Fatalf("chat (stream %t) = %d %.300s", stream, res.status, res.body)
		}
		var got string
		if stream {
			frames, done := chunks(t, res.body)
			got, _ = streamText(t, frames)
			if !done || len(frames) > maxDemoEvents+8 {
				t.Errorf("stream of %d chunks (done %t), want at most %d", len(frames), done, maxDemoEvents+8)
			}
		} else {
			got, _ = completionText(t, res.body)
		}
		if got != input {
			t.Errorf("answer (stream %t) is %d bytes, want the %d bytes sent", stream, len(got), len(input))
		}
		if len(res.body) > 4*len(body) {
			t.Errorf("answer (stream %t) is %d bytes for a %d-byte request, want under 4×", stream, len(res.body), len(body))
		}
	}
}

func TestPieces(t *testing.T) {
	tests := []struct {
		name string
		in   string
		n    int
		want []string
	}{
		{"few words: word by word", "a b c", 4, []string{"a ", "b ", "c"}},
		{"empty", "", 4, []string{""}},
		{"many words: runs", "a b c d e f g h", 4, []string{"a b ", "c d ", "e f ", "g h"}},
		{"one long word", strings.Repeat("x", 100), 4, []string{strings.Repeat("x", 100)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := pieces(tc.in, tc.n)
			if strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Errorf("pieces(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
			}
		})
	}
	long := strings.Repeat("ab ", 10000)
	if got := pieces(long, 32); len(got) > 32 || strings.Join(got, "") != long {
		t.Errorf("pieces(30 kB, 32) = %d pieces (whole %t), want ≤ 32 making the text", len(got), strings.Join(got, "") == long)
	}
}
