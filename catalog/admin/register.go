// Package admin holds the catalog's administrative operations, the
// Hive-metastore statements data engineers know: CREATE EXTERNAL TABLE
// (Register), MSCK REPAIR TABLE (Repair) and DROP TABLE / DROP PARTITION.
// They work on any lakegate.Catalog and lakegate.Store, so the CLI and,
// later, the HTTP API share them.
package admin

import (
	"context"
	"strconv"
	"time"

	"github.com/lakegate/lakegate"
)

// Register registers the Parquet files under location (relative to the
// store root) as the external table db.table, like CREATE EXTERNAL TABLE:
// partitions come from key=value directories, key types from their values
// (DATE, BIGINT, else VARCHAR), columns from the union of the files'
// footers, row counts from the footers and checksums from the bytes. It
// commits everything in one change and returns the table as registered.
//
// Registering a registered table again adds only the files the catalog does
// not list yet (nothing to add commits nothing); files gone from storage are
// Repair's business.
//
// Errors: EINVALID for a bad location, no Parquet files under it, a file
// that is not Parquet or has a column type lakegate cannot carry, or
// directories that disagree on the partition keys; ECONFLICT when files
// disagree on a column's type, or the table exists as a managed table or at
// another location; the catalog's and the store's errors otherwise.
func Register(ctx context.Context, cat lakegate.Catalog, store lakegate.Store, db, table, location string) (lakegate.Table, error) {
	loc, err := checkLocation(location)
	if err != nil {
		return lakegate.Table{}, err
	}
	def := lakegate.Table{Database: db, Name: table, Type: lakegate.TableExternal, Location: loc, Format: "parquet"}
	existing, exists, err := lookup(ctx, cat, db, table)
	if err != nil {
		return lakegate.Table{}, err
	}
	if exists {
		if existing.Location != loc {
			return lakegate.Table{}, lakegate.Errorf(lakegate.ECONFLICT,
				"table %s is registered at %q, not %q; a table cannot move (drop it first)", existing.FullName(), existing.Location, loc)
		}
		if existing.Type == lakegate.TableManaged {
			return lakegate.Table{}, lakegate.Errorf(lakegate.ECONFLICT,
				"table %s is a managed table landed by lakegate; use repair to pick up files added by hand", existing.FullName())
		}
	}
	l, err := scan(ctx, store, loc)
	if err != nil {
		return lakegate.Table{}, err
	}
	if l.files == 0 {
		return lakegate.Table{}, lakegate.Errorf(lakegate.EINVALID,
			"no Parquet files under %s; land *.parquet files there (optionally in key=value partition directories) first", loc)
	}
	registered := map[string]bool{}
	if exists {
		def.Columns = existing.Columns
		def.PartitionKeys, err = matchKeys(existing, l)
		if err != nil {
			return lakegate.Table{}, err
		}
		if registered, err = registeredFiles(ctx, cat, db, table); err != nil {
			return lakegate.Table{}, err
		}
	} else {
		def.PartitionKeys = keyTypes(l.keys, l.sortedParts())
	}
	tc, added, err := buildChange(ctx, store, def, l.sortedParts(), registered)
	if err != nil {
		return lakegate.Table{}, err
	}
	if added == 0 {
		return existing, nil
	}
	if _, err := cat.Commit(ctx, lakegate.Change{Tables: []lakegate.TableChange{tc}}); err != nil {
		return lakegate.Table{}, err
	}
	return cat.Table(ctx, db, table)
}

// lookup returns the table and whether it exists.
func lookup(ctx context.Context, cat lakegate.Catalog, db, table string) (lakegate.Table, bool, error) {
	t, err := cat.Table(ctx, db, table)
	switch lakegate.ErrorCode(err) {
	case "":
		return t, true, nil
	case lakegate.ENOTFOUND:
		return lakegate.Table{}, false, nil
	}
	return lakegate.Table{}, false, err
}

// registeredFiles is the set of file paths the catalog lists for a table.
func registeredFiles(ctx context.Context, cat lakegate.Catalog, db, table string) (map[string]bool, error) {
	parts, err := cat.Partitions(ctx, db, table)
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, p := range parts {
		for _, f := range p.Files {
			out[f.Path] = true
		}
	}
	return out, nil
}

// matchKeys checks that the directories on storage use the table's
// partition keys, with values of their types.
func matchKeys(t lakegate.Table, l *layout) ([]lakegate.Column, error) {
	if l.files == 0 {
		return t.PartitionKeys, nil
	}
	names := make([]string, len(t.PartitionKeys))
	for i, k := range t.PartitionKeys {
		names[i] = k.Name
	}
	if describeKeys(names) != describeKeys(l.keys) {
		return nil, lakegate.Errorf(lakegate.ECONFLICT,
			"file %s is under partition keys (%s) but table %s is partitioned by (%s)",
			l.first, describeKeys(l.keys), t.FullName(), describeKeys(names))
	}
	for _, p := range l.sortedParts() {
		for i, k := range t.PartitionKeys {
			if !valueFits(k.Type, p.values[i]) {
				return nil, lakegate.Errorf(lakegate.ECONFLICT,
					"partition %s of table %s: value %q is not a %s, the type of partition key %s",
					p.name, t.FullName(), p.values[i], k.Type, k.Name)
			}
		}
	}
	return t.PartitionKeys, nil
}

// valueFits reports whether a partition directory's value parses as typ.
// Types it does not know are taken on trust: DuckDB casts at query time.
func valueFits(typ, v string) bool {
	switch typ {
	case "DATE":
		_, err := time.Parse(time.DateOnly, v)
		return err == nil
	case "BIGINT":
		_, err := strconv.ParseInt(v, 10, 64)
		return err == nil
	case "INTEGER":
		_, err := strconv.ParseInt(v, 10, 32)
		return err == nil
	}
	return true
}

// buildChange reads the footers of the files of parts not in skip and
// returns the table change that adds them, and how many files it adds.
// def carries the table's columns so far (none for a new table) and its
// partition keys; the change carries the union of both schemas.
func buildChange(ctx context.Context, store lakegate.Store, def lakegate.Table, parts []*part, skip map[string]bool) (lakegate.TableChange, int, error) {
	sc := newSchema()
	if len(def.Columns) > 0 {
		sc.seed(def.Columns)
	}
	isKey := map[string]bool{}
	for _, k := range def.PartitionKeys {
		isKey[k.Name] = true
	}
	tc := lakegate.TableChange{}
	added := 0
	for _, p := range parts {
		np := lakegate.Partition{Name: p.name, Values: p.values}
		for _, fi := range p.files {
			if skip[fi.Path] {
				continue
			}
			m, err := readFile(ctx, store, fi.Path)
			if err != nil {
				return tc, 0, err
			}
			for _, c := range m.cols {
				if isKey[c.Name] {
					return tc, 0, lakegate.Errorf(lakegate.EINVALID,
						"file %s has a column %q, which is also a partition key (from its directory); rewrite it without that column",
						fi.Path, c.Name)
				}
			}
			if err := sc.add(fi.Path, m.cols); err != nil {
				return tc, 0, err
			}
			np.Files = append(np.Files, m.file)
			np.Rows += m.file.Rows
			np.Bytes += m.file.Bytes
			added++
		}
		if len(np.Files) > 0 {
			tc.Partitions = append(tc.Partitions, np)
		}
	}
	def.Columns = sc.cols
	tc.Table = def
	return tc, added, nil
}
