package duckdb

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"

	"github.com/lakegate/lakegate"
)

// begin is what every statement goes through first: the engine is open,
// the text is not empty, the parameters convert, the views reflect the
// catalog, and a connection is held (the caller closes it).
func (db *DB) begin(ctx context.Context, q lakegate.Query) (*sql.Conn, []any, error) {
	if db.closed.Load() {
		return nil, nil, lakegate.Errorf(lakegate.EUNAVAILABLE, "the duckdb engine is closed")
	}
	if strings.TrimSpace(q.SQL) == "" {
		return nil, nil, lakegate.Errorf(lakegate.EINVALID, "missing SQL: the query text is empty")
	}
	args, err := bindArgs(q.Params)
	if err != nil {
		return nil, nil, err
	}
	if err := db.refresh(ctx); err != nil {
		return nil, nil, db.mapError(ctx, err)
	}
	conn, err := db.sql.Conn(ctx)
	if err != nil {
		return nil, nil, db.mapError(ctx, err)
	}
	if err := db.fetch(ctx, conn, q.SQL); err != nil {
		conn.Close()
		return nil, nil, db.mapError(ctx, err)
	}
	return conn, args, nil
}

// Query runs one read-only statement. It refreshes the views first when
// the catalog changed, checks the statement with DuckDB's parser, binds
// the parameters and returns a cursor that holds a connection until Close.
func (db *DB) Query(ctx context.Context, q lakegate.Query) (lakegate.Rows, error) {
	conn, args, err := db.begin(ctx, q)
	if err != nil {
		return nil, err
	}
	text := aliasQueryLog(ctx, conn, q.SQL)
	v, err := db.checkReadOnly(conn, text)
	if err == nil {
		err = checkArgs(q.Params, v.params)
	}
	if err != nil {
		db.closeConn(conn)
		return nil, db.mapError(ctx, err)
	}
	if q.Stream && streamable(q.Params) {
		if r, ok, err := db.queryStream(ctx, conn, text); ok {
			if err != nil {
				db.closeConn(conn)
				return nil, db.mapError(ctx, err)
			}
			return r, nil
		}
	}
	// Safe only because checkReadOnly proved text is one statement:
	// QueryContext executes every statement but the last without asking.
	rs, err := conn.QueryContext(ctx, text, args...)
	if err != nil {
		db.closeConn(conn)
		return nil, db.mapError(ctx, err)
	}
	r, err := newRows(ctx, db, conn, rs)
	if err != nil {
		rs.Close()
		db.closeConn(conn)
		return nil, db.mapError(ctx, err)
	}
	return r, nil
}

// bindArgs turns Query.Params into driver arguments: a map binds $name
// parameters, a slice binds ? and $1. Values are never spliced into SQL.
func bindArgs(params any) ([]any, error) {
	switch p := params.(type) {
	case nil:
		return nil, nil
	case map[string]any:
		names := make([]string, 0, len(p))
		for k := range p {
			if k == "" {
				return nil, lakegate.Errorf(lakegate.EINVALID, "parameter names must not be empty")
			}
			names = append(names, k)
		}
		sort.Strings(names) // stable order for reproducible binding errors
		args := make([]any, len(names))
		for i, k := range names {
			args[i] = sql.Named(k, p[k])
		}
		return args, nil
	case []any:
		return p, nil
	}
	return nil, lakegate.Errorf(lakegate.EINVALID, "params must be an object of named values or an array of positional values, got %T", params)
}

// checkArgs matches the sent parameters to the statement's: the driver
// would silently bind an unknown name by position, and ignore extras.
func checkArgs(params any, names []string) error {
	switch p := params.(type) {
	case map[string]any:
		want := map[string]bool{}
		for _, n := range names {
			want[n] = true
			if _, ok := p[n]; !ok {
				return lakegate.Errorf(lakegate.EINVALID, "parameter $%s has no value: add %q to params (the query uses %s)", n, n, listParams(names))
			}
		}
		for k := range p {
			if !want[k] {
				return lakegate.Errorf(lakegate.EINVALID, "parameter %q is not used by the query (it uses %s); remove it or write $%s in the SQL", k, listParams(names), k)
			}
		}
	case []any:
		if len(p) != len(names) {
			return lakegate.Errorf(lakegate.EINVALID, "the query has %d parameters but %d values were sent", len(names), len(p))
		}
	case nil:
		if len(names) > 0 {
			return lakegate.Errorf(lakegate.EINVALID, "the query uses parameters (%s) but no params were sent", listParams(names))
		}
	}
	return nil
}

func listParams(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = "$" + n
	}
	return strings.Join(out, ", ")
}

// scanner reads a database/sql result row by row as engine-neutral
// values (lakegate's values.go); the engine's cursor and the PostgreSQL
// catalog mirror's (pgcatalog.go) share it.
type scanner struct {
	rs   *sql.Rows
	cols []lakegate.Column
	vals []any
	ptrs []any
	conv []int // columns whose values neutral converts
	err  error
}

func newScanner(rs *sql.Rows) (scanner, error) {
	types, err := rs.ColumnTypes()
	if err != nil {
		return scanner{}, err
	}
	s := scanner{rs: rs, cols: make([]lakegate.Column, len(types)), vals: make([]any, len(types)), ptrs: make([]any, len(types))}
	for i, t := range types {
		nullable, _ := t.Nullable()
		s.cols[i] = lakegate.Column{Name: t.Name(), Type: t.DatabaseTypeName(), Nullable: nullable}
		s.ptrs[i] = &s.vals[i]
		if needsNeutral(s.cols[i].Type) {
			s.conv = append(s.conv, i)
		}
	}
	return s, nil
}

func (s *scanner) Columns() []lakegate.Column { return s.cols }

// Values returns the row as engine-neutral values.
func (s *scanner) Values() []any { return s.vals }

func (s *scanner) Next() bool {
	if s.err != nil || !s.rs.Next() {
		return false
	}
	clear(s.vals)
	if err := s.rs.Scan(s.ptrs...); err != nil {
		s.err = err
		return false
	}
	for _, i := range s.conv {
		s.vals[i] = neutral(s.vals[i], s.cols[i].Type)
	}
	return true
}

// scanErr is the scan's or the result's error, unmapped.
func (s *scanner) scanErr() error {
	if s.err != nil {
		return s.err
	}
	return s.rs.Err()
}

// rows is the cursor over one result; it owns the connection it runs on.
type rows struct {
	scanner
	ctx  context.Context
	db   *DB
	conn *sql.Conn
}

func newRows(ctx context.Context, db *DB, conn *sql.Conn, rs *sql.Rows) (*rows, error) {
	s, err := newScanner(rs)
	if err != nil {
		return nil, err
	}
	return &rows{scanner: s, ctx: ctx, db: db, conn: conn}, nil
}

func (r *rows) Err() error {
	if err := r.scanErr(); err != nil {
		return r.db.mapError(r.ctx, err)
	}
	return nil
}

func (r *rows) Close() error {
	err := r.rs.Close()
	if cerr := r.db.closeConn(r.conn); err == nil {
		err = cerr
	}
	if err != nil {
		return r.db.mapError(r.ctx, fmt.Errorf("close result: %w", err))
	}
	return nil
}
