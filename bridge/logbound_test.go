package bridge

import (
	"net/http"
	"strings"
	"testing"
)

// TestCallerTextBounded: whatever a caller sends, before auth or after, the
// error it gets and the log line it makes stay small (an unknown 900 KB path
// was logged twice, a 1 MB model name echoed in the body and the log).
func TestCallerTextBounded(t *testing.T) {
	checkLeaks(t)
	const bound = 4 << 10
	long := strings.Repeat("x", 900<<10)
	tests := []struct {
		name, method, path, body string
		keys                     []string
		want                     int
	}{
		{"unknown path", http.MethodGet, "/" + long, "", nil, 404},
		{"unknown path before auth", http.MethodGet, "/v1/" + long, "", []string{"sk-a"}, 401},
		{"model name", http.MethodPost, "/v1/chat/completions", chatBody("a2a/"+long, false, "user", "hi"), nil, 404},
		{"model name without the prefix", http.MethodPost, "/v1/chat/completions", chatBody(long, true, "user", "hi"), nil, 404},
		{"model in the path", http.MethodGet, "/v1/models/" + long, "", nil, 404},
		{"method", strings.Repeat("X", 900<<10), "/v1/models", "", nil, 404},
		{"content part type", http.MethodPost, "/v1/chat/completions",
			`{"model":"a2a/echo","messages":[{"role":"user","content":[{"type":"` + long + `"}]}]}`, nil, 400},
		{"media type of an image", http.MethodPost, "/v1/chat/completions",
			`{"model":"a2a/echo","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/` + long + `;base64,AAAA"}}]}]}`, nil, 400},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, base, logs := serveBridge(t, Config{APIKeys: Keys(tc.keys...)}, nil)
			res, _, err := try(httpClient(t), tc.method, base+tc.path, tc.body)
			if err != nil {
				t.Fatal(err)
			}
			if res.status != tc.want || len(res.body) > bound {
				t.Errorf("%s = %d with a %d-byte body, want %d and under %d bytes: %.300s", tc.name, res.status, len(res.body), tc.want, bound, res.body)
			}
			if res.status >= 400 {
				decodeError(t, res.body)
			}
			for _, l := range logs.lines() {
				if len(l) > bound {
					t.Errorf("a %d-byte log line, want under %d: %.300s", len(l), bound, l)
				}
			}
			if n := len(logs.matching(`"message":"request"`)); n == 0 {
				t.Error("no request log line")
			}
		})
	}
}
