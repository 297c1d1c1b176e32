package catalog

import (
	"sort"

	"github.com/lakegate/lakegate"
)

// indexEntry says that table ref changed (was created, changed or dropped)
// at version. State.index holds them in version order; an entry is stale
// once its table changed again, and stale entries are compacted away.
type indexEntry struct {
	version int64
	ref     lakegate.TableRef
}

// noteChange appends to the change index. When stale entries outnumber the
// live ones (one per table and tombstone), the index is rebuilt, so it stays
// proportional to the catalog's tables at an amortized O(1) per change.
func (s *State) noteChange(ref lakegate.TableRef, version int64) {
	s.index = append(s.index, indexEntry{version: version, ref: ref})
	if live := s.ntables + len(s.tombstones); len(s.index) > 2*live+1024 {
		s.compactIndex()
	}
}

func (s *State) compactIndex() {
	kept := s.index[:0]
	for _, e := range s.index {
		if s.lastChange(e.ref) == e.version {
			kept = append(kept, e)
		}
	}
	clear(s.index[len(kept):])
	s.index = kept
}

// lastChange is the version of ref's latest change: its Version while it
// exists, the version that dropped it after.
func (s *State) lastChange(ref lakegate.TableRef) int64 {
	if d, ok := s.dbs[ref.Database]; ok {
		if t, ok := d.tables[ref.Name]; ok {
			return t.t.Version
		}
	}
	return s.tombstones[ref]
}

// Changes returns the tables created or changed after version since (as
// they are now, sorted by database and name), the tables dropped after it
// and not re-created (sorted), and the current version. A table created
// and dropped after since is reported dropped, which a reader that never
// saw it can ignore. It reads only the index entries after since.
//
// Errors: EINVALID when since is negative or ahead of the state.
func (s *State) Changes(since int64) (lakegate.Delta, error) {
	if since < 0 || since > s.version {
		return lakegate.Delta{}, lakegate.Errorf(lakegate.EINVALID,
			"changes since version %d: the catalog is at version %d; ask for a version from 0 to %d",
			since, s.version, s.version)
	}
	d := lakegate.Delta{Version: s.version, Tables: []lakegate.Table{}, Dropped: []lakegate.TableRef{}}
	first := sort.Search(len(s.index), func(i int) bool { return s.index[i].version > since })
	seen := map[lakegate.TableRef]bool{}
	for _, e := range s.index[first:] {
		if seen[e.ref] {
			continue
		}
		seen[e.ref] = true
		if t, err := s.table(e.ref.Database, e.ref.Name); err == nil {
			d.Tables = append(d.Tables, copyTable(t.t))
		} else if v, ok := s.tombstones[e.ref]; ok && v > since {
			d.Dropped = append(d.Dropped, e.ref)
		}
	}
	sort.Slice(d.Tables, func(i, j int) bool {
		return lessRef(d.Tables[i].Database, d.Tables[i].Name, d.Tables[j].Database, d.Tables[j].Name)
	})
	sort.Slice(d.Dropped, func(i, j int) bool {
		return lessRef(d.Dropped[i].Database, d.Dropped[i].Name, d.Dropped[j].Database, d.Dropped[j].Name)
	})
	return d, nil
}

func lessRef(db1, n1, db2, n2 string) bool {
	if db1 != db2 {
		return db1 < db2
	}
	return n1 < n2
}
