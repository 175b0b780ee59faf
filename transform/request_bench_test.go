package transform

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
)

// The micro-benchmarks of the request path: ParseRequest, Flatten and
// SendRequest on golden requests and on real-sized conversations. Results
// are kept in testdata/bench/ for benchstat (see make bench).

// benchWords is n bytes of plain words, the filler of real-sized inputs.
func benchWords(n int) string {
	const words = "The quick brown fox answers the bridge in a few plain words, and then some more. "
	return strings.Repeat(words, n/len(words)+1)[:n]
}

// benchConversation is an OpenAI request of turns messages after a system
// prompt, each turnBytes long, as a chat UI sends the whole history.
func benchConversation(turns, turnBytes int, stream bool) []byte {
	msgs := []map[string]any{{"role": "system", "content": benchWords(1024)}}
	for i := range turns {
		role := "user"
		if i%2 == 1 {
			role = "assistant"
		}
		msgs = append(msgs, map[string]any{"role": role, "content": benchWords(turnBytes)})
	}
	b, _ := json.Marshal(map[string]any{"model": "a2a/bench", "stream": stream, "temperature": 0.2,
		"stream_options": map[string]bool{"include_usage": true}, "messages": msgs})
	return b
}

type benchInput struct {
	name string
	data []byte
}

// requestInputs are the golden requests and two real-sized conversations.
func requestInputs(b *testing.B) []benchInput {
	var in []benchInput
	for _, name := range []string{"basic", "content-parts", "langchain-developer", "tool-roundtrip"} {
		raw, err := os.ReadFile("../testdata/golden/request/" + name + ".txtar")
		if err != nil {
			b.Fatal(err)
		}
		body, ok := parseArchive(raw).get("openai.request.json")
		if !ok {
			b.Fatalf("%s: no openai.request.json", name)
		}
		in = append(in, benchInput{"golden-" + name, body})
	}
	return append(in,
		benchInput{"chat-12turns-6KiB", benchConversation(12, 400, true)},
		benchInput{"chat-40turns-64KiB", benchConversation(40, 1600, true)},
	)
}

func BenchmarkParseRequest(b *testing.B) {
	for _, in := range requestInputs(b) {
		b.Run(in.name, func(b *testing.B) {
			b.SetBytes(int64(len(in.data)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := ParseRequest(in.data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkFlatten(b *testing.B) {
	for _, in := range requestInputs(b) {
		req, err := ParseRequest(in.data)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(in.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = Flatten(req.Messages)
			}
		})
	}
}

func BenchmarkSendRequest(b *testing.B) {
	for _, size := range []int{1 << 10, 16 << 10} {
		for _, d := range []Dialect{V03, V10} {
			s := Send{Dialect: d, Stream: true, RPCID: "00000000-0000-4000-8000-000000000000",
				MessageID: "00000000-0000-4000-8000-000000000001", Text: benchWords(size),
				Params: []byte(`{"temperature":0.2}`)}
			b.Run(fmt.Sprintf("%s-%dKiB", d, size>>10), func(b *testing.B) {
				b.SetBytes(int64(size))
				b.ReportAllocs()
				for b.Loop() {
					_ = SendRequest(s)
				}
			})
		}
	}
}

// BenchmarkConversationKey is the key of a conversation's earlier turns,
// computed on every multi-turn request.
func BenchmarkConversationKey(b *testing.B) {
	for _, in := range []benchInput{
		{"chat-12turns-6KiB", benchConversation(12, 400, true)},
		{"chat-40turns-64KiB", benchConversation(40, 1600, true)},
	} {
		req, err := ParseRequest(in.data)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(in.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = ConversationKey("user-1", req.Messages)
			}
		})
	}
}
