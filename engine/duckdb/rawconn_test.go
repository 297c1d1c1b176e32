//go:build duckdb_arrow

package duckdb

import (
	"context"
	"database/sql"
	"testing"

	bindings "github.com/duckdb/duckdb-go-bindings"
)

// TestRawConnLayout fails loudly when duckdb-go no longer keeps its C
// connection where rawConn reads it: the streamed Arrow export depends on
// it (see rawconn.go).
func TestRawConnLayout(t *testing.T) {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	raw, err := rawConn(conn)
	if err != nil {
		t.Fatalf("duckdb-go's connection layout changed; rawconn.go must follow: %v", err)
	}
	if _, err := conn.ExecContext(context.Background(), "CREATE TABLE marker AS SELECT 42 AS v"); err != nil {
		t.Fatal(err)
	}
	// The raw connection must be the very connection duckdb-go runs on:
	// it sees the table made through database/sql.
	res, err := streamingResult(raw, "SELECT v FROM marker")
	if err != nil {
		t.Fatalf("the raw connection does not run queries: %v", err)
	}
	defer bindings.DestroyResult(res)
	if n := bindings.ColumnCount(res); n != 1 {
		t.Fatalf("columns %d, want 1", n)
	}
}
