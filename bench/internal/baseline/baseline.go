// Package baseline is the benchmarks' in-process DuckDB: a plain
// database/sql DuckDB with the same views over the same Parquet files as
// the engine builds, the limit lakegate's own answers are measured
// against (bench/overhead, bench/suite).
package baseline

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	_ "github.com/duckdb/duckdb-go/v2" // the "duckdb" driver
)

// Open opens a plain in-memory DuckDB with one view per table of
// the lake's assessments database, built as engine/duckdb/views.go builds
// them over files of one schema: read_parquet over the table's files, hive
// partitioning on ingest_date typed DATE, Parquet footers cached.
func Open(ctx context.Context, lake string, threads int) (*sql.DB, error) {
	lake, err := filepath.Abs(lake)
	if err != nil {
		return nil, err
	}
	lake = filepath.Join(lake, "tenants", "default") // the default tenant's files
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return nil, err
	}
	stmts := []string{`CREATE SCHEMA IF NOT EXISTS "assessments"`, "SET GLOBAL parquet_metadata_cache=true"}
	if threads > 0 {
		stmts = append(stmts, fmt.Sprintf("SET threads=%d", threads))
	}
	dirs, err := filepath.Glob(filepath.Join(lake, "assessments", "*"))
	if err != nil {
		return nil, err
	}
	views := 0
	for _, dir := range dirs {
		files, err := filepath.Glob(filepath.Join(dir, "ingest_date=*", "*.parquet"))
		if err != nil {
			return nil, err
		}
		if len(files) == 0 {
			continue
		}
		uris := make([]string, len(files))
		for i, f := range files {
			uris[i] = QuoteString(f)
		}
		stmts = append(stmts, fmt.Sprintf(`CREATE OR REPLACE VIEW "assessments".%s AS SELECT * FROM read_parquet([%s], hive_partitioning=true, hive_types={'ingest_date': 'DATE'})`,
			QuoteIdent(filepath.Base(dir)), strings.Join(uris, ", ")))
		views++
	}
	if views == 0 {
		db.Close()
		return nil, fmt.Errorf("no Parquet files under %s/assessments/*/ingest_date=*/: ingest first", lake)
	}
	for _, s := range stmts {
		if _, err := db.ExecContext(ctx, s); err != nil {
			db.Close()
			return nil, fmt.Errorf("%s: %w", s, err)
		}
	}
	return db, nil
}

// BindArgs turns a canned query's parameters into database/sql and driver
// arguments ($name), in name order.
func BindArgs(params map[string]any) ([]any, []driver.NamedValue) {
	names := make([]string, 0, len(params))
	for k := range params {
		names = append(names, k)
	}
	sort.Strings(names)
	args := make([]any, len(names))
	named := make([]driver.NamedValue, len(names))
	for i, k := range names {
		args[i] = sql.Named(k, params[k])
		named[i] = driver.NamedValue{Name: k, Ordinal: i + 1, Value: params[k]}
	}
	return args, named
}

// Drain reads every row of rs and returns how many there were.
func Drain(rs *sql.Rows) (int, error) {
	defer rs.Close()
	cols, err := rs.Columns()
	if err != nil {
		return 0, err
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	n := 0
	for rs.Next() {
		if err := rs.Scan(ptrs...); err != nil {
			return n, err
		}
		n++
	}
	return n, rs.Err()
}

// QuoteString quotes s as a SQL string literal.
func QuoteString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// QuoteIdent quotes s as a SQL identifier.
func QuoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
