package upstream

import (
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

func TestReadUpTo(t *testing.T) {
	const max = 10
	cases := []struct {
		name   string
		body   string
		size   int64
		want   string // what is read: max+1 bytes at most
		errMsg string
	}{
		{"announced size", "hello", 5, "hello", ""},
		{"unknown size", "hello", -1, "hello", ""},
		{"empty", "", 0, "", ""},
		{"announced over the limit", "0123456789ABC", 13, "0123456789A", ""},
		{"unknown size over the limit", "0123456789ABC", -1, "0123456789A", ""},
		{"longer than announced", "0123456789ABC", 3, "0123456789A", ""},
		{"shorter than announced", "abc", 8, "abc", ""},
		{"exactly the limit", "0123456789", 10, "0123456789", ""},
	}
	for _, tc := range cases {
		for _, oneByte := range []bool{false, true} {
			var r io.Reader = strings.NewReader(tc.body)
			if oneByte {
				r = iotest.OneByteReader(r)
			}
			got, err := readUpTo(r, tc.size, max)
			if err != nil || string(got) != tc.want {
				t.Errorf("%s (one byte a read: %v): %q, %v; want %q", tc.name, oneByte, got, err, tc.want)
			}
		}
	}
	boom := errors.New("boom")
	if _, err := readUpTo(iotest.ErrReader(boom), 4, max); !errors.Is(err, boom) {
		t.Errorf("reader error: got %v, want %v", err, boom)
	}
	if got := testing.AllocsPerRun(50, func() { _, _ = readUpTo(strings.NewReader("hello"), 5, max) }); got > 2 {
		t.Errorf("readUpTo of an announced size allocates %v times; want the buffer (and the reader) only", got)
	}
}
