package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// target is what the load generator sends to one hop and how it knows a
// good answer: the same conversation, as an OpenAI request to the bridge
// and as the A2A JSON-RPC request the bridge would send to the proxy.
type target struct {
	hop     string // "proxy" or "bridge"
	name    string // the scenario, when not "send" or "stream" (the Responses API's)
	url     string
	body    []byte
	stream  bool
	content func(data []byte) bool // an SSE data frame that carries answer text
	done    func(data []byte) bool // the data frame that ends a good stream
	ok      func(body []byte) bool // a good non-stream answer
	auth    string                 // the Authorization header, when the hop wants a key
	ops     bool                   // sent to the bridge with the operations on
	state   string                 // sent to the context-mode bridge on "memory" or "redis" (shared.go)
}

func (t target) scenario() string {
	if t.name != "" {
		return t.name
	}
	if t.stream {
		return "stream"
	}
	return "send"
}

const systemPrompt = "You are the a2a-bridge benchmark agent. Answer briefly."

// promptText is the user message: n bytes of plain words.
func promptText(n int) string {
	const words = "Please summarise what an A2A bridge does for an OpenAI client in a few words. "
	return strings.Repeat(words, n/len(words)+1)[:n]
}

func bridgeTarget(url string, stream bool, o options) target {
	body, _ := json.Marshal(map[string]any{
		"model": benchModel, "stream": stream,
		"messages": []map[string]string{
			{"role": "system", "content": systemPrompt},
			{"role": "user", "content": promptText(o.promptBytes)},
		},
	})
	return target{
		hop: "bridge", url: url + "/v1/chat/completions", body: body, stream: stream,
		content: func(d []byte) bool {
			i := bytes.Index(d, []byte(`"content":"`))
			return i >= 0 && i+11 < len(d) && d[i+11] != '"'
		},
		done: func(d []byte) bool { return string(d) == "[DONE]" },
		ok:   func(b []byte) bool { return bytes.Contains(b, []byte(`"finish_reason":"stop"`)) },
	}
}

// responsesTarget is bridgeTarget on POST /v1/responses: the same
// conversation (instructions as the system turn), so the agent receives
// the very bytes it does for the chat path.
func responsesTarget(url string, stream bool, o options) target {
	body, _ := json.Marshal(map[string]any{
		"model": benchModel, "stream": stream, "instructions": systemPrompt, "input": promptText(o.promptBytes),
	})
	name := "responses-send"
	if stream {
		name = "responses-stream"
	}
	return target{
		hop: "bridge", name: name, url: url + "/v1/responses", body: body, stream: stream,
		content: func(d []byte) bool {
			i := bytes.Index(d, []byte(`"delta":"`))
			return i >= 0 && i+9 < len(d) && d[i+9] != '"'
		},
		done: func(d []byte) bool { return bytes.Contains(d, []byte(`"type":"response.completed"`)) },
		ok:   func(b []byte) bool { return bytes.Contains(b, []byte(`"status":"completed"`)) },
	}
}

// gatewayTarget is the A2A gateway, POST /a2a/{agent}: an A2A 0.3 client's
// own message/send or message/stream, which the gateway passes through to
// the agent (of the same dialect) as it came. Its proxy twin is sent the
// very same bytes (gatewayProxyTarget), so the two hops differ only by
// what the gateway does: keys, ownership, limits, the JSON-RPC relay.
func gatewayTarget(url string, stream bool, o options) target {
	t := proxyTarget(url, gatewayBody(stream, o), stream)
	t.hop, t.url, t.name = "bridge", url+"/a2a/"+strings.TrimPrefix(benchModel, "a2a/"), "gateway-send"
	if stream {
		t.name = "gateway-stream"
	}
	return t
}

// gateway10Target is gatewayTarget for an A2A 1.0 caller (SendMessage,
// SendStreamingMessage) in front of the bench agent, which speaks 0.3: the
// gateway translates the request and every answer and event. Its proxy
// twin is sent the 0.3 request (gatewayBody), the same work for the agent.
func gateway10Target(url string, stream bool, o options) target {
	method := "SendMessage"
	if stream {
		method = "SendStreamingMessage"
	}
	body, _ := json.Marshal(map[string]any{
		"jsonrpc": "2.0", "id": 1, "method": method,
		"params": map[string]any{
			"message": map[string]any{
				"role": "ROLE_USER", "messageId": "bench-gateway",
				"parts": []map[string]string{{"text": promptText(o.promptBytes)}},
			},
			"configuration": map[string]any{"acceptedOutputModes": []string{"text/plain"}},
		},
	})
	t := target{
		hop: "bridge", url: url + "/a2a/" + strings.TrimPrefix(benchModel, "a2a/"), body: body, stream: stream,
		name:    "gateway10-send",
		content: func(d []byte) bool { return bytes.Contains(d, []byte(`"artifactUpdate"`)) },
		done:    func(d []byte) bool { return bytes.Contains(d, []byte(`"TASK_STATE_COMPLETED"`)) },
		ok:      func(b []byte) bool { return bytes.Contains(b, []byte(`"TASK_STATE_COMPLETED"`)) },
	}
	if stream {
		t.name = "gateway10-stream"
	}
	return t
}

