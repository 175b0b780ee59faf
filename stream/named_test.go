package stream

import (
	"bytes"
	"testing"
)

// TestNamed: Named and BeginNamed/End write the same named frame, kept
// until Flush, and a Decoder reads its name and data back.
func TestNamed(t *testing.T) {
	const want = "event: response.created\ndata: {\"a\":1}\n\nevent: response.done\ndata: {\"b\":2}\n\n"
	var out bytes.Buffer
	sw := NewWriter(&out)
	if err := sw.Named("response.created", []byte(`{"a":1}`)); err != nil {
		t.Fatal(err)
	}
	if err := sw.End(append(sw.BeginNamed("response.done"), `{"b":2}`...)); err != nil {
		t.Fatal(err)
	}
	if out.Len() != 0 {
		t.Errorf("written before Flush: %q", out.String())
	}
	if err := sw.Flush(); err != nil {
		t.Fatal(err)
	}
	if out.String() != want {
		t.Errorf("Named, BeginNamed wrote %q, want %q", out.String(), want)
	}
	var got []Event
	for ev, err := range Events(bytes.NewReader(out.Bytes()), 1<<10) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, Event{Type: ev.Type, Data: bytes.Clone(ev.Data)})
	}
	if len(got) != 2 || got[0].Type != "response.created" || string(got[1].Data) != `{"b":2}` {
		t.Errorf("Events(%q) = %+v, want the two named events", out.String(), got)
	}
}
