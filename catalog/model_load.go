package catalog

import (
	"maps"

	"github.com/lakegate/lakegate"
)

// A store that keeps its catalog elsewhere (PostgreSQL) validates a change
// by loading only what the change touches into a fresh State and calling
// Prepare on it:
//
//	sc := catalog.ScopeOf(change)
//	s := catalog.NewStateAt(currentVersion)
//	// load sc.Databases with LoadDatabase; each table of sc.Tables that
//	// exists with LoadTable, passing its stored header (stats included)
//	// and the partitions named in sc.Partitions plus those holding any
//	// of sc.Files; LoadBatch for each stored batch whose ID is in sc.Batches.
//	plan, err := s.Prepare(change, currentVersion+1, at)
//	// write plan.DroppedTables(), plan.NewDatabases(), plan.Writes(),
//	// plan.Batches(); record tombstones for DroppedTables and clear them
//	// for Writes with New set.
//
// Prepare then gives the same answers as on the whole catalog: it only
// looks at the tables, partitions, files and batches the change names, and
// it keeps table stats by adding to and subtracting from the loaded header.

// Scope is what Prepare reads for one change.
type Scope struct {
	Databases  []string                       // databases of every table named
	Tables     []lakegate.TableRef            // every table named: changed, created or dropped from
	Partitions map[lakegate.TableRef][]string // partition names added to or dropped, by table
	Files      map[lakegate.TableRef][]string // file paths added, by table (a duplicate is ECONFLICT)
	Batches    []string                       // batch IDs committed (a repeat is ECONFLICT)
	Offsets    []lakegate.StreamOffset        // stream partitions advanced (From is checked)
}

// ScopeOf returns what Prepare reads to validate c. Names are deduplicated
// but not validated (Prepare does that).
func ScopeOf(c lakegate.Change) Scope {
	sc := Scope{Partitions: map[lakegate.TableRef][]string{}, Files: map[lakegate.TableRef][]string{}}
	dbs, tables := map[string]bool{}, map[lakegate.TableRef]bool{}
	parts := map[lakegate.PartitionRef]bool{}
	addTable := func(ref lakegate.TableRef) {
		if !dbs[ref.Database] {
			dbs[ref.Database] = true
			sc.Databases = append(sc.Databases, ref.Database)
		}
		if !tables[ref] {
			tables[ref] = true
			sc.Tables = append(sc.Tables, ref)
		}
	}
	addPart := func(ref lakegate.TableRef, name string) {
		pr := lakegate.PartitionRef{Database: ref.Database, Table: ref.Name, Name: name}
		if !parts[pr] {
			parts[pr] = true
			sc.Partitions[ref] = append(sc.Partitions[ref], name)
		}
	}
	for _, ref := range c.DropTables {
		addTable(ref)
	}
	for _, pr := range c.DropPartitions {
		ref := lakegate.TableRef{Database: pr.Database, Name: pr.Table}
		addTable(ref)
		addPart(ref, pr.Name)
	}
	for _, tc := range c.Tables {
		ref := lakegate.TableRef{Database: tc.Table.Database, Name: tc.Table.Name}
		addTable(ref)
		for _, p := range tc.Partitions {
			addPart(ref, p.Name)
			for _, f := range p.Files {
				sc.Files[ref] = append(sc.Files[ref], f.Path)
			}
		}
	}
	for _, b := range c.Batches {
		sc.Batches = append(sc.Batches, b.ID)
	}
	sc.Offsets = c.Offsets
	return sc
}

// NewStateAt returns an empty state at version v, for a store that loads
// only part of its catalog (see ScopeOf).
func NewStateAt(v int64) *State {
	s := NewState()
	s.version = v
	return s
}

// LoadDatabase puts a stored database into the state.
func (s *State) LoadDatabase(db lakegate.Database) {
	if d, ok := s.dbs[db.Name]; ok {
		d.db = db
		return
	}
	db.Properties = maps.Clone(db.Properties)
	s.dbs[db.Name] = &dbState{db: db, tables: map[string]*tableState{}}
}

// LoadTable puts a stored table (header as stored, stats included) and some
// or all of its partitions (with their files) into the state. Its database
// must be loaded first (EINTERNAL otherwise). The stats are taken as given,
// not recomputed from the partitions, so loading a subset is fine.
func (s *State) LoadTable(t lakegate.Table, parts []lakegate.Partition) error {
	d, ok := s.dbs[t.Database]
	if !ok {
		return lakegate.Errorf(lakegate.EINTERNAL, "catalog state: table %q loaded before its database", t.FullName())
	}
	ts := &tableState{t: copyTable(t), parts: make(map[string]*lakegate.Partition, len(parts)), files: map[string]string{}}
	for _, p := range parts {
		cp := copyPartition(p)
		ts.parts[p.Name] = &cp
		for _, f := range p.Files {
			ts.files[f.Path] = p.Name
		}
	}
	if _, had := d.tables[t.Name]; !had {
		s.ntables++
	}
	d.tables[t.Name] = ts
	return nil
}

// LoadBatch puts a stored batch into the state, so that committing its ID
// again is ECONFLICT.
func (s *State) LoadBatch(b lakegate.Batch) {
	if !s.batchIDs[b.ID] {
		s.batches = append(s.batches, b)
		s.batchIDs[b.ID] = true
	}
}
