package jsonwalk

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"github.com/a2a-bridge/a2a-bridge/transform/internal/jsontest"
	"github.com/tidwall/gjson"
)

// nestingDepth and nested are the shared references (jsontest).
var nestingDepth, nested = jsontest.NestingDepth, jsontest.Nested

// checkTests are bodies where the walk's validation can part from
// gjson.ValidBytes: every token, whitespace, escapes, bytes a string may or
// may not hold, numbers, trailing bytes, and nesting at the bound.
var checkTests = []struct {
	name     string
	body     string
	ok, deep bool
}{
	{"empty", ``, false, false},
	{"whitespace only", " \t\r\n", false, false},
	{"scalars", `1`, true, false},
	{"string", `"a"`, true, false},
	{"literals", `[true,false,null]`, true, false},
	{"bad literal", `[tru]`, false, false},
	{"object", ` {"a" : [1, {"b":"c"}] } `, true, false},
	{"empty containers", `{"a":{},"b":[]}`, true, false},
	{"trailing comma", `[1,]`, false, false},
	{"missing colon", `{"a" 1}`, false, false},
	{"non-string key", `{1:2}`, false, false},
	{"trailing bytes", `{} x`, false, false},
	{"two values", `1 2`, false, false},
	{"vertical tab is no whitespace", "[\v1]", false, false},
	{"numbers", `[0,-0,1.5,-2e10,3E+2,4e-1]`, true, false},
	{"leading zero", `01`, false, false},
	{"bare point", `[1.]`, false, false},
	{"bare exponent", `[1e]`, false, false},
	{"plus sign", `+1`, false, false},
	{"escapes", `"\" \\ \/ \b \f \n \r \t \u00e9 \uD83D\uDE00 \uD800"`, true, false},
	{"bad escape", `"\x"`, false, false},
	{"short unicode escape", `"\u12"`, false, false},
	{"control byte in string", "\"a\x01b\"", false, false},
	{"invalid UTF-8 in string", "\"\xff\xfe\"", true, false},
	{"unterminated string", `"abc`, false, false},
	{"long string", `"` + strings.Repeat("abcdefgh", 9) + `\n"`, true, false},
	{"at the bound", nested("[", MaxDepth, "1"), true, false},
	{"objects at the bound", nested("{", MaxDepth, "1"), true, false},
	{"past the bound", nested("[", MaxDepth+1, "1"), false, true},
	{"mixed past the bound", nested("{[", MaxDepth+1, "{}"), false, true},
	{"unterminated past the bound", strings.Repeat("[", MaxDepth+1), false, true},
	{"brackets in strings", `["` + strings.Repeat("[", MaxDepth+1) + `"]`, true, false},
}

func TestCheck(t *testing.T) {
	for _, tc := range checkTests {
		t.Run(tc.name, func(t *testing.T) {
			if ok, deep := Check([]byte(tc.body)); ok != tc.ok || deep != tc.deep {
				t.Errorf("Check(%.64q) = %t, %t, want %t, %t", tc.body, ok, deep, tc.ok, tc.deep)
			}
		})
	}
}

func TestElements(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		want       int
	}{
		{"empty", `[]`, 0},
		{"three", `[1, "a", {"b":[2,3]}]`, 3},
		{"spaced", `[ 1 , 2 ]`, 2},
		{"not an array", `{"a":1}`, 0},
		{"invalid", `[1,`, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Elements([]byte(tc.body)); got != tc.want {
				t.Errorf("Elements(%q) = %d, want %d", tc.body, got, tc.want)
			}
		})
	}
}

func TestRemaining(t *testing.T) {
	r := New([]byte(`[1, [2, 3], {"a":4}, "x"]`))
	var seen []int
	if _, ok := r.Each(func() bool {
		if !r.Skip() {
			return false
		}
		seen = append(seen, r.Remaining())
		return true
	}); !ok {
		t.Fatal("Each = false on a valid array")
	}
	if want := []int{3, 2, 1, 0}; !reflect.DeepEqual(seen, want) {
		t.Errorf("Remaining after each element = %v, want %v", seen, want)
	}
}

