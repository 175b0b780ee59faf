package transform

import (
	"github.com/tidwall/gjson"

	"github.com/a2a-bridge/a2a-bridge/transform/internal/o200k"
)

// CountTokens counts the tokens of s in o200k_base, as OpenAI's tiktoken
// does (the tokenizer is internal/o200k).
func CountTokens(s string) int { return o200k.Count(s) }

// LoadTokenizer loads the o200k_base vocabulary now rather than on the
// first count.
func LoadTokenizer() { o200k.Load() }

// CountUsage is the bridge's own count of one call: the prompt is the text
// actually sent to the agent, the completion the answer.
func CountUsage(prompt, completion string) Usage {
	p, c := CountTokens(prompt), CountTokens(completion)
	return Usage{PromptTokens: p, CompletionTokens: c, TotalTokens: p + c}
}

// EstimateUsage is a cheap count (about four bytes a token), for
// deployments that set usage: estimate to spare the exact count's few
// microseconds per KiB of text.
func EstimateUsage(prompt, completion string) Usage {
	return estimateUsage(len(prompt), len(completion))
}

// estimateUsage is EstimateUsage of a prompt and a completion of these
// lengths.
func estimateUsage(prompt, completion int) Usage {
	p, c := (prompt+3)/4, (completion+3)/4
	return Usage{PromptTokens: p, CompletionTokens: c, TotalTokens: p + c}
}

// readUsage reads token usage an agent reports in a metadata object:
// OpenAI's names (metadata.usage.prompt_tokens, completion_tokens), the
// input/output names, or ADK's usage metadata.
func readUsage(meta gjson.Result) *Usage {
	if !meta.IsObject() {
		return nil
	}
	for _, f := range []struct{ path, in, out string }{
		{"usage", "prompt_tokens", "completion_tokens"},
		{"usage", "input_tokens", "output_tokens"},
		{"adk_usage_metadata", "promptTokenCount", "candidatesTokenCount"},
		{"adk_usage_metadata", "prompt_token_count", "candidates_token_count"},
	} {
		u := meta.Get(f.path)
		in, out := u.Get(f.in), u.Get(f.out)
		if in.Type == gjson.Number && out.Type == gjson.Number && in.Int() >= 0 && out.Int() >= 0 {
			return &Usage{PromptTokens: int(in.Int()), CompletionTokens: int(out.Int()), TotalTokens: int(in.Int() + out.Int())}
		}
	}
	return nil
}
