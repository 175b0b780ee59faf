package deploy

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

// instruction is one Dockerfile instruction, continuation lines joined.
type instruction struct{ cmd, args string }

// dockerfile reads ../Dockerfile into its stages, each a list of instructions
// that starts with its FROM.
func dockerfile(t *testing.T) [][]instruction {
	t.Helper()
	stages, err := parseDockerfile(filepath.Join(repoRoot, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	return stages
}

func parseDockerfile(path string) ([][]instruction, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var stages [][]instruction
	var line string
	for raw := range strings.SplitSeq(string(b), "\n") {
		raw = strings.TrimSpace(raw)
		if line == "" && (raw == "" || strings.HasPrefix(raw, "#")) {
			continue
		}
		if cont, ok := strings.CutSuffix(raw, `\`); ok {
			line += cont + " "
			continue
		}
		line += raw
		cmd, args, _ := strings.Cut(line, " ")
		line = ""
		in := instruction{strings.ToUpper(cmd), strings.TrimSpace(args)}
		if in.cmd == "FROM" {
			stages = append(stages, nil)
		}
		if len(stages) == 0 {
			return nil, fmt.Errorf("%s: %s before the first FROM", path, in.cmd)
		}
		stages[len(stages)-1] = append(stages[len(stages)-1], in)
	}
	if len(stages) < 2 {
		return nil, fmt.Errorf("%s has %d stages, want a build stage and a runtime stage", path, len(stages))
	}
	return stages, nil
}

func find(stage []instruction, cmd string) []string {
	var out []string
	for _, in := range stage {
		if in.cmd == cmd {
			out = append(out, in.args)
		}
	}
	return out
}

// goBuild is the build stage's `go build` command: its environment
// assignments and its arguments after "go".
func goBuild(build []instruction) (env, args []string, err error) {
	for _, run := range find(build, "RUN") {
		words := shellWords(run)
		i := slices.Index(words, "go")
		if i < 0 || i+1 >= len(words) || words[i+1] != "build" {
			continue
		}
		for _, w := range words[:i] {
			if !strings.Contains(w, "=") {
				return nil, nil, fmt.Errorf("dockerfile RUN %s: %q before go build is not VAR=value", run, w)
			}
		}
		return words[:i], words[i+1:], nil
	}
	return nil, nil, errors.New("dockerfile: no RUN ... go build in the build stage")
}

// shellWords splits a command line as sh does for the plain words and
// double-quoted parts a Dockerfile RUN line uses.
func shellWords(s string) []string {
	var words []string
	var w strings.Builder
	inWord, quoted := false, false
	for _, r := range s {
		switch {
		case r == '"':
			quoted, inWord = !quoted, true
		case r == ' ' && !quoted:
			if inWord {
				words = append(words, w.String())
				w.Reset()
				inWord = false
			}
		default:
			w.WriteRune(r)
			inWord = true
		}
	}
	if inWord {
		words = append(words, w.String())
	}
	return words
}

// goDirective is the go line of the bridge's go.mod.
func goDirective(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	for l := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "go "); ok {
			return strings.TrimSpace(v)
		}
	}
	t.Fatal("go.mod has no go line")
	return ""
}

// TestDockerfile: a pinned Go toolchain builds a static binary with no VCS or
// path leaks, and the runtime stage is distroless, shell-free and non-root,
// listening on 0.0.0.0:8080.
func TestDockerfile(t *testing.T) {
	stages := dockerfile(t)
	build, runtime := stages[0], stages[len(stages)-1]

	base := strings.Fields(build[0].args)[0]
	if want := "golang:" + goDirective(t); base != want && !strings.HasPrefix(base, want+"-") {
		t.Errorf("build stage FROM %s, want %s (go.mod's go line; a floating tag builds with whatever Go is newest)", base, want)
	}
	env, args, err := goBuild(build)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(env, "CGO_ENABLED=0") || !slices.Contains(args, "-trimpath") {
		t.Errorf("go build env %q args %q, want CGO_ENABLED=0 and -trimpath", env, args)
	}

	from := strings.Fields(runtime[0].args)[0]
	if !strings.HasPrefix(from, "gcr.io/distroless/static") && from != "scratch" {
		t.Errorf("runtime stage FROM %s, want distroless/static or scratch (no shell, no libc)", from)
	}
	if runs := find(runtime, "RUN"); len(runs) > 0 {
		t.Errorf("runtime stage RUN %q: it has no shell to run them", runs)
	}
	if users := find(runtime, "USER"); len(users) != 1 || !slices.Contains([]string{"nonroot", "nonroot:nonroot", "65532", "65532:65532"}, users[0]) {
		t.Errorf("runtime stage USER %q, want nonroot (uid %d, the chart's runAsUser)", users, nonrootUID)
	}
	if envs := find(runtime, "ENV"); !slices.Contains(envs, "A2A_BRIDGE_LISTEN=0.0.0.0:8080") {
		t.Errorf("runtime stage ENV %q, want A2A_BRIDGE_LISTEN=0.0.0.0:8080", envs)
	}
	if exposed := find(runtime, "EXPOSE"); !slices.Equal(exposed, []string{"8080"}) {
		t.Errorf("runtime stage EXPOSE %q, want 8080", exposed)
	}
	entry := find(runtime, "ENTRYPOINT")
	var argv []string
	if len(entry) != 1 || json.Unmarshal([]byte(entry[0]), &argv) != nil || len(argv) == 0 {
		t.Errorf("ENTRYPOINT %q, want the exec form [\"/path/to/a2a-bridge\"] (no shell)", entry)
	}
	checkBuildContext(t, build)
}

// checkBuildContext: every package and embedded file the binary is built from
// lies in a directory the build stage copies.
func checkBuildContext(t *testing.T, build []instruction) {
	t.Helper()
	var copied []string
	for _, c := range find(build, "COPY") {
		f := strings.Fields(c)
		copied = append(copied, f[:len(f)-1]...)
	}
	out, err := exec.Command("go", "list", "-C", repoRoot, "-deps",
		"-f", "{{if .Module}}{{if .Module.Main}}{{.ImportPath}}{{end}}{{end}}", "./cmd/a2a-bridge").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for pkg := range strings.FieldsSeq(string(out)) {
		dir, ok := strings.CutPrefix(pkg, "github.com/a2a-bridge/a2a-bridge/")
		if !ok {
			t.Errorf("package %s is not under the module path", pkg)
			continue
		}
		top, _, _ := strings.Cut(dir, "/")
		if !slices.Contains(copied, top) && !slices.Contains(copied, "./"+top) && !slices.Contains(copied, ".") {
			t.Errorf("package %s is in %s/, which the Dockerfile does not COPY (it copies %q)", pkg, top, copied)
		}
	}
}

// imageBinary is the bridge built once per test run, as the Dockerfile builds
// it; TestMain removes it.
var imageBinary = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "a2a-bridge-image-")
	if err != nil {
		return "", err
	}
	binDir = dir
	return buildImageBinary(dir)
})

var binDir string
