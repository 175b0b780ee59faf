package upstream

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDeps keeps the upstream client apart from the front doors (style
// guideline 1): nothing it depends on is Echo or package bridge, and it
// imports no go-openai itself (transform, which it may use, writes the
// OpenAI shapes with go-openai's structs).
func TestDeps(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go tool in PATH")
	}
	list := func(field string) []string {
		out, err := exec.CommandContext(t.Context(), goTool, "list", "-f", `{{join .`+field+` " "}}`, ".").Output()
		if err != nil {
			t.Fatalf("go list: %v", err)
		}
		return strings.Fields(string(out))
	}
	for _, imp := range list("Imports") {
		if strings.HasPrefix(imp, "github.com/sashabaranov/go-openai") {
			t.Errorf("upstream imports %s", imp)
		}
	}
	forbidden := []string{"github.com/labstack/echo", "github.com/a2a-bridge/a2a-bridge/cmd"}
	for _, dep := range list("Deps") {
		for _, f := range forbidden {
			if strings.HasPrefix(dep, f) {
				t.Errorf("upstream depends on %s; it must not depend on %s", dep, f)
			}
		}
		if dep == "github.com/a2a-bridge/a2a-bridge/bridge" {
			t.Errorf("upstream depends on package bridge")
		}
	}
}
