package admin_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/lakegate/lakegate"
	"github.com/lakegate/lakegate/catalog/admin"
)

const (
	euRows = `SELECT * FROM (VALUES (1::BIGINT, 'a', 1.5::DOUBLE, true, TIMESTAMP '2026-01-02 10:00:00', DATE '2026-01-02', 7::INTEGER, 0.5::FLOAT),
		(2::BIGINT, 'b', 2.5::DOUBLE, false, TIMESTAMP '2026-01-02 11:00:00', DATE '2026-01-02', 8::INTEGER, 1.5::FLOAT))
		AS t(id, name, amount, paid, ts, day, qty, ratio)`
	usRows = `SELECT * FROM (VALUES (3::BIGINT, 'c', 3.5::DOUBLE, true, TIMESTAMP '2026-01-03 10:00:00', DATE '2026-01-03', 9::INTEGER, 2.5::FLOAT, 'late'),
		(4::BIGINT, 'd', 4.5::DOUBLE, true, TIMESTAMP '2026-01-03 11:00:00', DATE '2026-01-03', 1::INTEGER, 3.5::FLOAT, NULL),
		(5::BIGINT, 'e', 5.5::DOUBLE, NULL, TIMESTAMP '2026-01-03 12:00:00', DATE '2026-01-03', 2::INTEGER, 4.5::FLOAT, 'x'))
		AS t(id, name, amount, paid, ts, day, qty, ratio, note)`
)

// landSales writes two partitions (the second file adds a column) and
// files registration must ignore.
func landSales(t *testing.T, e *env) {
	t.Helper()
	e.write(t, "ext/sales/region=eu/dt=2026-01-02/a.parquet", euRows)
	e.write(t, "ext/sales/region=us/dt=2026-01-03/b.parquet", usRows)
	e.touch(t, "ext/sales/_SUCCESS", "")
	e.touch(t, "ext/sales/region=eu/.a.parquet.crc", "crc")
	e.touch(t, "ext/sales/region=eu/dt=2026-01-02/README.txt", "notes")
	e.write(t, "ext/sales/_staging/x=1/tmp.parquet", "SELECT 1 AS other")
	e.write(t, "ext/sales/.hidden/x=1/tmp.parquet", "SELECT 1 AS other")
}

func TestRegister(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	landSales(t, e)
	tab, err := admin.Register(ctx, e.cat, e.store, "shop", "sales", "ext/sales")
	if err != nil {
		t.Fatal(err)
	}
	if tab.Type != lakegate.TableExternal || tab.Location != "ext/sales" || tab.Format != "parquet" {
		t.Errorf("table type %q location %q format %q", tab.Type, tab.Location, tab.Format)
	}
	if got, want := fmt.Sprint(tab.PartitionKeys), "[{region VARCHAR false } {dt DATE false }]"; got != want {
		t.Errorf("partition keys %s, want %s", got, want)
	}
	// DuckDB writes every column as optional.
	want := "[{id BIGINT true } {name VARCHAR true } {amount DOUBLE true } {paid BOOLEAN true } {ts TIMESTAMP true } " +
		"{day DATE true } {qty INTEGER true } {ratio FLOAT true } {note VARCHAR true }]"
	if got := fmt.Sprint(tab.Columns); got != want {
		t.Errorf("columns\n%s, want\n%s", got, want)
	}
	if s := tab.Stats; s.Rows != 5 || s.Files != 2 || s.Partitions != 2 || s.Bytes <= 0 {
		t.Errorf("stats %+v", s)
	}
	parts := e.partitions(t, "shop", "sales")
	p := parts["region=us/dt=2026-01-03"]
	if len(p.Files) != 1 || p.Rows != 3 || fmt.Sprint(p.Values) != "[us 2026-01-03]" || p.Location != "ext/sales/region=us/dt=2026-01-03" {
		t.Fatalf("partition %+v", p)
	}
	f := p.Files[0]
	if f.Path != "ext/sales/region=us/dt=2026-01-03/b.parquet" || f.Rows != 3 || f.Checksum != e.sha(t, f.Path) {
		t.Errorf("file %+v", f)
	}
	db := e.engine(t)
	if got := mustQuery(t, db, "SELECT count(*), sum(amount) FROM shop.sales"); got != "5 17.5" {
		t.Errorf("count, sum = %s", got)
	}
	if got := mustQuery(t, db, "SELECT region, min(dt)::VARCHAR, count(note) FROM shop.sales GROUP BY 1 ORDER BY 1"); got != "eu 2026-01-02 0|us 2026-01-03 2" {
		t.Errorf("by region = %s", got)
	}
}

func TestRegisterAgainAddsOnlyNewFiles(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	landSales(t, e)
	if _, err := admin.Register(ctx, e.cat, e.store, "shop", "sales", "ext/sales"); err != nil {
		t.Fatal(err)
	}
	db := e.engine(t)
	mustQuery(t, db, "SELECT count(*) FROM shop.sales")
	v := e.version(t)
	tab, err := admin.Register(ctx, e.cat, e.store, "shop", "sales", "ext/sales/")
	if err != nil {
		t.Fatal(err)
	}
	if e.version(t) != v || tab.Stats.Files != 2 {
		t.Errorf("registering again committed: version %d -> %d, files %d", v, e.version(t), tab.Stats.Files)
	}
	e.write(t, "ext/sales/region=eu/dt=2026-01-02/c.parquet", "SELECT 6::BIGINT AS id, 'f' AS name")
	e.write(t, "ext/sales/region=eu/dt=2026-01-04/d.parquet", "SELECT 7::BIGINT AS id, 'g' AS name, 9.0::DOUBLE AS extra")
	tab, err = admin.Register(ctx, e.cat, e.store, "shop", "sales", "ext/sales")
	if err != nil {
		t.Fatal(err)
	}
	if e.version(t) != v+1 || tab.Stats.Files != 4 || tab.Stats.Rows != 7 || tab.Stats.Partitions != 3 {
		t.Errorf("version %d (want %d), stats %+v", e.version(t), v+1, tab.Stats)
	}
	if c := tab.Columns[len(tab.Columns)-1]; c.Name != "extra" || !c.Nullable {
		t.Errorf("last column %+v, want the new nullable extra", c)
	}
	if got := mustQuery(t, db, "SELECT count(*), count(extra), count(amount) FROM shop.sales"); got != "7 1 5" {
		t.Errorf("after adding files: %s", got)
	}
}

