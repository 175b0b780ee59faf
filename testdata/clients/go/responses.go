package main

import (
	"context"
	"errors"

	oai "github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/responses"
)

// openaiGoResponses drives openai-go's Responses API: Responses.New
// ("nonstream") or Responses.NewStreaming. The job's system message is the
// instructions, its last user message the input.
func openaiGoResponses(j job) (result, error) {
	c := oai.NewClient(option.WithBaseURL(j.BaseURL), option.WithAPIKey(j.APIKey))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	params := responses.ResponseNewParams{Model: j.Model}
	for _, m := range j.Messages {
		switch {
		case m.Role == "system" && m.Content != "":
			params.Instructions = oai.String(m.Content)
		case m.Role == "user":
			params.Input = responses.ResponseNewParamsInputUnion{OfString: oai.String(m.Content)}
		}
	}
	if j.PreviousResponseID != "" {
		params.PreviousResponseID = oai.String(j.PreviousResponseID)
	}
	if j.Scenario == "nonstream" {
		resp, err := c.Responses.New(ctx, params)
		if err != nil {
			return result{}, err
		}
		return result{Content: resp.OutputText(), ID: resp.ID, Usage: &usage{resp.Usage.InputTokens, resp.Usage.OutputTokens}}, nil
	}
	s := c.Responses.NewStreaming(ctx, params)
	defer s.Close()
	var r result
	for s.Next() {
		ev := s.Current()
		switch ev.Type {
		case "response.output_text.delta":
			r.Content += ev.Delta
			if j.Scenario == "abort" {
				cancel()
				return r, nil
			}
		case "response.completed":
			r.ID = ev.Response.ID
			r.Usage = &usage{ev.Response.Usage.InputTokens, ev.Response.Usage.OutputTokens}
		case "response.failed":
			return r, errors.New(string(ev.Response.Error.Code) + ": " + ev.Response.Error.Message)
		case "error":
			return r, errors.New(ev.Code + ": " + ev.Message)
		}
	}
	if err := s.Err(); err != nil {
		return r, err
	}
	if r.ID == "" {
		return r, errors.New("the stream ended without response.completed")
	}
	return r, nil
}
