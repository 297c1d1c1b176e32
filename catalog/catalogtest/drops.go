package catalogtest

import (
	"context"
	"maps"
	"reflect"
	"testing"

	"github.com/lakegate/lakegate"
)

func dropTables(refs ...string) lakegate.Change {
	var c lakegate.Change
	for i := 0; i+1 < len(refs); i += 2 {
		c.DropTables = append(c.DropTables, lakegate.TableRef{Database: refs[i], Name: refs[i+1]})
	}
	return c
}

func dropPart(db, table, date string) lakegate.PartitionRef {
	return lakegate.PartitionRef{Database: db, Table: table, Name: "ingest_date=" + date}
}

func testDropTable(t *testing.T, c lakegate.Catalog) {
	ctx := context.Background()
	MustCommit(t, c, AddFiles("db", "t", day, "db/t/a.parquet"))
	MustCommit(t, c, AddFiles("db", "u", day, "db/u/a.parquet"))
	before := Snap(t, c)
	for _, tt := range []struct {
		ch    lakegate.Change
		code  string
		parts []string
	}{
		{dropTables("db", "nope"), lakegate.ENOTFOUND, []string{"db.nope", "drop_tables[0]"}},
		{dropTables("nodb", "t"), lakegate.ENOTFOUND, []string{`"nodb"`}},
		{dropTables("db", "t", "db", "t"), lakegate.EINVALID, []string{"db.t", "twice"}},
		{dropTables("db", "T"), lakegate.EINVALID, []string{`"T"`}},
	} {
		_, err := c.Commit(ctx, tt.ch)
		WantError(t, err, tt.code, tt.parts...)
	}
	// All or nothing: the drop does not happen when the rest of the change fails.
	ch := AddFiles("db", "u", day, "db/u/a.parquet")
	ch.DropTables = dropTables("db", "t").DropTables
	_, err := c.Commit(ctx, ch)
	WantError(t, err, lakegate.ECONFLICT, "db/u/a.parquet")
	SameSnap(t, Snap(t, c), before)

	v := MustCommit(t, c, dropTables("db", "t"))
	_, err = c.Table(ctx, "db", "t")
	WantError(t, err, lakegate.ENOTFOUND, "db.t")
	_, err = c.Partitions(ctx, "db", "t")
	WantError(t, err, lakegate.ENOTFOUND, "db.t")
	if tables, err := c.Tables(ctx, "db"); err != nil || len(tables) != 1 || tables[0].Name != "u" || tables[0].Version != 2 {
		t.Fatalf("Tables after the drop = %+v, %v", tables, err)
	}
	if got, _ := c.Version(ctx); got != v {
		t.Fatalf("Version = %d, want %d", got, v)
	}
	_, err = c.Commit(ctx, dropTables("db", "t"))
	WantError(t, err, lakegate.ENOTFOUND, "db.t")

	// The database stays when its last table goes.
	MustCommit(t, c, dropTables("db", "u"))
	if dbs, _ := c.Databases(ctx); len(dbs) != 1 || dbs[0].Name != "db" {
		t.Fatalf("Databases = %+v", dbs)
	}
	if tables, err := c.Tables(ctx, "db"); err != nil || len(tables) != 0 {
		t.Fatalf("Tables = %+v, %v", tables, err)
	}
	// Re-created, the table starts afresh and its files may be registered again.
	v = MustCommit(t, c, AddFiles("db", "t", day, "db/t/a.parquet"))
	tb, _ := c.Table(ctx, "db", "t")
	if tb.Version != v || tb.SchemaVersion != 1 || tb.Stats.Files != 1 || tb.Stats.Partitions != 1 {
		t.Fatalf("re-created table = %+v", tb)
	}
}