// gatewayBody is the JSON-RPC request of gatewayTarget: the user turn as
// an A2A 0.3 client sends it.
func gatewayBody(stream bool, o options) []byte {
	method := "message/send"
	if stream {
		method = "message/stream"
	}
	body, _ := json.Marshal(map[string]any{
		"jsonrpc": "2.0", "id": 1, "method": method,
		"params": map[string]any{
			"message": map[string]any{
				"kind": "message", "role": "user", "messageId": "bench-gateway",
				"parts": []map[string]string{{"kind": "text", "text": promptText(o.promptBytes)}},
			},
			"configuration": map[string]any{"acceptedOutputModes": []string{"text/plain"}, "blocking": true},
		},
	})
	return body
}

// proxyTarget sends, through the proxy, the very bytes the bridge sent
// upstream for the same conversation (recorded by the agent), so that the
// agent does the same work behind both hops.
func proxyTarget(url string, body []byte, stream bool) target {
	return target{
		hop: "proxy", url: url + "/", body: body, stream: stream,
		content: func(d []byte) bool { return bytes.Contains(d, []byte(`"kind":"artifact-update"`)) },
		done:    func(d []byte) bool { return bytes.Contains(d, []byte(`"final":true`)) },
		ok:      func(b []byte) bool { return bytes.Contains(b, []byte(`"state":"completed"`)) },
	}
}

// answerOf decodes a whole answer of t, for the check before the load: the
// text the client would show.
func answerOf(t target, body []byte) (string, error) {
	if !t.stream {
		return answerOfJSON(t.hop, body)
	}
	var text strings.Builder
	for _, line := range strings.Split(string(body), "\n") {
		data, ok := strings.CutPrefix(line, "data: ")
		if !ok || data == "[DONE]" {
			continue
		}
		s, err := answerOfJSON(t.hop, []byte(data))
		if err != nil {
			return "", err
		}
		text.WriteString(s)
	}
	return text.String(), nil
}

func answerOfJSON(hop string, b []byte) (string, error) {
	var v struct {
		Choices []struct {
			Message struct{ Content string } `json:"message"`
			Delta   struct{ Content string } `json:"delta"`
		} `json:"choices"`
		// The Responses API: a text delta event, or a whole response.
		Type   string                                      `json:"type"`
		Delta  any                                         `json:"delta"`
		Output []struct{ Content []struct{ Text string } } `json:"output"`
		Result struct {
			Kind      string `json:"kind"`
			Artifact  struct{ Parts []struct{ Text string } }
			Artifacts []struct{ Parts []struct{ Text string } }
			// A2A 1.0's wrappers (the gateway10-* scenarios).
			Task struct {
				Artifacts []struct{ Parts []struct{ Text string } }
			} `json:"task"`
			ArtifactUpdate struct {
				Artifact struct{ Parts []struct{ Text string } }
			} `json:"artifactUpdate"`
		} `json:"result"`
		Error json.RawMessage `json:"error"`
	}
	if err := json.Unmarshal(b, &v); err != nil || v.Error != nil && string(v.Error) != "null" {
		return "", fmt.Errorf("%s answered %.200s", hop, b)
	}
	var s strings.Builder
	for _, c := range v.Choices {
		s.WriteString(c.Message.Content + c.Delta.Content)
	}
	if d, ok := v.Delta.(string); ok && v.Type == "response.output_text.delta" {
		s.WriteString(d)
	}
	for _, o := range v.Output {
		for _, c := range o.Content {
			s.WriteString(c.Text)
		}
	}
	for _, p := range v.Result.Artifact.Parts {
		s.WriteString(p.Text)
	}
	for _, a := range append(v.Result.Artifacts, v.Result.Task.Artifacts...) {
		for _, p := range a.Parts {
			s.WriteString(p.Text)
		}
	}
	for _, p := range v.Result.ArtifactUpdate.Artifact.Parts {
		s.WriteString(p.Text)
	}
	return s.String(), nil
}
