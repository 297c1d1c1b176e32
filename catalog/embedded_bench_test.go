package catalog_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/lakegate/lakegate"
	"github.com/lakegate/lakegate/catalog"
	ct "github.com/lakegate/lakegate/catalog/catalogtest"
)

// seed commits one change holding n partitions of one file each to db.t.
func seed(b *testing.B, c lakegate.Catalog, n int) {
	b.Helper()
	tc := ct.TableChange("db", "t")
	for i := range n {
		date := fmt.Sprintf("seed%05d", i)
		tc.Partitions = append(tc.Partitions, ct.Part("db", "t", date, "db/t/"+date+"/0.parquet"))
	}
	ct.MustCommit(b, c, lakegate.Change{Tables: []lakegate.TableChange{tc}})
}

func next(i int) lakegate.Change {
	date := fmt.Sprintf("new%07d", i)
	return ct.AddFiles("db", "t", date, "db/t/"+date+"/0.parquet")
}

// BenchmarkEmbeddedCommit is one commit (one new partition and file, fsync
// included) on a table that already has 10,000 partitions.
//
//	go test -run '^$' -bench Embedded -benchtime 2000x ./catalog/
func BenchmarkEmbeddedCommit(b *testing.B) { benchCommit(b, open(b, b.TempDir())) }

// benchCommit is one commit (one new partition and file) on a table that
// already has 10,000 partitions, for any store.
func benchCommit(b *testing.B, c lakegate.Catalog) {
	seed(b, c, 10_000)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if _, err := c.Commit(ctx, next(i)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEmbeddedRefresh is another instance (another process) catching
// up after one commit: stat, read the new line, apply it.
func BenchmarkEmbeddedRefresh(b *testing.B) {
	dir := b.TempDir()
	w, r := open(b, dir), open(b, dir)
	seed(b, w, 10_000)
	ctx := context.Background()
	if _, err := r.Version(ctx); err != nil { // catch up on the seed untimed
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		want := ct.MustCommit(b, w, next(i))
		b.StartTimer()
		if v, err := r.Version(ctx); err != nil || v != want {
			b.Fatalf("Version = %d, %v; want %d", v, err, want)
		}
	}
}

// BenchmarkEmbeddedChanges is another instance (another gateway) asking
// what changed after one commit by the first: catch up on the new log line,
// then read the one changed table's header (never its 10,000 partitions).
func BenchmarkEmbeddedChanges(b *testing.B) {
	dir := b.TempDir()
	benchChanges(b, open(b, dir), open(b, dir))
}

// benchChanges is a second handle r asking what changed after each commit
// by w, on a table of 10,000 partitions, for any store.
func benchChanges(b *testing.B, w, r lakegate.Catalog) {
	seed(b, w, 10_000)
	ctx := context.Background()
	last, err := r.Version(ctx)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		want := ct.MustCommit(b, w, next(i))
		b.StartTimer()
		d, err := r.Changes(ctx, last)
		if err != nil || d.Version != want || len(d.Tables) != 1 || len(d.Dropped) != 0 {
			b.Fatalf("Changes(%d) = %+v, %v; want one table at version %d", last, d.Version, err, want)
		}
		last = d.Version
	}
}

// BenchmarkEmbeddedVersion is Version with nothing new: one fstat.
func BenchmarkEmbeddedVersion(b *testing.B) {
	c := open(b, b.TempDir())
	seed(b, c, 10)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Version(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEmbeddedOpen replays a log of 1,000 small commits.
func BenchmarkEmbeddedOpen(b *testing.B) {
	dir := b.TempDir()
	c := open(b, dir)
	for i := range 1000 {
		ct.MustCommit(b, c, next(i))
	}
	b.ReportAllocs()
	for b.Loop() {
		o, err := catalog.OpenEmbedded(dir)
		if err != nil {
			b.Fatal(err)
		}
		o.Close()
	}
}

// benchPartitions is what a gateway reads after Changes names a table: the
// table's whole file list (here 10,000 partitions), to rebuild its view.
func benchPartitions(b *testing.B, c lakegate.Catalog) {
	seed(b, c, 10_000)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		parts, err := c.Partitions(ctx, "db", "t")
		if err != nil || len(parts) != 10_000 {
			b.Fatalf("Partitions = %d, %v", len(parts), err)
		}
	}
}

func BenchmarkEmbeddedPartitions(b *testing.B) { benchPartitions(b, open(b, b.TempDir())) }
