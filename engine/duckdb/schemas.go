package duckdb

import (
	"context"
	"fmt"
	"strings"
	"sync"
)

// schemas remembers each file's Parquet schema, so that a view over files
// that all share one schema binds on the first file alone. With
// union_by_name DuckDB reads every file's footer whenever a statement
// binds (twice per query: the read-only check, then the run): on a table
// of 100 files that was 12 ms of every query (bench/suite, issue 16).
// Lake files are written once under new names, so a path's schema is
// read once; the key also holds the file's size, in case an external
// table's file is replaced in place.
type schemas struct {
	mu   sync.Mutex
	sigs map[string]string // path + "\x00" + bytes -> the schema's signature
}

// uniform reports whether every file has the same schema: the same
// columns, types and nesting, in the same order. A file DuckDB cannot
// describe makes it false (the view keeps union_by_name, as before) unless
// the file is missing, which the caller retries while an ingest lands.
func (db *DB) uniform(ctx context.Context, paths []string, keys []string) (bool, error) {
	if db.opt.Files != nil || len(paths) < 2 {
		return db.opt.Files == nil, nil // a remote lake's copies are made on demand, not at build time
	}
	missing := db.schemas.missing(keys)
	if len(missing) > 0 {
		read, err := db.readSchemas(ctx, paths, keys, missing)
		if err != nil {
			if fileMissing(err) {
				return false, err
			}
			return false, nil
		}
		db.schemas.add(read)
	}
	return db.schemas.same(keys), nil
}

func (s *schemas) missing(keys []string) map[string]bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]bool{}
	for _, k := range keys {
		if _, ok := s.sigs[k]; !ok {
			out[k] = true
		}
	}
	return out
}

func (s *schemas) add(read map[string]string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sigs == nil {
		s.sigs = map[string]string{}
	}
	for k, v := range read {
		s.sigs[k] = v
	}
}

func (s *schemas) same(keys []string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	first, ok := s.sigs[keys[0]]
	for _, k := range keys[1:] {
		if sig, found := s.sigs[k]; !ok || !found || sig != first {
			return false
		}
	}
	return ok
}

// readSchemas describes the files not yet known, in one statement:
// parquet_schema lists each file's schema elements in order, the root
// (whose name depends on the writer) first.
func (db *DB) readSchemas(ctx context.Context, paths, keys []string, missing map[string]bool) (map[string]string, error) {
	var list []string
	byPath := map[string]string{}
	for i, p := range paths {
		if missing[keys[i]] {
			list, byPath[p] = append(list, quoteString(p)), keys[i]
		}
	}
	rows, err := db.sql.QueryContext(ctx, "SELECT file_name, name, type, converted_type, repetition_type, num_children, logical_type FROM parquet_schema(["+strings.Join(list, ", ")+"])")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	sigs, roots := map[string]*strings.Builder{}, map[string]bool{}
	for rows.Next() {
		var file string
		var name, typ, conv, rep, children, logical any
		if err := rows.Scan(&file, &name, &typ, &conv, &rep, &children, &logical); err != nil {
			return nil, err
		}
		if !roots[file] { // the root element: skipped
			roots[file], sigs[file] = true, &strings.Builder{}
			continue
		}
		for _, v := range []any{name, typ, conv, rep, children, logical} {
			sigs[file].WriteString(stringOf(v))
			sigs[file].WriteByte(0)
		}
		sigs[file].WriteByte('\n')
	}
	out := map[string]string{}
	for file, b := range sigs {
		if k, ok := byPath[file]; ok {
			out[k] = b.String()
		}
	}
	return out, rows.Err()
}

func stringOf(v any) string {
	if v == nil {
		return ""
	}
	return fmt.Sprint(v)
}
