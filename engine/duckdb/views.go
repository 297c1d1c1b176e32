package duckdb

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/lakegate/lakegate"
)

// refresh brings the views up to date with the catalog. Reading the
// catalog version is cheap, so every query calls this; only when the
// version moved does it list tables, and only tables whose version moved
// get their view rebuilt. The mutex makes concurrent queries refresh once.
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
	db.seen.Store(v)
	db.loaded.Store(true)
	return nil
}

// rebuild replaces the views of changed tables and drops the views of
// tables that left the catalog. Callers hold db.mu.
func (db *DB) rebuild(ctx context.Context) error {
	tables, err := db.listTables(ctx)
	if err != nil {
		return err
	}
	present := map[string]bool{}
	schemas := map[string]bool{}
	for _, t := range tables {
		key := t.FullName()
		present[key] = true
		schemas[t.Database] = true
		// A zero Table.Version means the catalog does not track table
		// versions: rebuild on every catalog change to stay correct.
		if built, ok := db.views[key]; ok && t.Version != 0 && built >= t.Version {
			continue
		}
		db.views[key] = t.Version
		if err := db.buildView(ctx, t); err != nil {
			// One unreadable table must not take the others down: its
			// view now raises the error, and it is retried on the next
			// catalog change.
			if err := db.brokenView(ctx, t, err); err != nil {
				return err
			}
			db.views[key] = -1
		}
	}
	for key := range db.views {
		if present[key] {
			continue
		}
		schema, name, _ := strings.Cut(key, ".")
		if _, err := db.sql.ExecContext(ctx, "DROP VIEW IF EXISTS "+quoteIdent(schema)+"."+quoteIdent(name)); err != nil {
			return lakegate.Wrap(lakegate.EINTERNAL, err, "duckdb engine: cannot drop the view of %s", key)
		}
		delete(db.views, key)
	}
	return nil
}

func (db *DB) listTables(ctx context.Context) ([]lakegate.Table, error) {
	dbs, err := db.opt.Catalog.Databases(ctx)
	if err != nil {
		return nil, catalogError(err)
	}
	var all []lakegate.Table
	for _, d := range dbs {
		ts, err := db.opt.Catalog.Tables(ctx, d.Name)
		if lakegate.ErrorCode(err) == lakegate.ENOTFOUND {
			continue // dropped between the two calls
		}
		if err != nil {
			return nil, catalogError(err)
		}
		all = append(all, ts...)
	}
	return all, nil
}

// buildView creates or replaces the view of one table over exactly the
// files the catalog lists, so files landed but not committed stay hidden.
func (db *DB) buildView(ctx context.Context, t lakegate.Table) error {
	parts, err := db.opt.Catalog.Partitions(ctx, t.Database, t.Name)
	if err != nil {
		return catalogError(err)
	}
	body, err := db.viewBody(t, parts)
	if err != nil {
		return err
	}
	stmts := []string{
		"CREATE SCHEMA IF NOT EXISTS " + quoteIdent(t.Database),
		"CREATE OR REPLACE VIEW " + quoteIdent(t.Database) + "." + quoteIdent(t.Name) + " AS " + body,
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
func (db *DB) viewBody(t lakegate.Table, parts []lakegate.Partition) (string, error) {
	var uris []string
	for _, p := range parts {
		for _, f := range p.Files {
			u := db.opt.Store.URI(f.Path)
			if u == "" {
				return "", lakegate.Errorf(lakegate.EINTERNAL, "table %s: file path %q is not a valid lake path", t.FullName(), f.Path)
			}
			uris = append(uris, quoteString(u))
		}
	}
	if len(uris) == 0 {
		return emptyBody(t)
	}
	opts := []string{"union_by_name=true"}
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
	return fmt.Sprintf("SELECT * FROM read_parquet([%s], %s)", strings.Join(uris, ", "), strings.Join(opts, ", ")), nil
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
