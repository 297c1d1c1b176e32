package catalog_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/lakegate/lakegate"
	"github.com/lakegate/lakegate/catalog"
	ct "github.com/lakegate/lakegate/catalog/catalogtest"
)

// A tenant's catalog is a whole Catalog: the conformance suite passes on
// it (TestTenantIsolation adds other tenants' data; the suite counts
// versions, which all tenants share).
func TestTenantConformance(t *testing.T) {
	ct.Run(t, func(t *testing.T) (lakegate.Catalog, func(t *testing.T) lakegate.Catalog) {
		dir := t.TempDir()
		another := func(t *testing.T) lakegate.Catalog {
			c, err := catalog.ForTenant(open(t, dir), "acme")
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
		return another(t), another
	})
}

// commitTable lands one file of one partition of db.name.
func commitTable(t *testing.T, c lakegate.Catalog, db, name, day string) {
	t.Helper()
	loc := db + "/" + name
	part := "ingest_date=" + day
	_, err := c.Commit(context.Background(), lakegate.Change{
		Tables: []lakegate.TableChange{{
			Table: lakegate.Table{Database: db, Name: name, Location: loc, Format: "parquet",
				Columns:       []lakegate.Column{{Name: "id", Type: "BIGINT"}},
				PartitionKeys: []lakegate.Column{{Name: "ingest_date", Type: "DATE"}}},
			Partitions: []lakegate.Partition{{Name: part, Values: []string{day}, Location: loc + "/" + part,
				Files: []lakegate.File{{Path: loc + "/" + part + "/" + day + ".parquet", Bytes: 10, Rows: 1, Checksum: day}}}},
		}},
		Batches: []lakegate.Batch{{ID: db + name + day, Source: "s", Checksum: "sum-" + day, Committed: time.Now()}},
	})
	if err != nil {
		t.Fatalf("commit %s.%s: %v", db, name, err)
	}
}

func TestTenantIsolation(t *testing.T) {
	ctx := context.Background()
	shared := open(t, t.TempDir())
	acme, _ := catalog.ForTenant(shared, "acme")
	beta, _ := catalog.ForTenant(shared, "beta")
	commitTable(t, acme, "assessments", "attempts", "2026-01-01")
	commitTable(t, beta, "assessments", "attempts", "2026-01-02")
	commitTable(t, beta, "secret", "plans", "2026-01-03")

	// Stored: prefixed names, paths under tenants/<t>/.
	raw, err := shared.Partitions(ctx, "beta__assessments", "attempts")
	if err != nil || raw[0].Files[0].Path != "tenants/beta/assessments/attempts/ingest_date=2026-01-02/2026-01-02.parquet" {
		t.Fatalf("stored partition: %+v %v", raw, err)
	}
	// Seen by acme: its own names and paths, nothing of beta's.
	dbs, _ := acme.Databases(ctx)
	if len(dbs) != 1 || dbs[0].Name != "assessments" {
		t.Errorf("acme databases: %+v", dbs)
	}
	parts, err := acme.Partitions(ctx, "assessments", "attempts")
	if err != nil || len(parts) != 1 || parts[0].Files[0].Path != "assessments/attempts/ingest_date=2026-01-01/2026-01-01.parquet" {
		t.Errorf("acme partitions: %+v %v", parts, err)
	}
	for _, probe := range []struct{ db, table string }{
		{"secret", "plans"}, {"beta__secret", "plans"}, {"../beta/secret", "plans"}, {"beta__assessments", "attempts"},
	} {
		_, err := acme.Table(ctx, probe.db, probe.table)
		if lakegate.ErrorCode(err) != lakegate.ENOTFOUND {
			t.Errorf("acme reads %s.%s: %v", probe.db, probe.table, err)
		}
		if msg := lakegate.ErrorMessage(err); strings.Contains(msg, "acme__") || strings.Contains(msg, "tenants/") {
			t.Errorf("error shows stored names: %q", msg)
		}
	}
	d, err := acme.Changes(ctx, 0)
	if err != nil || len(d.Tables) != 1 || d.Tables[0].FullName() != "assessments.attempts" {
		t.Errorf("acme changes: %+v %v", d, err)
	}
	// Batches: the same source checksum in two tenants is two sources.
	if bs, _ := acme.Batches(ctx, "sum-2026-01-02"); len(bs) != 0 {
		t.Errorf("acme sees beta's batch: %+v", bs)
	}
	if bs, _ := beta.Batches(ctx, "sum-2026-01-02"); len(bs) != 1 || bs[0].Checksum != "sum-2026-01-02" {
		t.Errorf("beta's batch: %+v", bs)
	}
	// A drop names the tenant's own table only.
	if _, err := acme.Commit(ctx, lakegate.Change{DropTables: []lakegate.TableRef{{Database: "secret", Name: "plans"}}}); lakegate.ErrorCode(err) != lakegate.ENOTFOUND {
		t.Errorf("acme drops beta's table: %v", err)
	}
	if _, err := catalog.ForTenant(shared, "a__b"); lakegate.ErrorCode(err) != lakegate.EINVALID {
		t.Errorf("tenant a__b: %v", err)
	}
}

// A stored path outside the tenant's root (a hand-made entry) is not
// handed to the tenant as a path into its own tree.
func TestTenantForeignPath(t *testing.T) {
	ctx := context.Background()
	shared := open(t, t.TempDir())
	commitRaw := lakegate.Change{Tables: []lakegate.TableChange{{
		Table: lakegate.Table{Database: "acme__x", Name: "t", Location: "tenants/acme/x/t", Format: "parquet",
			Columns: []lakegate.Column{{Name: "id", Type: "BIGINT"}}},
		Partitions: []lakegate.Partition{{Name: "", Location: "tenants/acme/x/t",
			Files: []lakegate.File{{Path: "tenants/beta/x/t/f.parquet", Bytes: 1, Rows: 1, Checksum: "c"}}}},
	}}}
	if _, err := shared.Commit(ctx, commitRaw); err != nil {
		t.Fatal(err)
	}
	acme, _ := catalog.ForTenant(shared, "acme")
	parts, err := acme.Partitions(ctx, "x", "t")
	if err != nil || parts[0].Files[0].Path != "../outside-tenant" {
		t.Errorf("foreign path: %+v %v", parts, err)
	}
	// A database from before tenants is no tenant's, and is reported.
	legacy := commitRaw
	legacy.Tables = []lakegate.TableChange{commitRaw.Tables[0]}
	legacy.Tables[0].Table.Database = "assessments"
	if _, err := shared.Commit(ctx, legacy); err != nil {
		t.Fatal(err)
	}
	if old, err := catalog.Untenanted(ctx, shared); err != nil || fmt.Sprint(old) != "[assessments]" {
		t.Errorf("Untenanted = %v, %v", old, err)
	}
	if dbs, _ := acme.Databases(ctx); len(dbs) != 1 {
		t.Errorf("acme sees %+v", dbs)
	}
}

func TestAllTenants(t *testing.T) {
	ctx := context.Background()
	shared := open(t, t.TempDir())
	for i, tenant := range []string{"acme", "beta"} {
		c, _ := catalog.ForTenant(shared, tenant)
		commitTable(t, c, "assessments", "attempts", fmt.Sprintf("2026-01-0%d", i+1))
	}
	all := catalog.AllTenants(shared)
	tb, err := all.Table(ctx, "assessments", "attempts")
	if err != nil || tb.Stats.Files != 2 || tb.Properties["tenants"] != "acme,beta" {
		t.Fatalf("merged table: %+v %v", tb, err)
	}
	parts, _ := all.Partitions(ctx, "assessments", "attempts")
	if len(parts) != 2 || !strings.HasPrefix(parts[1].Files[0].Path, "tenants/beta/") {
		t.Errorf("merged partitions: %+v", parts)
	}
	d, _ := all.Changes(ctx, 0)
	if len(d.Tables) != 1 || d.Tables[0].FullName() != "assessments.attempts" {
		t.Errorf("merged changes: %+v", d)
	}
	acme, _ := catalog.ForTenant(shared, "acme")
	v := d.Version
	if _, err := acme.Commit(ctx, lakegate.Change{DropTables: []lakegate.TableRef{{Database: "assessments", Name: "attempts"}}}); err != nil {
		t.Fatal(err)
	}
	if d, _ := all.Changes(ctx, v); len(d.Tables) != 1 || d.Tables[0].Stats.Files != 1 || len(d.Dropped) != 0 {
		t.Errorf("after acme's drop: %+v", d)
	}
	if _, err := all.Commit(ctx, lakegate.Change{}); lakegate.ErrorCode(err) != lakegate.EFORBIDDEN {
		t.Errorf("commit through all tenants: %v", err)
	}
}
