package catalogtest

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/lakegate/lakegate"
)

func testPartitionKeys(t *testing.T, c lakegate.Catalog) {
	MustCommit(t, c, AddFiles("db", "t", day, "db/t/a.parquet"))
	before := Snap(t, c)
	for _, keys := range [][]lakegate.Column{
		{{Name: "ingest_date", Type: "VARCHAR"}},
		{{Name: "load_date", Type: "DATE"}},
		{{Name: "ingest_date", Type: "DATE"}, {Name: "hour", Type: "INTEGER"}},
		nil,
	} {
		ch := AddFiles("db", "t", day, "db/t/b.parquet")
		ch.Tables[0].Table.PartitionKeys = keys
		ch.Tables[0].Partitions = nil
		_, err := c.Commit(context.Background(), ch)
		WantError(t, err, lakegate.ECONFLICT, "partition keys", "db.t")
	}
	SameSnap(t, Snap(t, c), before)
}

func testInvalid(t *testing.T, c lakegate.Catalog) {
	ok := func() lakegate.Change { return AddFiles("db", "t", day, "db/t/a.parquet") }
	tests := []struct {
		name   string
		edit   func(ch *lakegate.Change)
		substr string
	}{
		{"empty change", func(ch *lakegate.Change) { *ch = lakegate.Change{} }, "empty"},
		{"empty database", func(ch *lakegate.Change) { ch.Tables[0].Table.Database = "" }, "database name is empty"},
		{"empty table", func(ch *lakegate.Change) { ch.Tables[0].Table.Name = "" }, "table name is empty"},
		{"upper-case table", func(ch *lakegate.Change) { ch.Tables[0].Table.Name = "Attempts" }, "Attempts"},
		{"digit-first db", func(ch *lakegate.Change) { ch.Tables[0].Table.Database = "1db" }, "1db"},
		{"dotted table", func(ch *lakegate.Change) { ch.Tables[0].Table.Name = "a.b" }, "a.b"},
		{"no columns", func(ch *lakegate.Change) { ch.Tables[0].Table.Columns = nil }, "no columns"},
		{"bad column name", func(ch *lakegate.Change) { ch.Tables[0].Table.Columns[0].Name = "keen-id" }, "keen-id"},
		{"column without type", func(ch *lakegate.Change) { ch.Tables[0].Table.Columns[1].Type = "" }, "score"},
		{"duplicate column", func(ch *lakegate.Change) { ch.Tables[0].Table.Columns[1].Name = "keen_id" }, "keen_id"},
		{"key is a column", func(ch *lakegate.Change) { ch.Tables[0].Table.PartitionKeys[0].Name = "score" }, "score"},
		{"too few values", func(ch *lakegate.Change) { ch.Tables[0].Partitions[0].Values = nil }, "0 values"},
		{"too many values", func(ch *lakegate.Change) {
			ch.Tables[0].Partitions[0].Values = []string{day, "x"}
		}, "2 values"},
		{"name does not match values", func(ch *lakegate.Change) {
			ch.Tables[0].Partitions[0].Name = "ingest_date=2026-01-01"
		}, "ingest_date=2026-11-21"},
		{"empty partition name", func(ch *lakegate.Change) { ch.Tables[0].Partitions[0].Name = "" }, "partition name is empty"},
		{"slash in value", func(ch *lakegate.Change) { ch.Tables[0].Partitions[0].Values = []string{"a/b"} }, "a/b"},
		{"file without path", func(ch *lakegate.Change) { ch.Tables[0].Partitions[0].Files[0].Path = "" }, "no path"},
		{"absolute path", func(ch *lakegate.Change) { ch.Tables[0].Partitions[0].Files[0].Path = "/etc/passwd" }, "/etc/passwd"},
		{"escaping path", func(ch *lakegate.Change) { ch.Tables[0].Partitions[0].Files[0].Path = "../x.parquet" }, "../x.parquet"},
		{"unclean path", func(ch *lakegate.Change) { ch.Tables[0].Partitions[0].Files[0].Path = "db//t/x.parquet" }, "db//t/x.parquet"},
		{"negative bytes", func(ch *lakegate.Change) { ch.Tables[0].Partitions[0].Files[0].Bytes = -1 }, "negative"},
		{"negative rows", func(ch *lakegate.Change) { ch.Tables[0].Partitions[0].Files[0].Rows = -5 }, "negative"},
		{"file twice", func(ch *lakegate.Change) {
			p := &ch.Tables[0].Partitions[0]
			p.Files = append(p.Files, p.Files[0])
		}, "twice"},
		{"table twice", func(ch *lakegate.Change) { ch.Tables = append(ch.Tables, TableChange("db", "t")) }, "twice"},
		{"bad table location", func(ch *lakegate.Change) { ch.Tables[0].Table.Location = "/abs" }, "/abs"},
		{"batch without id", func(ch *lakegate.Change) { ch.Batches = []lakegate.Batch{{Checksum: "x"}} }, "no id"},
		{"negative batch count", func(ch *lakegate.Change) {
			ch.Batches = []lakegate.Batch{{ID: "b", Rejected: -1}}
		}, "negative"},
		{"bad table type", func(ch *lakegate.Change) { ch.Tables[0].Table.Type = "view" }, "view"},
		{"empty property key", func(ch *lakegate.Change) {
			ch.Tables[0].Table.Properties = map[string]string{"": "x"}
		}, "empty key"},
		{"bad drop name", func(ch *lakegate.Change) {
			ch.DropTables = []lakegate.TableRef{{Database: "db", Name: "Bad"}}
		}, "Bad"},
		{"bad drop partition table", func(ch *lakegate.Change) {
			ch.DropPartitions = []lakegate.PartitionRef{{Database: "", Table: "t", Name: "x"}}
		}, "database name is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ch := ok()
			tt.edit(&ch)
			_, err := c.Commit(context.Background(), ch)
			WantError(t, err, lakegate.EINVALID, tt.substr)
		})
	}
	if v, _ := c.Version(context.Background()); v != 0 {
		t.Fatalf("invalid changes moved the version to %d", v)
	}
	if dbs, _ := c.Databases(context.Background()); len(dbs) != 0 {
		t.Fatalf("invalid changes created databases %+v", dbs)
	}
}

