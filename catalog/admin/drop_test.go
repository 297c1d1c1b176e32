package admin_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/lakegate/lakegate"
	"github.com/lakegate/lakegate/catalog/admin"
)

// landManaged lands m.t as ingest does: a managed table (no type given,
// the catalog's default) with two partitions of one file each.
func landManaged(t *testing.T, e *env) {
	t.Helper()
	tc := lakegate.TableChange{Table: lakegate.Table{Database: "m", Name: "t", Location: "m/t",
		Columns: []lakegate.Column{{Name: "v", Type: "BIGINT"}}, PartitionKeys: []lakegate.Column{{Name: "day", Type: "DATE"}}}}
	for i, day := range []string{"2026-01-01", "2026-01-02"} {
		rel := "m/t/day=" + day + "/part-0.parquet"
		e.write(t, rel, rows(i+1))
		info, err := os.Stat(filepath.Join(e.dir, rel))
		if err != nil {
			t.Fatal(err)
		}
		tc.Partitions = append(tc.Partitions, lakegate.Partition{Name: "day=" + day, Values: []string{day},
			Files: []lakegate.File{{Path: rel, Bytes: info.Size(), Rows: int64(i + 1)}}})
	}
	if _, err := e.cat.Commit(context.Background(), lakegate.Change{Tables: []lakegate.TableChange{tc}}); err != nil {
		t.Fatal(err)
	}
}

func TestDropManaged(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	landManaged(t, e)
	db := e.engine(t)
	if got := mustQuery(t, db, "SELECT count(*) FROM m.t"); got != "3" {
		t.Fatalf("count = %s", got)
	}
	d, err := admin.DropPartition(ctx, e.cat, e.store, "m", "t", "day=2026-01-02")
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Partitions) != 1 || len(d.Removed) != 1 || d.Removed[0] != "m/t/day=2026-01-02" {
		t.Errorf("dropped %+v", d)
	}
	if e.exists("m/t/day=2026-01-02") || !e.exists("m/t/day=2026-01-01/part-0.parquet") {
		t.Errorf("managed partition drop: wrong files removed")
	}
	if got := mustQuery(t, db, "SELECT count(*) FROM m.t"); got != "1" {
		t.Errorf("after partition drop: count = %s", got)
	}
	d, err = admin.DropTable(ctx, e.cat, e.store, "m", "t")
	if err != nil {
		t.Fatal(err)
	}
	if d.Table.FullName() != "m.t" || len(d.Removed) != 1 || d.Removed[0] != "m/t" || e.exists("m/t") {
		t.Errorf("dropped %+v; m/t exists: %v", d, e.exists("m/t"))
	}
	_, err = query(t, db, "SELECT count(*) FROM m.t")
	wantCode(t, err, lakegate.ENOTFOUND)
	_, err = e.cat.Table(ctx, "m", "t")
	wantCode(t, err, lakegate.ENOTFOUND)
}

func TestDropExternalKeepsFiles(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	landSales(t, e)
	if _, err := admin.Register(ctx, e.cat, e.store, "shop", "sales", "ext/sales"); err != nil {
		t.Fatal(err)
	}
	db := e.engine(t)
	mustQuery(t, db, "SELECT count(*) FROM shop.sales")
	d, err := admin.DropPartition(ctx, e.cat, e.store, "shop", "sales", "region=eu/dt=2026-01-02")
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Removed) != 0 || !e.exists("ext/sales/region=eu/dt=2026-01-02/a.parquet") {
		t.Errorf("external partition drop removed files: %v", d.Removed)
	}
	if got := mustQuery(t, db, "SELECT count(*) FROM shop.sales"); got != "3" {
		t.Errorf("after partition drop: count = %s", got)
	}
	d, err = admin.DropTable(ctx, e.cat, e.store, "shop", "sales")
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Removed) != 0 || !e.exists("ext/sales/region=us/dt=2026-01-03/b.parquet") {
		t.Errorf("external table drop removed files: %v", d.Removed)
	}
	_, err = query(t, db, "SELECT count(*) FROM shop.sales")
	wantCode(t, err, lakegate.ENOTFOUND)
	// The files are still there to register again.
	if _, err := admin.Register(ctx, e.cat, e.store, "shop", "sales", "ext/sales"); err != nil {
		t.Fatal(err)
	}
	if got := mustQuery(t, db, "SELECT count(*) FROM shop.sales"); got != "5" {
		t.Errorf("registered again: count = %s", got)
	}
}

func TestDropErrors(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	landManaged(t, e)
	v := e.version(t)
	_, err := admin.DropTable(ctx, e.cat, e.store, "m", "nope")
	wantCode(t, err, lakegate.ENOTFOUND)
	_, err = admin.DropTable(ctx, e.cat, e.store, "nope", "t")
	wantCode(t, err, lakegate.ENOTFOUND)
	_, err = admin.DropPartition(ctx, e.cat, e.store, "m", "t", "day=1999-01-01")
	wantCode(t, err, lakegate.ENOTFOUND, "day=1999-01-01", "m.t")
	if e.version(t) != v || !e.exists("m/t/day=2026-01-01/part-0.parquet") {
		t.Errorf("failed drops changed something")
	}
}
