package transform

import (
	"encoding/json"

	openai "github.com/sashabaranov/go-openai"
)

// Meta is what every object of one answer shares. The caller mints the id
// and reads the clock, so that these functions stay deterministic.
type Meta struct {
	ID      string // "chatcmpl-..."
	Created int64  // Unix seconds
	Model   string // echoed as the caller asked
	Ext     *Ext   // the A2A ids, once known
}

// Ext is the documented extension member "a2a" of chat.completion and
// chat.completion.chunk objects: OpenAI SDKs ignore unknown members, and
// callers who want to continue a task read its ids here.
type Ext struct {
	TaskID    string `json:"task_id,omitempty"`
	ContextID string `json:"context_id,omitempty"`
	State     State  `json:"state,omitempty"`
}

// Usage counts tokens. It is go-openai's type, which writes the member
// names OpenAI clients read.
type Usage = openai.Usage

// The wire shapes below are written by hand rather than with go-openai's
// response structs, because those always emit members OpenAI does not send
// (a content_filter_results block claiming a filter ran, an empty
// system_fingerprint) and cannot write the first delta's "content": "".

type completion struct {
	ID      string   `json:"id"`
	Object  string   `json:"object"`
	Created int64    `json:"created"`
	Model   string   `json:"model"`
	Choices []choice `json:"choices"`
	Usage   Usage    `json:"usage"`
	A2A     *Ext     `json:"a2a,omitempty"`
}

type choice struct {
	Index        int                 `json:"index"`
	Message      answer              `json:"message"`
	Logprobs     *struct{}           `json:"logprobs"`
	FinishReason openai.FinishReason `json:"finish_reason"`
}

type answer struct {
	Role    string  `json:"role"`
	Content string  `json:"content"`
	Refusal *string `json:"refusal"`
}

// Completion returns the chat.completion object for a whole answer.
func Completion(m Meta, content string, u Usage) []byte {
	b, _ := json.Marshal(completion{
		ID: m.ID, Object: "chat.completion", Created: m.Created, Model: m.Model,
		Choices: []choice{{
			Message:      answer{Role: openai.ChatMessageRoleAssistant, Content: content},
			FinishReason: openai.FinishReasonStop,
		}},
		Usage: u,
		A2A:   m.Ext,
	})
	return b
}

type chunk struct {
	ID      string          `json:"id"`
	Object  string          `json:"object"`
	Created int64           `json:"created"`
	Model   string          `json:"model"`
	Choices []chunkChoice   `json:"choices"`
	Usage   json.RawMessage `json:"usage,omitempty"`
	A2A     *Ext            `json:"a2a,omitempty"`
}

type chunkChoice struct {
	Index        int                 `json:"index"`
	Delta        Delta               `json:"delta"`
	Logprobs     *struct{}           `json:"logprobs"`
	FinishReason openai.FinishReason `json:"finish_reason"`
}

// Delta is the change one chunk carries.
type Delta struct {
	Role    string  `json:"role,omitempty"`
	Content *string `json:"content,omitempty"`
}

// RoleDelta is the first delta of every stream.
func RoleDelta() Delta {
	empty := ""
	return Delta{Role: openai.ChatMessageRoleAssistant, Content: &empty}
}

// TextDelta is a delta that adds text.
func TextDelta(s string) Delta { return Delta{Content: &s} }

// Chunk returns one chat.completion.chunk. finish is empty on all but the
// last content chunk. withUsage writes "usage": null, as OpenAI does on every
// chunk when the caller asked for stream_options.include_usage.
func Chunk(m Meta, d Delta, finish openai.FinishReason, withUsage bool) []byte {
	n := 200 + len(m.ID) + len(m.Model)
	if d.Content != nil {
		n += len(*d.Content) + len(*d.Content)/8
	}
	return appendChunk(make([]byte, 0, n), m, d, finish, withUsage)
}

// UsageChunk returns the last chunk of a stream whose caller asked for
// usage: no choices, only the usage.
func UsageChunk(m Meta, u Usage) []byte {
	ub, _ := json.Marshal(u)
	b, _ := json.Marshal(chunk{
		ID: m.ID, Object: "chat.completion.chunk", Created: m.Created, Model: m.Model,
		Choices: []chunkChoice{}, Usage: ub, A2A: m.Ext,
	})
	return b
}
