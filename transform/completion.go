package transform

import (
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

// The objects below are written by appending (completion_append.go) rather than with
// go-openai's response structs, because those always emit members OpenAI
// does not send (a content_filter_results block claiming a filter ran, an
// empty system_fingerprint) and cannot write the first delta's
// "content": "".

// Completion returns the chat.completion object for a whole answer.
func Completion(m Meta, content string, u Usage) []byte {
	return appendCompletion(make([]byte, 0, sizeFor(m, content)), m, content, u)
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
	var text string
	if d.Content != nil {
		text = *d.Content
	}
	return appendChunk(make([]byte, 0, sizeFor(m, text)), m, d, finish, withUsage)
}

// AppendChunk appends the chunk Chunk returns to b.
func AppendChunk(b []byte, m Meta, d Delta, finish openai.FinishReason, withUsage bool) []byte {
	return appendChunk(b, m, d, finish, withUsage)
}

// Chunks encodes the chunks of one stream answer, as AppendChunk does.
// Every chunk repeats the answer's id, created time and model, and the a2a
// ids once known: Chunks encodes those once, and the ids again only when
// they change, where AppendChunk encodes all of it for every chunk.
type Chunks struct {
	m         Meta // Ext is given to each Append
	withUsage bool
	head      []byte // up to the delta's members
	tail      []byte // after the choice: usage null, the a2a member, '}'
	ext       Ext    // the ids tail was encoded with
	hasExt    bool
}

// NewChunks returns the encoder of the chunks of m (m.Ext is ignored).
// withUsage is as for Chunk.
func NewChunks(m Meta, withUsage bool) *Chunks {
	m.Ext = nil
	c := &Chunks{m: m, withUsage: withUsage}
	// The head and the tail share one buffer, with room for a tail with
	// ids (rebuilt in place when they change): encoded from nil, they grew
	// an allocation at a time.
	head := appendChunkHead(make([]byte, 0, chunkEnds+len(m.ID)+len(m.Model)), m)
	n := len(head)
	c.head = head[:n:n] // appending to it can never reach the tail
	c.tail = appendChunkTail(head[n:n], m, withUsage)
	return c
}

// chunkEnds is room for the constant bytes of a chunk's head, and of its
// tail with two UUIDs for ids and a state.
const chunkEnds = 320

// Append appends the chunk AppendChunk appends for Meta{..., Ext: ext}.
func (c *Chunks) Append(b []byte, ext *Ext, d Delta, finish openai.FinishReason) []byte {
	b = appendDelta(append(b, c.head...), d, finish)
	return append(b, c.tailFor(ext)...)
}

// AppendText appends the chunk of TextDelta(text), without its pointer.
func (c *Chunks) AppendText(b []byte, ext *Ext, text string) []byte {
	b = appendFinish(appendContent(append(b, c.head...), text), "")
	return append(b, c.tailFor(ext)...)
}

// tailFor returns the encoded end of a chunk with the ids of ext.
func (c *Chunks) tailFor(ext *Ext) []byte {
	switch {
	case ext == nil && !c.hasExt, ext != nil && c.hasExt && *ext == c.ext:
		return c.tail
	}
	m := c.m
	m.Ext = ext
	c.tail = appendChunkTail(c.tail[:0], m, c.withUsage)
	c.hasExt = ext != nil
	if ext != nil {
		c.ext = *ext
	}
	return c.tail
}

// UsageChunk returns the last chunk of a stream whose caller asked for
// usage: no choices, only the usage.
func UsageChunk(m Meta, u Usage) []byte {
	return appendUsageChunk(make([]byte, 0, sizeFor(m, "")), m, u)
}

// sizeFor is a buffer size that holds any answer object of m carrying text
// (an eighth more for escapes), so that encoding it is one allocation.
func sizeFor(m Meta, text string) int {
	n := 448 + len(m.ID) + len(m.Model) + len(text) + len(text)/8
	if m.Ext != nil {
		n += len(m.Ext.TaskID) + len(m.Ext.ContextID)
	}
	return n
}
