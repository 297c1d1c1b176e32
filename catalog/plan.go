package catalog

import (
	"fmt"
	"maps"
	"path"
	"strings"
	"time"

	"github.com/lakegate/lakegate"
)

// Plan is a fully validated change, ready to apply to the State that made it.
// Preparing touches only what the change names, so a commit costs the size
// of the change, not the size of the catalog.
type Plan struct {
	state   *State
	version int64
	at      time.Time
	drops   []lakegate.TableRef   // tables dropped, in change order
	dropped map[string]bool       // their full names (nil when none)
	tables  []*tablePlan          // tables changed or created, after the drops
	byName  map[string]*tablePlan // tables by full name
	batches []lakegate.Batch
	offsets []lakegate.StreamOffset
}

// Version is the catalog version the plan creates.
func (p *Plan) Version() int64 { return p.version }

// Tables returns the tables the plan creates or changes, as they will be
// after it applies (stats included). A SQL store writes these rows.
func (p *Plan) Tables() []lakegate.Table {
	out := make([]lakegate.Table, len(p.tables))
	for i, tp := range p.tables {
		out[i] = copyTable(tp.table)
	}
	return out
}

type tablePlan struct {
	db         lakegate.Database
	existing   *tableState // nil when the table is created
	table      lakegate.Table
	parts      []*partPlan
	dropNames  []string        // partitions dropped, in change order
	dropParts  map[string]bool // the same, by name
	fromChange bool            // named in Change.Tables (not only dropped from)
}

type partPlan struct {
	existing *lakegate.Partition // nil when the partition is created
	created  lakegate.Partition  // the new partition, without files
	add      []lakegate.File
}

// Prepare validates c against the state and returns the plan that applies it
// as version at time at. It does not modify the state. Drops apply before
// additions, so a change may drop a table (or partition) and create it anew.
//
// Errors: EINVALID for a malformed change (bad names, paths, sizes, values,
// types, properties, something listed twice), ENOTFOUND for a dropped table
// or partition that does not exist, ECONFLICT when it collides with the
// state (incompatible schema, different partition keys or type, a file or
// batch registered twice).
func (s *State) Prepare(c lakegate.Change, version int64, at time.Time) (*Plan, error) {
	if version != s.version+1 {
		return nil, lakegate.Errorf(lakegate.EINTERNAL,
			"catalog change for version %d prepared on version %d", version, s.version)
	}
	if len(c.Tables) == 0 && len(c.Batches) == 0 && len(c.DropTables) == 0 && len(c.DropPartitions) == 0 && len(c.Offsets) == 0 {
		return nil, lakegate.Errorf(lakegate.EINVALID, "change is empty: it names no tables, batches, drops or offsets")
	}
	p := &Plan{state: s, version: version, at: at, byName: make(map[string]*tablePlan, len(c.Tables))}
	if err := p.prepareDrops(c.DropTables, c.DropPartitions); err != nil {
		return nil, err
	}
	for i, tc := range c.Tables {
		if err := p.prepareTable(fmt.Sprintf("change.tables[%d]", i), tc); err != nil {
			return nil, err
		}
	}
	batches, err := s.prepareBatches(c.Batches, at)
	if err != nil {
		return nil, err
	}
	p.batches = batches
	if p.offsets, err = s.prepareOffsets(c.Offsets); err != nil {
		return nil, err
	}
	return p, nil
}

func (p *Plan) prepareTable(where string, tc lakegate.TableChange) error {
	in := tc.Table
	if err := checkName(where, "database", in.Database); err != nil {
		return err
	}
	if err := checkName(where, "table", in.Name); err != nil {
		return err
	}
	full := in.FullName()
	where = fmt.Sprintf("%s (table %q)", where, full)
	if err := checkSchema(where, in.Columns, in.PartitionKeys); err != nil {
		return err
	}
	if err := checkTableType(where, in.Type); err != nil {
		return err
	}
	if err := checkProperties(where, in.Properties); err != nil {
		return err
	}
	tp := p.byName[full] // set when this change also drops some of its partitions
	if tp != nil && tp.fromChange {
		return lakegate.Errorf(lakegate.EINVALID,
			"%s: table %q appears twice in one change; merge its partitions into one entry", where, full)
	}
	var err error
	if tp == nil {
		tp = &tablePlan{}
		if d, ok := p.state.dbs[in.Database]; ok {
			tp.db = d.db
			if !p.dropped[full] {
				tp.existing = d.tables[in.Name]
			}
		} else {
			tp.db = lakegate.Database{Name: in.Database, Location: in.Database, Created: p.at}
		}
		if tp.existing == nil {
			tp.table, err = newTable(where, in, p.at)
		} else {
			tp.table = copyTable(tp.existing.t)
		}
		if err != nil {
			return err
		}
		p.byName[full] = tp
		p.tables = append(p.tables, tp)
	}
	tp.fromChange = true
	if tp.existing != nil {
		if tp.table, err = evolveTable(tp.table, in); err != nil {
			return err
		}
	}
	tp.table.Version = p.version
	tp.table.Updated = p.at
	return tp.prepareParts(where, tc.Partitions, p.at)
}

