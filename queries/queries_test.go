package queries

import (
	"strings"
	"testing"
	"testing/fstest"
)

func TestEmbeddedQueriesParse(t *testing.T) {
	all, err := All()
	if err != nil {
		t.Fatal(err)
	}
	if len(all) < 6 {
		t.Fatalf("only %d canned queries", len(all))
	}
	for _, q := range all {
		if q.Title == "" || q.Description == "" || !strings.HasPrefix(q.SQL, "SELECT") && !strings.HasPrefix(q.SQL, "WITH") {
			t.Errorf("%s: incomplete: %+v", q.Name, q)
		}
	}
}

func TestBadFiles(t *testing.T) {
	tests := []struct{ name, file, text, want string }{
		{"no name", "a.sql", "SELECT 1", "needs"},
		{"unknown header", "a.sql", "-- name: a\n-- colour: red\nSELECT 1", `unknown header "colour"`},
		{"name mismatch", "a.sql", "-- name: b\nSELECT 1", "must match"},
		{"no sql", "a.sql", "-- name: a\n", "needs"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(fstest.MapFS{tt.file: {Data: []byte(tt.text)}})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
}
