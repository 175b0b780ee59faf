package transform

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"
)

// update rewrites the expected sections of the golden files, as
// go/printer's tests do: go test ./transform/ -run Golden -update
var update = flag.Bool("update", false, "rewrite the expected sections of testdata/golden")

const goldenDir = "../testdata/golden"

// goldenMeta is the fixed Meta every result golden file is rendered with.
var goldenMeta = Meta{ID: "chatcmpl-test", Created: 1700000000, Model: "a2a/x"}

// TestGoldenRequest reads each OpenAI request of testdata/golden/request and
// compares its flattened text with the a2a.text section.
func TestGoldenRequest(t *testing.T) {
	for _, path := range goldenFiles(t, "request") {
		t.Run(strings.TrimSuffix(filepath.Base(path), ".txtar"), func(t *testing.T) {
			a := readArchive(t, path)
			in := a.mustGet(t, "openai.request.json")
			req, err := ParseRequest(in)
			if err != nil {
				t.Fatalf("ParseRequest(%s) error = %v, want nil", path, err)
			}
			got := Flatten(req.Messages)
			// Idempotence, as go/printer checks it: the same body flattens the same way twice.
			if again, _ := ParseRequest(in); Flatten(again.Messages) != got {
				t.Fatalf("Flatten(ParseRequest(%s)) is not deterministic", path)
			}
			checkGolden(t, path, a, "a2a.text", []byte(got+"\n"), func(want []byte) []byte { return want })
		})
	}
}

// TestGoldenResult reads each agent answer of testdata/golden/result and
// compares the chat.completion a client would get with the
// openai.response.json section, both re-indented.
func TestGoldenResult(t *testing.T) {
	for _, path := range goldenFiles(t, "result") {
		t.Run(strings.TrimSuffix(filepath.Base(path), ".txtar"), func(t *testing.T) {
			a := readArchive(t, path)
			in := a.mustGet(t, "a2a.result.json")
			ev, err := ReadResponse(in)
			if err != nil {
				t.Fatalf("ReadResponse(%s) error = %v, want nil", path, err)
			}
			answer := answerOf(ev)
			out := Completion(goldenMeta, answer, CountUsage("p", answer))
			got, err := indentJSON(out)
			if err != nil {
				t.Fatalf("Completion(%s) = %s, not valid JSON: %v", path, out, err)
			}
			checkGolden(t, path, a, "openai.response.json", got, func(want []byte) []byte {
				re, err := indentJSON(want)
				if err != nil {
					t.Fatalf("%s: section openai.response.json is not valid JSON: %v", path, err)
				}
				return re
			})
		})
	}
}

func goldenFiles(t *testing.T, kind string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(goldenDir, kind, "*.txtar"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden files in %s/%s (err %v)", goldenDir, kind, err)
	}
	return files
}

// checkGolden compares got with section name of a, after normalize; with
// -update it rewrites the section and the file instead.
func checkGolden(t *testing.T, path string, a archive, name string, got []byte, normalize func([]byte) []byte) {
	t.Helper()
	if *update {
		a.set(name, got)
		if err := os.WriteFile(path, a.format(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, ok := a.get(name)
	if !ok {
		t.Fatalf("%s has no section %q; run with -update", path, name)
	}
	if want = normalize(want); !bytes.Equal(got, want) {
		t.Errorf("%s: %s\ngot:\n%s\nwant:\n%s\n(run go test ./transform/ -run Golden -update to accept)", path, name, got, want)
	}
}

// indentJSON re-indents a JSON document with two spaces, ending in a newline.
func indentJSON(b []byte) ([]byte, error) {
	var compact bytes.Buffer
	if err := json.Compact(&compact, b); err != nil {
		return nil, err
	}
	var out bytes.Buffer
	if err := json.Indent(&out, compact.Bytes(), "", "  "); err != nil {
		return nil, err
	}
	out.WriteByte('\n')
	return out.Bytes(), nil
}

// archive is a txtar golden file (golang.org/x/tools/txtar): a comment,
// then sections each introduced by a "-- name --" line.
type archive struct{ *txtar.Archive }

func readArchive(t testing.TB, path string) archive {
	t.Helper()
	a, err := txtar.ParseFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return archive{a}
}

func parseArchive(b []byte) archive { return archive{txtar.Parse(b)} }

// get returns the section called name.
func (a archive) get(name string) ([]byte, bool) {
	for _, f := range a.Files {
		if f.Name == name {
			return f.Data, true
		}
	}
	return nil, false
}

// set replaces or adds the section called name.
func (a archive) set(name string, data []byte) {
	for i := range a.Files {
		if a.Files[i].Name == name {
			a.Files[i].Data = data
			return
		}
	}
	a.Files = append(a.Files, txtar.File{Name: name, Data: data})
}

func (a archive) format() []byte { return txtar.Format(a.Archive) }

func (a archive) mustGet(t *testing.T, name string) []byte {
	t.Helper()
	b, ok := a.get(name)
	if !ok {
		t.Fatalf("golden file has no section %q", name)
	}
	return b
}
