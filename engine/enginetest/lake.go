// Package enginetest is the shared test suite of lakegate.Engine
// implementations, and a local test lake to run it on.
package enginetest

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2" // registers the "duckdb" driver that writes test files

	"github.com/lakegate/lakegate"
	"github.com/lakegate/lakegate/catalog"
	"github.com/lakegate/lakegate/landing"
)

// Lake is a local test lake with an embedded catalog. Parquet files are
// written by a separate plain DuckDB, as ingest would, and committed to
// the catalog.
type Lake struct {
	Dir     string
	Store   *landing.Local
	Catalog *catalog.Embedded
	writer  *sql.DB
	files   int
}

// NewLake creates a lake in a fresh temporary directory; it is closed when
// the test ends.
func NewLake(tb testing.TB) *Lake {
	tb.Helper()
	store, err := landing.NewLocal(tb.TempDir())
	if err != nil {
		tb.Fatal(err)
	}
	cat, err := catalog.OpenEmbedded(filepath.Join(store.Root(), "_catalog"))
	if err != nil {
		tb.Fatal(err)
	}
	w, err := sql.Open("duckdb", "")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { w.Close(); cat.Close() })
	return &Lake{Dir: store.Root(), Store: store, Catalog: cat, writer: w}
}

// Land writes the rows of selectSQL as one Parquet file in partition
// ingest_date=date of database.table and commits it, creating the table
// with the file's columns if needed.
func (l *Lake) Land(tb testing.TB, database, table, date, selectSQL string) {
	tb.Helper()
	l.files++
	part := "ingest_date=" + date
	rel := path.Join(database, table, part, fmt.Sprintf("part-%d.parquet", l.files))
	abs := l.Store.URI(rel)
	if err := os.MkdirAll(filepath.Dir(abs), 0o755); err != nil {
		tb.Fatal(err)
	}
	copySQL := fmt.Sprintf("COPY (%s) TO '%s' (FORMAT parquet)", selectSQL, strings.ReplaceAll(abs, "'", "''"))
	if _, err := l.writer.Exec(copySQL); err != nil {
		tb.Fatalf("write %s: %v", rel, err)
	}
	cols := l.describe(tb, selectSQL)
	var rows int64
	if err := l.writer.QueryRow("SELECT count(*) FROM (" + selectSQL + ")").Scan(&rows); err != nil {
		tb.Fatal(err)
	}
	info, err := os.Stat(abs)
	if err != nil {
		tb.Fatal(err)
	}
	l.Commit(tb, lakegate.TableChange{
		Table: lakegate.Table{Database: database, Name: table, Columns: cols,
			PartitionKeys: []lakegate.Column{{Name: "ingest_date", Type: "DATE"}}},
		Partitions: []lakegate.Partition{{Name: part, Values: []string{date},
			Files: []lakegate.File{{Path: rel, Bytes: info.Size(), Rows: rows}}}},
	})
}

// Commit commits one table change.
func (l *Lake) Commit(tb testing.TB, tc lakegate.TableChange) {
	tb.Helper()
	if _, err := l.Catalog.Commit(context.Background(), lakegate.Change{Tables: []lakegate.TableChange{tc}}); err != nil {
		tb.Fatalf("commit %s: %v", tc.Table.FullName(), err)
	}
}

func (l *Lake) describe(tb testing.TB, selectSQL string) []lakegate.Column {
	tb.Helper()
	rs, err := l.writer.Query("DESCRIBE " + selectSQL)
	if err != nil {
		tb.Fatal(err)
	}
	defer rs.Close()
	var cols []lakegate.Column
	for rs.Next() {
		var name, typ string
		var null, key, def, extra sql.NullString
		if err := rs.Scan(&name, &typ, &null, &key, &def, &extra); err != nil {
			tb.Fatal(err)
		}
		cols = append(cols, lakegate.Column{Name: name, Type: typ})
	}
	if err := rs.Err(); err != nil {
		tb.Fatal(err)
	}
	return cols
}

// Files lists every file of the lake outside the catalog directory, so
// tests can prove that a refused statement wrote nothing.
func (l *Lake) Files(tb testing.TB) []string {
	tb.Helper()
	var out []string
	err := filepath.WalkDir(l.Dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == "_catalog" {
			return filepath.SkipDir
		}
		rel, _ := filepath.Rel(l.Dir, p)
		out = append(out, rel)
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return out
}
