package transform

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDeps keeps the dependency direction cmd → bridge → {transform, stream}
// (style guideline 1, in the spirit of tailscale's depaware), and keeps
// transform pure (guideline 4): it imports no clock, randomness, I/O or logger.
func TestDeps(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go tool in PATH")
	}
	list := func(format string) []string {
		out, err := exec.CommandContext(t.Context(), goTool, "list", "-f", format, ".").Output()
		if err != nil {
			t.Fatalf("go list: %v", err)
		}
		return strings.Fields(string(out))
	}
	forbidden := []string{
		"github.com/a2a-bridge/a2a-bridge/bridge", "github.com/a2a-bridge/a2a-bridge/cmd",
		"github.com/a2a-bridge/a2a-bridge/stream", "github.com/labstack/echo",
		"github.com/rs/zerolog", "github.com/google/uuid",
	}
	for _, dep := range list(`{{join .Deps " "}}`) {
		for _, f := range forbidden {
			if strings.HasPrefix(dep, f) {
				t.Errorf("transform depends on %s; it must not depend on %s", dep, f)
			}
		}
	}
	impure := map[string]bool{"time": true, "math/rand": true, "math/rand/v2": true, "crypto/rand": true,
		"os": true, "io": true, "net/http": true, "log": true, "log/slog": true}
	for _, imp := range list(`{{join .Imports " "}}`) {
		if impure[imp] {
			t.Errorf("transform imports %s; it must stay pure (no clock, randomness, I/O or logger)", imp)
		}
	}
}
