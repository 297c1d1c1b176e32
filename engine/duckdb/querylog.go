package duckdb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"strings"
	"sync"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/lakegate/lakegate"
)

// The query log is the table lakegate.query_log. It cannot be
// system.query_log: "system" is DuckDB's built-in catalog, so a schema of
// that name makes every system.x reference ambiguous, and DuckDB refuses
// to create anything inside its system catalog.
const (
	QueryLogSchema = "lakegate"
	QueryLogTable  = "query_log"
	// DefaultQueryLogRows is how many of the latest queries the table keeps.
	DefaultQueryLogRows = 100_000
)

// queryLogDDL creates the table; its columns follow lakegate.QueryLogEntry.
const queryLogDDL = `CREATE TABLE ` + QueryLogSchema + `.` + QueryLogTable + ` (
	seq BIGINT NOT NULL,
	query_id VARCHAR,
	started_at TIMESTAMP,
	username VARCHAR,
	engine VARCHAR,
	format VARCHAR,
	sql VARCHAR,
	params VARCHAR,
	status INTEGER,
	code VARCHAR,
	rows BIGINT,
	bytes BIGINT,
	elapsed_ms DOUBLE,
	cached BOOLEAN,
	error VARCHAR,
	route_reason VARCHAR,
	protocol VARCHAR
)`

// queryLogFlushEvery bounds how long an appended entry stays invisible to
// readers that do not name the table (those that do flush it first), and
// queryLogBatch how many entries wait in memory.
const (
	queryLogFlushEvery = time.Second
	queryLogBatch      = 1000
)

// queryLog appends entries through DuckDB's Appender on a connection of
// its own: appending costs microseconds, where an INSERT costs tens. Rows
// become visible when flushed: every second, every queryLogBatch entries,
// and before any query that names the table.
type queryLog struct {
	db  *sql.DB
	max int64

	mu      sync.Mutex // guards everything below
	conn    *sql.Conn
	app     *duckdb.Appender
	seq     int64 // seq of the last appended entry
	pending int   // appended, not yet flushed
	rows    int64 // flushed rows in the table
	closed  bool

	stop chan struct{}
	done chan struct{}
}

// openQueryLog creates the table and starts the periodic flush. max <= 0
// keeps DefaultQueryLogRows.
func openQueryLog(ctx context.Context, db *sql.DB, max int) (*queryLog, error) {
	if max <= 0 {
		max = DefaultQueryLogRows
	}
	for _, s := range []string{"CREATE SCHEMA IF NOT EXISTS " + QueryLogSchema, queryLogDDL} {
		if _, err := db.ExecContext(ctx, s); err != nil {
			return nil, lakegate.Wrap(lakegate.EINTERNAL, err, "duckdb engine: cannot create the query log")
		}
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, lakegate.Wrap(lakegate.EINTERNAL, err, "duckdb engine: cannot open the query log connection")
	}
	l := &queryLog{db: db, max: int64(max), conn: conn, stop: make(chan struct{}), done: make(chan struct{})}
	err = conn.Raw(func(dc any) error {
		var err error
		l.app, err = duckdb.NewAppenderFromConn(dc.(driver.Conn), QueryLogSchema, QueryLogTable)
		return err
	})
	if err != nil {
		conn.Close()
		return nil, lakegate.Wrap(lakegate.EINTERNAL, err, "duckdb engine: cannot open the query log appender")
	}
	go l.flushLoop()
	return l, nil
}

// LogQuery appends one entry to lakegate.query_log.
func (db *DB) LogQuery(ctx context.Context, e lakegate.QueryLogEntry) error {
	return db.qlog.append(e)
}

func (l *queryLog) append(e lakegate.QueryLogEntry) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return lakegate.Errorf(lakegate.EUNAVAILABLE, "the duckdb engine is closed")
	}
	l.seq++
	err := l.app.AppendRow(l.seq, e.ID, e.Start.UTC(), e.User, e.Engine, e.Format, e.SQL, nullable(e.Params),
		int32(e.Status), nullable(e.Code), e.Rows, e.Bytes, float64(e.Elapsed.Microseconds())/1000, e.Cached, nullable(e.Error), nullable(e.Route), protocolOf(e))
	if err != nil {
		return lakegate.Wrap(lakegate.EINTERNAL, err, "duckdb engine: cannot append to the query log")
	}
	if l.pending++; l.pending >= queryLogBatch {
		return l.flushLocked()
	}
	return nil
}

func nullable(s string) driver.Value {
	if s == "" {
		return nil
	}
	return s
}

// flush makes every appended entry visible.
func (l *queryLog) flush() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed || l.pending == 0 {
		return nil
	}
	return l.flushLocked()
}

// flushLocked flushes the appender, then trims the table to the latest max
// entries, deleting in slabs of a tenth of max so trimming stays rare.
func (l *queryLog) flushLocked() error {
	if err := l.app.Flush(); err != nil {
		return lakegate.Wrap(lakegate.EINTERNAL, err, "duckdb engine: cannot flush the query log")
	}
	l.rows += int64(l.pending)
	l.pending = 0
	if l.rows <= l.max+l.max/10 {
		return nil
	}
	_, err := l.db.Exec("DELETE FROM "+QueryLogSchema+"."+QueryLogTable+" WHERE seq <= ?", l.seq-l.max)
	if err != nil {
		return lakegate.Wrap(lakegate.EINTERNAL, err, "duckdb engine: cannot trim the query log")
	}
	l.rows = l.max
	return nil
}

func (l *queryLog) flushLoop() {
	defer close(l.done)
	t := time.NewTicker(queryLogFlushEvery)
	defer t.Stop()
	for {
		select {
		case <-l.stop:
			return
		case <-t.C:
			_ = l.flush() // an error here resurfaces on the next append or read
		}
	}
}

// close flushes and releases the appender and its connection.
func (l *queryLog) close() error {
	if l == nil {
		return nil
	}
	close(l.stop)
	<-l.done
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return nil
	}
	l.closed = true
	err := l.app.Close()
	if cerr := l.conn.Close(); err == nil {
		err = cerr
	}
	return err
}

// readsQueryLog tells whether a statement may read the query log, so that
// the entries appended before it are flushed first.
func readsQueryLog(text string) bool {
	return strings.Contains(strings.ToLower(text), QueryLogTable)
}

// isQueryLog tells whether a catalog table would collide with the query
// log; such a table gets no view.
func isQueryLog(key string) bool {
	return strings.EqualFold(key, QueryLogSchema+"."+QueryLogTable)
}

// protocolOf is the entry's protocol; an entry that names none came over
// HTTP, the only protocol before pgwire.
func protocolOf(e lakegate.QueryLogEntry) string {
	if e.Protocol == "" {
		return lakegate.ProtocolHTTP
	}
	return e.Protocol
}
