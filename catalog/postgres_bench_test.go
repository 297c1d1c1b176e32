package catalog_test

import (
	"context"
	"testing"

	"github.com/lakegate/lakegate/catalog/pgtest"
)

// BenchmarkPostgresCommit is one commit (one new partition and file) on a
// table that already has 10,000 partitions: the commit loads only what it
// names, so the table's size does not matter.
func BenchmarkPostgresCommit(b *testing.B) {
	c := openPG(b, pgtest.StartShared(b))
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

// BenchmarkPostgresChanges is another gateway catching up after one
// commit: Changes(last) on a second pool reads the one changed table.
func BenchmarkPostgresChanges(b *testing.B) {
	dsn := pgtest.StartShared(b)
	w, r := openPG(b, dsn), openPG(b, dsn)
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
		want, err := w.Commit(ctx, next(i))
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		d, err := r.Changes(ctx, last)
		if err != nil || d.Version != want || len(d.Tables) != 1 {
			b.Fatalf("Changes(%d) = %+v, %v; want version %d and one table", last, d, err, want)
		}
		last = d.Version
	}
}

// BenchmarkPostgresVersion is Version with nothing new: one single-row read.
func BenchmarkPostgresVersion(b *testing.B) {
	c := openPG(b, pgtest.StartShared(b))
	seed(b, c, 10)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Version(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPostgresPartitions(b *testing.B) { benchPartitions(b, openPG(b, pgtest.StartShared(b))) }