func testDropPartition(t *testing.T, c lakegate.Catalog) {
	ctx := context.Background()
	ch := lakegate.Change{Tables: []lakegate.TableChange{TableChange("db", "t",
		Part("db", "t", "2026-11-20", "db/t/1.parquet", "db/t/2.parquet"), Part("db", "t", day, "db/t/3.parquet"))}}
	MustCommit(t, c, ch)
	MustCommit(t, c, AddFiles("db", "u", day, "db/u/1.parquet"))
	before := Snap(t, c)
	for _, tt := range []struct {
		refs  []lakegate.PartitionRef
		drop  []lakegate.TableRef
		code  string
		parts []string
	}{
		{refs: []lakegate.PartitionRef{dropPart("db", "t", "2026-01-01")}, code: lakegate.ENOTFOUND,
			parts: []string{"ingest_date=2026-01-01", "db.t"}},
		{refs: []lakegate.PartitionRef{dropPart("db", "nope", day)}, code: lakegate.ENOTFOUND, parts: []string{"db.nope"}},
		{refs: []lakegate.PartitionRef{dropPart("nodb", "t", day)}, code: lakegate.ENOTFOUND, parts: []string{`"nodb"`}},
		{refs: []lakegate.PartitionRef{dropPart("db", "t", day), dropPart("db", "t", day)}, code: lakegate.EINVALID,
			parts: []string{"twice"}},
		{refs: []lakegate.PartitionRef{dropPart("db", "t", day)}, drop: dropTables("db", "t").DropTables,
			code: lakegate.EINVALID, parts: []string{"db.t"}},
		{refs: []lakegate.PartitionRef{dropPart("db", "t", day), dropPart("db", "u", "2026-01-01")},
			code: lakegate.ENOTFOUND, parts: []string{"db.u"}}, // all or nothing
	} {
		_, err := c.Commit(ctx, lakegate.Change{DropPartitions: tt.refs, DropTables: tt.drop})
		WantError(t, err, tt.code, tt.parts...)
	}
	SameSnap(t, Snap(t, c), before)

	v := MustCommit(t, c, lakegate.Change{DropPartitions: []lakegate.PartitionRef{dropPart("db", "t", "2026-11-20")}})
	parts, _ := c.Partitions(ctx, "db", "t")
	if len(parts) != 1 || parts[0].Name != "ingest_date="+day {
		t.Fatalf("Partitions = %+v", parts)
	}
	tb, _ := c.Table(ctx, "db", "t")
	if want := (lakegate.TableStats{Rows: 10, Bytes: 100, Files: 1, Partitions: 1}); tb.Stats != want || tb.Version != v {
		t.Fatalf("table = %+v; want stats %+v, version %d", tb, want, v)
	}
	if u, _ := c.Table(ctx, "db", "u"); u.Version != 2 {
		t.Fatalf("another table changed: %+v", u)
	}
	// The dropped files may land again; the last partition may go too.
	MustCommit(t, c, AddFiles("db", "t", "2026-11-20", "db/t/1.parquet"))
	MustCommit(t, c, lakegate.Change{DropPartitions: []lakegate.PartitionRef{dropPart("db", "t", "2026-11-20"), dropPart("db", "t", day)}})
	tb, _ = c.Table(ctx, "db", "t")
	if parts, _ := c.Partitions(ctx, "db", "t"); len(parts) != 0 || tb.Stats != (lakegate.TableStats{}) {
		t.Fatalf("after dropping every partition: %+v, %+v", parts, tb.Stats)
	}
}

func testDropAndRecreate(t *testing.T, c lakegate.Catalog) {
	ctx := context.Background()
	ch := AddFiles("db", "t", day, "db/t/a.parquet", "db/t/b.parquet")
	ch.Tables[0].Table.Properties = map[string]string{"k": "v"}
	MustCommit(t, c, ch)

	// Replace a partition: drop it and add files (one of them again) at once.
	ch = AddFiles("db", "t", day, "db/t/a.parquet", "db/t/c.parquet")
	ch.DropPartitions = []lakegate.PartitionRef{dropPart("db", "t", day)}
	MustCommit(t, c, ch)
	parts, _ := c.Partitions(ctx, "db", "t")
	if len(parts) != 1 || !reflect.DeepEqual(parts[0].Files, Files("db/t/a.parquet", "db/t/c.parquet")) || parts[0].Rows != 20 {
		t.Fatalf("replaced partition = %+v", parts)
	}

	// Replace the table with an otherwise incompatible one.
	ch = AddFiles("db", "t", day, "db/t/a.parquet")
	ch.DropTables = dropTables("db", "t").DropTables
	ch.Tables[0].Table.Columns = []lakegate.Column{{Name: "keen_id", Type: "BIGINT"}}
	ch.Tables[0].Table.Type = lakegate.TableExternal
	v := MustCommit(t, c, ch)
	tb, _ := c.Table(ctx, "db", "t")
	want := lakegate.TableStats{Rows: 10, Bytes: 100, Files: 1, Partitions: 1}
	if tb.Columns[0].Type != "BIGINT" || len(tb.Columns) != 1 || tb.SchemaVersion != 1 || tb.Type != lakegate.TableExternal ||
		tb.Stats != want || tb.Version != v || len(tb.Properties) != 0 {
		t.Fatalf("re-created table = %+v", tb)
	}
	WantDelta(t, c, v-1, v, []string{"db.t"}, nil)
}

