package stream

import (
	"testing"

	"golang.org/x/tools/txtar"
)

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