func testBatches(t *testing.T, c lakegate.Catalog) {
	ctx := context.Background()
	ch := AddFiles("db", "t", day, "db/t/a.parquet")
	ch.Batches = []lakegate.Batch{{ID: "b1", Source: "a.json", Checksum: "sha-a", Bytes: 10, Read: 3, Landed: 2, Duplicates: 1}}
	MustCommit(t, c, ch)
	MustCommit(t, c, lakegate.Change{Batches: []lakegate.Batch{
		{ID: "b2", Source: "b.json", Checksum: "sha-b"}, {ID: "b3", Source: "a-again.json", Checksum: "sha-a"},
	}})
	got, err := c.Batches(ctx, "sha-a")
	if err != nil || len(got) != 2 || got[0].ID != "b1" || got[1].ID != "b3" {
		t.Fatalf("Batches(sha-a) = %+v, %v", got, err)
	}
	if got[0].Read != 3 || got[0].Landed != 2 || got[0].Duplicates != 1 || got[0].Committed.IsZero() {
		t.Errorf("batch = %+v", got[0])
	}
	if got, _ := c.Batches(ctx, "sha-none"); len(got) != 0 {
		t.Errorf("Batches(sha-none) = %+v", got)
	}
	_, err = c.Commit(ctx, lakegate.Change{Batches: []lakegate.Batch{{ID: "b2", Checksum: "sha-c"}}})
	WantError(t, err, lakegate.ECONFLICT, "b2")
}

func testNotFound(t *testing.T, c lakegate.Catalog) {
	ctx := context.Background()
	_, err := c.Tables(ctx, "x")
	WantError(t, err, lakegate.ENOTFOUND, `database "x" not found`)
	_, err = c.Table(ctx, "x", "t")
	WantError(t, err, lakegate.ENOTFOUND, `database "x" not found`)
	MustCommit(t, c, AddFiles("db", "t", day, "db/t/a.parquet"))
	_, err = c.Table(ctx, "db", "nope")
	WantError(t, err, lakegate.ENOTFOUND, `table "db.nope" not found`)
	_, err = c.Partitions(ctx, "db", "nope")
	WantError(t, err, lakegate.ENOTFOUND, `table "db.nope" not found`)
	_, err = c.Partitions(ctx, "nodb", "t")
	WantError(t, err, lakegate.ENOTFOUND, `database "nodb" not found`)
}

