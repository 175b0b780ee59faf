package transform

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// TestGoldenGatewayCard merges each agent card of testdata/golden/gatewaycard
// (the test peers' recorded cards, a hostile one, none at all) with the
// options of its options.json section and compares the gateway.card.json
// section. Every case also checks the rules no golden diff may break: the
// agent's hosts appear nowhere, and only the gateway's interfaces are named.
func TestGoldenGatewayCard(t *testing.T) {
	for _, path := range goldenFiles(t, "gatewaycard") {
		t.Run(strings.TrimSuffix(filepath.Base(path), ".txtar"), func(t *testing.T) {
			a := readArchive(t, path)
			var o GatewayCard
			if err := json.Unmarshal(a.mustGet(t, "options.json"), &o); err != nil {
				t.Fatalf("%s: options.json: %v", path, err)
			}
			in, _ := a.get("agent.card.json")
			out, err := MergeCard(in, o)
			if err != nil {
				t.Fatalf("MergeCard(%s) error = %v, want nil", path, err)
			}
			if again, _ := MergeCard(in, o); string(again) != string(out) {
				t.Fatalf("MergeCard(%s) is not deterministic", path)
			}
			checkMergedCard(t, out, o)
			got, err := indentJSON(out)
			if err != nil {
				t.Fatalf("MergeCard(%s) = %s, not valid JSON: %v", path, out, err)
			}
			checkGolden(t, path, a, "gateway.card.json", got, func(want []byte) []byte {
				re, err := indentJSON(want)
				if err != nil {
					t.Fatalf("%s: section gateway.card.json is not valid JSON: %v", path, err)
				}
				return re
			})
		})
	}
}

// checkMergedCard checks the card rules on a merged card.
func checkMergedCard(t *testing.T, out []byte, o GatewayCard) {
	t.Helper()
	for _, h := range o.Hide {
		if strings.Contains(string(out), h) {
			t.Errorf("MergeCard(...) names the agent's host %s: %s", h, out)
		}
	}
	var c map[string]json.RawMessage
	if err := json.Unmarshal(out, &c); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"additionalInterfaces", "signatures", "supportsAuthenticatedExtendedCard"} {
		if _, ok := c[k]; ok {
			t.Errorf("MergeCard(...) has member %s, want none", k)
		}
	}
	if _, ok := c["securitySchemes"]; ok != o.Keys {
		t.Errorf("MergeCard(...) securitySchemes present = %v, want %v", ok, o.Keys)
	}
	_, v10 := c["securityRequirements"]
	_, v03 := c["security"]
	if o.Keys && (v10 != o.V10 || v03 == o.V10) {
		t.Errorf("MergeCard(...) securityRequirements %v, security %v, for V10 %v", v10, v03, o.V10)
	}
}

// TestMergeCardRefusesNonObjects pins the errors of a card that is no
// JSON object: the gateway then serves its defaults instead.
func TestMergeCardRefusesNonObjects(t *testing.T) {
	for _, in := range []string{`[]`, `"x"`, `{`, strings.Repeat("[", MaxDepth+2)} {
		if _, err := MergeCard([]byte(in), GatewayCard{Base: "http://b", Agent: "a"}); err == nil {
			t.Errorf("MergeCard(%.20q) error = nil, want one", in)
		}
	}
}
