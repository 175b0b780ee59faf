package transform

import (
	"strconv"

	openai "github.com/sashabaranov/go-openai"

	"github.com/a2a-bridge/a2a-bridge/transform/internal/jsonenc"
)

// The answer objects are written by appending, not through encoding/json's
// reflection: the chunk of every stream event is the bridge's hottest
// encoder, the completion the costliest of a non-stream request. The output
// is byte for byte what encoding/json writes for the structs of
// completion_test.go (TestChunkMatchesJSON, TestCompletionMatchesJSON); the
// strings are written by internal/jsonenc, fuzzed against encoding/json.

// appendHead appends the members every answer object starts with, up to
// the choices.
func appendHead(b []byte, m Meta, object string) []byte {
	b = append(b, `{"id":`...)
	b = jsonenc.AppendString(b, m.ID)
	b = append(append(append(b, `,"object":"`...), object...), `","created":`...)
	b = strconv.AppendInt(b, m.Created, 10)
	b = append(b, `,"model":`...)
	return jsonenc.AppendString(b, m.Model)
}

// appendTail ends every answer object: the a2a member once ids are known.
func appendTail(b []byte, m Meta) []byte {
	if m.Ext != nil {
		b = jsonenc.AppendObject(append(b, `,"a2a":`...),
			jsonenc.Member{Name: "task_id", Value: m.Ext.TaskID}, jsonenc.Member{Name: "context_id", Value: m.Ext.ContextID}, jsonenc.Member{Name: "state", Value: string(m.Ext.State)})
	}
	return append(b, '}')
}

// appendCompletion appends the chat.completion of a whole answer.
func appendCompletion(b []byte, m Meta, content string, u Usage) []byte {
	b = appendHead(b, m, "chat.completion")
	b = append(b, `,"choices":[{"index":0,"message":{"role":"assistant","content":`...)
	b = jsonenc.AppendString(b, content)
	b = append(b, `,"refusal":null},"logprobs":null,"finish_reason":"stop"}],"usage":`...)
	b = appendUsage(b, u)
	return appendTail(b, m)
}

// appendUsageChunk appends the last chunk of a stream whose caller asked
// for usage: no choices, only the usage.
func appendUsageChunk(b []byte, m Meta, u Usage) []byte {
	b = appendHead(b, m, "chat.completion.chunk")
	b = append(b, `,"choices":[],"usage":`...)
	b = appendUsage(b, u)
	return appendTail(b, m)
}

// appendUsage appends u; the token details an agent never reports here
// (the bridge reads only the three counts) go through encoding/json.
func appendUsage(b []byte, u Usage) []byte {
	b = append(b, `{"prompt_tokens":`...)
	b = strconv.AppendInt(b, int64(u.PromptTokens), 10)
	b = append(b, `,"completion_tokens":`...)
	b = strconv.AppendInt(b, int64(u.CompletionTokens), 10)
	b = append(b, `,"total_tokens":`...)
	b = strconv.AppendInt(b, int64(u.TotalTokens), 10)
	b = append(b, `,"prompt_tokens_details":`...)
	b = jsonenc.AppendJSON(b, u.PromptTokensDetails)
	b = append(b, `,"completion_tokens_details":`...)
	b = jsonenc.AppendJSON(b, u.CompletionTokensDetails)
	return append(b, '}')
}

// appendChunk appends one chat.completion.chunk carrying delta d.
func appendChunk(b []byte, m Meta, d Delta, finish openai.FinishReason, withUsage bool) []byte {
	b = appendChunkHead(b, m)
	b = appendDelta(b, d, finish)
	return appendChunkTail(b, m, withUsage)
}

// appendChunkHead appends what starts every chunk of m, up to its delta.
func appendChunkHead(b []byte, m Meta) []byte {
	b = appendHead(b, m, "chat.completion.chunk")
	return append(b, `,"choices":[{"index":0,"delta":{`...)
}

// appendDelta appends the members of a chunk's delta and the rest of its
// choice.
func appendDelta(b []byte, d Delta, finish openai.FinishReason) []byte {
	if d.Role != "" {
		b = append(b, `"role":`...)
		b = jsonenc.AppendString(b, d.Role)
		if d.Content != nil {
			b = append(b, ',')
		}
	}
	if d.Content != nil {
		b = appendContent(b, *d.Content)
	}
	return appendFinish(b, finish)
}

func appendContent(b []byte, text string) []byte {
	return jsonenc.AppendString(append(b, `"content":`...), text)
}

func appendFinish(b []byte, finish openai.FinishReason) []byte {
	b = append(b, `},"logprobs":null,"finish_reason":`...)
	if finish == "" || finish == openai.FinishReasonNull {
		b = append(b, "null"...)
	} else {
		b = jsonenc.AppendString(b, string(finish))
	}
	return append(b, "}]"...)
}

// appendChunkTail appends what ends every chunk of m after its choice.
func appendChunkTail(b []byte, m Meta, withUsage bool) []byte {
	if withUsage {
		b = append(b, `,"usage":null`...)
	}
	return appendTail(b, m)
}
