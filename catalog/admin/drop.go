package admin

import (
	"context"
	"strings"

	"github.com/lakegate/lakegate"
)

// Dropped is what a drop took out of the catalog and off storage.
type Dropped struct {
	Table      lakegate.Table       `json:"table"`      // the table as it was
	Partitions []lakegate.Partition `json:"partitions"` // the partitions the catalog no longer lists
	Removed    []string             `json:"removed"`    // store paths deleted (managed tables only)
}

// managed reports whether lakegate owns the table's files. A catalog that
// does not record the type yet means managed, the catalog's default.
func managed(t lakegate.Table) bool {
	return t.Type == lakegate.TableManaged || t.Type == ""
}

// DropTable removes db.table from the catalog, like DROP TABLE. A managed
// table's files and location are removed from the store after the commit,
// so queries never see a half-removed table; an external table's files
// stay where they are.
//
// Errors: ENOTFOUND for an unknown table; the catalog's commit errors; and,
// after a successful commit, EUNAVAILABLE naming what could not be removed
// (the table is gone from the catalog either way, Dropped says so).
func DropTable(ctx context.Context, cat lakegate.Catalog, store lakegate.Store, db, table string) (Dropped, error) {
	t, parts, err := tableWithPartitions(ctx, cat, db, table)
	if err != nil {
		return Dropped{}, err
	}
	c := lakegate.Change{DropTables: []lakegate.TableRef{{Database: db, Name: table}}}
	if _, err := cat.Commit(ctx, c); err != nil {
		return Dropped{}, err
	}
	d := Dropped{Table: t, Partitions: parts, Removed: []string{}}
	if !managed(t) {
		return d, nil
	}
	// The location holds every file ingest landed; anything registered
	// elsewhere goes one by one.
	paths := []string{}
	if loc, err := checkLocation(t.Location); err == nil {
		paths = append(paths, loc)
	}
	for _, p := range parts {
		for _, f := range p.Files {
			if !under(f.Path, t.Location) {
				paths = append(paths, f.Path)
			}
		}
	}
	return d, d.remove(ctx, store, "table "+t.FullName(), paths)
}

// DropPartition removes one partition (named as in Partition.Name, e.g.
// "ingest_date=2026-11-21") from the catalog, like ALTER TABLE ... DROP
// PARTITION. For a managed table its directory and files are removed from
// the store after the commit; an external table's files stay.
//
// Errors: ENOTFOUND for an unknown table or partition; as DropTable
// otherwise.
func DropPartition(ctx context.Context, cat lakegate.Catalog, store lakegate.Store, db, table, partition string) (Dropped, error) {
	t, parts, err := tableWithPartitions(ctx, cat, db, table)
	if err != nil {
		return Dropped{}, err
	}
	var p *lakegate.Partition
	for i := range parts {
		if parts[i].Name == partition {
			p = &parts[i]
		}
	}
	if p == nil {
		return Dropped{}, lakegate.Errorf(lakegate.ENOTFOUND,
			"partition %q of table %s not found; list them with `lakegate catalog partitions %s`", partition, t.FullName(), t.FullName())
	}
	c := lakegate.Change{DropPartitions: []lakegate.PartitionRef{{Database: db, Table: table, Name: partition}}}
	if _, err := cat.Commit(ctx, c); err != nil {
		return Dropped{}, err
	}
	d := Dropped{Table: t, Partitions: []lakegate.Partition{*p}, Removed: []string{}}
	if !managed(t) {
		return d, nil
	}
	paths := []string{}
	// A partition directory strictly inside the table's location belongs
	// to the partition alone; the table's own directory (an unpartitioned
	// table) does not.
	ownDir := p.Location != t.Location && under(p.Location, t.Location)
	if ownDir {
		paths = append(paths, p.Location)
	}
	for _, f := range p.Files {
		if !ownDir || !under(f.Path, p.Location) {
			paths = append(paths, f.Path)
		}
	}
	return d, d.remove(ctx, store, "partition "+partition+" of "+t.FullName(), paths)
}

// remove deletes paths from the store; a path already gone is fine. It
// tries them all and reports what was left behind.
func (d *Dropped) remove(ctx context.Context, store lakegate.Store, what string, paths []string) error {
	var left []string
	var first error
	for _, p := range paths {
		err := store.Remove(ctx, p)
		switch lakegate.ErrorCode(err) {
		case "":
			d.Removed = append(d.Removed, p)
		case lakegate.ENOTFOUND:
		default:
			left = append(left, p)
			if first == nil {
				first = err
			}
		}
	}
	if first != nil {
		return lakegate.Wrap(lakegate.EUNAVAILABLE, first,
			"%s is dropped from the catalog, but these files could not be removed: %s; remove them by hand",
			what, strings.Join(left, ", "))
	}
	return nil
}

// under reports whether p is dir or inside it.
func under(p, dir string) bool {
	return dir != "" && (p == dir || strings.HasPrefix(p, dir+"/"))
}

// tableWithPartitions reads a table and its partitions (ENOTFOUND when the
// table is unknown).
func tableWithPartitions(ctx context.Context, cat lakegate.Catalog, db, table string) (lakegate.Table, []lakegate.Partition, error) {
	t, err := cat.Table(ctx, db, table)
	if err != nil {
		return lakegate.Table{}, nil, err
	}
	parts, err := cat.Partitions(ctx, db, table)
	return t, parts, err
}
