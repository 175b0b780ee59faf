package upstream

import (
	"context"
	"io"
	"net/http"
)

// GetCard fetches an agent card at u with the agent's credentials (a card
// may sit behind them), asking for the 1.0 form (a 1.x server with 0.3
// compat varies its card on A2A-Version), and returns the body, at most
// max bytes, and the status. A refused redirect is a *redirectError naming
// only the host it pointed at, never the whole URL.
func GetCard(ctx context.Context, hc *http.Client, u, apiKey string, headers map[string]string, max int64) ([]byte, int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, 0, err
	}
	Sign(req.Header, apiKey, headers)
	req.Header.Set("A2A-Version", "1.0")
	req.Header.Set("Accept", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return nil, 0, refusedRedirect(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, max))
	return body, resp.StatusCode, err
}
