package lakegate

import (
	"context"
	"time"
)

// Query is one SQL request. Params are bound by the engine, never spliced
// into the text: a map binds $name parameters, a slice binds ? or $1.
type Query struct {
	ID     string
	SQL    string
	Params any // nil, map[string]any or []any
	// Stream asks for rows produced while the client reads them, in flat
	// memory, for a caller that pages (the PostgreSQL protocol's portals).
	// The price: an error may come after rows (Rows.Err), not from Query.
	// An engine that cannot stream a statement ignores it.
	Stream bool
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

// Export formats an Exporter may be asked for.
const (
	FormatCSV     = "csv"
	FormatTSV     = "tsv"
	FormatNDJSON  = "ndjson"
	FormatArrow   = "arrow"   // Arrow IPC stream
	FormatParquet = "parquet" // a Parquet file
)

// ExportFile is a finished export: the whole answer in one format, read
// from a spill file rather than memory. Close deletes the file; call it
// on every path, also after an error while reading.
type ExportFile interface {
	Read(p []byte) (int, error)
	Columns() []Column
	// Rows is the number of rows in the answer (at most the limit).
	Rows() int64
	// Truncated reports that the query had more rows than the limit.
	Truncated() bool
	// Size is the answer's length in bytes, or -1 when it is produced
	// while it is read (Arrow).
	Size() int64
	Close() error
}

// Exporter is an engine that writes whole answers of any size to a
// file, so that streaming them costs no memory per row.
//
// Export runs q (checked as Query checks it) and returns its rows in
// format (one of the Format constants) with at most limit rows (0: all).
// It returns what Query returns for the same q, plus EINVALID for an
// unknown format or a statement that cannot be exported (EXPLAIN), and
// ENOMEM or EUNAVAILABLE when the spill directory cannot hold the answer.
type Exporter interface {
	Export(ctx context.Context, q Query, format string, limit int) (ExportFile, error)
}

// PartialExporter is an Exporter of some formats only (a generic
// exporter writes Arrow and Parquet); the server streams the others, the
// text formats, from the engine's cursor.
type PartialExporter interface {
	Exporter
	Exports(format string) bool
}

// QueryLogEntry is the record of one finished query, as the server's
// query log keeps it. Params is the parameters as JSON ("" when none);
// Error is the message the client got, never internal details.
type QueryLogEntry struct {
	ID     string
	User   string
	SQL    string
	Params string
	Engine string
	Route  string // why the router chose Engine (Route.Reason)
	Format string
	// Protocol is how the query arrived: ProtocolHTTP or ProtocolPG.
	Protocol string
	Status   int    // HTTP status of the answer
	Code     string // error code; "" on success
	Rows     int64
	Bytes    int64
	Elapsed  time.Duration
	Cached   bool // answered from the result cache
	Error    string
	Start    time.Time
}

// QueryLogger is an optional Engine feature: an engine that implements it
// keeps the server's query log queryable in SQL (DuckDB keeps it as the
// table lakegate.query_log). Engines without it (Presto) simply have no
// such table; the server logs every query either way.
//
// LogQuery must be cheap: the server calls it after every answer. It
// returns EUNAVAILABLE when the engine is closed and EINTERNAL when the
// entry cannot be stored.
type QueryLogger interface {
	LogQuery(ctx context.Context, e QueryLogEntry) error
}
