//go:build !duckdb_arrow

package duckdb

import (
	"context"
	"database/sql"

	"github.com/lakegate/lakegate"
)

// Built without the duckdb_arrow tag there is no streaming cursor
// (stream.go): every query takes the driver's materialized one.
func streamable(params any) bool { return false }

func (db *DB) queryStream(ctx context.Context, conn *sql.Conn, text string) (lakegate.Rows, bool, error) {
	return nil, false, nil
}
