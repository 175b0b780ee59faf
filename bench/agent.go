package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/tidwall/gjson"
)

// agent is a fast hand-written A2A 0.3 JSON-RPC agent with a fixed answer:
// message/send returns a completed Task, message/stream sends the task
// (submitted), a working status, the answer in artifact-update chunks (the
// first new, then append, lastChunk on the last) and a final completed
// status, each event flushed at once, as the SDKs' agents do.
//
// Under /hold it streams the first three events and then holds the stream
// open until the caller goes: the idle stream of the memory measurement.
// Its frames are appended into pooled buffers, so that the agent, which
// shares the CPU with the hop under test, costs as little as it can.
type agent struct {
	answer  []byte   // the answer, JSON-escaped, without quotes
	chunks  [][]byte // its stream chunks, JSON-escaped
	history bool     // echo the user message in the task's history
	seq     atomic.Uint64
	bufs    sync.Pool
	// recorded holds the first request body of each method, so that the
	// proxy hop can be sent exactly what the bridge sent (GET /recorded/send,
	// /recorded/stream; /recorded/hold-stream for the first held one).
	recorded sync.Map
}

func newAgent(o options) *agent {
	a := &agent{answer: jsonText(answerText(o.answerBytes)), history: o.history}
	for _, c := range chunkTexts(answerText(o.answerBytes), o.chunks) {
		a.chunks = append(a.chunks, jsonText(c))
	}
	a.bufs.New = func() any { b := make([]byte, 0, 4096); return &b }
	return a
}

// answerText is the agent's answer: n bytes of plain words, the same in
// the agent and in the parent that checks it.
func answerText(n int) string {
	const words = "The bridge turns this answer into chat completion chunks without showing any of it twice. "
	return strings.Repeat(words, n/len(words)+1)[:n]
}

// chunkTexts splits s into n pieces of nearly equal size.
func chunkTexts(s string, n int) []string {
	out := make([]string, 0, n)
	for i := range n {
		out = append(out, s[i*len(s)/n:(i+1)*len(s)/n])
	}
	return out
}

func jsonText(s string) []byte {
	b, _ := json.Marshal(s)
	return b[1 : len(b)-1]
}

func (a *agent) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	const cardPath = "/.well-known/agent-card.json"
	switch {
	case r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, cardPath):
		a.card(w, r, strings.TrimSuffix(r.URL.Path, cardPath))
	case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/recorded/"):
		if b, ok := a.recorded.Load(strings.TrimPrefix(r.URL.Path, "/recorded/")); ok {
			_, _ = w.Write(b.([]byte))
			return
		}
		http.NotFound(w, r)
	case r.Method == http.MethodPost && (r.URL.Path == "/" || r.URL.Path == "/hold"):
		a.rpc(w, r, r.URL.Path == "/hold")
	default:
		http.NotFound(w, r)
	}
}

func (a *agent) card(w http.ResponseWriter, r *http.Request, base string) {
	if base == "" {
		base = "/"
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"name": "bench", "description": "a2a-bridge benchmark agent", "protocolVersion": "0.3.0",
		"version": "1.0.0", "url": "http://" + r.Host + base, "preferredTransport": "JSONRPC",
		"capabilities": map[string]bool{"streaming": true}, "skills": []any{},
		"defaultInputModes": []string{"text/plain"}, "defaultOutputModes": []string{"text/plain"},
	})
}

// call is what one JSON-RPC request says: its id (raw JSON) and the ids of
// the task it opens.
type call struct {
	id      string
	message string // the raw message object, for the history
	n       []byte // the task's sequence number, as text
}

