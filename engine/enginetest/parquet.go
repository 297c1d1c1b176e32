package enginetest

import (
	"database/sql"
	"os"
	"path/filepath"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2" // the independent reader
)

// ReadParquet answers query over Parquet bytes (visible as table p) with a
// separate, unrestricted DuckDB, independent of the engine that wrote them;
// each row comes back as its columns joined by "|".
func ReadParquet(tb testing.TB, b []byte, query string) []string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "p.parquet")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		tb.Fatal(err)
	}
	plain, err := sql.Open("duckdb", "")
	if err != nil {
		tb.Fatal(err)
	}
	defer plain.Close()
	plain.SetMaxOpenConns(1)
	if _, err := plain.Exec("CREATE VIEW p AS SELECT * FROM read_parquet('" + path + "')"); err != nil {
		tb.Fatal(err)
	}
	rs, err := plain.Query("SELECT concat_ws('|', *COLUMNS(*)) FROM (" + query + ")")
	if err != nil {
		tb.Fatal(err)
	}
	defer rs.Close()
	out := []string{}
	for rs.Next() {
		var s string
		if err := rs.Scan(&s); err != nil {
			tb.Fatal(err)
		}
		out = append(out, s)
	}
	if err := rs.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}
