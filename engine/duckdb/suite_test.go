package duckdb_test

import (
	"context"
	"testing"

	"github.com/lakegate/lakegate"
	"github.com/lakegate/lakegate/engine/duckdb"
	"github.com/lakegate/lakegate/engine/enginetest"
)

// slowSQL counts ten billion generated rows: minutes of work.
const slowSQL = "SELECT count(*) FROM range(10000000000)"

func open(tb testing.TB, l *enginetest.Lake) *duckdb.DB {
	tb.Helper()
	db, err := duckdb.Open(context.Background(), duckdb.Options{
		Catalog: l.Catalog, Store: l.Store, LakeDir: l.Dir, Threads: 2, MemoryLimit: "1GB",
	})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

func TestSuite(t *testing.T) {
	enginetest.Run(t, enginetest.Harness{
		Open:    func(tb testing.TB, l *enginetest.Lake) lakegate.Engine { return open(tb, l) },
		SlowSQL: slowSQL,
	})
}
