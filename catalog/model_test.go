package catalog

import (
	"testing"
	"time"

	"github.com/lakegate/lakegate"
)

var t0 = time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)

func change(cols []lakegate.Column, keys []lakegate.Column, parts ...lakegate.Partition) lakegate.Change {
	return lakegate.Change{Tables: []lakegate.TableChange{{
		Table:      lakegate.Table{Database: "db", Name: "t", Columns: cols, PartitionKeys: keys},
		Partitions: parts,
	}}}
}

func mustApply(t *testing.T, s *State, c lakegate.Change) {
	t.Helper()
	if err := s.Apply(c, s.Version()+1, t0); err != nil {
		t.Fatalf("Apply: %v", err)
	}
}

func TestNarrowerDataAndAliases(t *testing.T) {
	s := NewState()
	mustApply(t, s, change([]lakegate.Column{{Name: "n", Type: "BIGINT"}, {Name: "s", Type: "VARCHAR"}}, nil))
	// INTEGER data fits a BIGINT table; INT8 and TEXT are aliases.
	mustApply(t, s, change([]lakegate.Column{{Name: "n", Type: "INTEGER"}, {Name: "s", Type: "text"}}, nil))
	mustApply(t, s, change([]lakegate.Column{{Name: "n", Type: "int8"}, {Name: "s", Type: "VARCHAR"}}, nil))
	tb, _ := s.Table("db", "t")
	if tb.Columns[0].Type != "BIGINT" || tb.Columns[1].Type != "VARCHAR" || tb.SchemaVersion != 1 {
		t.Fatalf("table = %+v", tb)
	}
	// A column that becomes nullable is a schema change.
	mustApply(t, s, change([]lakegate.Column{{Name: "n", Type: "BIGINT", Nullable: true}, {Name: "s", Type: "VARCHAR"}}, nil))
	if tb, _ := s.Table("db", "t"); !tb.Columns[0].Nullable || tb.SchemaVersion != 2 {
		t.Fatalf("table = %+v", tb)
	}
}

func TestUnpartitionedTable(t *testing.T) {
	s := NewState()
	cols := []lakegate.Column{{Name: "a", Type: "BIGINT"}}
	mustApply(t, s, change(cols, nil, lakegate.Partition{Files: []lakegate.File{{Path: "db/t/0.parquet", Rows: 1}}}))
	parts, _ := s.Partitions("db", "t")
	if len(parts) != 1 || parts[0].Name != "" || parts[0].Location != "db/t" || parts[0].Rows != 1 {
		t.Fatalf("partitions = %+v", parts)
	}
	err := s.Apply(change(cols, nil, lakegate.Partition{Name: "x=1", Values: nil}), 2, t0)
	if lakegate.ErrorCode(err) != lakegate.EINVALID {
		t.Fatalf("named partition of an unpartitioned table: %v", err)
	}
}

func TestSamePartitionTwiceMerges(t *testing.T) {
	s := NewState()
	keys := []lakegate.Column{{Name: "d", Type: "DATE"}}
	p := func(file string) lakegate.Partition {
		return lakegate.Partition{Name: "d=1", Values: []string{"1"}, Files: []lakegate.File{{Path: file, Rows: 2, Bytes: 3}}}
	}
	mustApply(t, s, change([]lakegate.Column{{Name: "a", Type: "BIGINT"}}, keys, p("a"), p("b")))
	tb, _ := s.Table("db", "t")
	if want := (lakegate.TableStats{Rows: 4, Bytes: 6, Files: 2, Partitions: 1}); tb.Stats != want {
		t.Fatalf("stats = %+v, want %+v", tb.Stats, want)
	}
}

func TestPlanMisuse(t *testing.T) {
	s := NewState()
	c := change([]lakegate.Column{{Name: "a", Type: "BIGINT"}}, nil)
	if _, err := s.Prepare(c, 5, t0); lakegate.ErrorCode(err) != lakegate.EINTERNAL {
		t.Fatalf("Prepare at the wrong version: %v", err)
	}
	p, err := s.Prepare(c, 1, t0)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.ApplyPlan(p); err != nil {
		t.Fatal(err)
	}
	if err := s.ApplyPlan(p); lakegate.ErrorCode(err) != lakegate.EINTERNAL {
		t.Fatalf("a plan applied twice: %v", err)
	}
	if got := p.Tables(); len(got) != 1 || got[0].Version != 1 {
		t.Fatalf("Plan.Tables = %+v", got)
	}
}

