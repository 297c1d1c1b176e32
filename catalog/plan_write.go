package catalog

import (
	"maps"
	"time"

	"github.com/lakegate/lakegate"
)

// TableWrite is what a plan does to one table, in the terms a SQL store
// writes: the table row as it will be, and its partition rows.
type TableWrite struct {
	Table lakegate.Table // as it will be after the plan: schema, stats, version
	// New is true when the plan creates the table (insert), possibly after
	// dropping one of the same name in the same plan; false for an update.
	New bool
	// DroppedPartitions are removed with their files before Partitions
	// apply; a name may be dropped and then created anew.
	DroppedPartitions []string
	Partitions        []PartitionWrite
}

// PartitionWrite is what a plan does to one partition.
type PartitionWrite struct {
	// Partition is the partition row as it will be (rows and bytes
	// included). Its Files is empty: Added lists the files the plan adds.
	Partition lakegate.Partition
	New       bool // created by the plan (insert) rather than given files (update)
	Added     []lakegate.File
}

// Writes returns, table by table, what the plan changes (drops of whole
// tables aside: see DroppedTables). Tables come in the order the change
// named them (partition drops first).
func (p *Plan) Writes() []TableWrite {
	out := make([]TableWrite, 0, len(p.tables))
	for _, tp := range p.tables {
		w := TableWrite{
			Table: copyTable(tp.table), New: tp.existing == nil,
			DroppedPartitions: cloneSlice(tp.dropNames), Partitions: make([]PartitionWrite, 0, len(tp.parts)),
		}
		for _, pp := range tp.parts {
			pw := PartitionWrite{New: pp.existing == nil, Added: cloneSlice(pp.add)}
			if pp.existing != nil {
				pw.Partition = copyPartition(*pp.existing)
			} else {
				pw.Partition = copyPartition(pp.created)
			}
			pw.Partition.Files = []lakegate.File{}
			for _, f := range pp.add {
				pw.Partition.Rows += f.Rows
				pw.Partition.Bytes += f.Bytes
			}
			w.Partitions = append(w.Partitions, pw)
		}
		out = append(out, w)
	}
	return out
}

// DroppedTables returns the tables the plan drops (with their partitions
// and files), applied before Writes.
func (p *Plan) DroppedTables() []lakegate.TableRef { return cloneSlice(p.drops) }

// DroppedPartitions returns every partition the plan drops.
func (p *Plan) DroppedPartitions() []lakegate.PartitionRef {
	var out []lakegate.PartitionRef
	for _, tp := range p.tables {
		for _, name := range tp.dropNames {
			out = append(out, lakegate.PartitionRef{Database: tp.table.Database, Table: tp.table.Name, Name: name})
		}
	}
	return out
}

// NewDatabases returns the databases the plan creates (implicitly, for
// tables in databases that did not exist).
func (p *Plan) NewDatabases() []lakegate.Database {
	var out []lakegate.Database
	seen := map[string]bool{}
	for _, tp := range p.tables {
		if _, ok := p.state.dbs[tp.db.Name]; ok || seen[tp.db.Name] {
			continue
		}
		seen[tp.db.Name] = true
		db := tp.db
		db.Properties = maps.Clone(db.Properties)
		out = append(out, db)
	}
	return out
}

// Offsets returns the streams' positions the plan advances.
func (p *Plan) Offsets() []lakegate.StreamOffset { return cloneSlice(p.offsets) }

// Batches returns the batches the plan records, stamped with its time.
func (p *Plan) Batches() []lakegate.Batch { return cloneSlice(p.batches) }

// At is the commit time the plan stamps on what it creates.
func (p *Plan) At() time.Time { return p.at }
