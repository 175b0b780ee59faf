package o200k

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/dlclark/regexp2/v2"
)

// o200kCases are texts where the pattern's alternatives and their
// backtracking meet: contractions, marks, case runs, number runs, symbol
// runs, every kind of space and newline run, invalid UTF-8, long pieces.
var o200kCases = []string{
	"", "a", "Hello, world!", "hello world  ", "  leading", "trailing \n", "a\r\nb", " \n \n x", "e\n\t\n  ",
	"I'm sure they're fine, we'll see; it's John's, I'd say, we've", "DON'T SHOUT'S", "it'ſ", "x'S'LL'Re",
	"'s alone", "x's'", "CamelCaseWords and HTTPServer", "ǅungla ǅ", "naïve café", "e\u0301clair",
	"\u0301\u0302 marks first", " \u0301x", "1234567 12 1.5e10", "٣٤٥٦ ¼½", "x86_64-linux /usr/bin//",
	"!!!\n\n", " ?!/\r\n/", "a  \t\tb", "tab\tsep", "\u00a0nbsp\u3000ideographic", "line\u2028sep",
	"日本語のテキストです。", "한국어 텍스트", "Ελληνικά κείμενα", "русский текст", "emoji 👍🏽 family 👨‍👩‍👧",
	"code: func main() { fmt.Println(\"hi\") }\n", "https://example.com/a?b=c&d=e#f", "\x00\x01\x1c\x1f control",
	"bad \xff\xfe utf8 \xc3", "\xed\xa0\x80 surrogate", strings.Repeat("a", 300), strings.Repeat("ab1", 200),
	strings.Repeat("xyz", 5000), strings.Repeat(" ", 40) + "x", strings.Repeat("\n", 9), strings.Repeat("🙂", 100),
	"QmFzZTY0IGVuY29kZWQgdGV4dCBnb2VzIGhlcmUgYW5kIG9uIGFuZCBvbg==" + strings.Repeat("QUJD", 100),
}

// o200kAlphabet draws random texts from one or two characters of every
// class the pattern tells apart.
var o200kAlphabet = []string{
	"a", "z", "A", "Z", "s", "t", "S", "l", "L", "e", "d", "m", "r", "v", "'", "ſ", "ǅ", "ʰ", "あ", "\u0301",
	"é", "É", "1", "٣", "½", " ", "  ", "\t", "\n", "\r", "\u00a0", "\u2028", "!", ".", "/", "-", "😀",
	"\xff", "_", "$", "中",
}

func randomTexts(seed uint64, n int) []string {
	rng := rand.New(rand.NewPCG(seed, seed+1))
	out := make([]string, n)
	for k := range out {
		var b strings.Builder
		for range 1 + rng.IntN(12) {
			b.WriteString(o200kAlphabet[rng.IntN(len(o200kAlphabet))])
		}
		out[k] = b.String()
	}
	return out
}

// referenceSplit is the o200k pattern run by regexp2's backtracking
// interpreter, the contraction spelt out in ASCII cases as OpenAI's
// tiktoken matches it. (The pattern is spelt differently from
// tiktoken-go's, so that regexp2 does not pick tiktoken-go's generated
// matcher, which takes the first newline of `\s*[\r\n]+` where a
// backtracking engine takes the last.)
var referenceSplit = regexp2.MustCompile(
	`[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])?`+
		`|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])?`+
		`|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+`, regexp2.None)

func referenceCount(t testing.TB, s string) int {
	t.Helper()
	c := counter{vocab: ranks()}
	n := 0
	m, err := referenceSplit.FindStringMatch(s)
	for ; m != nil && err == nil; m, err = referenceSplit.FindNextMatch(m) {
		n += c.piece(m.String()) // a piece past maxPiece in chunks, as countO200k counts it
	}
	if err != nil {
		t.Fatalf("regexp2 on %q: %v", s, err)
	}
	return n
}

func TestCountO200kMatchesBacktrackingSplit(t *testing.T) {
	texts := append(append([]string{}, o200kCases...), randomTexts(1, 20000)...)
	for _, s := range texts {
		if got, want := countO200k(s), referenceCount(t, s); got != want {
			t.Fatalf("countO200k(%q) = %d, the backtracking split gives %d", s, got, want)
		}
	}
}

// TestCountO200kMatchesTiktoken checks the count against OpenAI's own
// tokenizer (npm "tiktoken", its Rust core as WebAssembly), on every case
// and thousands of random texts.
func TestCountO200kMatchesTiktoken(t *testing.T) {
	dir := filepath.Join(moduleRoot(t), "testdata", "node")
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "tiktoken")); err != nil {
		t.Fatalf("Node test modules missing: run `make node-deps` (npm ci in %s)", dir)
	}
	texts := append(append([]string{}, o200kCases...), randomTexts(7, 5000)...)
	texts = append(texts, strings.Repeat("The quick brown fox jumps over the lazy dog. ", 300))
	in, err := json.Marshal(texts) // invalid UTF-8 becomes U+FFFD per byte, as countO200k reads it
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("node", filepath.Join("tools", "o200k-count.mjs"))
	cmd.Dir = dir
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node tools/o200k-count.mjs: %v\n%s", err, stderr.String())
	}
	var want []int
	if err := json.Unmarshal(out, &want); err != nil || len(want) != len(texts) {
		t.Fatalf("tiktoken answered %d counts for %d texts (%v): %.200s", len(want), len(texts), err, out)
	}
	for k, s := range texts {
		if got := countO200k(s); got != want[k] {
			t.Errorf("countO200k(%q) = %d, tiktoken says %d", s, got, want[k])
		}
	}
}

// TestMergeCountLong holds the heap merge for long pieces equal to the scan.
func TestMergeCountLong(t *testing.T) {
	vocab := ranks()
	rng := rand.New(rand.NewPCG(3, 4))
	const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	for _, n := range []int{1, 2, 3, 17, shortPiece, 100, 256} {
		for range 50 {
			b := make([]byte, n)
			for k := range b {
				b[k] = letters[rng.IntN(len(letters))]
			}
			if got, want := mergeCountLong(vocab, string(b)), mergeCount(vocab, string(b)); got != want {
				t.Fatalf("mergeCountLong(%q) = %d, mergeCount says %d", b, got, want)
			}
		}
	}
}

func FuzzCountTokens(f *testing.F) {
	for _, s := range []string{"Hello, world!", "I'm 12345 ok\r\n\r\n  x", "ǅ\u0301'S'll", "\xff a", " ?!/\n", " \n \n x"} {
		f.Add(s)
	}
	ranks() // once per worker, before the first input is timed
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := countO200k(s), referenceCount(t, s); got != want {
			t.Fatalf("countO200k(%q) = %d, the backtracking split gives %d (valid UTF-8: %v)", s, got, want, utf8.ValidString(s))
		}
	})
}

// moduleRoot returns the directory of the module's go.mod, found upwards
// from the package's directory (where go test runs the test), so the test
// finds testdata/node wherever the package lies in the module.
func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's directory")
		}
		dir = parent
	}
}
