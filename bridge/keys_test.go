package bridge

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestKeyObjects: api_keys entries are plain strings or objects; an object's
// unknown member, a name used twice, an allow-list naming no agent and an
// empty key are config errors naming the field.
func TestKeyObjects(t *testing.T) {
	agents := "agents:\n  - {name: helper, url: 'http://127.0.0.1:1'}\n"
	cases := []struct {
		name, yaml string
		want       []APIKey
		err        string
	}{
		{"plain and object", "api_keys:\n  - sk-plain\n  - {key: sk-obj, name: team-b, agents: [helper]}\n" + agents,
			[]APIKey{{Key: "sk-plain"}, {Key: "sk-obj", Name: "team-b", Agents: []string{"helper"}}}, ""},
		{"unknown member", "api_keys:\n  - {key: sk-obj, nme: b}\n" + agents, nil, "api_keys[0].nme: unknown key"},
		{"names used twice", "api_keys:\n  - {key: k1, name: a}\n  - {key: k2, name: a}\n" + agents, nil,
			`api_keys[1].name: "a" is also the name of api_keys[0]`},
		{"allow-list of no agent", "api_keys:\n  - {key: k1, agents: [nobody]}\n" + agents, nil,
			`api_keys[0].agents[0]: "nobody" is not a configured agent`},
		{"empty key", "api_keys:\n  - {name: a}\n" + agents, nil, "api_keys[0]: empty key"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "bridge.yaml")
			if err := os.WriteFile(path, []byte(tc.yaml), 0o600); err != nil {
				t.Fatal(err)
			}
			cfg, err := LoadConfig(path, func(string) string { return "" })
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("LoadConfig = %v, want an error with %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(cfg.APIKeys) != fmt.Sprint(tc.want) {
				t.Errorf("APIKeys = %+v, want %+v", cfg.APIKeys, tc.want)
			}
		})
	}
}

func TestKeyName(t *testing.T) {
	sum := sha256.Sum256([]byte("sk-plain"))
	if got, want := keyName(APIKey{Key: "sk-plain"}), "key-"+hex.EncodeToString(sum[:])[:8]; got != want {
		t.Errorf("keyName(plain) = %q, want %q", got, want)
	}
	if got := keyName(APIKey{Key: "sk-x", Name: "team-b"}); got != "team-b" {
		t.Errorf("keyName(named) = %q, want team-b", got)
	}
}

// TestKeyAllowList: a key may call only the agents of its allow-list. Another
// is 403 permission_denied / agent_not_allowed, is not listed in /v1/models
// and is not found by GET /v1/models/{id}; the log names the key by its
// name, never the key.
func TestKeyAllowList(t *testing.T) {
	answer := func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, evDone) }
	x, y := newFaultAgent(t, false, answer), newFaultAgent(t, false, answer)
	cfg := Config{
		APIKeys: []APIKey{{Key: "sk-team-b-secret", Name: "team-b", Agents: []string{"x"}}, {Key: "sk-all-agents"}},
		Agents:  []AgentConfig{{Name: "x", URL: x.URL}, {Name: "y", URL: y.URL}},
	}
	_, base, logs := serveBridge(t, cfg, nil)
	c := httpClient(t)
	teamB := []string{"Authorization", "Bearer sk-team-b-secret"}
	all := []string{"Authorization", "Bearer sk-all-agents"}

	if res := post(t, c, base+"/v1/chat/completions", chatBody("a2a/x", false, "user", "hi"), teamB...); res.status != 200 {
		t.Errorf("team-b to x = %d %s, want 200", res.status, res.body)
	}
	res := post(t, c, base+"/v1/chat/completions", chatBody("a2a/y", false, "user", "hi"), teamB...)
	e := decodeError(t, res.body).Error
	if res.status != 403 || e.Type != "permission_denied" || e.Code == nil || *e.Code != "agent_not_allowed" || e.Param == nil || *e.Param != "model" {
		t.Errorf("team-b to y = %d %+v, want 403 permission_denied / agent_not_allowed, param model", res.status, e)
	}
	if res := post(t, c, base+"/v1/chat/completions", chatBody("a2a/y", false, "user", "hi"), all...); res.status != 200 {
		t.Errorf("the other key to y = %d %s, want 200", res.status, res.body)
	}
	if got := modelIDs(t, c, base, teamB); got != "a2a/x" {
		t.Errorf("team-b's /v1/models = %s, want a2a/x only", got)
	}
	if got := modelIDs(t, c, base, all); got != "a2a/x a2a/y" {
		t.Errorf("the other key's /v1/models = %s, want both", got)
	}
	if st := getStatus(t, c, base+"/v1/models/a2a/y", teamB); st != 404 {
		t.Errorf("team-b GET /v1/models/a2a/y = %d, want 404", st)
	}
	if lines := logs.matching(`"key":"team-b"`, `"status":403`); len(lines) != 1 {
		t.Errorf("log lines of team-b's 403 = %q, want one naming the key team-b", lines)
	}
	if strings.Contains(logs.String(), "sk-team-b-secret") || strings.Contains(logs.String(), "sk-all-agents") {
		t.Errorf("a key is in the log:\n%s", logs)
	}
}

func modelIDs(t *testing.T, c *http.Client, base string, header []string) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, base+"/v1/models", nil)
	req.Header.Set(header[0], header[1])
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var list struct{ Data []struct{ ID string } }
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, m := range list.Data {
		ids = append(ids, m.ID)
	}
	return strings.Join(ids, " ")
}

func getStatus(t *testing.T, c *http.Client, url string, header []string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Header.Set(header[0], header[1])
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
