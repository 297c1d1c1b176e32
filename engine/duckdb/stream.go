//go:build duckdb_arrow

package duckdb

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	bindings "github.com/duckdb/duckdb-go-bindings"
	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/lakegate/lakegate"
)

// A query asked for with Query.Stream (the PostgreSQL wire protocol's
// portals and cursors) runs as a DuckDB streaming result: each chunk is
// produced when the client has read the one before, so a client paging
// through 10M rows holds the server to one chunk at a time, where
// duckdb-go's materialized result (v2.10505 runs no other kind) holds
// all of them. DuckDB converts each chunk to Arrow
// (duckdb_data_chunk_to_arrow) and arrowValue turns it into the same
// engine-neutral values the driver's cursor gives (TestStreamMatches).
//
// Only statements without parameters whose columns all have a type in
// streamTypes stream; anything else takes the driver's cursor, so that
// values and parameter binding stay the driver's own.

// streamTypes are the column types a streaming cursor reads, with the
// type names duckdb-go reports for them.
var streamTypes = map[duckdb.Type]string{
	duckdb.TYPE_BOOLEAN: "BOOLEAN", duckdb.TYPE_TINYINT: "TINYINT", duckdb.TYPE_SMALLINT: "SMALLINT",
	duckdb.TYPE_INTEGER: "INTEGER", duckdb.TYPE_BIGINT: "BIGINT", duckdb.TYPE_UTINYINT: "UTINYINT",
	duckdb.TYPE_USMALLINT: "USMALLINT", duckdb.TYPE_UINTEGER: "UINTEGER", duckdb.TYPE_UBIGINT: "UBIGINT",
	duckdb.TYPE_FLOAT: "FLOAT", duckdb.TYPE_DOUBLE: "DOUBLE", duckdb.TYPE_VARCHAR: "VARCHAR",
	duckdb.TYPE_BLOB: "BLOB", duckdb.TYPE_DATE: "DATE", duckdb.TYPE_TIMESTAMP: "TIMESTAMP",
	duckdb.TYPE_TIMESTAMP_S: "TIMESTAMP_S", duckdb.TYPE_TIMESTAMP_MS: "TIMESTAMP_MS",
	duckdb.TYPE_TIMESTAMP_NS: "TIMESTAMP_NS", duckdb.TYPE_TIMESTAMP_TZ: "TIMESTAMPTZ",
	duckdb.TYPE_DECIMAL: "DECIMAL", duckdb.TYPE_INTERVAL: "INTERVAL", duckdb.TYPE_UUID: "UUID",
	duckdb.TYPE_HUGEINT: "HUGEINT",
}

// streamable tells whether a query's parameters allow streaming.
func streamable(params any) bool {
	switch p := params.(type) {
	case nil:
		return true
	case []any:
		return len(p) == 0
	case map[string]any:
		return len(p) == 0
	}
	return false
}

// streamRows is a cursor over a streaming result; it owns the connection.
type streamRows struct {
	ctx    context.Context
	db     *DB
	conn   *sql.Conn
	res    *bindings.Result
	opts   bindings.ArrowOptions
	schema *arrow.Schema
	stop   func() // ends interruptOnCancel
	cols   []lakegate.Column
	vals   []any
	rec    arrow.RecordBatch
	row    int
	err    error
}

