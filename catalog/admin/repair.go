package admin

import (
	"context"

	"github.com/lakegate/lakegate"
)

// Report is what Repair found on storage and, when applied, did.
type Report struct {
	Database string `json:"database"`
	Table    string `json:"table"`
	// NewPartitions are on storage but not in the catalog.
	NewPartitions []PartitionFiles `json:"new_partitions"`
	// NewFiles are on storage in partitions the catalog knows, unlisted.
	NewFiles []PartitionFiles `json:"new_files"`
	// GonePartitions are catalog partitions none of whose files exist any
	// more; applying drops them.
	GonePartitions []PartitionFiles `json:"gone_partitions"`
	// GoneFiles are catalog files missing from partitions that keep
	// others; applying re-commits those partitions with the survivors.
	GoneFiles []PartitionFiles `json:"gone_files"`
	Applied   bool             `json:"applied"`
	Version   int64            `json:"version,omitempty"` // catalog version of the repair commit
}

// PartitionFiles names files of one partition.
type PartitionFiles struct {
	Partition string   `json:"partition"`
	Files     []string `json:"files"`
}

// InSync reports whether storage and catalog agree.
func (r Report) InSync() bool {
	return len(r.NewPartitions)+len(r.NewFiles)+len(r.GonePartitions)+len(r.GoneFiles) == 0
}

// Repair compares the partitions and files under the table's location with
// the catalog, like MSCK REPAIR TABLE. With apply it commits one change
// that adds what is only on storage (reading footers as Register does),
// drops partitions whose files are all gone, and re-commits partitions
// that lost some files with their surviving ones; without apply it only
// reports (and reads no footers). Hidden files, _-prefixed names and
// non-.parquet files are ignored. Nothing to do commits nothing.
//
// Errors: ENOTFOUND for an unknown table; EINVALID or ECONFLICT when files
// on storage cannot join the table (see Register); the catalog's and the
// store's errors otherwise.
func Repair(ctx context.Context, cat lakegate.Catalog, store lakegate.Store, db, table string, apply bool) (Report, error) {
	r := Report{Database: db, Table: table,
		NewPartitions: []PartitionFiles{}, NewFiles: []PartitionFiles{},
		GonePartitions: []PartitionFiles{}, GoneFiles: []PartitionFiles{}}
	t, err := cat.Table(ctx, db, table)
	if err != nil {
		return r, err
	}
	parts, err := cat.Partitions(ctx, db, table)
	if err != nil {
		return r, err
	}
	l, err := scan(ctx, store, t.Location)
	if err != nil {
		return r, err
	}
	if _, err := matchKeys(t, l); err != nil {
		return r, err
	}
	d, err := diff(ctx, store, parts, l)
	if err != nil {
		return r, err
	}
	d.report(&r)
	if !apply || r.InSync() {
		return r, nil
	}
	c, err := d.change(ctx, store, t)
	if err != nil {
		return r, err
	}
	v, err := cat.Commit(ctx, c)
	if err != nil {
		return r, err
	}
	r.Applied, r.Version = true, v
	return r, nil
}

// delta is the difference between the catalog and storage.
type delta struct {
	known   map[string]bool               // catalog partition names
	kept    map[string]lakegate.Partition // partitions that lost some files, with the survivors
	gone    map[string][]string           // partition -> catalog files no longer on storage
	lost    []string                      // partitions whose files are all gone, sorted
	partial []string                      // partitions that lost some files, sorted
	fresh   []*part                       // storage partitions restricted to unregistered files, sorted
	skip    map[string]bool               // registered paths
}

