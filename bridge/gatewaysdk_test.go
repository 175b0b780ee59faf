package bridge

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
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

var gwClient struct {
	sync.Mutex
	bin string
}

// gwClientBin builds testdata/peers/gov2/gwclient (the a2a-go v0.3.15 and
// v2.3.1 clients) once per test binary.
func gwClientBin(t *testing.T) string {
	t.Helper()
	gwClient.Lock()
	defer gwClient.Unlock()
	if gwClient.bin != "" {
		return gwClient.bin
	}
	dir, err := os.MkdirTemp("", "a2a-bridge-gwclient-")
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "gwclient")
	build := exec.Command("go", "build", "-o", bin, "./gwclient")
	build.Dir = filepath.Join(repoRoot, "testdata", "peers", "gov2")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build gwclient: %v\n%s", err, out)
	}
	gwClient.bin = bin
	return bin
}

type gwGoResult struct {
	OK          bool   `json:"ok"`
	Error       string `json:"error"`
	SendID      string `json:"sendID"`
	Events      int    `json:"events"`
	GetID       string `json:"getID"`
	CancelState string `json:"cancelState"`
	Received    string `json:"received"`
}

// TestGatewayGoClients runs the real a2a-go clients (v0.3.15, and v2.3.1,
// whose card reader wants the 0.3 security form and supportedInterfaces)
// through the gateway with a key, against the Go and JS agents of their
// dialect: card, send, stream, get, cancel; the agent's port in nothing
// they received.
func TestGatewayGoClients(t *testing.T) {
	checkLeaks(t)
	peers := []peer{startGoPeer(t, "go03"), startGoPeer(t, "gov2"), startJSPeer(t, "js03.mjs")}
	cfg := agentsFor(peers...)
	cfg.APIKeys = gwKeys
	base := startBridge(t, cfg)
	for _, tc := range []struct {
		sdk   string
		agent peer
	}{
		{"go03", peers[0]}, {"go03", peers[1]}, {"go03", peers[2]}, {"gov2", peers[1]},
	} {
		t.Run(tc.sdk+"/"+tc.agent.name, func(t *testing.T) {
			in, _ := json.Marshal(map[string]string{"sdk": tc.sdk, "url": base + "/a2a/" + tc.agent.name, "apiKey": "sk-ada"})
			ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, gwClientBin(t))
			cmd.Stdin = bytes.NewReader(in)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			stdout, err := cmd.Output()
			var r gwGoResult
			if err != nil || json.Unmarshal(stdout, &r) != nil {
				t.Fatalf("gwclient: %v %s\n%s", err, stdout, stderr.String())
			}
			if !r.OK {
				t.Fatalf("a2a-go %s via the gateway to %s: %s\nreceived:\n%s", tc.sdk, tc.agent.name, r.Error, r.Received)
			}
			if port := portOf(t, tc.agent.url); strings.Contains(r.Received, ":"+port) {
				t.Errorf("the client received the agent's port %s:\n%s", port, r.Received)
			}
			if r.Events < 3 || r.GetID != r.SendID || !strings.Contains(r.CancelState, "cancel") {
				t.Errorf("a2a-go %s: %d events, get %q of sent %q, cancel %q", tc.sdk, r.Events, r.GetID, r.SendID, r.CancelState)
			}
		})
	}
}
