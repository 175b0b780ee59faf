package transform

import (
	"strconv"
	"unicode/utf8"

	openai "github.com/sashabaranov/go-openai"
)

// The chunk of every stream event is written by appending, not through
// encoding/json's reflection: it is the bridge's hottest encoder. The
// output is byte for byte what encoding/json writes (TestChunkMatchesJSON,
// FuzzAppendString).

// appendChunk appends one chat.completion.chunk carrying delta d.
func appendChunk(b []byte, m Meta, d Delta, finish openai.FinishReason, withUsage bool) []byte {
	b = append(b, `{"id":`...)
	b = appendString(b, m.ID)
	b = append(b, `,"object":"chat.completion.chunk","created":`...)
	b = strconv.AppendInt(b, m.Created, 10)
	b = append(b, `,"model":`...)
	b = appendString(b, m.Model)
	b = append(b, `,"choices":[{"index":0,"delta":{`...)
	if d.Role != "" {
		b = append(b, `"role":`...)
		b = appendString(b, d.Role)
		if d.Content != nil {
			b = append(b, ',')
		}
	}
	if d.Content != nil {
		b = append(b, `"content":`...)
		b = appendString(b, *d.Content)
	}
	b = append(b, `},"logprobs":null,"finish_reason":`...)
	if finish == "" || finish == openai.FinishReasonNull {
		b = append(b, "null"...)
	} else {
		b = appendString(b, string(finish))
	}
	b = append(b, "}]"...)
	if withUsage {
		b = append(b, `,"usage":null`...)
	}
	if m.Ext != nil {
		b = appendExt(append(b, `,"a2a":`...), m.Ext)
	}
	return append(b, '}')
}

func appendExt(b []byte, e *Ext) []byte {
	b = append(b, '{')
	sep := false
	for _, f := range [...]struct{ name, value string }{{"task_id", e.TaskID}, {"context_id", e.ContextID}, {"state", string(e.State)}} {
		if f.value == "" {
			continue
		}
		if sep {
			b = append(b, ',')
		}
		b = append(append(append(b, '"'), f.name...), '"', ':')
		b = appendString(b, f.value)
		sep = true
	}
	return append(b, '}')
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string exactly as encoding/json does:
// HTML-sensitive <, >, & escaped, invalid UTF-8 as \ufffd, U+2028/U+2029
// escaped.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
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
