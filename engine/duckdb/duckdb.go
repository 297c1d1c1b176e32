// Package duckdb is the embedded query engine: an in-memory DuckDB that
// reads the landed Parquet files through one view per catalog table.
//
// The database is locked down when it opens (no file access outside the
// lake, no extensions, no configuration changes) and every statement is
// checked with DuckDB's own parser before it runs: only single read-only
// statements are executed.
package duckdb

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/lakegate/lakegate"
)

// Options configures the engine.
type Options struct {
	Catalog lakegate.Catalog // the tables to expose, as views named database.table
	Store   lakegate.Store   // resolves catalog file paths to URIs DuckDB reads
	// LakeDir is the absolute local directory DuckDB may read; every other
	// path is refused.
	LakeDir string
	// Threads caps DuckDB's worker threads; 0 keeps DuckDB's default (one
	// per core).
	Threads int
	// MemoryLimit caps DuckDB's memory, e.g. "2GB"; "" keeps DuckDB's
	// default (80% of RAM).
	MemoryLimit string
	// SpillDir is where exports are written before they are streamed
	// ("": os.TempDir()). Each engine makes its own private directory in
	// it, lakegate-spill-<pid>-<random>, and removes it at Close.
	SpillDir string
	// QueryLogRows is how many of the latest queries lakegate.query_log
	// keeps; 0 keeps DefaultQueryLogRows.
	QueryLogRows int
	// Files, when set, gives local copies of a remote lake's files
	// (HDFS); LakeDir is then its folder of copies (remote.go).
	Files lakegate.LocalFiles
	// TenantColumn adds a tenant column to every view, taken from each
	// file's path (tenants/<tenant>/...): the admin's engine over every
	// tenant's tables (catalog.AllTenants) sets it.
	TenantColumn bool
}

// DB is the DuckDB engine. It is safe for concurrent use.
type DB struct {
	sql   *sql.DB
	opt   Options
	lake  string // cleaned LakeDir, without trailing slash
	spill string // this engine's private spill directory, without trailing slash

	mu      sync.Mutex                 // serializes view refreshes
	loaded  atomic.Bool                // views were built at least once
	seen    atomic.Int64               // catalog version the views reflect
	views   map[string]int64           // "db.table" -> Table.Version of its view; under mu
	files   map[string][]lakegate.File // "db.table" -> the files its view reads; under mu
	pending map[string]string          // remote lake: "db.table" -> the body of a view not made yet; under mu
	pins    pins                       // a remote lake's copies held by running statements
	closed  atomic.Bool
	qlog    *queryLog // lakegate.query_log

	verdicts verdicts // texts that passed the read-only check
	schemas  schemas  // each file's Parquet schema, read once
}

var (
	_ lakegate.Engine      = (*DB)(nil)
	_ lakegate.QueryLogger = (*DB)(nil)
)

