package admin_test

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2" // a plain DuckDB writes the test files

	"github.com/lakegate/lakegate"
	"github.com/lakegate/lakegate/catalog"
	"github.com/lakegate/lakegate/engine/duckdb"
	"github.com/lakegate/lakegate/landing"
)

// env is a temporary lake with an embedded catalog and a DuckDB that
// writes Parquet files into it.
type env struct {
	dir    string
	store  *landing.Local
	cat    *catalog.Embedded
	writer *sql.DB
}

func newEnv(t *testing.T) *env {
	t.Helper()
	store, err := landing.NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	cat, err := catalog.OpenEmbedded(filepath.Join(store.Root(), "_catalog"))
	if err != nil {
		t.Fatal(err)
	}
	w, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close(); cat.Close() })
	return &env{dir: store.Root(), store: store, cat: cat, writer: w}
}

// write lands the rows of selectSQL as Parquet at rel (lake-relative).
func (e *env) write(t *testing.T, rel, selectSQL string) {
	t.Helper()
	abs := filepath.Join(e.dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(abs), 0o755); err != nil {
		t.Fatal(err)
	}
	q := fmt.Sprintf("COPY (%s) TO '%s' (FORMAT parquet)", selectSQL, strings.ReplaceAll(abs, "'", "''"))
	if _, err := e.writer.Exec(q); err != nil {
		t.Fatalf("write %s: %v", rel, err)
	}
}

// touch writes a non-Parquet file at rel.
func (e *env) touch(t *testing.T, rel, content string) {
	t.Helper()
	abs := filepath.Join(e.dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(abs), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(abs, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func (e *env) exists(rel string) bool {
	_, err := os.Stat(filepath.Join(e.dir, filepath.FromSlash(rel)))
	return err == nil
}

func (e *env) remove(t *testing.T, rel string) {
	t.Helper()
	if err := os.RemoveAll(filepath.Join(e.dir, filepath.FromSlash(rel))); err != nil {
		t.Fatal(err)
	}
}

func (e *env) sha(t *testing.T, rel string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(e.dir, filepath.FromSlash(rel)))
	if err != nil {
		t.Fatal(err)
	}
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func (e *env) version(t *testing.T) int64 {
	t.Helper()
	v, err := e.cat.Version(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func (e *env) partitions(t *testing.T, db, table string) map[string]lakegate.Partition {
	t.Helper()
	ps, err := e.cat.Partitions(context.Background(), db, table)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]lakegate.Partition{}
	for _, p := range ps {
		out[p.Name] = p
	}
	return out
}

// engine opens a DuckDB engine over the catalog, as the gateway does.
func (e *env) engine(t *testing.T) *duckdb.DB {
	t.Helper()
	db, err := duckdb.Open(context.Background(), duckdb.Options{Catalog: e.cat, Store: e.store, LakeDir: e.dir, Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// query runs sql on the engine and returns its rows rendered with %v.
func query(t *testing.T, db lakegate.Engine, q string) ([]string, error) {
	t.Helper()
	rows, err := db.Query(context.Background(), lakegate.Query{SQL: q})
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var cells []string
		for _, v := range rows.Values() {
			cells = append(cells, fmt.Sprint(v))
		}
		out = append(out, strings.Join(cells, " "))
	}
	return out, rows.Err()
}

func mustQuery(t *testing.T, db lakegate.Engine, q string) string {
	t.Helper()
	rows, err := query(t, db, q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return strings.Join(rows, "|")
}

// wantCode fails unless err carries code and its message mentions every
// one of parts.
func wantCode(t *testing.T, err error, code string, parts ...string) {
	t.Helper()
	if got := lakegate.ErrorCode(err); got != code {
		t.Fatalf("error %v: code %q, want %q", err, got, code)
	}
	for _, p := range parts {
		if !strings.Contains(lakegate.ErrorMessage(err), p) {
			t.Errorf("message %q lacks %q", lakegate.ErrorMessage(err), p)
		}
	}
}
