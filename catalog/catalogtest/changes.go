package catalogtest

import (
	"context"
	"fmt"
	"reflect"
	"sync"
	"testing"

	"github.com/lakegate/lakegate"
)

// WantDelta fails unless Changes(since) reports exactly the named tables
// (as Table returns them now) and drops ("db.table", sorted), at version.
func WantDelta(t testing.TB, c lakegate.Catalog, since, version int64, tables, dropped []string) {
	t.Helper()
	ctx := context.Background()
	d, err := c.Changes(ctx, since)
	if err != nil {
		t.Fatalf("Changes(%d): %v", since, err)
	}
	var gotTables, gotDropped []string
	for _, tb := range d.Tables {
		gotTables = append(gotTables, tb.FullName())
		now, err := c.Table(ctx, tb.Database, tb.Name)
		if err != nil || !reflect.DeepEqual(tb, now) {
			t.Errorf("Changes(%d) table %s = %+v\nbut Table returns %+v, %v", since, tb.FullName(), tb, now, err)
		}
	}
	for _, r := range d.Dropped {
		gotDropped = append(gotDropped, r.Database+"."+r.Name)
	}
	if d.Version != version || fmt.Sprint(gotTables) != fmt.Sprint(tables) || fmt.Sprint(gotDropped) != fmt.Sprint(dropped) {
		t.Fatalf("Changes(%d) = version %d, tables %v, dropped %v; want version %d, tables %v, dropped %v",
			since, d.Version, gotTables, gotDropped, version, tables, dropped)
	}
}

func testChanges(t *testing.T, c lakegate.Catalog) {
	ctx := context.Background()
	WantDelta(t, c, 0, 0, nil, nil)
	v1 := MustCommit(t, c, AddFiles("db", "a", day, "db/a/1.parquet"))
	v2 := MustCommit(t, c, AddFiles("db", "b", day, "db/b/1.parquet"))
	WantDelta(t, c, 0, v2, []string{"db.a", "db.b"}, nil)
	WantDelta(t, c, v1, v2, []string{"db.b"}, nil)
	WantDelta(t, c, v2, v2, nil, nil)

	v3 := MustCommit(t, c, AddFiles("db", "a", "2026-11-22", "db/a/2.parquet")) // add files
	WantDelta(t, c, v2, v3, []string{"db.a"}, nil)

	ch := AddFiles("db", "b", day, "db/b/2.parquet") // evolve
	ch.Tables[0].Table.Columns = append(Cols(), lakegate.Column{Name: "extra", Type: "DOUBLE"})
	v4 := MustCommit(t, c, ch)
	WantDelta(t, c, v3, v4, []string{"db.b"}, nil)

	v5 := MustCommit(t, c, lakegate.Change{DropPartitions: []lakegate.PartitionRef{{Database: "db", Table: "a", Name: "ingest_date=" + day}}})
	WantDelta(t, c, v4, v5, []string{"db.a"}, nil)

	v6 := MustCommit(t, c, lakegate.Change{DropTables: []lakegate.TableRef{{Database: "db", Name: "b"}}})
	WantDelta(t, c, v5, v6, nil, []string{"db.b"})
	WantDelta(t, c, v3, v6, []string{"db.a"}, []string{"db.b"})
	WantDelta(t, c, 0, v6, []string{"db.a"}, []string{"db.b"})

	v7 := MustCommit(t, c, AddFiles("db", "b", day, "db/b/1.parquet")) // re-create
	WantDelta(t, c, v6, v7, []string{"db.b"}, nil)
	WantDelta(t, c, v5, v7, []string{"db.b"}, nil)
	WantDelta(t, c, v7, v7, nil, nil)

	v8 := MustCommit(t, c, lakegate.Change{Batches: []lakegate.Batch{{ID: "only", Checksum: "sha"}}})
	WantDelta(t, c, v7, v8, nil, nil)
	if tb, _ := c.Table(ctx, "db", "b"); tb.Version != v7 || len(tb.Columns) != 2 {
		t.Fatalf("re-created table = %+v", tb)
	}
	for _, since := range []int64{-1, v8 + 1} {
		_, err := c.Changes(ctx, since)
		WantError(t, err, lakegate.EINVALID, fmt.Sprint(since))
	}
}

// Another handle (another gateway) learns a commit through Changes.
func testChangesOtherHandle(t *testing.T, c lakegate.Catalog, another func(t *testing.T) lakegate.Catalog) {
	ctx := context.Background()
	MustCommit(t, c, AddFiles("db", "a", day, "db/a/1.parquet"))
	MustCommit(t, c, AddFiles("db", "b", day, "db/b/1.parquet"))
	o := another(t)
	seen, err := o.Version(ctx)
	if err != nil || seen != 2 {
		t.Fatalf("another handle: Version = %d, %v; want 2", seen, err)
	}
	v := MustCommit(t, c, AddFiles("db", "b", day, "db/b/2.parquet"))
	WantDelta(t, o, seen, v, []string{"db.b"}, nil)
	v = MustCommit(t, o, lakegate.Change{DropTables: []lakegate.TableRef{{Database: "db", Name: "a"}}})
	WantDelta(t, c, v-1, v, nil, []string{"db.a"})
}

// Two handles (two gateways) ingest into one table at once: every commit
// lands, whole, and both handles agree.
func testConcurrentWriters(t *testing.T, c lakegate.Catalog, another func(t *testing.T) lakegate.Catalog) {
	const perWriter, writersPerHandle, filesPerCommit = 8, 2, 3
	handles := []lakegate.Catalog{c, another(t)}
	var wg sync.WaitGroup
	for h, hc := range handles {
		for w := range writersPerHandle {
			wg.Go(func() {
				for i := range perWriter {
					var paths []string
					for f := range filesPerCommit {
						paths = append(paths, fmt.Sprintf("db/t/h%d-w%d-%d-%d.parquet", h, w, i, f))
					}
					ch := AddFiles("db", "t", day, paths...)
					ch.Batches = []lakegate.Batch{{ID: fmt.Sprintf("h%d-w%d-%d", h, w, i), Checksum: "sha-concurrent"}}
					if _, err := hc.Commit(context.Background(), ch); err != nil {
						t.Errorf("handle %d writer %d commit %d: %v", h, w, i, err)
					}
				}
			})
		}
	}
	wg.Wait()
	commits := len(handles) * writersPerHandle * perWriter
	files := commits * filesPerCommit
	for h, hc := range handles {
		if n := CountFiles(t, hc, "db", "t"); n != files {
			t.Errorf("handle %d sees %d files, want %d", h, n, files)
		}
		tb, err := hc.Table(context.Background(), "db", "t")
		want := lakegate.TableStats{Rows: int64(files) * 10, Bytes: int64(files) * 100, Files: int64(files), Partitions: 1}
		if err != nil || tb.Stats != want || tb.Version != int64(commits) {
			t.Errorf("handle %d: table = %+v, %v; want stats %+v, version %d", h, tb, err, want, commits)
		}
		if bs, _ := hc.Batches(context.Background(), "sha-concurrent"); len(bs) != commits {
			t.Errorf("handle %d sees %d batches, want %d", h, len(bs), commits)
		}
	}
	SameSnap(t, Snap(t, handles[1]), Snap(t, handles[0]))
}
