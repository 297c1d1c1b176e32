//go:build !duckdb_arrow

package duckdb

import (
	"context"
	"database/sql"

	"github.com/lakegate/lakegate"
)

// Built without the duckdb_arrow tag, duckdb-go-bindings has no Arrow
// conversion, so Arrow exports go through a Parquet spill file
// (export_arrow.go); see export_arrow_stream.go for the streaming path.
const arrowStreaming = false

func (db *DB) exportArrowStream(ctx context.Context, conn *sql.Conn, sel string, cols []lakegate.Column) (lakegate.ExportFile, error) {
	db.closeConn(conn)
	return nil, lakegate.Errorf(lakegate.EINTERNAL, "duckdb engine: built without the duckdb_arrow tag, Arrow exports cannot stream")
}
