package stream

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDeps keeps the dependency direction cmd → bridge → {transform, stream}
// (style guideline 1, in the spirit of tailscale's depaware): stream knows
// nothing of Echo, the bridge, or A2A JSON.
func TestDeps(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go tool in PATH")
	}
	out, err := exec.CommandContext(t.Context(), goTool, "list", "-f", `{{join .Deps " "}}`, ".").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	forbidden := []string{
		"github.com/a2a-bridge/a2a-bridge/bridge", "github.com/a2a-bridge/a2a-bridge/cmd",
		"github.com/a2a-bridge/a2a-bridge/transform", "github.com/labstack/echo",
		"github.com/rs/zerolog", "github.com/tidwall/gjson",
	}
	for _, dep := range strings.Fields(string(out)) {
		for _, f := range forbidden {
			if strings.HasPrefix(dep, f) {
				t.Errorf("stream depends on %s; it must not depend on %s", dep, f)
			}
		}
	}
}
