package duckdb_test

import (
	"testing"

	"github.com/lakegate/lakegate"
	"github.com/lakegate/lakegate/engine/enginetest"
)

// The read-only check remembers texts that passed; this must never let a
// refused text through, nor hide that a remembered text's table is gone.
func TestRememberedVerdicts(t *testing.T) {
	l := enginetest.NewLake(t)
	l.Land(t, "v", "t", "2026-01-01", "SELECT 1 AS n")
	e := open(t, l)
	for i := 0; i < 2; i++ {
		if got := enginetest.Scalar(t, e, "SELECT count(*) FROM v.t", nil); got != "1" {
			t.Fatalf("run %d: count = %s", i, got)
		}
		_, err := enginetest.Query(ctx, e, "CREATE TABLE x AS SELECT 1", nil)
		enginetest.ExpectCode(t, "write refused every time", err, lakegate.EFORBIDDEN)
		_, err = enginetest.Query(ctx, e, "SELECT $a::INT AS a", map[string]any{"b": 1})
		enginetest.ExpectCode(t, "wrong parameter every time", err, lakegate.EINVALID)
	}
	if _, err := l.Catalog.Commit(ctx, lakegate.Change{DropTables: []lakegate.TableRef{{Database: "v", Name: "t"}}}); err != nil {
		t.Fatal(err)
	}
	_, err := enginetest.Query(ctx, e, "SELECT count(*) FROM v.t", nil)
	enginetest.ExpectCode(t, "remembered text over a dropped table", err, lakegate.ENOTFOUND)
}