func TestRegisterKeyTypes(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.write(t, "k/year=2024/a.parquet", "SELECT 1 AS v")
	e.write(t, "k/year=2025/a.parquet", "SELECT 2 AS v")
	e.write(t, "s/code=1/a.parquet", "SELECT 1 AS v")
	e.write(t, "s/code=x1/a.parquet", "SELECT 2 AS v")
	e.write(t, "d/day=2026-01-02/a.parquet", "SELECT 1 AS v")
	e.write(t, "d/day=2026-1-3/a.parquet", "SELECT 2 AS v")
	e.write(t, "flat/a.parquet", "SELECT 1 AS v")
	e.write(t, "flat/b.parquet", "SELECT 2 AS v")
	for _, c := range []struct{ table, loc, keys, sum string }{
		{"k", "k", "[{year BIGINT false }]", "4052"},
		{"s", "s", "[{code VARCHAR false }]", "3"},
		{"d", "d", "[{day VARCHAR false }]", "3"},
		{"flat", "flat", "[]", "3"},
	} {
		tab, err := admin.Register(ctx, e.cat, e.store, "t", c.table, c.loc)
		if err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprint(tab.PartitionKeys); got != c.keys {
			t.Errorf("%s: keys %s, want %s", c.table, got, c.keys)
		}
		db := e.engine(t)
		q := "SELECT sum(v) FROM t." + c.table
		if c.table == "k" {
			q = "SELECT sum(v) + sum(year) FROM t.k"
		}
		if got := mustQuery(t, db, q); got != c.sum {
			t.Errorf("%s = %s, want %s", q, got, c.sum)
		}
	}
}

func TestRegisterErrors(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.touch(t, "empty/notes.txt", "x")
	e.write(t, "keys/a=1/f.parquet", "SELECT 1 AS v")
	e.write(t, "keys/b=1/g.parquet", "SELECT 1 AS v")
	e.write(t, "clash/p=1/f.parquet", "SELECT 1 AS v")
	e.write(t, "clash/p=2/g.parquet", "SELECT 'x' AS v")
	e.touch(t, "bad/f.parquet", "not parquet at all")
	e.write(t, "odd/2026/f.parquet", "SELECT 1 AS v")
	e.write(t, "dupkey/v=1/f.parquet", "SELECT 1 AS v")
	e.write(t, "interval/f.parquet", "SELECT 1 AS v, INTERVAL 1 DAY AS span")
	e.write(t, "ok/f.parquet", "SELECT 1 AS v")
	for _, c := range []struct {
		name, table, loc, code string
		parts                  []string
	}{
		{"no parquet", "t1", "empty", lakegate.EINVALID, []string{"no Parquet files under empty"}},
		{"missing dir", "t2", "nowhere", lakegate.EINVALID, []string{"no Parquet files under nowhere"}},
		{"keys disagree", "t3", "keys", lakegate.EINVALID, []string{"keys/b=1/g.parquet", "keys/a=1/f.parquet", "(b)", "(a)"}},
		{"type clash", "t4", "clash", lakegate.ECONFLICT, []string{"clash/p=2/g.parquet", `"v"`, "VARCHAR", "INTEGER", "clash/p=1/f.parquet"}},
		{"not parquet", "t5", "bad", lakegate.EINVALID, []string{"bad/f.parquet", "not a readable Parquet file"}},
		{"not key=value", "t6", "odd", lakegate.EINVALID, []string{"odd/2026", "key=value"}},
		{"column is a key", "t7", "dupkey", lakegate.EINVALID, []string{"dupkey/v=1/f.parquet", `"v"`, "partition key"}},
		{"unsupported type", "t8", "interval", lakegate.EINVALID, []string{"interval/f.parquet", `"span"`}},
		{"escapes the lake", "t9", "../x", lakegate.EINVALID, []string{"inside"}},
		{"absolute", "t9", "/etc", lakegate.EINVALID, []string{"relative"}},
		{"lake root", "t9", ".", lakegate.EINVALID, []string{"not the root"}},
		{"catalog dir", "t9", "_catalog", lakegate.EINVALID, []string{"_catalog"}},
		{"bad table name", "Bad-Name", "ok", lakegate.EINVALID, []string{"Bad-Name"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := admin.Register(ctx, e.cat, e.store, "t", c.table, c.loc)
			wantCode(t, err, c.code, c.parts...)
		})
	}
	if v := e.version(t); v != 0 {
		t.Errorf("failed registrations committed: version %d", v)
	}
	// A registered table cannot move.
	if _, err := admin.Register(ctx, e.cat, e.store, "t", "ok", "ok"); err != nil {
		t.Fatal(err)
	}
	_, err := admin.Register(ctx, e.cat, e.store, "t", "ok", "keys")
	wantCode(t, err, lakegate.ECONFLICT, `"ok"`, `"keys"`)
}