func testTableType(t *testing.T, c lakegate.Catalog) {
	ctx := context.Background()
	ch := AddFiles("db", "ext", day, "db/ext/a.parquet")
	ch.Tables[0].Table.Type = lakegate.TableExternal
	MustCommit(t, c, ch)
	MustCommit(t, c, AddFiles("db", "man", day, "db/man/a.parquet"))
	for name, want := range map[string]string{"ext": lakegate.TableExternal, "man": lakegate.TableManaged} {
		if tb, _ := c.Table(ctx, "db", name); tb.Type != want {
			t.Errorf("%s: type %q, want %q", name, tb.Type, want)
		}
	}
	before := Snap(t, c)
	for _, typ := range []string{"view", "MANAGED"} {
		ch := AddFiles("db", "man", day, "db/man/b.parquet")
		ch.Tables[0].Table.Type = typ
		_, err := c.Commit(ctx, ch)
		WantError(t, err, lakegate.EINVALID, typ, "managed", "external")
	}
	ch = AddFiles("db", "man", day, "db/man/b.parquet")
	ch.Tables[0].Table.Type = lakegate.TableExternal
	_, err := c.Commit(ctx, ch)
	WantError(t, err, lakegate.ECONFLICT, "db.man", "external", "managed")
	SameSnap(t, Snap(t, c), before)
	// Empty keeps the type; naming the same type is fine.
	MustCommit(t, c, AddFiles("db", "ext", day, "db/ext/b.parquet"))
	ch = AddFiles("db", "man", day, "db/man/b.parquet")
	ch.Tables[0].Table.Type = lakegate.TableManaged
	MustCommit(t, c, ch)
	if tb, _ := c.Table(ctx, "db", "ext"); tb.Type != lakegate.TableExternal {
		t.Fatalf("type after a commit without one: %q", tb.Type)
	}
}

func testProperties(t *testing.T, c lakegate.Catalog) {
	ctx := context.Background()
	props := map[string]string{"owner.team": "data", "retention": "30d"}
	ch := AddFiles("db", "t", day, "db/t/a.parquet")
	ch.Tables[0].Table.Properties = props
	MustCommit(t, c, ch)
	props["retention"] = "mutated" // the caller's map is not kept
	want := map[string]string{"owner.team": "data", "retention": "30d"}
	check := func(want map[string]string) {
		t.Helper()
		tb, err := c.Table(ctx, "db", "t")
		if err != nil || !maps.Equal(tb.Properties, want) {
			t.Fatalf("Properties = %v, %v; want %v", tb.Properties, err, want)
		}
	}
	check(want)
	tb, _ := c.Table(ctx, "db", "t")
	tb.Properties["retention"] = "x"
	tables, _ := c.Tables(ctx, "db")
	tables[0].Properties["retention"] = "x"
	d, _ := c.Changes(ctx, 0)
	d.Tables[0].Properties["retention"] = "x"
	check(want)
	// A change without properties keeps them; one with some merges them in.
	MustCommit(t, c, AddFiles("db", "t", day, "db/t/b.parquet"))
	check(want)
	ch = AddFiles("db", "t", day, "db/t/c.parquet")
	ch.Tables[0].Table.Properties = map[string]string{"retention": "90d", "pii": "none"}
	MustCommit(t, c, ch)
	check(map[string]string{"owner.team": "data", "retention": "90d", "pii": "none"})
}