// Open starts an in-memory DuckDB, locks it down and builds the views of
// every catalog table. It returns EINVALID for bad options and the
// catalog's error when the catalog cannot be read.
func Open(ctx context.Context, opt Options) (*DB, error) {
	if opt.Catalog == nil || opt.Store == nil {
		return nil, lakegate.Errorf(lakegate.EINVALID, "duckdb engine: Catalog and Store are required")
	}
	if opt.LakeDir == "" || !filepath.IsAbs(opt.LakeDir) {
		return nil, lakegate.Errorf(lakegate.EINVALID, "duckdb engine: lake directory %q must be an absolute path", opt.LakeDir)
	}
	if opt.Threads < 0 {
		return nil, lakegate.Errorf(lakegate.EINVALID, "duckdb engine: threads must be 0 (default) or positive, got %d", opt.Threads)
	}
	connector, err := duckdb.NewConnector("", nil)
	if err != nil {
		return nil, lakegate.Wrap(lakegate.EINTERNAL, err, "duckdb engine: cannot start DuckDB")
	}
	spill, err := makeSpillDir(opt.SpillDir)
	if err != nil {
		return nil, err
	}
	db := &DB{
		sql:   sql.OpenDB(connector),
		opt:   opt,
		lake:  strings.TrimRight(filepath.Clean(opt.LakeDir), "/"),
		spill: spill,
		views: map[string]int64{}, files: map[string][]lakegate.File{}, pending: map[string]string{},
	}
	if err := db.lockDown(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if db.qlog, err = openQueryLog(ctx, db.sql, opt.QueryLogRows); err != nil {
		db.Close()
		return nil, err
	}
	if err := db.refresh(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// makeSpillDir creates this engine's private spill directory under base
// (os.TempDir() when empty). It is unique per engine, so that two gateways
// sharing a spill_dir never see each other's files, and write-and-search
// only (0300): queries must be allowed into it for COPY to write there,
// so the process cannot be allowed to list it. DuckDB's glob then finds
// nothing, and an export's name carries 128 random bits, so one user
// cannot read another's export while it is written. (Root ignores the
// mode: run the gateway as an ordinary user, as the Dockerfile does.)
func makeSpillDir(base string) (string, error) {
	if base == "" {
		base = os.TempDir()
	}
	base, err := filepath.Abs(base)
	if err == nil {
		err = os.MkdirAll(base, 0o755)
	}
	var dir string
	if err == nil {
		dir, err = os.MkdirTemp(base, fmt.Sprintf("lakegate-spill-%d-", os.Getpid()))
	}
	if err == nil {
		err = os.Chmod(dir, 0o300)
	}
	if err != nil {
		return "", lakegate.Wrap(lakegate.EINVALID, err, "duckdb engine: cannot create a spill directory in %q; set spill_dir to a writable directory", base)
	}
	return strings.TrimRight(dir, "/"), nil
}

// lockDown applies the settings that confine queries. The order matters:
// with external access disabled DuckDB only reads files under
// allowed_directories, so that list must be set first, and
// lock_configuration must come last because it freezes every setting.
func (db *DB) lockDown(ctx context.Context) error {
	stmts := []string{
		// The spill directory is allowed so that exports can COPY into it;
		// user statements cannot write (see checkReadOnly).
		"SET allowed_directories=[" + quoteString(db.lake+"/") + ", " + quoteString(db.spill+"/") + "]",
		// Queries that outgrow memory_limit spill here (DuckDB's default is
		// .tmp in the working directory); Close removes it with the rest.
		"SET temp_directory=" + quoteString(db.spill+"/tmp"),
		"SET enable_external_access=false",
		"SET autoinstall_known_extensions=false",
		"SET autoload_known_extensions=false",
		// TIMESTAMPTZ values render in UTC (+00) in CSV exports, whatever
		// the machine's zone.
		"SET TimeZone='UTC'",
		// Parsed Parquet footers are kept between statements (DuckDB reads
		// a file again when its modification time moved): parsing a 300 MB
		// file's footer on every bind and run took 2-4 ms of a count(*)'s
		// 11 ms over 1M attempts (bench/suite, issue 16). GLOBAL: a plain
		// SET would hold for this connection only.
		"SET GLOBAL parquet_metadata_cache=true",
	}
	if db.opt.Threads > 0 {
		stmts = append(stmts, fmt.Sprintf("SET threads=%d", db.opt.Threads))
	}
	if db.opt.MemoryLimit != "" {
		stmts = append(stmts, "SET memory_limit="+quoteString(db.opt.MemoryLimit))
	}
	// The one setting left open after the lock: the Arrow export widens
	// its connection's streaming buffer (export_arrow_stream.go). Users
	// cannot SET anything (checkReadOnly refuses every statement but
	// SELECT and EXPLAIN); the lock is the second wall.
	stmts = append(stmts, "SET allowed_configs=['streaming_buffer_size']", "SET lock_configuration=true")
	for _, s := range stmts {
		if _, err := db.sql.ExecContext(ctx, s); err != nil {
			return lakegate.Wrap(lakegate.EINVALID, err, "duckdb engine: cannot apply %q: %s", s, db.clean(engineMessage(err)))
		}
	}
	return nil
}

// Name is the engine's name in responses and logs.
func (db *DB) Name() string { return "duckdb" }

// Close releases DuckDB; queries still running fail.
func (db *DB) Close() error {
	if db.closed.Swap(true) {
		return nil
	}
	err := db.qlog.close() // before the DB: it flushes through its own connection
	if cerr := db.sql.Close(); err == nil {
		err = cerr
	}
	_ = os.Chmod(db.spill, 0o700) // listable again, so that it can be removed
	if rerr := os.RemoveAll(db.spill); err == nil && rerr != nil {
		err = lakegate.Wrap(lakegate.EINTERNAL, rerr, "duckdb engine: cannot remove the spill directory")
	}
	return err
}

// quoteString renders s as a SQL string literal.
func quoteString(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// quoteIdent renders s as a SQL identifier.
func quoteIdent(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}
