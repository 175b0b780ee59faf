package stream

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
)

// The micro-benchmarks of the stream path: SSE decoding of recorded and of
// real-sized A2A streams, and frame writing. Results are kept in
// testdata/bench/ for benchstat (see make bench).

// benchSSE is an A2A 0.3 message/stream body in a2a-go's shape (an id:
// line before every data line): submitted task echoing a prompt of
// promptBytes, working, the answer in chunks, completed.
func benchSSE(promptBytes, answerBytes, chunks int) []byte {
	const words = "The quick brown fox answers the bridge in a few plain words, and then some more. "
	text := func(n int) string { return strings.Repeat(words, n/len(words)+1)[:n] }
	answer := text(answerBytes)
	const ids = `"taskId":"0f5a9c6e-8d7b-4c3a-9e2f-1a2b3c4d5e6f","contextId":"1f5a9c6e-8d7b-4c3a-9e2f-1a2b3c4d5e6f"`
	var b bytes.Buffer
	n := 0
	frame := func(result string) {
		n++
		fmt.Fprintf(&b, "id: 4b43a673-e3a9-44dd-8859-%012d\ndata: {\"jsonrpc\":\"2.0\",\"id\":\"s1\",\"result\":%s}\n\n", n, result)
	}
	frame(fmt.Sprintf(`{"kind":"task","id":"0f5a9c6e-8d7b-4c3a-9e2f-1a2b3c4d5e6f","contextId":"1f5a9c6e-8d7b-4c3a-9e2f-1a2b3c4d5e6f",`+
		`"history":[{"kind":"message","messageId":"m1","parts":[{"kind":"text","text":%q}],"role":"user"}],"status":{"state":"submitted"}}`,
		text(promptBytes)))
	frame(`{"kind":"status-update",` + ids + `,"final":false,"status":{"state":"working"}}`)
	for i := range chunks {
		frame(fmt.Sprintf(`{"kind":"artifact-update",%s,"append":%t,"lastChunk":%t,"artifact":{"artifactId":"a1","parts":[{"kind":"text","text":%q}]}}`,
			ids, i > 0, i == chunks-1, answer[i*len(answer)/chunks:(i+1)*len(answer)/chunks]))
	}
	frame(`{"kind":"status-update",` + ids + `,"final":true,"status":{"state":"completed"}}`)
	return b.Bytes()
}

type benchInput struct {
	name string
	data []byte
}

// sseInputs are the golden and recorded streams, and real-sized ones.
func sseInputs(b *testing.B) []benchInput {
	var in []benchInput
	for _, name := range []string{"a2a-go-0.3-stream", "a2a-js-0.3-snapshot", "a2a-1.0-stream"} {
		data, ok := readArchive(b, "../testdata/golden/sse/"+name+".txtar").get("a2a.stream.sse")
		if !ok {
			b.Fatalf("%s: no a2a.stream.sse", name)
		}
		in = append(in, benchInput{"golden-" + name, data})
	}
	if data, err := os.ReadFile("../testdata/recordings/js03/default.stream.sse"); err == nil {
		in = append(in, benchInput{"recorded-js03-default", data})
	}
	for _, tc := range []struct{ answer, chunks int }{{1 << 10, 32}, {4 << 10, 256}, {16 << 10, 512}} {
		name := fmt.Sprintf("a2a-go-shape-%dKiB-%dchunks", tc.answer>>10, tc.chunks)
		in = append(in, benchInput{name, benchSSE(1<<10, tc.answer, tc.chunks)})
	}
	return in
}

// BenchmarkEvents decodes one whole stream per op, from memory.
func BenchmarkEvents(b *testing.B) {
	for _, in := range sseInputs(b) {
		b.Run(in.name, func(b *testing.B) {
			b.SetBytes(int64(len(in.data)))
			b.ReportAllocs()
			r := bytes.NewReader(in.data)
			for b.Loop() {
				r.Reset(in.data)
				n := 0
				for _, err := range Events(r, 4<<20) {
					if err != nil {
						b.Fatal(err)
					}
					n++
				}
				if n == 0 {
					b.Fatal("no event")
				}
			}
		})
	}
}

// BenchmarkWriterData writes one chat.completion.chunk frame per op.
func BenchmarkWriterData(b *testing.B) {
	chunk := []byte(`{"id":"chatcmpl-0f5a9c6e8d7b4c3a9e2f1a2b3c4d5e6f","object":"chat.completion.chunk","created":1795522326,` +
		`"model":"a2a/bench","choices":[{"index":0,"delta":{"content":"The quick brown fox answers the b"},"logprobs":null,` +
		`"finish_reason":null}],"a2a":{"task_id":"0f5a9c6e-8d7b-4c3a-9e2f-1a2b3c4d5e6f","context_id":"1f5a9c6e-8d7b-4c3a-9e2f-1a2b3c4d5e6f","state":"working"}}`)
	w := NewWriter(io.Discard)
	b.SetBytes(int64(len(chunk)))
	b.ReportAllocs()
	for b.Loop() {
		if err := w.Data(chunk); err != nil {
			b.Fatal(err)
		}
	}
}
