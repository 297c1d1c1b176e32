package duckdb

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/lakegate/lakegate"
)

// refresh brings the views up to date with the catalog. Reading the
// catalog version is cheap, so every query calls this; only when the
// version moved does it ask the catalog what changed, and only the changed
// tables get their view rebuilt. The mutex makes concurrent queries
// refresh once.
func (db *DB) refresh(ctx context.Context) error {
	v, err := db.opt.Catalog.Version(ctx)
	if err != nil {
		return catalogError(err)
	}
	if db.loaded.Load() && db.seen.Load() >= v {
		return nil
	}
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.loaded.Load() && db.seen.Load() >= v {
		return nil // another query refreshed while we waited
	}
	if err := db.rebuild(ctx); err != nil {
		return err
	}
	db.loaded.Store(true)
	return nil
}

// rebuild applies the catalog's changes since the version the views
// reflect: it replaces the views of created or changed tables, drops the
// views of dropped ones, and retries views left broken. The first build
// asks for everything since version 0. Callers hold db.mu.
func (db *DB) rebuild(ctx context.Context) error {
	since := int64(0)
	if db.loaded.Load() {
		since = db.seen.Load()
	}
	d, err := db.opt.Catalog.Changes(ctx, since)
	full := since == 0
	if lakegate.ErrorCode(err) == lakegate.EINVALID && since > 0 {
		// The catalog is behind the views (restored from a backup, or
		// replaced): start over from everything it holds.
		d, err = db.opt.Catalog.Changes(ctx, 0)
		full = true
	}
	if err != nil {
		return catalogError(err)
	}
	present := map[string]bool{}
	for _, t := range d.Tables {
		present[t.FullName()] = true
		if err := db.replaceView(ctx, t); err != nil {
			return err
		}
	}
	for _, r := range d.Dropped {
		if err := db.dropView(ctx, r.Database+"."+r.Name); err != nil {
			return err
		}
	}
	for key, built := range db.views {
		switch {
		case present[key]:
		case full:
			if err := db.dropView(ctx, key); err != nil {
				return err
			}
		case built < 0:
			if err := db.retryView(ctx, key); err != nil {
				return err
			}
		}
	}
	db.seen.Store(d.Version)
	return nil
}

// replaceView builds the view of one table. One unreadable table must not
// take the others down: its view then raises the error, and it is retried
// on the next catalog change.
func (db *DB) replaceView(ctx context.Context, t lakegate.Table) error {
	key := t.FullName()
	db.views[key] = t.Version
	if isQueryLog(key) {
		return nil // the name is taken by the query log; no view
	}
	if err := db.buildView(ctx, t); err != nil {
		if err := db.brokenView(ctx, t, err); err != nil {
			return err
		}
		db.views[key] = -1
	}
	return nil
}

// retryView rebuilds a broken view whose table did not change: its files
// may have become readable.
func (db *DB) retryView(ctx context.Context, key string) error {
	schema, name, _ := strings.Cut(key, ".")
	t, err := db.opt.Catalog.Table(ctx, schema, name)
	if lakegate.ErrorCode(err) == lakegate.ENOTFOUND {
		return db.dropView(ctx, key)
	}
	if err != nil {
		return catalogError(err)
	}
	return db.replaceView(ctx, t)
}

func (db *DB) dropView(ctx context.Context, key string) error {
	schema, name, _ := strings.Cut(key, ".")
	if _, err := db.sql.ExecContext(ctx, "DROP VIEW IF EXISTS "+quoteIdent(schema)+"."+quoteIdent(name)); err != nil {
		return lakegate.Wrap(lakegate.EINTERNAL, err, "duckdb engine: cannot drop the view of %s", key)
	}
	delete(db.views, key)
	delete(db.files, key)
	delete(db.pending, key)
	return nil
}

// buildView creates or replaces the view of one table over exactly the
// files the catalog lists, so files landed but not committed stay hidden.
func (db *DB) buildView(ctx context.Context, t lakegate.Table) error {
	parts, err := db.opt.Catalog.Partitions(ctx, t.Database, t.Name)
	if err != nil {
		return catalogError(err)
	}
	if db.opt.Files != nil {
		// DuckDB reads files when it creates a view: over a remote lake the
		// view is made when a statement first needs it (remote.go).
		body, err := db.viewBody(ctx, t, parts)
		if err == nil {
			db.pending[t.FullName()] = body
		}
		return err
	}
	return whileLanding(ctx, func() error {
		body, err := db.viewBody(ctx, t, parts)
		if err != nil {
			return err
		}
		return db.createView(ctx, t.Database, t.Name, body)
	})
}

// createView creates or replaces the view database.name over body.
func (db *DB) createView(ctx context.Context, database, name, body string) error {
	stmts := []string{
		"CREATE SCHEMA IF NOT EXISTS " + quoteIdent(database),
		"CREATE OR REPLACE VIEW " + quoteIdent(database) + "." + quoteIdent(name) + " AS " + body,
	}
	for _, s := range stmts {
		if _, err := db.sql.ExecContext(ctx, s); err != nil {
			return lakegate.Wrap(lakegate.EUNAVAILABLE, err, "%s", db.clean(engineMessage(err)))
		}
	}
	return nil
}

