package transform

import (
	"encoding/json"
	"strconv"
	"unicode/utf8"

	openai "github.com/sashabaranov/go-openai"
)

// The answer objects are written by appending, not through encoding/json's
// reflection: the chunk of every stream event is the bridge's hottest
// encoder, the completion the costliest of a non-stream request. The output
// is byte for byte what encoding/json writes for the structs of
// completion_test.go (TestChunkMatchesJSON, TestCompletionMatchesJSON,
// FuzzAppendString).

// appendHead appends the members every answer object starts with, up to
// the choices.
func appendHead(b []byte, m Meta, object string) []byte {
	b = append(b, `{"id":`...)
	b = appendString(b, m.ID)
	b = append(append(append(b, `,"object":"`...), object...), `","created":`...)
	b = strconv.AppendInt(b, m.Created, 10)
	b = append(b, `,"model":`...)
	return appendString(b, m.Model)
}

// appendTail ends every answer object: the a2a member once ids are known.
func appendTail(b []byte, m Meta) []byte {
	if m.Ext != nil {
		b = appendObject(append(b, `,"a2a":`...),
			jsonMember{"task_id", m.Ext.TaskID}, jsonMember{"context_id", m.Ext.ContextID}, jsonMember{"state", string(m.Ext.State)})
	}
	return append(b, '}')
}

// appendCompletion appends the chat.completion of a whole answer.
func appendCompletion(b []byte, m Meta, content string, u Usage) []byte {
	b = appendHead(b, m, "chat.completion")
	b = append(b, `,"choices":[{"index":0,"message":{"role":"assistant","content":`...)
	b = appendString(b, content)
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
	b = appendJSON(b, u.PromptTokensDetails)
	b = append(b, `,"completion_tokens_details":`...)
	b = appendJSON(b, u.CompletionTokensDetails)
	return append(b, '}')
}

func appendJSON[T any](b []byte, v *T) []byte {
	if v == nil {
		return append(b, "null"...)
	}
	j, _ := json.Marshal(v)
	return append(b, j...)
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
		b = appendString(b, d.Role)
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
	return appendString(append(b, `"content":`...), text)
}

func appendFinish(b []byte, finish openai.FinishReason) []byte {
	b = append(b, `},"logprobs":null,"finish_reason":`...)
	if finish == "" || finish == openai.FinishReasonNull {
		b = append(b, "null"...)
	} else {
		b = appendString(b, string(finish))
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

// jsonMember is a member of an object with a string value.
type jsonMember struct{ name, value string }

// appendObject appends the members as one object, leaving those with an
// empty value out.
func appendObject(b []byte, members ...jsonMember) []byte {
	b = append(b, '{')
	sep := false
	for _, m := range members {
		if m.value == "" {
			continue
		}
		if sep {
			b = append(b, ',')
		}
		b = appendString(append(appendName(b, m.name), ':'), m.value)
		sep = true
	}
	return append(b, '}')
}

// appendMember appends ,"name":value; omitEmpty leaves an empty value out.
func appendMember(b []byte, name, value string, omitEmpty bool) []byte {
	if omitEmpty && value == "" {
		return b
	}
	return appendString(append(appendName(append(b, ','), name), ':'), value)
}

// appendName appends a member name that needs no escaping, quoted.
func appendName(b []byte, name string) []byte {
	return append(append(append(b, '"'), name...), '"')
}

const hexDigits = "0123456789abcdef"

// safeWord reports whether the eight bytes of w are all jsonSafe:
// ASCII from 0x20 up, none of " \\ < > &. It tests them at once: notPlain
// (the reader's test for quotes, backslashes and control bytes) and the
// same carry trick for the three bytes HTML-safe JSON escapes besides.
func safeWord(w string) bool {
	_ = w[7] // one bounds check, and the eight loads become one
	x := uint64(w[0]) | uint64(w[1])<<8 | uint64(w[2])<<16 | uint64(w[3])<<24 |
		uint64(w[4])<<32 | uint64(w[5])<<40 | uint64(w[6])<<48 | uint64(w[7])<<56
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	if x&highs != 0 {
		return false // a byte from 0x80: UTF-8 to check
	}
	lt, gt, amp := x^(ones*'<'), x^(ones*'>'), x^(ones*'&')
	return notPlain(x)|((lt-ones)&^lt|(gt-ones)&^gt|(amp-ones)&^amp)&highs == 0
}

// jsonSafe marks the ASCII bytes a JSON string holds as they are.
var jsonSafe = func() (t [utf8.RuneSelf]bool) {
	for c := byte(0x20); c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
	}
	return t
}()

// appendString appends s as a JSON string exactly as encoding/json does:
// HTML-sensitive <, >, & escaped, invalid UTF-8 as \ufffd, U+2028/U+2029
// escaped.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		for i+8 <= len(s) && safeWord(s[i:i+8]) {
			i += 8 // most text is plain ASCII: eight bytes a test
		}
		if i == len(s) {
			break
		}
		c := s[i]
		if c < utf8.RuneSelf {
			if jsonSafe[c] {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(append(b, s[start:i]...), `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(append(b, s[start:i]...), '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	return append(append(b, s[start:]...), '"')
}
