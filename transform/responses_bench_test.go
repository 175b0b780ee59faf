package transform

import "testing"

// BenchmarkParseResponses reads the request of the bridge's
// BenchmarkResponses, and one with instructions, parameters and items.
func BenchmarkParseResponses(b *testing.B) {
	for _, bc := range []struct{ name, body string }{
		{"string", `{"model":"a2a/a","input":"hello there, how are you today?","stream":true}`},
		{"items", `{"model":"a2a/a","instructions":"Be terse.","temperature":0.2,"max_output_tokens":64,"user":"u1",` +
			`"metadata":{"k":"v"},"store":false,"previous_response_id":"resp_1","input":[{"role":"user","content":"hi"},` +
			`{"type":"message","role":"assistant","content":[{"type":"output_text","text":"hello"}]},{"role":"user","content":"how are you?"}]}`},
	} {
		body := []byte(bc.body)
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := ParseResponses(body); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkParseResponsesRef is BenchmarkParseResponses with the reader
// of a Get per member, for comparison.
func BenchmarkParseResponsesRef(b *testing.B) {
	body := []byte(`{"model":"a2a/a","input":"hello there, how are you today?","stream":true}`)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := parseResponsesRef(body); err != nil {
			b.Fatal(err)
		}
	}
}