func TestExistingTableConflicts(t *testing.T) {
	s := NewState()
	cols := []lakegate.Column{{Name: "a", Type: "BIGINT"}}
	mustApply(t, s, change(cols, nil))
	for name, edit := range map[string]func(*lakegate.Table){
		"location": func(tb *lakegate.Table) { tb.Location = "elsewhere" },
		"format":   func(tb *lakegate.Table) { tb.Format = "csv" },
	} {
		c := change(cols, nil)
		edit(&c.Tables[0].Table)
		if err := s.Apply(c, 2, t0); lakegate.ErrorCode(err) != lakegate.ECONFLICT {
			t.Errorf("%s change: %v", name, err)
		}
	}
}

func TestDropsAndChanges(t *testing.T) {
	s := NewState()
	cols := []lakegate.Column{{Name: "a", Type: "BIGINT"}}
	keys := []lakegate.Column{{Name: "d", Type: "DATE"}}
	part := func(v string, files ...string) lakegate.Partition {
		p := lakegate.Partition{Name: "d=" + v, Values: []string{v}}
		for _, f := range files {
			p.Files = append(p.Files, lakegate.File{Path: f, Rows: 1, Bytes: 10})
		}
		return p
	}
	mustApply(t, s, change(cols, keys, part("1", "f1", "f2"), part("2", "f3")))
	mustApply(t, s, lakegate.Change{DropPartitions: []lakegate.PartitionRef{{Database: "db", Table: "t", Name: "d=1"}}})
	tb, _ := s.Table("db", "t")
	if want := (lakegate.TableStats{Rows: 1, Bytes: 10, Files: 1, Partitions: 1}); tb.Stats != want || tb.Version != 2 {
		t.Fatalf("after partition drop: %+v", tb)
	}
	// The dropped partition's files may be registered again.
	mustApply(t, s, change(cols, keys, part("1", "f1")))
	// Drop and re-create in one change, with an otherwise conflicting schema.
	c := change([]lakegate.Column{{Name: "a", Type: "VARCHAR"}}, nil, lakegate.Partition{Files: []lakegate.File{{Path: "f3"}}})
	c.DropTables = []lakegate.TableRef{{Database: "db", Name: "t"}}
	mustApply(t, s, c)
	tb, _ = s.Table("db", "t")
	if tb.Columns[0].Type != "VARCHAR" || tb.Stats.Files != 1 || tb.Version != 4 || tb.SchemaVersion != 1 || tb.Type != lakegate.TableManaged {
		t.Fatalf("re-created table: %+v", tb)
	}
	d, err := s.Changes(3)
	if err != nil || d.Version != 4 || len(d.Tables) != 1 || len(d.Dropped) != 0 {
		t.Fatalf("Changes(3) = %+v, %v", d, err)
	}
	mustApply(t, s, lakegate.Change{DropTables: []lakegate.TableRef{{Database: "db", Name: "t"}}})
	if d, _ := s.Changes(3); len(d.Tables) != 0 || len(d.Dropped) != 1 {
		t.Fatalf("Changes(3) after drop = %+v", d)
	}
	if d, _ := s.Changes(5); len(d.Tables) != 0 || len(d.Dropped) != 0 || d.Version != 5 {
		t.Fatalf("Changes(5) = %+v", d)
	}
}

// Many changes to few tables keep the index small.
func TestChangeIndexCompacts(t *testing.T) {
	s := NewState()
	cols := []lakegate.Column{{Name: "a", Type: "BIGINT"}}
	for range 5000 {
		mustApply(t, s, change(cols, nil))
	}
	if len(s.index) > 2*1+1024+1 {
		t.Fatalf("index holds %d entries for one table", len(s.index))
	}
	if d, _ := s.Changes(4000); len(d.Tables) != 1 || d.Tables[0].Version != 5000 {
		t.Fatalf("Changes = %+v", d)
	}
}
