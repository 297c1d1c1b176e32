package catalog

import (
	"context"
	"testing"

	"github.com/lakegate/lakegate/catalog/pgtest"
)

// TestMigrationNeverHalfApplied: a migration that fails midway leaves
// nothing of itself (each runs in one transaction, DDL included) and is
// not recorded, so the next open applies it whole. This is why the small
// runner stays: golang-migrate runs a file's statements outside a
// transaction and marks the database dirty instead.
func TestMigrationNeverHalfApplied(t *testing.T) {
	dsn := pgtest.StartShared(t)
	ctx := context.Background()
	p, err := OpenPostgres(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	before, err := p.schemaVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	broken := migration{version: before + 1, name: "9999_broken.sql",
		sql: "CREATE TABLE lakegate.half (a int); INSERT INTO lakegate.half VALUES (1); SELECT 1/0;"}
	if err := p.applyMigration(ctx, broken); err == nil {
		t.Fatal("a failing migration was applied")
	}
	var exists bool
	if err := p.pool.QueryRow(ctx, "SELECT to_regclass('lakegate.half') IS NOT NULL").Scan(&exists); err != nil || exists {
		t.Fatalf("the failed migration's table is there: %v %v", exists, err)
	}
	if v, err := p.schemaVersion(ctx); err != nil || v != before {
		t.Fatalf("schema version %d after a failed migration, want %d (%v)", v, before, err)
	}
	fixed := broken
	fixed.sql = "CREATE TABLE lakegate.half (a int); INSERT INTO lakegate.half VALUES (1);"
	if err := p.applyMigration(ctx, fixed); err != nil {
		t.Fatal(err)
	}
	if v, _ := p.schemaVersion(ctx); v != before+1 {
		t.Fatalf("schema version %d after the fixed migration", v)
	}
}