func testCopies(t *testing.T, c lakegate.Catalog) {
	ctx := context.Background()
	ch := AddFiles("db", "t", day, "db/t/a.parquet")
	MustCommit(t, c, ch)
	ch.Tables[0].Table.Columns[0].Name = "mutated" // the caller's change is not kept either
	ch.Tables[0].Partitions[0].Files[0].Path = "mutated"
	before := Snap(t, c)

	tb, _ := c.Table(ctx, "db", "t")
	tb.Columns[0].Name, tb.PartitionKeys[0].Name = "x", "y"
	d, _ := c.Changes(ctx, 0)
	d.Tables[0].Columns[0].Name = "x"
	tables, _ := c.Tables(ctx, "db")
	tables[0].Columns[1].Type = "x"
	parts, _ := c.Partitions(ctx, "db", "t")
	parts[0].Values[0], parts[0].Files[0].Path = "x", "x"
	dbs, _ := c.Databases(ctx)
	dbs[0].Name = "x"
	SameSnap(t, Snap(t, c), before)
}

func testConcurrent(t *testing.T, c lakegate.Catalog) {
	const workers, each = 8, 10
	var wg sync.WaitGroup
	errs := make(chan error, workers*each)
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				// Half the workers share a table and partition, to collide.
				table := fmt.Sprintf("t%d", w%2)
				p := fmt.Sprintf("db/%s/w%d-%d.parquet", table, w, i)
				if _, err := c.Commit(context.Background(), AddFiles("db", table, day, p)); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("Commit: %v", err)
	}
	if n := CountFiles(t, c, "db", "t0") + CountFiles(t, c, "db", "t1"); n != workers*each {
		t.Fatalf("%d files landed, want %d", n, workers*each)
	}
	if v, _ := c.Version(context.Background()); v != workers*each {
		t.Fatalf("Version = %d, want %d", v, workers*each)
	}
}

func testAtomic(t *testing.T, c lakegate.Catalog) {
	MustCommit(t, c, AddFiles("db", "b", day, "db/b/taken.parquet"))
	before := Snap(t, c)
	ch := lakegate.Change{
		Tables: []lakegate.TableChange{
			TableChange("db", "a", Part("db", "a", day, "db/a/1.parquet")),
			TableChange("other", "c", Part("other", "c", day, "other/c/1.parquet")),
			TableChange("db", "b", Part("db", "b", day, "db/b/new.parquet", "db/b/taken.parquet")),
		},
		Batches: []lakegate.Batch{{ID: "atomic", Checksum: "sha-atomic"}},
	}
	_, err := c.Commit(context.Background(), ch)
	WantError(t, err, lakegate.ECONFLICT, "db/b/taken.parquet")
	SameSnap(t, Snap(t, c), before)
	if got, _ := c.Batches(context.Background(), "sha-atomic"); len(got) != 0 {
		t.Fatalf("batch of a failed change landed: %+v", got)
	}
	ch.Tables[2] = TableChange("db", "b", Part("db", "b", day, "db/b/new.parquet"))
	v := MustCommit(t, c, ch)
	for _, name := range []string{"db.a", "other.c", "db.b"} {
		db, table, _ := strings.Cut(name, ".")
		tb, err := c.Table(context.Background(), db, table)
		if err != nil || tb.Version != v {
			t.Fatalf("%s after the commit: %+v, %v", name, tb, err)
		}
	}
}

func testCanceled(t *testing.T, c lakegate.Catalog) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := c.Commit(ctx, AddFiles("db", "t", day, "db/t/a.parquet"))
	WantError(t, err, lakegate.ECANCELED)
	if v, _ := c.Version(context.Background()); v != 0 {
		t.Fatalf("a canceled commit landed: version %d", v)
	}
	if dbs := Snap(t, c).Databases; len(dbs) != 0 {
		t.Fatalf("a canceled commit created databases %+v", dbs)
	}
}
