package jsonenc

import (
	"encoding/json"
	"testing"
)

// appendStringTests are strings where AppendString takes each of its
// paths: the eight-byte test, HTML escapes, control bytes, invalid UTF-8,
// the two line separators, and multi-byte runes.
var appendStringTests = []string{
	"", "plain", "<>&\"\\", "\x00\x1f\x7f", "\u2028", "\u2029", "\xff\xfe", "é😀",
	"eight ok", "eight ok and more than sixteen bytes", "1234567<", "12345678\n", "\xed\xa0\x80",
}

func TestAppendString(t *testing.T) {
	for _, s := range appendStringTests {
		want, _ := json.Marshal(s)
		if got := AppendString([]byte("x"), s); string(got) != "x"+string(want) {
			t.Errorf("AppendString(x, %q) = %s, want x%s", s, got, want)
		}
	}
}

func TestAppendObject(t *testing.T) {
	for _, tc := range []struct {
		name    string
		members []Member
		want    string
	}{
		{"none", nil, `{}`},
		{"all empty", []Member{{"a", ""}, {"b", ""}}, `{}`},
		{"empty first", []Member{{"a", ""}, {"b", "<"}}, `{"b":"\u003c"}`},
		{"two", []Member{{"a", "1"}, {"b", "2"}}, `{"a":"1","b":"2"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := AppendObject(nil, tc.members...); string(got) != tc.want {
				t.Errorf("AppendObject(%v) = %s, want %s", tc.members, got, tc.want)
			}
		})
	}
	if got, want := string(AppendMember([]byte("{"), "k", "", true)), "{"; got != want {
		t.Errorf(`AppendMember("{", "k", "", true) = %s, want %s`, got, want)
	}
	if got, want := string(AppendMember([]byte("{"), "k", "", false)), `{,"k":""`; got != want {
		t.Errorf(`AppendMember("{", "k", "", false) = %s, want %s`, got, want)
	}
}

func TestAppendJSON(t *testing.T) {
	type v struct {
		N int `json:"n"`
	}
	if got := string(AppendJSON[v](nil, nil)); got != "null" {
		t.Errorf("AppendJSON(nil) = %s, want null", got)
	}
	if got := string(AppendJSON(nil, &v{N: 2})); got != `{"n":2}` {
		t.Errorf(`AppendJSON(&v{2}) = %s, want {"n":2}`, got)
	}
}

// FuzzAppendString holds AppendString to encoding/json.Marshal of a string,
// byte for byte.
func FuzzAppendString(f *testing.F) {
	for _, s := range appendStringTests {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, _ := json.Marshal(s)
		if got := AppendString(nil, s); string(got) != string(want) {
			t.Fatalf("AppendString(%q) = %s, want %s", s, got, want)
		}
	})
}
