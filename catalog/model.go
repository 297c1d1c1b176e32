package catalog

import (
	"maps"
	"sort"
	"time"

	"github.com/lakegate/lakegate"
)

// State is the in-memory model of a catalog: databases, tables, partitions,
// files and batches at one version. It knows nothing about storage, so every
// catalog store (the embedded log, PostgreSQL later) validates and applies
// changes with the same rules.
//
// A State is not safe for concurrent use; stores guard it with their own lock.
// Read methods return deep copies.
type State struct {
	version  int64
	dbs      map[string]*dbState
	batches  []lakegate.Batch
	batchIDs map[string]bool
	offsets  map[streamPart]lakegate.StreamOffset // streams' landed positions

	// tombstones records when each dropped (and not re-created) table was
	// dropped; index lists (version, table) in version order so that
	// Changes reads only what changed (see model_changes.go).
	tombstones map[lakegate.TableRef]int64
	index      []indexEntry
	ntables    int
}

type dbState struct {
	db     lakegate.Database
	tables map[string]*tableState
}

type tableState struct {
	t     lakegate.Table
	parts map[string]*lakegate.Partition
	files map[string]string // file path -> partition name, for duplicate checks
}

// NewState returns an empty catalog at version 0.
func NewState() *State {
	return &State{dbs: map[string]*dbState{}, batchIDs: map[string]bool{}, tombstones: map[lakegate.TableRef]int64{},
		offsets: map[streamPart]lakegate.StreamOffset{}}
}

// Version is the version of the last applied change (0 when empty).
func (s *State) Version() int64 { return s.version }

// Databases returns all databases sorted by name.
func (s *State) Databases() []lakegate.Database {
	out := make([]lakegate.Database, 0, len(s.dbs))
	for _, d := range s.dbs {
		db := d.db
		db.Properties = maps.Clone(db.Properties)
		out = append(out, db)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Tables returns the tables of database db sorted by name, or ENOTFOUND.
func (s *State) Tables(db string) ([]lakegate.Table, error) {
	d, ok := s.dbs[db]
	if !ok {
		return nil, lakegate.Errorf(lakegate.ENOTFOUND, "database %q not found", db)
	}
	out := make([]lakegate.Table, 0, len(d.tables))
	for _, t := range d.tables {
		out = append(out, copyTable(t.t))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Table returns one table, or ENOTFOUND.
func (s *State) Table(db, name string) (lakegate.Table, error) {
	t, err := s.table(db, name)
	if err != nil {
		return lakegate.Table{}, err
	}
	return copyTable(t.t), nil
}

// Partitions returns the partitions of a table sorted by name, or ENOTFOUND.
func (s *State) Partitions(db, table string) ([]lakegate.Partition, error) {
	t, err := s.table(db, table)
	if err != nil {
		return nil, err
	}
	out := make([]lakegate.Partition, 0, len(t.parts))
	for _, p := range t.parts {
		out = append(out, copyPartition(*p))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Batches returns the committed batches with this source checksum, oldest
// first.
func (s *State) Batches(checksum string) []lakegate.Batch {
	out := []lakegate.Batch{}
	for _, b := range s.batches {
		if b.Checksum == checksum {
			out = append(out, b)
		}
	}
	return out
}

func (s *State) table(db, name string) (*tableState, error) {
	d, ok := s.dbs[db]
	if !ok {
		return nil, lakegate.Errorf(lakegate.ENOTFOUND, "database %q not found", db)
	}
	t, ok := d.tables[name]
	if !ok {
		return nil, lakegate.Errorf(lakegate.ENOTFOUND, "table %q not found", db+"."+name)
	}
	return t, nil
}

// Apply validates c against the state and, only if the whole change is
// valid, applies it as the given version at time at. On error the state is
// unchanged. version must be Version()+1.
func (s *State) Apply(c lakegate.Change, version int64, at time.Time) error {
	p, err := s.Prepare(c, version, at)
	if err != nil {
		return err
	}
	return s.ApplyPlan(p)
}

// ApplyPlan applies a plan made by Prepare on this state. It cannot fail
// unless the state moved on since Prepare (an EINTERNAL bug in the caller).
func (s *State) ApplyPlan(p *Plan) error {
	if p.state != s || p.version != s.version+1 {
		return lakegate.Errorf(lakegate.EINTERNAL,
			"catalog plan for version %d applied to version %d", p.version, s.version)
	}
	for _, ref := range p.drops {
		s.dropTable(ref, p.version)
	}
	for _, tp := range p.tables {
		s.applyTable(tp, p.version)
	}
	for _, b := range p.batches {
		s.batches = append(s.batches, b)
		s.batchIDs[b.ID] = true
	}
	for _, o := range p.offsets {
		s.offsets[streamPart{o.Stream, o.Partition}] = o
	}
	s.version = p.version
	p.state = nil // a plan applies once
	return nil
}

func (s *State) dropTable(ref lakegate.TableRef, version int64) {
	d := s.dbs[ref.Database]
	delete(d.tables, ref.Name) // the database stays, as in Hive
	s.ntables--
	s.tombstones[ref] = version
	s.noteChange(ref, version)
}

func (s *State) applyTable(tp *tablePlan, version int64) {
	d, ok := s.dbs[tp.db.Name]
	if !ok {
		d = &dbState{db: tp.db, tables: map[string]*tableState{}}
		s.dbs[tp.db.Name] = d
	}
	ref := lakegate.TableRef{Database: tp.table.Database, Name: tp.table.Name}
	ts := tp.existing
	if ts == nil {
		ts = &tableState{parts: map[string]*lakegate.Partition{}, files: map[string]string{}}
		d.tables[tp.table.Name] = ts
		s.ntables++
		delete(s.tombstones, ref) // re-created
	}
	ts.t = tp.table
	for _, name := range tp.dropNames {
		if part := ts.parts[name]; part != nil {
			for _, f := range part.Files {
				delete(ts.files, f.Path)
			}
			delete(ts.parts, name)
		}
	}
	s.noteChange(ref, version)
	for _, pp := range tp.parts {
		part := pp.existing
		if part == nil {
			np := pp.created
			part = &np
			ts.parts[part.Name] = part
		}
		for _, f := range pp.add {
			part.Files = append(part.Files, f)
			part.Rows += f.Rows
			part.Bytes += f.Bytes
			ts.files[f.Path] = part.Name
		}
	}
}

// copyTable returns t with its slices and map copied, so callers cannot
// reach the state through them. Empty slices come back non-nil ([] in JSON).
func copyTable(t lakegate.Table) lakegate.Table {
	t.Columns = cloneSlice(t.Columns)
	t.PartitionKeys = cloneSlice(t.PartitionKeys)
	t.Properties = maps.Clone(t.Properties)
	return t
}

func copyPartition(p lakegate.Partition) lakegate.Partition {
	p.Values = cloneSlice(p.Values)
	p.Files = cloneSlice(p.Files)
	return p
}

func cloneSlice[T any](s []T) []T {
	out := make([]T, len(s))
	copy(out, s)
	return out
}