// entry is what a walk reads of one value: the key it is the value of (""
// for an element or the top value), and the value read as gjson's String,
// Bool and Type read it.
type entry struct {
	key  string
	str  string
	bool bool
	typ  gjson.Type
}

// walkEntries walks the value at r.i and every value in it, appending
// their entries in post-order (a container after what it holds).
func walkEntries(r *Reader, key string, out *[]entry) bool {
	var s Span
	var ok bool
	switch r.Peek() {
	case '{':
		s, ok = r.Object(func(k Key) bool {
			var buf [ShortMax]byte
			name := string(AppendUnescaped(nil, k.Raw()))
			if len(k.Raw()) <= ShortMax && string(k.Short(&buf)) != name {
				return false // Short unescapes what fits its buffer
			}
			return walkEntries(r, name, out)
		})
	case '[':
		s, ok = r.Each(func() bool { return walkEntries(r, "", out) })
	default:
		s, ok = r.Value()
	}
	if !ok {
		return false
	}
	*out = append(*out, entry{key, r.String(s), r.Bool(s), r.GJSON(s).Type})
	return true
}

// gjsonEntries is walkEntries by gjson, the reference.
func gjsonEntries(v gjson.Result, key string, out *[]entry) {
	if v.IsObject() || v.IsArray() {
		v.ForEach(func(k, m gjson.Result) bool {
			key := k.String()
			if v.IsArray() {
				key = "" // ForEach gives an element its index
			}
			gjsonEntries(m, key, out)
			return true
		})
	}
	*out = append(*out, entry{key, v.String(), v.Bool(), v.Type})
}

// FuzzWalk holds the walk to gjson. Invariants: for a body no deeper than
// MaxDepth, Check accepts it exactly when gjson.ValidBytes does, and says
// it is too deep only for a body deeper; once accepted, every key and
// value the walk reads, unescaped and converted, equals what gjson's
// ForEach, String, Bool and Type read, and no string read points into the
// body.
func FuzzWalk(f *testing.F) {
	for _, tc := range checkTests {
		if len(tc.body) < 1024 {
			f.Add([]byte(tc.body))
		}
	}
	for _, s := range []string{
		`{"kind":"task","id":"T","status":{"state":"working","message":{"parts":[{"text":"h\u00e9"}]}}}`,
		`{"a":1,"a":2,"\u0061":"x","b":true,"c":"TRUE","d":"1","e":0.5,"f":-0,"g":null,"h":1e400}`,
		`["\ud800\udc00","\udc00","\ud800x","\ud800\u0041",12345678901234567890,{"\"k\\":"v"}]`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		ok, deep := Check(body)
		if depth := nestingDepth(body); depth > MaxDepth {
			if ok {
				t.Fatalf("Check(%.64q…) = true for a body %d levels deep", body, depth)
			}
			return // gjson is not asked: its validator recurses once per level
		} else if deep {
			t.Fatalf("Check(%q) says too deep for a body %d levels deep", body, depth)
		}
		if want := gjson.ValidBytes(body); ok != want {
			t.Fatalf("Check(%q) = %t, gjson.ValidBytes = %t", body, ok, want)
		}
		if !ok {
			return
		}
		b := bytes.Clone(body)
		r := New(b)
		r.WS()
		var got []entry
		if !walkEntries(&r, "", &got) || !r.End() {
			t.Fatalf("the walk of %q failed, but Check accepted it", body)
		}
		for i := range b {
			b[i] = '#'
		}
		var want []entry
		// gjson's top value keeps the whitespace after it in its Raw.
		gjsonEntries(gjson.ParseBytes(bytes.Trim(body, " \t\r\n")), "", &want)
		if len(got) != len(want) {
			t.Fatalf("walk of %q read %d values, gjson %d", body, len(got), len(want))
		}
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("walk of %q: value %d = %+v, want %+v (gjson)", body, i, got[i], want[i])
			}
		}
	})
}
