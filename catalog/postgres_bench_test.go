package catalog_test

import (
	"context"
	"testing"

	"github.com/lakegate/lakegate/catalog/pgtest"
)

// BenchmarkPostgresCommit is one commit (one new partition and file) on a
// table that already has 10,000 partitions: the commit loads only what it
// names, so the table's size does not matter.
func BenchmarkPostgresCommit(b *testing.B) { benchCommit(b, openPG(b, pgtest.StartShared(b))) }

// BenchmarkPostgresChanges is another gateway catching up after one
// commit: Changes(last) on a second pool reads the one changed table.
func BenchmarkPostgresChanges(b *testing.B) {
	dsn := pgtest.StartShared(b)
	benchChanges(b, openPG(b, dsn), openPG(b, dsn))
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
