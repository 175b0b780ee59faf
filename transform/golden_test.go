package transform

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
func checkGolden(t *testing.T, path string, a *archive, name string, got []byte, normalize func([]byte) []byte) {
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

// archive is a txtar archive: a free comment, then files each introduced by
// a "-- name --" line. This is the subset of golang.org/x/tools/txtar the
// golden files use, kept here to add no dependency.
type archive struct {
	comment []byte
	files   []archiveFile
}

type archiveFile struct {
	name string
	data []byte
}

func readArchive(t *testing.T, path string) *archive {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return parseArchive(b)
}

func parseArchive(b []byte) *archive {
	a := &archive{}
	cur := &a.comment
	for len(b) > 0 {
		line, rest, _ := bytes.Cut(b, []byte("\n"))
		if name, ok := marker(line); ok {
			a.files = append(a.files, archiveFile{name: name})
			cur = &a.files[len(a.files)-1].data
		} else {
			*cur = append(*cur, line...)
			*cur = append(*cur, '\n')
		}
		b = rest
	}
	return a
}

func marker(line []byte) (string, bool) {
	s := strings.TrimSuffix(string(line), "\r")
	if !strings.HasPrefix(s, "-- ") || !strings.HasSuffix(s, " --") || len(s) < 7 {
		return "", false
	}
	return strings.TrimSpace(s[3 : len(s)-3]), true
}

func (a *archive) get(name string) ([]byte, bool) {
	for _, f := range a.files {
		if f.name == name {
			return f.data, true
		}
	}
	return nil, false
}

func (a *archive) mustGet(t *testing.T, name string) []byte {
	t.Helper()
	b, ok := a.get(name)
	if !ok {
		t.Fatalf("golden file has no section %q", name)
	}
	return b
}

func (a *archive) set(name string, data []byte) {
	for i := range a.files {
		if a.files[i].name == name {
			a.files[i].data = data
			return
		}
	}
	a.files = append(a.files, archiveFile{name: name, data: data})
}

func (a *archive) format() []byte {
	var b bytes.Buffer
	b.Write(a.comment)
	for _, f := range a.files {
		b.WriteString("-- " + f.name + " --\n")
		b.Write(f.data)
		if len(f.data) > 0 && f.data[len(f.data)-1] != '\n' {
			b.WriteByte('\n')
		}
	}
	return b.Bytes()
}

func TestParseArchive(t *testing.T) {
	tests := []struct {
		name        string
		in          string
		wantComment string
		wantFiles   []archiveFile
	}{
		{"empty", "", "", nil},
		{"comment only", "a case\n", "a case\n", nil},
		{"two files", "c\n-- a --\nx\ny\n-- b --\nz\n", "c\n", []archiveFile{{"a", []byte("x\ny\n")}, {"b", []byte("z\n")}}},
		{"no final newline", "-- a --\nx", "", []archiveFile{{"a", []byte("x\n")}}},
		{"empty section", "-- a --\n-- b --\nz\n", "", []archiveFile{{"a", nil}, {"b", []byte("z\n")}}},
		{"not a marker", "-- a\n--a--\n", "-- a\n--a--\n", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := parseArchive([]byte(tc.in))
			if string(a.comment) != tc.wantComment {
				t.Errorf("parseArchive(%q).comment = %q, want %q", tc.in, a.comment, tc.wantComment)
			}
			if len(a.files) != len(tc.wantFiles) {
				t.Fatalf("parseArchive(%q) has %d files, want %d", tc.in, len(a.files), len(tc.wantFiles))
			}
			for i, f := range a.files {
				if f.name != tc.wantFiles[i].name || !bytes.Equal(f.data, tc.wantFiles[i].data) {
					t.Errorf("parseArchive(%q).files[%d] = %q %q, want %q %q", tc.in, i, f.name, f.data, tc.wantFiles[i].name, tc.wantFiles[i].data)
				}
			}
			// format is parse's inverse on a well-formed archive.
			if tc.in != "" && strings.HasSuffix(tc.in, "\n") {
				if got := string(a.format()); got != tc.in {
					t.Errorf("format(parseArchive(%q)) = %q, want the input", tc.in, got)
				}
			}
		})
	}
}