// queryStream starts text as a streaming result on conn. ok is false,
// with conn untouched, when the statement's columns do not all stream.
func (db *DB) queryStream(ctx context.Context, conn *sql.Conn, text string) (r lakegate.Rows, ok bool, err error) {
	raw, err := rawConn(conn)
	if err != nil {
		return nil, false, nil // the driver's cursor still works
	}
	var stmt bindings.PreparedStatement
	defer bindings.DestroyPrepare(&stmt)
	if bindings.Prepare(raw, text, &stmt) == bindings.StateError {
		return nil, true, messageError(bindings.PrepareError(stmt))
	}
	cols, ok := streamColumns(stmt)
	if !ok {
		return nil, false, nil
	}
	stop := interruptOnCancel(ctx, raw)
	res, err := startStreaming(stmt)
	if err != nil {
		stop()
		return nil, true, err
	}
	s := &streamRows{ctx: ctx, db: db, conn: conn, res: res, stop: stop, cols: cols, vals: make([]any, len(cols))}
	s.opts = bindings.ResultGetArrowOptions(res)
	if s.schema, err = resultSchema(res, s.opts); err != nil {
		s.release()
		return nil, true, err
	}
	return s, true, nil
}

// streamColumns are a prepared statement's result columns, or ok false
// when one of them has a type outside streamTypes (or an alias: JSON).
func streamColumns(stmt bindings.PreparedStatement) ([]lakegate.Column, bool) {
	n := bindings.PreparedStatementColumnCount(stmt)
	cols := make([]lakegate.Column, n)
	for i := range n {
		lt := bindings.PreparedStatementColumnLogicalType(stmt, i)
		name, ok := streamTypeName(lt)
		bindings.DestroyLogicalType(&lt)
		if !ok {
			return nil, false
		}
		cols[i] = lakegate.Column{Name: bindings.PreparedStatementColumnName(stmt, i), Type: name}
	}
	return cols, true
}

func streamTypeName(lt bindings.LogicalType) (string, bool) {
	if bindings.LogicalTypeGetAlias(lt) != "" {
		return "", false
	}
	t := bindings.GetTypeId(lt)
	name, ok := streamTypes[t]
	if t == duckdb.TYPE_DECIMAL {
		name = fmt.Sprintf("DECIMAL(%d,%d)", bindings.DecimalWidth(lt), bindings.DecimalScale(lt))
	}
	return name, ok
}

func (s *streamRows) Columns() []lakegate.Column { return s.cols }
func (s *streamRows) Values() []any              { return s.vals }

func (s *streamRows) Next() bool {
	for s.rec == nil || s.row >= int(s.rec.NumRows()) {
		if s.err != nil || s.res == nil || !s.fetch() {
			return false
		}
	}
	for i, col := range s.rec.Columns() {
		s.vals[i] = arrowValue(col, s.row, s.cols[i].Type)
	}
	s.row++
	return true
}

// fetch replaces the current batch with the next chunk; false at the end
// or on an error.
func (s *streamRows) fetch() bool {
	if s.rec != nil {
		s.rec.Release()
		s.rec = nil
	}
	chunk := bindings.FetchChunk(*s.res)
	if chunk.Ptr == nil {
		if msg := bindings.ResultError(s.res); msg != "" {
			s.err = &duckdb.Error{Type: duckdb.ErrorType(bindings.ResultErrorType(s.res)), Msg: msg}
		}
		s.release() // done: the result's memory goes now, not at Close
		return false
	}
	rec, ed := bindings.DataChunkToArrowArray(s.opts, s.schema, chunk)
	bindings.DestroyDataChunk(&chunk)
	if s.err = errorData(ed); s.err != nil {
		return false
	}
	s.rec, s.row = rec, 0
	return true
}

func (s *streamRows) Err() error {
	if s.err != nil {
		return s.db.mapError(s.ctx, s.err)
	}
	return nil
}

// release frees the result; the connection stays held until Close.
func (s *streamRows) release() {
	if s.res == nil {
		return
	}
	bindings.DestroyArrowOptions(&s.opts)
	bindings.DestroyResult(s.res)
	s.res = nil
	s.stop() // after the result, before the connection may close
}

func (s *streamRows) Close() error {
	if s.rec != nil {
		s.rec.Release()
		s.rec = nil
	}
	s.release()
	if err := s.db.closeConn(s.conn); err != nil {
		return s.db.mapError(s.ctx, fmt.Errorf("close result: %w", err))
	}
	return nil
}