// unavailableMarker ends the name in the message of a broken table's view;
// mapError turns errors carrying it into EUNAVAILABLE.
const unavailableMarker = " is unavailable: "

// brokenView replaces the view of a table that cannot be read by one that
// fails every query with the reason. The filter, unlike a projection,
// cannot be optimized away, so even count(*) reports the failure.
func (db *DB) brokenView(ctx context.Context, t lakegate.Table, cause error) error {
	msg := "table " + t.FullName() + unavailableMarker + lakegate.ErrorMessage(cause)
	s := "CREATE OR REPLACE VIEW " + quoteIdent(t.Database) + "." + quoteIdent(t.Name) +
		" AS SELECT NULL AS unavailable WHERE error(" + quoteString(msg) + ") IS NULL"
	if _, err := db.sql.ExecContext(ctx, "CREATE SCHEMA IF NOT EXISTS "+quoteIdent(t.Database)); err != nil {
		return lakegate.Wrap(lakegate.EINTERNAL, err, "duckdb engine: cannot create schema %s", t.Database)
	}
	if _, err := db.sql.ExecContext(ctx, s); err != nil {
		return lakegate.Wrap(lakegate.EINTERNAL, err, "duckdb engine: cannot mark table %s unavailable", t.FullName())
	}
	return nil
}

// viewBody is the SELECT behind a table's view: read_parquet over the
// table's files, or a typed empty relation when it has none yet.
func (db *DB) viewBody(ctx context.Context, t lakegate.Table, parts []lakegate.Partition) (string, error) {
	var uris, paths, keys []string
	var files []lakegate.File
	for _, p := range parts {
		files = append(files, p.Files...)
		for _, f := range p.Files {
			u := db.localPath(f)
			if u == "" {
				return "", lakegate.Errorf(lakegate.EINTERNAL, "table %s: file path %q is not a valid lake path", t.FullName(), f.Path)
			}
			uris, paths = append(uris, quoteString(u)), append(paths, u)
			keys = append(keys, u+"\x00"+strconv.FormatInt(f.Bytes, 10))
		}
	}
	db.files[t.FullName()] = files
	if len(uris) == 0 {
		if db.opt.TenantColumn {
			t.Columns = append(append([]lakegate.Column{}, t.Columns...), lakegate.Column{Name: "tenant", Type: "VARCHAR"})
		}
		return emptyBody(t)
	}
	same, err := db.uniform(ctx, paths, keys)
	if err != nil {
		return "", err
	}
	opts := []string{}
	if !same { // files written before a schema change, or from elsewhere
		opts = append(opts, "union_by_name=true")
	}
	if len(t.PartitionKeys) > 0 {
		var types []string
		for _, k := range t.PartitionKeys {
			if err := checkType(t, k); err != nil {
				return "", err
			}
			types = append(types, quoteString(k.Name)+": "+quoteString(k.Type))
		}
		opts = append(opts, "hive_partitioning=true", "hive_types={"+strings.Join(types, ", ")+"}")
	} else {
		opts = append(opts, "hive_partitioning=false")
	}
	scan := fmt.Sprintf("read_parquet([%s], %s)", strings.Join(uris, ", "), strings.Join(opts, ", "))
	if db.opt.TenantColumn {
		// filename is DuckDB's virtual column: not in *, named on demand.
		return "SELECT *, regexp_extract(filename, '/tenants/([^/]+)/', 1) AS tenant FROM " + scan, nil
	}
	return "SELECT * FROM " + scan, nil
}

// emptyBody types the columns of a table without files, so queries bind
// and return no rows instead of failing.
func emptyBody(t lakegate.Table) (string, error) {
	cols := append(append([]lakegate.Column{}, t.Columns...), t.PartitionKeys...)
	if len(cols) == 0 {
		return "", lakegate.Errorf(lakegate.EINTERNAL, "table %s has neither files nor columns", t.FullName())
	}
	var exprs []string
	for _, c := range cols {
		if err := checkType(t, c); err != nil {
			return "", err
		}
		exprs = append(exprs, fmt.Sprintf("CAST(NULL AS %s) AS %s", c.Type, quoteIdent(c.Name)))
	}
	return "SELECT " + strings.Join(exprs, ", ") + " WHERE false", nil
}

// checkType refuses type names that could end the statement they are
// spliced into; catalog types are written by ingest, but a corrupt catalog
// must not become SQL injection.
func checkType(t lakegate.Table, c lakegate.Column) error {
	ok := c.Type != "" && !strings.Contains(c.Type, "--") && !strings.Contains(c.Type, "/*")
	for _, r := range c.Type {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		case strings.ContainsRune(" _(),[]\".", r):
		default:
			ok = false
		}
	}
	if !ok {
		return lakegate.Errorf(lakegate.EINTERNAL, "table %s: column %q has an unusable type %q", t.FullName(), c.Name, c.Type)
	}
	return nil
}

// catalogError keeps the catalog's application errors and marks anything
// else as the catalog being unavailable.
func catalogError(err error) error {
	var e *lakegate.Error
	if errors.As(err, &e) {
		return err
	}
	return lakegate.Wrap(lakegate.EUNAVAILABLE, err, "the catalog cannot be read")
}
