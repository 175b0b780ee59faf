package bridge

import (
	"strconv"
	"strings"
	"testing"
)

// gwSDKResult is what testdata/node/clients/a2a-gateway.mjs prints.
type gwSDKResult struct {
	OK       bool             `json:"ok"`
	Error    string           `json:"error"`
	Send     map[string]any   `json:"send"`
	Stream   []map[string]any `json:"stream"`
	Get      map[string]any   `json:"get"`
	Cancel   map[string]any   `json:"cancel"`
	Received string           `json:"received"`
}

// TestGatewayJSClients runs the real @a2a-js/sdk clients (0.3.14, and
// 1.3.0 with its 0.3 compat) through the gateway only, with a key: card
// resolution from the gateway URL, send, stream, get and cancel, against
// the JS and Go agents that speak the client's dialect (translation
// between dialects is not built yet). The agent's port appears in nothing
// the client received.
func TestGatewayJSClients(t *testing.T) {
	checkLeaks(t)
	gov2 := startGoPeer(t, "gov2")
	peers := []peer{startGoPeer(t, "go03"), gov2, startJSPeer(t, "js03.mjs"), startJSPeer(t, "js10.mjs")}
	cfg := agentsFor(peers...)
	cfg.APIKeys = gwKeys
	base := startBridge(t, cfg)
	for _, tc := range []struct {
		sdk   string
		agent peer
		// noCancel: the js10 peer cancels only a task it is running
		// (its executor publishes CANCELED at its next step), so a
		// CancelTask of its input-required task never returns.
		noCancel bool
	}{
		{"0.3", peers[0], false}, {"0.3", peers[1], false}, {"0.3", peers[2], false},
		{"1.3", peers[1], false}, {"1.3", peers[3], true},
	} {
		t.Run(tc.sdk+"/"+tc.agent.name, func(t *testing.T) {
			var r gwSDKResult
			runNode(t, "a2a-gateway.mjs", map[string]any{"sdk": tc.sdk, "url": base + "/a2a/" + tc.agent.name + "/", "apiKey": "sk-ada", "noCancel": tc.noCancel}, &r)
			if !r.OK {
				t.Fatalf("@a2a-js/sdk %s via the gateway to %s: %s\nreceived:\n%s", tc.sdk, tc.agent.name, r.Error, r.Received)
			}
			if port := portOf(t, tc.agent.url); strings.Contains(r.Received, ":"+port) {
				t.Errorf("the client received the agent's port %s:\n%s", port, r.Received)
			}
			if !strings.Contains(r.Received, "echo: ") || !strings.Contains(r.Received, "there") || len(r.Stream) < 3 {
				t.Errorf("send/stream answers missing: %d events\n%s", len(r.Stream), r.Received)
			}
			if r.Get["id"] != r.Send["id"] || r.Get["id"] == nil {
				t.Errorf("getTask id = %v, want the sent task %v", r.Get["id"], r.Send["id"])
			}
			if tc.noCancel {
				return
			}
			if s, _ := r.Cancel["status"].(map[string]any); s == nil || !strings.Contains(strings.ToLower(stringOf(s["state"])), "cancel") && stringOf(s["state"]) != "5" {
				t.Errorf("cancelTask status = %v, want canceled", r.Cancel["status"])
			}
		})
	}
}

func stringOf(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		return strconv.Itoa(int(x))
	}
	return ""
}
