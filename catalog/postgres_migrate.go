package catalog

import (
	"context"
	"embed"
	"fmt"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/lakegate/lakegate"
)

// Schema migrations: migrations/NNNN_name.sql, applied in order at open,
// each in its own transaction and recorded in lakegate.schema_migrations.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// migrationLock is the pg_advisory_xact_lock key that serializes migrating
// processes: two gateways opening a fresh database at once apply each
// migration once.
const migrationLock int64 = 0x6c616b6567617465 // "lakegate"

type migration struct {
	version int
	name    string
	sql     string
}

func migrations() ([]migration, error) {
	entries, err := migrationFiles.ReadDir("migrations")
	if err != nil {
		return nil, err
	}
	var out []migration
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration %s: name must be NNNN_name.sql", e.Name())
		}
		b, err := migrationFiles.ReadFile(path.Join("migrations", e.Name()))
		if err != nil {
			return nil, err
		}
		out = append(out, migration{version: v, name: e.Name(), sql: string(b)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	for i, m := range out {
		if m.version != i+1 {
			return nil, fmt.Errorf("migration %s: versions must run 1, 2, 3... without gaps", m.name)
		}
	}
	return out, nil
}

// migrate applies the migrations the database lacks. The common case (all
// applied) is one query and takes no lock.
func (p *Postgres) migrate(ctx context.Context) error {
	ms, err := migrations()
	if err != nil {
		return lakegate.Wrap(lakegate.EINTERNAL, err, "catalog schema migrations are broken in this build")
	}
	applied, err := p.schemaVersion(ctx)
	if err != nil {
		return p.fail(ctx, err)
	}
	if applied > len(ms) {
		return lakegate.Errorf(lakegate.EUNAVAILABLE,
			"the PostgreSQL catalog at %s has schema version %d, newer than this lakegate knows (%d); upgrade lakegate",
			p.addr, applied, len(ms))
	}
	for _, m := range ms[applied:] {
		if err := p.applyMigration(ctx, m); err != nil {
			return p.fail(ctx, err)
		}
	}
	return nil
}

// schemaVersion is the highest applied migration, 0 on a fresh database.
func (p *Postgres) schemaVersion(ctx context.Context) (int, error) {
	var v int
	err := p.pool.QueryRow(ctx, `
		SELECT CASE WHEN to_regclass('lakegate.schema_migrations') IS NULL THEN 0
		ELSE (SELECT coalesce(max(version), 0) FROM lakegate.schema_migrations) END`).Scan(&v)
	if err != nil && strings.Contains(err.Error(), "schema_migrations") {
		return 0, nil // dropped between to_regclass and the read: migrate
	}
	return v, err
}

func (p *Postgres) applyMigration(ctx context.Context, m migration) error {
	return pgx.BeginFunc(ctx, p.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, migrationLock); err != nil {
			return err
		}
		// Simple protocol (no arguments): several statements in one Exec.
		if _, err := tx.Exec(ctx, `
			CREATE SCHEMA IF NOT EXISTS lakegate;
			CREATE TABLE IF NOT EXISTS lakegate.schema_migrations (
				version    integer     PRIMARY KEY,
				name       text        NOT NULL,
				applied_at timestamptz NOT NULL DEFAULT now()
			)`); err != nil {
			return err
		}
		var done bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM lakegate.schema_migrations WHERE version = $1)`,
			m.version).Scan(&done); err != nil || done {
			return err // another process applied it while we waited for the lock
		}
		if _, err := tx.Exec(ctx, m.sql); err != nil {
			return fmt.Errorf("migration %s: %w", m.name, err)
		}
		_, err := tx.Exec(ctx, `INSERT INTO lakegate.schema_migrations (version, name) VALUES ($1, $2)`, m.version, m.name)
		return err
	})
}
