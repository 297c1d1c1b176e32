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

// hashSetBytes is what a set of n landed records' hashes holds live (Go's
// map of 16-byte keys at its load factor, measured): the soft memory limit
// must count it, or once the lake holds millions of records the live heap
// passes the limit and the collector runs without end (the 10th million
// attempts took 62 s to ingest instead of 33; bench/suite).
func hashSetBytes(n int) int64 { return int64(n) * 48 }

// loadHashes reads the record_hash column, and only that column, of every
// file the catalog lists for the raw table: the records landed before.
func loadHashes(ctx context.Context, cat lakegate.Catalog, store lakegate.Store, db string) (map[hash128]struct{}, error) {
	seen := make(map[hash128]struct{})
	parts, err := cat.Partitions(ctx, db, tableRaw)
	if lakegate.ErrorCode(err) == lakegate.ENOTFOUND {
		return seen, nil
	}
	if err != nil {
		return nil, err
	}
	for _, p := range parts {
		for _, f := range p.Files {
			if err := readHashes(ctx, store, f.Path, seen); err != nil {
				return nil, err
			}
		}
	}
	return seen, nil
}

func readHashes(ctx context.Context, store lakegate.Store, p string, seen map[hash128]struct{}) error {
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
					seen[h] = struct{}{}
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
