package bridge

import (
	"sync"
	"testing"
)

// TestReadMap: every getOrPut of a key returns the value the first stored,
// however many race; a snapshot taken is not changed by later writes;
// deleteFunc drops what it is told to and nothing else.
func TestReadMap(t *testing.T) {
	var r readMap[string, *int]
	if v, ok := r.get("a"); ok || v != nil || r.snapshot() != nil {
		t.Fatalf("get of an empty map = %v, %v, want none", v, ok)
	}
	got := make([]*int, 16)
	var wg sync.WaitGroup
	for i := range got {
		wg.Go(func() { got[i] = r.getOrPut("a", new(int)) })
	}
	wg.Wait()
	first, _ := r.get("a")
	for i, v := range got {
		if v != first {
			t.Errorf("getOrPut %d = %p, want the stored %p", i, v, first)
		}
	}
	before := r.snapshot()
	r.getOrPut("b", new(int))
	r.getOrPut("c", new(int))
	r.deleteFunc(func(k string, _ *int) bool { return k == "b" })
	if len(before) != 1 {
		t.Errorf("a snapshot after writes holds %d, want the 1 it had", len(before))
	}
	if _, ok := r.get("b"); ok {
		t.Error("get(b) after deleteFunc found it")
	}
	if _, ok := r.get("c"); !ok || len(r.snapshot()) != 2 {
		t.Errorf("after deleting b: %v, want a and c", r.snapshot())
	}
}