func diff(ctx context.Context, store lakegate.Store, parts []lakegate.Partition, l *layout) (*delta, error) {
	onStorage := map[string]bool{}
	for _, p := range l.parts {
		for _, f := range p.files {
			onStorage[f.Path] = true
		}
	}
	d := &delta{known: map[string]bool{}, kept: map[string]lakegate.Partition{}, gone: map[string][]string{}, skip: map[string]bool{}}
	for _, p := range parts { // sorted by name
		d.known[p.Name] = true
		var kept []lakegate.File
		for _, f := range p.Files {
			d.skip[f.Path] = true
			ok, err := exists(ctx, store, f.Path, onStorage)
			if err != nil {
				return nil, err
			}
			if ok {
				kept = append(kept, f)
			} else {
				d.gone[p.Name] = append(d.gone[p.Name], f.Path)
			}
		}
		switch {
		case len(d.gone[p.Name]) == 0:
		case len(kept) == 0:
			d.lost = append(d.lost, p.Name)
		default:
			d.partial = append(d.partial, p.Name)
			d.kept[p.Name] = lakegate.Partition{Name: p.Name, Values: p.Values, Files: kept}
		}
	}
	for _, p := range l.sortedParts() {
		np := &part{name: p.name, values: p.values}
		for _, f := range p.files {
			if !d.skip[f.Path] {
				np.files = append(np.files, f)
			}
		}
		if len(np.files) > 0 {
			d.fresh = append(d.fresh, np)
		}
	}
	return d, nil
}

// exists checks a catalog file: the scan saw everything under the table's
// location; a file registered elsewhere is looked up directly.
func exists(ctx context.Context, store lakegate.Store, p string, onStorage map[string]bool) (bool, error) {
	if onStorage[p] {
		return true, nil
	}
	f, err := store.Open(ctx, p)
	switch lakegate.ErrorCode(err) {
	case "":
		f.Close()
		// Under the location but not seen: a hidden or non-Parquet name
		// the scan skips; it is still there, so keep it.
		return true, nil
	case lakegate.ENOTFOUND:
		return false, nil
	}
	return false, err
}

func (d *delta) report(r *Report) {
	for _, p := range d.fresh {
		pf := PartitionFiles{Partition: p.name}
		for _, f := range p.files {
			pf.Files = append(pf.Files, f.Path)
		}
		if d.known[p.name] {
			r.NewFiles = append(r.NewFiles, pf)
		} else {
			r.NewPartitions = append(r.NewPartitions, pf)
		}
	}
	for _, name := range d.lost {
		r.GonePartitions = append(r.GonePartitions, PartitionFiles{Partition: name, Files: d.gone[name]})
	}
	for _, name := range d.partial {
		r.GoneFiles = append(r.GoneFiles, PartitionFiles{Partition: name, Files: d.gone[name]})
	}
}

// change builds the one commit that repairs the table: drops first (the
// catalog applies them before additions), then new files and the
// survivors of partially lost partitions.
func (d *delta) change(ctx context.Context, store lakegate.Store, t lakegate.Table) (lakegate.Change, error) {
	var c lakegate.Change
	for _, name := range append(append([]string{}, d.lost...), d.partial...) {
		c.DropPartitions = append(c.DropPartitions, lakegate.PartitionRef{Database: t.Database, Table: t.Name, Name: name})
	}
	def := lakegate.Table{Database: t.Database, Name: t.Name, Location: t.Location, Format: t.Format,
		Type: t.Type, Columns: t.Columns, PartitionKeys: t.PartitionKeys}
	tc, _, err := buildChange(ctx, store, def, d.fresh, d.skip)
	if err != nil {
		return c, err
	}
	for _, name := range d.partial {
		tc.Partitions = addFiles(tc.Partitions, d.kept[name])
	}
	if len(tc.Partitions) > 0 {
		c.Tables = []lakegate.TableChange{tc}
	}
	return c, nil
}

// addFiles appends the files of p to its entry in parts, creating it.
func addFiles(parts []lakegate.Partition, p lakegate.Partition) []lakegate.Partition {
	i := 0
	for i < len(parts) && parts[i].Name != p.Name {
		i++
	}
	if i == len(parts) {
		parts = append(parts, lakegate.Partition{Name: p.Name, Values: p.Values})
	}
	for _, f := range p.Files {
		parts[i].Files = append(parts[i].Files, f)
		parts[i].Rows += f.Rows
		parts[i].Bytes += f.Bytes
	}
	return parts
}
