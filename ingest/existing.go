package ingest

import (
	"context"
	"encoding/hex"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/lakegate/lakegate"
)

// loadHashes reads the record_hash column, and only that column, of every
// file the catalog lists for the raw table: the records landed before.
// The soft memory limit must count the set (hashSet.bytes), or once the
// lake holds millions of records the live heap passes the limit and the
// collector runs without end (the 10th million attempts took 62 s to
// ingest instead of 33; bench/suite).
func loadHashes(ctx context.Context, cat lakegate.Catalog, store lakegate.Store, db string) (*hashSet, error) {
	parts, err := cat.Partitions(ctx, db, tableRaw)
	if lakegate.ErrorCode(err) == lakegate.ENOTFOUND {
		return newHashSet(0), nil
	}
	if err != nil {
		return nil, err
	}
	var rows int64
	for _, p := range parts {
		for _, f := range p.Files {
			rows += f.Rows
		}
	}
	seen := newHashSet(int(rows)) // sized once: growing by doubling would hold twice the set at the end
	for _, p := range parts {
		for _, f := range p.Files {
			if err := readHashes(ctx, store, f.Path, seen); err != nil {
				return nil, err
			}
		}
	}
	seen.sort()
	return seen, nil
}

func readHashes(ctx context.Context, store lakegate.Store, p string, seen *hashSet) error {
	rf, err := store.Open(ctx, p)
	if err != nil {
		return err
	}
	defer rf.Close()
	pr, err := file.NewParquetReader(rf)
	if err != nil {
		return lakegate.Wrap(lakegate.EINTERNAL, err, "read %s: not a valid Parquet file", p)
	}
	defer pr.Close()
	idx := pr.MetaData().Schema.ColumnIndexByName("record_hash")
	if idx < 0 {
		return lakegate.Errorf(lakegate.EINTERNAL, "read %s: no record_hash column", p)
	}
	fr, err := pqarrow.NewFileReader(pr, pqarrow.ArrowReadProperties{BatchSize: 64 << 10}, memory.DefaultAllocator)
	if err != nil {
		return lakegate.Wrap(lakegate.EINTERNAL, err, "read %s", p)
	}
	for rg := 0; rg < pr.NumRowGroups(); rg++ {
		col, err := fr.RowGroup(rg).Column(idx).Read(ctx)
		if err != nil {
			return lakegate.Wrap(lakegate.EUNAVAILABLE, err, "read record_hash of %s", p)
		}
		for _, chunk := range col.Chunks() {
			s := chunk.(*array.String)
			for i := 0; i < s.Len(); i++ {
				var h hash128
				if _, err := hex.Decode(h[:], []byte(s.Value(i))); err == nil {
					seen.load(h)
				}
			}
		}
		col.Release()
	}
	return nil
}

// newest returns the latest modification time in the tree under e.
func newest(ctx context.Context, store lakegate.Store, e lakegate.FileInfo, depth int) time.Time {
	t := e.Modified
	if !e.Dir || depth == 0 {
		return t
	}
	kids, err := store.List(ctx, e.Path)
	if err != nil {
		return t
	}
	for _, k := range kids {
		if kt := newest(ctx, store, k, depth-1); kt.After(t) {
			t = kt
		}
	}
	return t
}
