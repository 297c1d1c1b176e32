package admin_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/lakegate/lakegate"
	"github.com/lakegate/lakegate/catalog/admin"
)

// rows returns a SELECT of n rows with a BIGINT column v.
func rows(n int) string { return fmt.Sprintf("SELECT range::BIGINT AS v FROM range(%d)", n) }

// driftedLake registers r.t over four files in three partitions, then
// changes storage behind the catalog's back: one partition deleted, one
// file of another deleted, a file added to a third partition, a new
// partition copied in, and junk that repair must ignore.
func driftedLake(t *testing.T) *env {
	t.Helper()
	e := newEnv(t)
	e.write(t, "r/day=2026-01-01/a.parquet", rows(2))
	e.write(t, "r/day=2026-01-02/a.parquet", rows(1))
	e.write(t, "r/day=2026-01-02/b.parquet", rows(1))
	e.write(t, "r/day=2026-01-03/a.parquet", rows(1))
	if _, err := admin.Register(context.Background(), e.cat, e.store, "r", "t", "r"); err != nil {
		t.Fatal(err)
	}
	e.remove(t, "r/day=2026-01-01")
	e.remove(t, "r/day=2026-01-02/b.parquet")
	e.write(t, "r/day=2026-01-03/c.parquet", rows(3))
	e.write(t, "r/day=2026-01-04/a.parquet", rows(4))
	e.write(t, "r/_tmp/day=2026-01-05/a.parquet", rows(5))
	e.write(t, "r/day=2026-01-03/.c.parquet.tmp", rows(5))
	e.touch(t, "r/day=2026-01-04/_SUCCESS", "")
	e.touch(t, "r/day=2026-01-04/notes.txt", "x")
	return e
}

func describeReport(r admin.Report) string {
	var b strings.Builder
	for _, s := range []struct {
		what string
		pf   []admin.PartitionFiles
	}{{"new partitions", r.NewPartitions}, {"new files", r.NewFiles}, {"gone partitions", r.GonePartitions}, {"gone files", r.GoneFiles}} {
		fmt.Fprintf(&b, "%s:", s.what)
		for _, p := range s.pf {
			fmt.Fprintf(&b, " %s%v", p.Partition, p.Files)
		}
		b.WriteString("\n")
	}
	return b.String()
}

const driftReport = `new partitions: day=2026-01-04[r/day=2026-01-04/a.parquet]
new files: day=2026-01-03[r/day=2026-01-03/c.parquet]
gone partitions: day=2026-01-01[r/day=2026-01-01/a.parquet]
gone files: day=2026-01-02[r/day=2026-01-02/b.parquet]
`

func TestRepairDryRunOnlyReports(t *testing.T) {
	e := driftedLake(t)
	v := e.version(t)
	r, err := admin.Repair(context.Background(), e.cat, e.store, "r", "t", false)
	if err != nil {
		t.Fatal(err)
	}
	if got := describeReport(r); got != driftReport {
		t.Errorf("report\n%s\nwant\n%s", got, driftReport)
	}
	if r.Applied || r.InSync() || e.version(t) != v {
		t.Errorf("dry run: applied %v, in sync %v, version %d -> %d", r.Applied, r.InSync(), v, e.version(t))
	}
	if len(e.partitions(t, "r", "t")) != 3 {
		t.Errorf("dry run changed the partitions")
	}
}

func TestRepairApply(t *testing.T) {
	ctx := context.Background()
	e := driftedLake(t)
	v := e.version(t)
	r, err := admin.Repair(ctx, e.cat, e.store, "r", "t", true)
	if err != nil {
		t.Fatal(err)
	}
	if got := describeReport(r); got != driftReport {
		t.Errorf("report\n%s\nwant\n%s", got, driftReport)
	}
	if !r.Applied || r.Version != v+1 || e.version(t) != v+1 {
		t.Errorf("applied %v version %d, catalog %d -> %d (one commit wanted)", r.Applied, r.Version, v, e.version(t))
	}
	var got []string
	for name, p := range e.partitions(t, "r", "t") {
		var files []string
		for _, f := range p.Files {
			files = append(files, f.Path[len("r/"+name+"/"):])
		}
		got = append(got, fmt.Sprintf("%s%v:%d", name, files, p.Rows))
	}
	want := "[day=2026-01-02[a.parquet]:1 day=2026-01-03[a.parquet c.parquet]:4 day=2026-01-04[a.parquet]:4]"
	if s := fmt.Sprint(slices.Sorted(slices.Values(got))); s != want {
		t.Errorf("partitions %s, want %s", s, want)
	}
	tab, err := e.cat.Table(ctx, "r", "t")
	if err != nil {
		t.Fatal(err)
	}
	if s := tab.Stats; s.Rows != 9 || s.Files != 4 || s.Partitions != 3 {
		t.Errorf("stats %+v", s)
	}
	db := e.engine(t)
	if got := mustQuery(t, db, "SELECT count(*), count(DISTINCT day) FROM r.t"); got != "9 3" {
		t.Errorf("after repair: %s", got)
	}
	// Repaired: nothing left to do, nothing committed.
	r, err = admin.Repair(ctx, e.cat, e.store, "r", "t", true)
	if err != nil || !r.InSync() || r.Applied || e.version(t) != v+1 {
		t.Errorf("second repair: %v in sync %v applied %v version %d", err, r.InSync(), r.Applied, e.version(t))
	}
}

func TestRepairAddsOnly(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.write(t, "a/k=1/a.parquet", rows(1))
	if _, err := admin.Register(ctx, e.cat, e.store, "a", "t", "a"); err != nil {
		t.Fatal(err)
	}
	db := e.engine(t)
	mustQuery(t, db, "SELECT count(*) FROM a.t")
	e.write(t, "a/k=2/a.parquet", "SELECT 1::BIGINT AS v, 'new' AS w")
	r, err := admin.Repair(ctx, e.cat, e.store, "a", "t", true)
	if err != nil || !r.Applied || len(r.NewPartitions) != 1 {
		t.Fatalf("repair: %v %+v", err, r)
	}
	if got := mustQuery(t, db, "SELECT count(*), count(w), sum(k) FROM a.t"); got != "2 1 3" {
		t.Errorf("after repair: %s", got)
	}
}

func TestRepairErrors(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.write(t, "a/k=1/a.parquet", rows(1))
	if _, err := admin.Register(ctx, e.cat, e.store, "a", "t", "a"); err != nil {
		t.Fatal(err)
	}
	_, err := admin.Repair(ctx, e.cat, e.store, "a", "nope", false)
	wantCode(t, err, lakegate.ENOTFOUND)
	e.write(t, "a/k=x/a.parquet", rows(1))
	_, err = admin.Repair(ctx, e.cat, e.store, "a", "t", false)
	wantCode(t, err, lakegate.ECONFLICT, `"x"`, "BIGINT", "k")
	e.remove(t, "a/k=x")
	e.write(t, "a/j=1/a.parquet", rows(1))
	_, err = admin.Repair(ctx, e.cat, e.store, "a", "t", false)
	wantCode(t, err, lakegate.EINVALID, "a/j=1/a.parquet", "a/k=1/a.parquet")
	e.remove(t, "a/j=1")
	e.write(t, "a/k=2/a.parquet", "SELECT 'text' AS v")
	_, err = admin.Repair(ctx, e.cat, e.store, "a", "t", true)
	wantCode(t, err, lakegate.ECONFLICT, "a/k=2/a.parquet", `"v"`, "VARCHAR", "BIGINT")
}
