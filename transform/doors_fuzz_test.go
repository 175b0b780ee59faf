package transform

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The parsers the later front doors added take outside input too: a
// Responses request from any caller, an agent's card for the gateway.

// FuzzParseResponses: no body panics ParseResponses; a refusal is one of
// the request errors the bridge renders; an accepted request names an
// agent and turns into a valid A2A request.
func FuzzParseResponses(f *testing.F) {
	for _, s := range []string{
		`{"model":"a2a/x","input":"hi"}`,
		`{"model":"a2a/x","instructions":"Be terse.","input":[{"type":"message","role":"user","content":[{"type":"input_text","text":"hi"}]}]}`,
		`{"model":"a2a/x","input":[{"type":"function_call_output","call_id":"c1","output":"42"}],"previous_response_id":"resp_1","store":false}`,
		`{"model":"a2a/x","input":"hi","tools":[{"type":"function","name":"f"}],"text":{"format":{"type":"json_object"}}}`,
		`{"model":"a2a/x","input":"hi","metadata":{"k":"v"},"temperature":0.2,"max_output_tokens":5,"user":"u"}`,
		`{"model":"a2a/x","input":"hi","metadata":` + nested("[", MaxDepth+1, "1") + `}`,
		`{"model":"a2a/x","model":"a2a/y","input":"hi"}`,
		`{"model":"a2a/x","input":[{"type":"message","role":"user","content":[{"type":"input_image","image_url":"data:image/png;base64,AAAA"}]}]}`,
		`{"model":"a2a/x","input":[{"role":"user","content":"hi"},{"type":"item_reference","id":"msg_1"},{"id":"msg_2"},{"type":null,"id":"msg_3"}]}`,
		`{"model":"a2a/x","input":"hi","metadata":{ "k" : "<v>\u2028" }}`,
		`[]`, `"x"`, `{`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		req, err := ParseResponses(body)
		if err != nil {
			checkRequestError(t, body, err)
			return
		}
		if !strings.HasPrefix(req.Model, ModelPrefix) || req.Agent == "" {
			t.Fatalf("ParseResponses(%q) = Model %q Agent %q, want a2a/ and an agent", body, req.Model, req.Agent)
		}
		checkSendRequestValid(t, req.Request)
		for _, ref := range req.Refs {
			if ref.at >= len(req.Messages) || req.Messages[ref.at].Role != "assistant" || ref.ID == "" {
				t.Fatalf("ParseResponses(%q): ref %+v holds no assistant turn of %d messages", body, ref, len(req.Messages))
			}
		}
		if req.Metadata != nil && (!json.Valid(req.Metadata) || strings.ContainsAny(string(req.Metadata), "\n\r")) {
			t.Fatalf("ParseResponses(%q): metadata %q is not one line of JSON", body, req.Metadata)
		}
	})
}

// FuzzMergeCard: whatever an agent serves as its card, MergeCard never
// panics, and what it answers is a JSON object that names the gateway.
func FuzzMergeCard(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join(goldenDir, "gatewaycard", "*.txtar"))
	for _, path := range files {
		b, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		if card, ok := parseArchive(b).get("agent.card.json"); ok {
			f.Add(card, false, false)
		}
	}
	f.Add([]byte(`{"url":"http://agent.internal:9/rpc","additionalInterfaces":[{"url":"http://x"}],"signatures":[{}]}`), true, true)
	f.Add([]byte(nested("{", MaxDepth+1, "1")), false, true)
	f.Add([]byte(`[]`), false, false)
	f.Fuzz(func(t *testing.T, raw []byte, keys, v10 bool) {
		out, err := MergeCard(raw, GatewayCard{Base: "http://gw.test", Agent: "a", Keys: keys, V10: v10})
		if err != nil {
			return
		}
		var card map[string]any
		if err := json.Unmarshal(out, &card); err != nil {
			t.Fatalf("MergeCard(%q) = %q, not a JSON object: %v", raw, out, err)
		}
		if card["url"] != "http://gw.test/a2a/a" {
			t.Fatalf("MergeCard(%q) url = %v, want the gateway's", raw, card["url"])
		}
	})
}
