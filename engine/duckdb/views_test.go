package duckdb_test

import (
	"context"
	"sync"
	"testing"

	"github.com/lakegate/lakegate"
	"github.com/lakegate/lakegate/engine/duckdb"
	"github.com/lakegate/lakegate/engine/enginetest"
)

// countingCatalog records which tables the engine reads, to prove that a
// refresh reads only what changed.
type countingCatalog struct {
	lakegate.Catalog
	mu         sync.Mutex
	partitions map[string]int
	listings   int // Databases and Tables calls
}

func (c *countingCatalog) Partitions(ctx context.Context, db, table string) ([]lakegate.Partition, error) {
	c.mu.Lock()
	c.partitions[db+"."+table]++
	c.mu.Unlock()
	return c.Catalog.Partitions(ctx, db, table)
}

func (c *countingCatalog) Databases(ctx context.Context) ([]lakegate.Database, error) {
	c.mu.Lock()
	c.listings++
	c.mu.Unlock()
	return c.Catalog.Databases(ctx)
}

func (c *countingCatalog) Tables(ctx context.Context, db string) ([]lakegate.Table, error) {
	c.mu.Lock()
	c.listings++
	c.mu.Unlock()
	return c.Catalog.Tables(ctx, db)
}

// reads returns the Partitions calls per table since the last call.
func (c *countingCatalog) reads() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.partitions
	c.partitions = map[string]int{}
	return out
}

func count(t *testing.T, db *duckdb.DB, table string) (int64, error) {
	t.Helper()
	rows, err := db.Query(context.Background(), lakegate.Query{SQL: "SELECT count(*) FROM " + table})
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	rows.Next()
	n, _ := rows.Values()[0].(int64)
	return n, rows.Err()
}

func TestRefreshReadsOnlyChanges(t *testing.T) {
	ctx := context.Background()
	l := enginetest.NewLake(t)
	l.Land(t, "a", "x", "2026-01-02", enginetest.Attempts["2026-01-02"])
	l.Land(t, "a", "y", "2026-01-02", enginetest.Attempts["2026-01-02"])
	cat := &countingCatalog{Catalog: l.Catalog, partitions: map[string]int{}}
	db, err := duckdb.Open(ctx, duckdb.Options{Catalog: cat, Store: l.Store, LakeDir: l.Dir, Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	want := func(step string, reads map[string]int) {
		t.Helper()
		got := cat.reads()
		if len(got) != len(reads) {
			t.Errorf("%s: read partitions of %v, want %v", step, got, reads)
		}
		for k, n := range reads {
			if got[k] != n {
				t.Errorf("%s: read partitions of %v, want %v", step, got, reads)
			}
		}
	}
	want("open", map[string]int{"a.x": 1, "a.y": 1})

	for range 3 {
		if _, err := count(t, db, "a.x"); err != nil {
			t.Fatal(err)
		}
	}
	want("nothing changed", nil)

	l.Land(t, "a", "x", "2026-01-03", enginetest.Attempts["2026-01-03"])
	if n, err := count(t, db, "a.x"); err != nil || n != 5 {
		t.Fatalf("a.x after landing: %d %v", n, err)
	}
	want("a.x changed", map[string]int{"a.x": 1})

	if _, err := l.Catalog.Commit(ctx, lakegate.Change{DropTables: []lakegate.TableRef{{Database: "a", Name: "y"}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := count(t, db, "a.y"); lakegate.ErrorCode(err) != lakegate.ENOTFOUND {
		t.Errorf("dropped a.y: %v, want not_found", err)
	}
	if n, err := count(t, db, "a.x"); err != nil || n != 5 {
		t.Errorf("a.x after dropping a.y: %d %v", n, err)
	}
	want("a.y dropped", nil)

	l.Land(t, "a", "y", "2026-01-03", enginetest.Attempts["2026-01-03"])
	if n, err := count(t, db, "a.y"); err != nil || n != 2 {
		t.Errorf("a.y created again: %d %v", n, err)
	}
	want("a.y created again", map[string]int{"a.y": 1})
	if cat.listings != 0 {
		t.Errorf("the engine listed databases or tables %d times; it should only read changes", cat.listings)
	}
}