func (a *agent) rpc(w http.ResponseWriter, r *http.Request, hold bool) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 16<<20))
	if err != nil {
		return
	}
	res := gjson.GetManyBytes(body, "id", "method", "params.message")
	c := call{id: res[0].Raw, message: res[2].Raw, n: strconv.AppendUint(nil, a.seq.Add(1), 10)}
	if c.id == "" {
		c.id = "null"
	}
	kind := strings.TrimPrefix(res[1].Str, "message/")
	if hold {
		kind = "hold-" + kind // the idle proxy streams replay the bridge's held one
	}
	if _, ok := a.recorded.Load(kind); !ok {
		a.recorded.LoadOrStore(kind, bytes.Clone(body))
	}
	bp := a.bufs.Get().(*[]byte)
	defer a.bufs.Put(bp)
	switch res[1].Str {
	case "message/send":
		*bp = a.task(c, (*bp)[:0])
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(len(*bp)))
		_, _ = w.Write(*bp)
	case "message/stream":
		a.stream(w, r, c, bp, hold)
	default:
		http.Error(w, `{"jsonrpc":"2.0","id":null,"error":{"code":-32601,"message":"method not found"}}`, http.StatusOK)
	}
}

// stream writes the events of one task, each as one flushed SSE frame.
func (a *agent) stream(w http.ResponseWriter, r *http.Request, c call, bp *[]byte, hold bool) {
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	send := func(event func([]byte) []byte) bool {
		b := append((*bp)[:0], "data: "...)
		b = append(event(b), "\n\n"...)
		*bp = b
		_, err := w.Write(b)
		return err == nil && rc.Flush() == nil
	}
	if !send(func(b []byte) []byte { return a.submitted(c, b) }) ||
		!send(func(b []byte) []byte { return a.status(c, b, "working", false) }) {
		return
	}
	for i := range a.chunks {
		if !send(func(b []byte) []byte { return a.chunk(c, b, i) }) {
			return
		}
		if hold {
			<-r.Context().Done() // the caller, or the server closing, ends it
			return
		}
	}
	send(func(b []byte) []byte { return a.status(c, b, "completed", true) })
}

func (a *agent) head(c call, b []byte) []byte {
	b = append(b, `{"jsonrpc":"2.0","id":`...)
	b = append(b, c.id...)
	return append(b, `,"result":`...)
}

func (a *agent) ids(c call, b []byte, taskMember string) []byte {
	b = append(b, `"`+taskMember+`":"task-`...)
	b = append(b, c.n...)
	b = append(b, `","contextId":"ctx-`...)
	b = append(b, c.n...)
	return append(b, '"')
}

// task is the completed Task of message/send.
func (a *agent) task(c call, b []byte) []byte {
	b = append(a.head(c, b), `{"kind":"task",`...)
	b = a.ids(c, b, "id")
	if a.history && c.message != "" {
		b = append(b, `,"history":[`...)
		b = append(b, c.message...)
		b = append(b, ']')
	}
	b = append(b, `,"status":{"state":"completed"},"artifacts":[{"artifactId":"answer","parts":[{"kind":"text","text":"`...)
	b = append(b, a.answer...)
	return append(b, `"}]}]}}`...)
}

func (a *agent) submitted(c call, b []byte) []byte {
	b = append(a.head(c, b), `{"kind":"task",`...)
	b = a.ids(c, b, "id")
	if a.history && c.message != "" {
		b = append(b, `,"history":[`...)
		b = append(b, c.message...)
		b = append(b, ']')
	}
	return append(b, `,"status":{"state":"submitted"}}}`...)
}

func (a *agent) status(c call, b []byte, state string, final bool) []byte {
	b = append(a.head(c, b), `{"kind":"status-update",`...)
	b = a.ids(c, b, "taskId")
	b = append(b, `,"final":`...)
	b = strconv.AppendBool(b, final)
	b = append(b, `,"status":{"state":"`...)
	b = append(b, state...)
	return append(b, `"}}}`...)
}

func (a *agent) chunk(c call, b []byte, i int) []byte {
	b = append(a.head(c, b), `{"kind":"artifact-update",`...)
	b = a.ids(c, b, "taskId")
	b = append(b, `,"append":`...)
	b = strconv.AppendBool(b, i > 0)
	b = append(b, `,"lastChunk":`...)
	b = strconv.AppendBool(b, i == len(a.chunks)-1)
	b = append(b, `,"artifact":{"artifactId":"answer","parts":[{"kind":"text","text":"`...)
	b = append(b, a.chunks[i]...)
	return append(b, `"}]}}}`...)
}
