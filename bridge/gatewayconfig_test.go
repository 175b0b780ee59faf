package bridge

import (
	"strings"
	"testing"

	"github.com/tidwall/gjson"
)

// TestGatewayConfigKeyErrors: public_url, agents[].display_name and
// agents[].description are checked when the config is read, each error
// naming its field; a misspelt key is refused as every unknown key is.
func TestGatewayConfigKeyErrors(t *testing.T) {
	for _, tc := range []struct {
		name, yaml string
		want       string // in the error; "" for a config that loads
	}{
		{"public_url", "public_url: https://bridge.example.com/ai/\n", ""},
		{"display_name and description", agentYAML("    display_name: Team Helper\n    description: Helps the team.\n"), ""},
		{"public_url not http", "public_url: ftp://bridge.example.com\n", `public_url: "ftp://bridge.example.com" is not an http or https URL`},
		{"public_url no host", "public_url: /bridge\n", "public_url: "},
		{"public_url query", "public_url: 'https://bridge.example.com/?a=1'\n", "public_url: \"https://bridge.example.com/?a=1\" must be a base URL"},
		{"public_url fragment", "public_url: 'https://bridge.example.com/#top'\n", "public_url: \"https://bridge.example.com/#top\" must be a base URL"},
		{"public_url credentials", "public_url: 'https://me:secret@bridge.example.com'\n", "public_url: \"https://me:xxxxx@bridge.example.com\" must be a base URL"},
		{"display_name control", agentYAML("    display_name: \"a\\nb\"\n"), "agents[0].display_name: must be at most 256 bytes"},
		{"display_name long", agentYAML("    display_name: " + strings.Repeat("n", 257) + "\n"), "agents[0].display_name: must be at most 256 bytes"},
		{"description long", agentYAML("    description: " + strings.Repeat("d", 4097) + "\n"), "agents[0].description: must be at most 4096 bytes"},
		{"display_name misspelt", agentYAML("    displayname: x\n"), "agents[0].displayname: unknown key"},
		{"public_url misspelt", "publicurl: https://x\n", "publicurl: unknown key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := LoadConfig(writeYAML(t, tc.yaml), env(nil))
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("LoadConfig(%q) = %v, want no error", tc.yaml, err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("LoadConfig(%q) = %v, want an error with %q", tc.yaml, err, tc.want)
			case err != nil && strings.Contains(err.Error(), "secret"):
				t.Errorf("LoadConfig(%q) = %v: the password is in the error", tc.yaml, err)
			}
		})
	}
}

// TestGatewayCardConfig: the merged card's URLs start at public_url when
// it is set (its trailing slash dropped), whatever Host the request came
// with; its name and description are agents[].display_name and
// description; /v1/models and /v1/agents show them too.
func TestGatewayCardConfig(t *testing.T) {
	p := startGoPeer(t, "gov2")
	cfg := agentsFor(p, peer{name: "plain", url: p.url})
	cfg.PublicURL = "https://bridge.example.com/ai/"
	cfg.Agents[0].DisplayName, cfg.Agents[0].Description = "Echo Helper", "Echoes for the team."
	base := startBridge(t, cfg)
	c := httpClient(t)
	const public = "https://bridge.example.com/ai/a2a/gov2"
	for _, tc := range []struct{ name, version string }{{"0.3 request", ""}, {"1.0 request", "1.0"}} {
		t.Run(tc.name, func(t *testing.T) {
			r := get(t, c, base+"/a2a/gov2/.well-known/agent-card.json", "A2A-Version", tc.version)
			card := gjson.ParseBytes(r.body)
			if r.status != 200 || card.Get("name").String() != "Echo Helper" || card.Get("description").String() != "Echoes for the team." {
				t.Fatalf("card = %d %s, want name Echo Helper and the configured description", r.status, r.body)
			}
			want := []string{public, public, public + "/v1"}
			for i, u := range card.Get("supportedInterfaces.#.url").Array() {
				if i >= len(want) || u.String() != want[i] {
					t.Errorf("supportedInterfaces[%d].url = %s, want %v", i, u, want)
				}
			}
			if got := card.Get("url").String(); got != public {
				t.Errorf("url = %q, want %q", got, public)
			}
			if got := card.Get("provider.url").String(); card.Get("provider.organization").String() == "a2a-bridge" && got != "https://bridge.example.com/ai" {
				t.Errorf("provider.url = %q, want the public URL", got)
			}
			if strings.Contains(string(r.body), strings.TrimPrefix(base, "http://")) {
				t.Errorf("card names the Host the request came with: %s", r.body)
			}
		})
	}
	if r := get(t, c, base+"/a2a/plain/.well-known/agent-card.json"); gjson.GetBytes(r.body, "name").String() != "go-echo-v2" {
		t.Errorf("card of an agent with no display_name: name %q, want the agent card's own", gjson.GetBytes(r.body, "name"))
	}
	models := get(t, c, base+"/v1/models")
	if m := gjson.GetBytes(models.body, `data.#(id=="a2a/gov2")`); m.Get("display_name").String() != "Echo Helper" || m.Get("description").String() != "Echoes for the team." {
		t.Errorf("/v1/models entry = %s, want display_name and description", m.Raw)
	}
	if m := gjson.GetBytes(models.body, `data.#(id=="a2a/plain")`); m.Get("display_name").Exists() {
		t.Errorf("/v1/models entry of an agent with no display_name = %s", m.Raw)
	}
	agents := get(t, c, base+"/v1/agents")
	if a := gjson.GetBytes(agents.body, `data.#(name=="gov2")`); a.Get("display_name").String() != "Echo Helper" || a.Get("description").String() != "Echoes for the team." {
		t.Errorf("/v1/agents entry = %s, want display_name and description", a.Raw)
	}
}
