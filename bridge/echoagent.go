package bridge

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/a2a-bridge/a2a-bridge/bridge/upstream"
	"github.com/a2a-bridge/a2a-bridge/stream"
	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
	"github.com/tidwall/gjson"
)

// echoAgent is the built-in demo agent, served when no agent is configured:
// a small but real A2A 0.3 JSON-RPC agent that answers with the last user
// text of the conversation it receives, word by word when streamed. It lets
// `make run` and one curl work on a fresh machine, through the whole bridge.
type echoAgent struct {
	maxBody int64 // the largest request it reads
}

// maxDemoEvents bounds the text events of one demo stream: one event per
// word (~270 bytes each) made a 1 MB text of short words 136 MB of stream.
const maxDemoEvents = 32

func (echoAgent) card(c echo.Context) error {
	base := "http://" + clip(c.Request().Host, maxName) + demoPath
	return c.JSON(http.StatusOK, map[string]any{
		"name":               "echo",
		"description":        "a2a-bridge's built-in demo agent: it answers with your last message.",
		"protocolVersion":    "0.3.0",
		"version":            "1.0.0",
		"url":                base,
		"preferredTransport": "JSONRPC",
		"provider":           map[string]string{"organization": "a2a-bridge", "url": "https://github.com/a2a-bridge/a2a-bridge"},
		"capabilities":       map[string]bool{"streaming": true},
		"defaultInputModes":  []string{"text/plain"},
		"defaultOutputModes": []string{"text/plain"},
		"skills": []map[string]any{{"id": "echo", "name": "echo",
			"description": "answers with the last user message", "tags": []string{"demo"}}},
	})
}

// rpc serves message/send and message/stream.
func (a echoAgent) rpc(c echo.Context) error {
	var req struct {
		ID     json.RawMessage `json:"id"`
		Method string          `json:"method"`
		Params json.RawMessage `json:"params"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(c.Response(), c.Request().Body, a.maxBody)).Decode(&req); err != nil {
		return c.JSON(http.StatusOK, rpcErrorBody(nil, upstream.CodeParse, "parse error"))
	}
	var text strings.Builder
	gjson.GetBytes(req.Params, "message.parts").ForEach(func(_, p gjson.Result) bool {
		text.WriteString(p.Get("text").String())
		return true
	})
	answer := lastUserText(text.String())
	task := echoTask{id: uuid.NewString(), ctx: uuid.NewString()}
	switch req.Method {
	case "message/send":
		return c.JSON(http.StatusOK, rpcResult(req.ID, task.completed(answer)))
	case "message/stream":
		stream.SetHeaders(c.Response().Header())
		c.Response().WriteHeader(http.StatusOK)
		w := stream.NewWriter(c.Response())
		for _, ev := range task.events(answer) {
			b, _ := json.Marshal(rpcResult(req.ID, ev))
			if err := w.Data(b); err != nil {
				return nil // the caller went away
			}
		}
		return nil
	}
	return c.JSON(http.StatusOK, rpcErrorBody(req.ID, upstream.CodeMethodNotFound, "method not found: "+clip(req.Method, maxName)))
}

// lastUserText picks the last "user:" block of a flattened conversation;
// a text that is not one is answered whole.
func lastUserText(flat string) string {
	if strings.HasPrefix(flat, "user: ") && !strings.Contains(flat, "\nuser: ") {
		return strings.TrimPrefix(flat, "user: ")
	}
	if i := strings.LastIndex(flat, "\nuser: "); i >= 0 {
		return flat[i+len("\nuser: "):]
	}
	return flat
}

type echoTask struct{ id, ctx string }

func (t echoTask) completed(answer string) map[string]any {
	return map[string]any{"kind": "task", "id": t.id, "contextId": t.ctx,
		"status":    map[string]any{"state": "completed"},
		"artifacts": []any{map[string]any{"artifactId": "answer", "parts": []any{textPart(answer)}}}}
}

// events is the stream of a task that answers word by word, or, for a long
// answer, in at most maxDemoEvents runs of words.
func (t echoTask) events(answer string) []map[string]any {
	evs := []map[string]any{
		{"kind": "task", "id": t.id, "contextId": t.ctx, "status": map[string]any{"state": "submitted"}},
		t.status("working", false),
	}
	words := pieces(answer, maxDemoEvents)
	for i, w := range words {
		evs = append(evs, map[string]any{"kind": "artifact-update", "taskId": t.id, "contextId": t.ctx,
			"append": i > 0, "lastChunk": i == len(words)-1,
			"artifact": map[string]any{"artifactId": "answer", "parts": []any{textPart(w)}}})
	}
	return append(evs, t.status("completed", true))
}

// pieces splits s after its spaces into at most n pieces: word by word when
// it has no more than n words, else in runs of words of about len(s)/n bytes.
func pieces(s string, n int) []string {
	words := strings.SplitAfter(s, " ")
	if len(words) <= n {
		return words
	}
	size := (len(s) + n - 1) / n
	var out []string
	start, end := 0, 0
	for _, w := range words {
		if end += len(w); end-start >= size {
			out = append(out, s[start:end])
			start = end
		}
	}
	if start < len(s) {
		out = append(out, s[start:])
	}
	return out
}

func (t echoTask) status(state string, final bool) map[string]any {
	return map[string]any{"kind": "status-update", "taskId": t.id, "contextId": t.ctx,
		"status": map[string]any{"state": state}, "final": final}
}

func textPart(s string) map[string]any { return map[string]any{"kind": "text", "text": s} }

func rpcResult(id json.RawMessage, result any) map[string]any {
	return map[string]any{"jsonrpc": "2.0", "id": id, "result": result}
}

func rpcErrorBody(id json.RawMessage, code int64, msg string) map[string]any {
	return map[string]any{"jsonrpc": "2.0", "id": id, "error": map[string]any{"code": code, "message": msg}}
}
