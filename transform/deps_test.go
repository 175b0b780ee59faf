package transform

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDeps keeps the dependency direction cmd → bridge → {transform, stream}
// (style guideline 1, in the spirit of tailscale's depaware), and keeps
// transform pure (guideline 4): it imports no clock, randomness, I/O or
// logger. Its machinery below it (internal/jsonwalk, jsonenc, o200k) is
// held to the same, and of the module transform imports only those.
func TestDeps(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go tool in PATH")
	}
	list := func(format string, pkgs ...string) []string {
		out, err := exec.CommandContext(t.Context(), goTool, append([]string{"list", "-f", format}, pkgs...)...).Output()
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
	for _, dep := range list(`{{join .Deps " "}}`, ".") {
		for _, f := range forbidden {
			if strings.HasPrefix(dep, f) {
				t.Errorf("transform depends on %s; it must not depend on %s", dep, f)
			}
		}
	}
	// transform reaches net/http through go-openai's types; its machinery
	// does not at all.
	for _, dep := range list(`{{join .Deps " "}}`, "./internal/...") {
		for _, f := range append(forbidden, "github.com/a2a-bridge/a2a-bridge/transform", "github.com/sashabaranov/go-openai", "net/http") {
			if strings.HasPrefix(dep, f) && !strings.HasPrefix(dep, "github.com/a2a-bridge/a2a-bridge/transform/internal/") {
				t.Errorf("a package of transform/internal depends on %s; it must not depend on %s", dep, f)
			}
		}
	}
	impure := map[string]bool{"time": true, "math/rand": true, "math/rand/v2": true, "crypto/rand": true,
		"os": true, "io": true, "net/http": true, "log": true, "log/slog": true}
	for _, imp := range list(`{{join .Imports " "}}`, ".", "./internal/...") {
		if impure[imp] {
			t.Errorf("transform imports %s; it must stay pure (no clock, randomness, I/O or logger)", imp)
		}
	}
	const module, internal = "github.com/a2a-bridge/a2a-bridge/", "github.com/a2a-bridge/a2a-bridge/transform/internal/"
	for _, imp := range list(`{{join .Imports " "}}`, ".") {
		if strings.HasPrefix(imp, module) && !strings.HasPrefix(imp, internal) {
			t.Errorf("transform imports %s; of the module it may import only transform/internal/...", imp)
		}
	}
	for _, imp := range list(`{{join .Imports " "}}`, "./internal/...") {
		if strings.HasPrefix(imp, module) {
			t.Errorf("a package of transform/internal imports %s; each must stand alone", imp)
		}
	}
}
