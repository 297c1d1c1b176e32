package duckdb_test

import (
	"context"
	"strings"
	"testing"

	"github.com/lakegate/lakegate"
	"github.com/lakegate/lakegate/engine/duckdb"
	"github.com/lakegate/lakegate/engine/enginetest"
)

// hugeListSQL builds one 50-million-element list: an aggregate state that
// DuckDB cannot spill, so under a 64MB memory_limit it fails within
// milliseconds instead of spilling (a big GROUP BY spills and succeeds).
const hugeListSQL = "SELECT length(list(range)) FROM range(50000000)"

func TestOutOfMemory(t *testing.T) {
	l := enginetest.NewLake(t)
	db, err := duckdb.Open(context.Background(), duckdb.Options{Catalog: l.Catalog, Store: l.Store, LakeDir: l.Dir, Threads: 2, MemoryLimit: "64MB"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	_, err = query(t, db, hugeListSQL)
	if code := lakegate.ErrorCode(err); code != lakegate.ENOMEM {
		t.Fatalf("code %q, want %q: %v", code, lakegate.ENOMEM, err)
	}
	msg := lakegate.ErrorMessage(err)
	for _, want := range []string{"needs more memory than memory_limit allows: failed to allocate", "raise memory_limit"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q lacks %q", msg, want)
		}
	}
	if strings.Contains(msg, "SET threads") || strings.Contains(msg, "\n") {
		t.Errorf("message keeps DuckDB's advice: %q", msg)
	}
	if rows, err := query(t, db, "SELECT 42"); err != nil || len(rows) != 1 {
		t.Errorf("the engine does not answer after running out of memory: %v %v", rows, err)
	}
}

// query runs sql and returns its rows or the first error.
func query(t *testing.T, db *duckdb.DB, sql string) ([][]any, error) {
	t.Helper()
	rs, err := db.Query(context.Background(), lakegate.Query{SQL: sql})
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	var out [][]any
	for rs.Next() {
		out = append(out, append([]any(nil), rs.Values()...))
	}
	return out, rs.Err()
}
