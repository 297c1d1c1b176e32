package catalog

import (
	"fmt"
	"reflect"
	"slices"
	"testing"

	"github.com/lakegate/lakegate"
)

// partialState loads into a fresh state what ScopeOf(c) names, the way a
// SQL store would: table headers, the named partitions and the partitions
// holding any of the change's files, and the named batches.
func partialState(t *testing.T, full *State, c lakegate.Change) *State {
	t.Helper()
	sc := ScopeOf(c)
	s := NewStateAt(full.Version())
	for _, db := range full.Databases() {
		if slices.Contains(sc.Databases, db.Name) {
			s.LoadDatabase(db)
		}
	}
	for _, ref := range sc.Tables {
		tb, err := full.Table(ref.Database, ref.Name)
		if err != nil {
			continue
		}
		all, _ := full.Partitions(ref.Database, ref.Name)
		var parts []lakegate.Partition
		for _, p := range all {
			keep := slices.Contains(sc.Partitions[ref], p.Name)
			for _, f := range p.Files {
				keep = keep || slices.Contains(sc.Files[ref], f.Path)
			}
			if keep {
				parts = append(parts, p)
			}
		}
		if err := s.LoadTable(tb, parts); err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range sc.Batches {
		for _, b := range full.batches {
			if b.ID == id {
				s.LoadBatch(b)
			}
		}
	}
	return s
}

// Prepare on a state holding only what a change touches plans exactly what
// it plans on the whole catalog, errors included.
func TestPartialStatePlansAlike(t *testing.T) {
	cols := []lakegate.Column{{Name: "a", Type: "BIGINT"}}
	keys := []lakegate.Column{{Name: "d", Type: "DATE"}}
	part := func(v string, files ...string) lakegate.Partition {
		p := lakegate.Partition{Name: "d=" + v, Values: []string{v}}
		for _, f := range files {
			p.Files = append(p.Files, lakegate.File{Path: f, Rows: 2, Bytes: 20})
		}
		return p
	}
	tc := func(table string, parts ...lakegate.Partition) lakegate.TableChange {
		return lakegate.TableChange{Table: lakegate.Table{Database: "db", Name: table, Columns: cols, PartitionKeys: keys}, Partitions: parts}
	}
	full := NewState()
	seed := lakegate.Change{Batches: []lakegate.Batch{{ID: "b0"}}}
	for _, table := range []string{"t", "u"} {
		c := tc(table)
		for i := range 50 {
			c.Partitions = append(c.Partitions, part(fmt.Sprint(i), fmt.Sprintf("%s/%d.parquet", table, i)))
		}
		seed.Tables = append(seed.Tables, c)
	}
	mustApply(t, full, seed)

	changes := map[string]lakegate.Change{
		"add to existing":   {Tables: []lakegate.TableChange{tc("t", part("3", "t/new.parquet"))}},
		"new partition":     {Tables: []lakegate.TableChange{tc("t", part("x", "t/x.parquet"))}},
		"new table":         {Tables: []lakegate.TableChange{tc("v", part("1", "v/1.parquet"))}},
		"new database":      {Tables: []lakegate.TableChange{{Table: lakegate.Table{Database: "db2", Name: "t", Columns: cols}}}},
		"duplicate file":    {Tables: []lakegate.TableChange{tc("t", part("7", "t/9.parquet"))}},
		"drop partitions":   {DropPartitions: []lakegate.PartitionRef{{Database: "db", Table: "t", Name: "d=4"}, {Database: "db", Table: "u", Name: "d=5"}}},
		"replace partition": {DropPartitions: []lakegate.PartitionRef{{Database: "db", Table: "t", Name: "d=4"}}, Tables: []lakegate.TableChange{tc("t", part("4", "t/4.parquet"))}},
		"drop table":        {DropTables: []lakegate.TableRef{{Database: "db", Name: "u"}}},
		"recreate table":    {DropTables: []lakegate.TableRef{{Database: "db", Name: "u"}}, Tables: []lakegate.TableChange{tc("u", part("1", "u/1.parquet"))}},
		"missing partition": {DropPartitions: []lakegate.PartitionRef{{Database: "db", Table: "t", Name: "d=99"}}},
		"missing table":     {DropTables: []lakegate.TableRef{{Database: "db", Name: "nope"}}},
		"repeated batch":    {Batches: []lakegate.Batch{{ID: "b0"}}},
	}
	for name, c := range changes {
		t.Run(name, func(t *testing.T) {
			part := partialState(t, full, c)
			want, werr := full.Prepare(c, full.Version()+1, t0)
			got, gerr := part.Prepare(c, full.Version()+1, t0)
			if lakegate.ErrorCode(gerr) != lakegate.ErrorCode(werr) || lakegate.ErrorMessage(gerr) != lakegate.ErrorMessage(werr) {
				t.Fatalf("partial state: %v; whole catalog: %v", gerr, werr)
			}
			if werr != nil {
				return
			}
			for _, pair := range [][2]any{
				{got.Writes(), want.Writes()}, {got.DroppedTables(), want.DroppedTables()},
				{got.DroppedPartitions(), want.DroppedPartitions()}, {got.NewDatabases(), want.NewDatabases()},
				{got.Batches(), want.Batches()},
			} {
				if !reflect.DeepEqual(pair[0], pair[1]) {
					t.Fatalf("partial state plans %+v\nwhole catalog plans %+v", pair[0], pair[1])
				}
			}
		})
	}
}

func TestPlanWrites(t *testing.T) {
	s := NewState()
	cols := []lakegate.Column{{Name: "a", Type: "BIGINT"}}
	keys := []lakegate.Column{{Name: "d", Type: "DATE"}}
	p1 := lakegate.Partition{Name: "d=1", Values: []string{"1"}, Files: []lakegate.File{{Path: "f1", Rows: 1, Bytes: 10}}}
	mustApply(t, s, change(cols, keys, p1))
	p1.Files = []lakegate.File{{Path: "f2", Rows: 2, Bytes: 20}}
	p2 := lakegate.Partition{Name: "d=2", Values: []string{"2"}, Files: []lakegate.File{{Path: "f3", Rows: 3, Bytes: 30}}}
	plan, err := s.Prepare(change(cols, keys, p1, p2), 2, t0)
	if err != nil {
		t.Fatal(err)
	}
	w := plan.Writes()
	if len(w) != 1 || w[0].New || w[0].Table.Stats.Files != 3 || len(w[0].Partitions) != 2 {
		t.Fatalf("Writes = %+v", w)
	}
	old, added := w[0].Partitions[0], w[0].Partitions[1]
	if old.New || old.Partition.Rows != 3 || len(old.Added) != 1 || old.Added[0].Path != "f2" || len(old.Partition.Files) != 0 {
		t.Fatalf("existing partition write = %+v", old)
	}
	if !added.New || added.Partition.Rows != 3 || added.Partition.Location != "db/t/d=2" || len(added.Added) != 1 {
		t.Fatalf("new partition write = %+v", added)
	}
	if len(plan.NewDatabases()) != 0 || !plan.At().Equal(t0) {
		t.Fatalf("NewDatabases = %+v, At = %v", plan.NewDatabases(), plan.At())
	}
}