// newTable builds the record of a table created by this change. Created,
// Updated, Version, SchemaVersion and Stats are the catalog's to set.
func newTable(where string, in lakegate.Table, at time.Time) (lakegate.Table, error) {
	t := lakegate.Table{
		Database: in.Database, Name: in.Name, Description: in.Description,
		Type: in.Type, Location: in.Location, Format: in.Format,
		Properties:    maps.Clone(in.Properties),
		Columns:       cloneSlice(in.Columns),
		PartitionKeys: cloneSlice(in.PartitionKeys),
		Created:       at, SchemaVersion: 1,
	}
	if t.Type == "" {
		t.Type = lakegate.TableManaged
	}
	if t.Location == "" {
		t.Location = in.Database + "/" + in.Name
	} else if err := checkPath(where, "location", t.Location); err != nil {
		return t, err
	}
	if t.Format == "" {
		t.Format = "parquet"
	} else if !nameRE.MatchString(t.Format) {
		return t, lakegate.Errorf(lakegate.EINVALID,
			"%s: format %q must be a lowercase name such as \"parquet\"", where, t.Format)
	}
	return t, nil
}

// evolveTable merges the incoming definition into the existing table:
// schema evolution rules live in evolveColumns. Incoming properties are
// merged into the table's (set or overwrite; a change cannot remove one),
// so that writers which send none keep the ones set before.
func evolveTable(old, in lakegate.Table) (lakegate.Table, error) {
	t := copyTable(old)
	full := old.FullName()
	if in.Type != "" && in.Type != old.Type {
		return t, lakegate.Errorf(lakegate.ECONFLICT,
			"table %q: type %q differs from the registered %q; a table's type cannot change (drop and re-create it)",
			full, in.Type, old.Type)
	}
	if in.Location != "" && in.Location != old.Location {
		return t, lakegate.Errorf(lakegate.ECONFLICT,
			"table %q: location %q differs from the registered %q; a table cannot move", full, in.Location, old.Location)
	}
	if in.Format != "" && in.Format != old.Format {
		return t, lakegate.Errorf(lakegate.ECONFLICT,
			"table %q: format %q differs from the registered %q", full, in.Format, old.Format)
	}
	if !sameColumns(old.PartitionKeys, in.PartitionKeys) {
		return t, lakegate.Errorf(lakegate.ECONFLICT,
			"table %q: partition keys (%s) differ from the registered (%s); partition keys cannot change",
			full, describeColumns(in.PartitionKeys), describeColumns(old.PartitionKeys))
	}
	cols, changed, err := evolveColumns(full, old.Columns, in.Columns)
	if err != nil {
		return t, err
	}
	t.Columns = cols
	if changed {
		t.SchemaVersion++
	}
	if in.Description != "" {
		t.Description = in.Description
	}
	if len(in.Properties) > 0 {
		if t.Properties == nil {
			t.Properties = make(map[string]string, len(in.Properties))
		}
		maps.Copy(t.Properties, in.Properties)
	}
	return t, nil
}

func (tp *tablePlan) prepareParts(where string, parts []lakegate.Partition, at time.Time) error {
	t := &tp.table
	byName := map[string]*partPlan{}
	newPaths := map[string]bool{}
	for i, in := range parts {
		pw := fmt.Sprintf("%s.partitions[%d]", where, i)
		pp, err := tp.partition(pw, in, byName, at)
		if err != nil {
			return err
		}
		for j, f := range in.Files {
			fw := fmt.Sprintf("%s.files[%d]", pw, j)
			if err := tp.checkFile(fw, f, newPaths); err != nil {
				return err
			}
			pp.add = append(pp.add, f)
			t.Stats.Rows += f.Rows
			t.Stats.Bytes += f.Bytes
			t.Stats.Files++
		}
	}
	return nil
}

