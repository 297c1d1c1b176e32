package lakegate

import "context"

// Query is one SQL request. Params are bound by the engine, never spliced
// into the text: a map binds $name parameters, a slice binds ? or $1.
type Query struct {
	ID     string
	SQL    string
	Params any // nil, map[string]any or []any
}

// Rows is a streaming result cursor. Values is valid until the next Next.
type Rows interface {
	Columns() []Column
	Next() bool
	Values() []any
	Err() error
	Close() error
}

// Engine runs read-only SQL over the catalog's tables, named database.table.
//
// Query returns EFORBIDDEN for anything but a single read-only statement,
// ENOTFOUND for an unknown table, EINVALID for SQL the engine rejects,
// ETIMEOUT or ECANCELED when ctx ends, and EUNAVAILABLE when the engine
// cannot be reached.
type Engine interface {
	Name() string
	Query(ctx context.Context, q Query) (Rows, error)
	Close() error
}
