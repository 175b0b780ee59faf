// Command clients drives the Go OpenAI clients people use besides go-openai
// (the official github.com/openai/openai-go/v3 and github.com/tmc/langchaingo)
// against a base URL, for a2a-bridge's Go tests. Its dependencies stay in
// this module, out of the bridge's go.mod.
//
//	echo '{"client":"openai-go","baseURL":"http://127.0.0.1:8080/v1","model":"a2a/x","scenario":"stream-usage",
//	       "messages":[{"role":"user","content":"hi"}]}' | clients
//
// client: "openai-go", "openai-go-responses" (its Responses API) or "langchaingo", each on its default settings
// (retries included). scenario: "nonstream", "stream-usage", "abort" (a
// stream whose context is cancelled after its first text), "model" (GET
// the model by its id). It prints one JSON line: {"ok":true,"content":...,
// "usage":{"input":N,"output":N}} or {"ok":false,"error":{"status":N,"message":...}}.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"

	oai "github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/tmc/langchaingo/llms"
	lcopenai "github.com/tmc/langchaingo/llms/openai"
)

type message struct{ Role, Content string }

type job struct {
	Client   string            `json:"client"`
	BaseURL  string            `json:"baseURL"`
	APIKey   string            `json:"apiKey"`
	Model    string            `json:"model"`
	Scenario string            `json:"scenario"`
	Messages []message         `json:"messages"`
	Headers  map[string]string `json:"headers"`
	// PreviousResponseID continues a stored response (openai-go-responses).
	PreviousResponseID string `json:"previousResponseId"`
}

type usage struct {
	Input  int64 `json:"input"`
	Output int64 `json:"output"`
}

type result struct {
	OK      bool   `json:"ok"`
	Content string `json:"content"`
	ID      string `json:"id,omitempty"` // the response id (openai-go-responses)
	Usage   *usage `json:"usage,omitempty"`
	Error   *struct {
		Status  int    `json:"status"`
		Message string `json:"message"`
	} `json:"error,omitempty"`
}

func main() {
	var j job
	if err := json.NewDecoder(os.Stdin).Decode(&j); err != nil || j.BaseURL == "" {
		fmt.Fprintln(os.Stderr, "clients: stdin must be one JSON job with a baseURL:", err)
		os.Exit(1)
	}
	if j.APIKey == "" {
		j.APIKey = "unused"
	}
	var r result
	var err error
	switch j.Client {
	case "openai-go":
		r, err = openaiGo(j)
	case "langchaingo":
		r, err = langchainGo(j)
	case "openai-go-responses":
		r, err = openaiGoResponses(j)
	default:
		fmt.Fprintf(os.Stderr, "clients: unknown client %q\n", j.Client)
		os.Exit(1)
	}
	if err != nil {
		r = result{}
		r.Error = &struct {
			Status  int    `json:"status"`
			Message string `json:"message"`
		}{Message: err.Error()}
		var apiErr *oai.Error
		if errors.As(err, &apiErr) {
			r.Error.Status = apiErr.StatusCode
			r.Error.Message += ": " + apiErr.Message
		}
	} else {
		r.OK = true
	}
	_ = json.NewEncoder(os.Stdout).Encode(r)
}

func openaiGo(j job) (result, error) {
	opts := []option.RequestOption{option.WithBaseURL(j.BaseURL), option.WithAPIKey(j.APIKey)}
	for k, v := range j.Headers {
		opts = append(opts, option.WithHeader(k, v))
	}
	c := oai.NewClient(opts...)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var msgs []oai.ChatCompletionMessageParamUnion
	for _, m := range j.Messages {
		switch m.Role {
		case "system":
			msgs = append(msgs, oai.SystemMessage(m.Content))
		case "assistant":
			msgs = append(msgs, oai.AssistantMessage(m.Content))
		default:
			msgs = append(msgs, oai.UserMessage(m.Content))
		}
	}
	params := oai.ChatCompletionNewParams{Model: j.Model, Messages: msgs}
	switch j.Scenario {
	case "model":
		m, err := c.Models.Get(ctx, j.Model)
		if err != nil {
			return result{}, err
		}
		return result{Content: m.ID}, nil
	case "nonstream":
		resp, err := c.Chat.Completions.New(ctx, params)
		if err != nil {
			return result{}, err
		}
		return result{Content: resp.Choices[0].Message.Content,
			Usage: &usage{resp.Usage.PromptTokens, resp.Usage.CompletionTokens}}, nil
	}
	params.StreamOptions = oai.ChatCompletionStreamOptionsParam{IncludeUsage: oai.Bool(true)}
	s := c.Chat.Completions.NewStreaming(ctx, params)
	defer s.Close()
	var r result
	for s.Next() {
		ch := s.Current()
		if len(ch.Choices) > 0 {
			r.Content += ch.Choices[0].Delta.Content
		}
		if ch.Usage.TotalTokens > 0 {
			r.Usage = &usage{ch.Usage.PromptTokens, ch.Usage.CompletionTokens}
		}
		if j.Scenario == "abort" && r.Content != "" {
			cancel()
			return r, nil
		}
	}
	return r, s.Err()
}

// headers adds the job's headers to every request langchaingo sends.
type headers struct {
	h    map[string]string
	next http.RoundTripper
}

func (t headers) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	for k, v := range t.h {
		r.Header.Set(k, v)
	}
	return t.next.RoundTrip(r)
}

func langchainGo(j job) (result, error) {
	hc := &http.Client{Transport: headers{j.Headers, http.DefaultTransport}}
	llm, err := lcopenai.New(lcopenai.WithBaseURL(j.BaseURL), lcopenai.WithToken(j.APIKey), lcopenai.WithModel(j.Model),
		lcopenai.WithHTTPClient(hc))
	if err != nil {
		return result{}, err
	}
	var msgs []llms.MessageContent
	for _, m := range j.Messages {
		role := llms.ChatMessageTypeHuman
		switch m.Role {
		case "system":
			role = llms.ChatMessageTypeSystem
		case "assistant":
			role = llms.ChatMessageTypeAI
		}
		msgs = append(msgs, llms.TextParts(role, m.Content))
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var opts []llms.CallOption
	var streamed string
	if j.Scenario != "nonstream" {
		opts = append(opts, llms.WithStreamingFunc(func(_ context.Context, chunk []byte) error {
			streamed += string(chunk)
			if j.Scenario == "abort" && streamed != "" {
				cancel()
			}
			return nil
		}))
	}
	resp, err := llm.GenerateContent(ctx, msgs, opts...)
	if j.Scenario == "abort" && streamed != "" {
		return result{Content: streamed}, nil // the error is the cancellation asked for
	}
	if err != nil {
		return result{}, err
	}
	if len(resp.Choices) == 0 {
		return result{}, errors.New("langchaingo: no choices")
	}
	ch := resp.Choices[0]
	r := result{Content: ch.Content}
	if in, ok := ch.GenerationInfo["PromptTokens"].(int); ok {
		out, _ := ch.GenerationInfo["CompletionTokens"].(int)
		r.Usage = &usage{int64(in), int64(out)}
	}
	return r, nil
}