// partition finds or creates the plan of the partition in names, merging
// entries that name the same partition twice.
func (tp *tablePlan) partition(where string, in lakegate.Partition, byName map[string]*partPlan, at time.Time) (*partPlan, error) {
	t := &tp.table
	if err := checkPartition(where, t, in); err != nil {
		return nil, err
	}
	loc := in.Location
	if loc == "" {
		loc = t.Location
		if in.Name != "" {
			loc = t.Location + "/" + in.Name
		}
	} else if err := checkPath(where, "partition location", loc); err != nil {
		return nil, err
	}
	if pp, ok := byName[in.Name]; ok {
		if in.Location != "" && pp.location() != loc {
			return nil, lakegate.Errorf(lakegate.EINVALID,
				"%s: partition %q is listed twice with different locations", where, in.Name)
		}
		return pp, nil
	}
	pp := &partPlan{}
	if tp.existing != nil && !tp.dropParts[in.Name] {
		pp.existing = tp.existing.parts[in.Name]
	}
	if pp.existing != nil {
		if in.Location != "" && loc != pp.existing.Location {
			return nil, lakegate.Errorf(lakegate.ECONFLICT,
				"%s: partition %q of table %q is registered at %q, not %q",
				where, in.Name, t.FullName(), pp.existing.Location, loc)
		}
	} else {
		pp.created = lakegate.Partition{
			Name: in.Name, Values: cloneSlice(in.Values), Location: loc,
			Files: []lakegate.File{}, Created: at,
		}
		t.Stats.Partitions++
	}
	byName[in.Name] = pp
	tp.parts = append(tp.parts, pp)
	return pp, nil
}

func (pp *partPlan) location() string {
	if pp.existing != nil {
		return pp.existing.Location
	}
	return pp.created.Location
}

func (tp *tablePlan) checkFile(where string, f lakegate.File, newPaths map[string]bool) error {
	if f.Path == "" {
		return lakegate.Errorf(lakegate.EINVALID, "%s: file has no path", where)
	}
	if err := checkPath(where, "file path", f.Path); err != nil {
		return err
	}
	if f.Bytes < 0 || f.Rows < 0 {
		return lakegate.Errorf(lakegate.EINVALID,
			"%s: file %q has negative size (bytes %d, rows %d)", where, f.Path, f.Bytes, f.Rows)
	}
	if newPaths[f.Path] {
		return lakegate.Errorf(lakegate.EINVALID, "%s: file %q is listed twice in the change", where, f.Path)
	}
	if tp.existing != nil {
		if part, ok := tp.existing.files[f.Path]; ok && !tp.dropParts[part] {
			return lakegate.Errorf(lakegate.ECONFLICT,
				"%s: file %q is already registered in table %q (partition %q)",
				where, f.Path, tp.table.FullName(), part)
		}
	}
	newPaths[f.Path] = true
	return nil
}

// prepareBatches validates the batches and stamps them with the commit time.
func (s *State) prepareBatches(in []lakegate.Batch, at time.Time) ([]lakegate.Batch, error) {
	out := make([]lakegate.Batch, 0, len(in))
	ids := map[string]bool{}
	for i, b := range in {
		where := fmt.Sprintf("change.batches[%d]", i)
		switch {
		case strings.TrimSpace(b.ID) == "":
			return nil, lakegate.Errorf(lakegate.EINVALID, "%s: batch has no id", where)
		case b.Bytes < 0 || b.Read < 0 || b.Landed < 0 || b.Duplicates < 0 || b.Rejected < 0:
			return nil, lakegate.Errorf(lakegate.EINVALID, "%s: batch %q has a negative count", where, b.ID)
		case ids[b.ID]:
			return nil, lakegate.Errorf(lakegate.EINVALID, "%s: batch %q is listed twice in the change", where, b.ID)
		case s.batchIDs[b.ID]:
			return nil, lakegate.Errorf(lakegate.ECONFLICT, "%s: batch %q is already committed", where, b.ID)
		}
		ids[b.ID] = true
		b.Committed = at
		out = append(out, b)
	}
	return out, nil
}

// hivePartitionName is the name a partition with these values must have:
// key=value pairs joined by slashes, in partition-key order.
func hivePartitionName(keys []lakegate.Column, values []string) string {
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k.Name + "=" + values[i]
	}
	return path.Join(parts...)
}
