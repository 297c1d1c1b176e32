package catalog

import (
	"context"
	"sort"
	"strings"
	"time"

	"github.com/lakegate/lakegate"
)

// AllTenants is the admin's read-only view of every tenant at once: each
// table name (assessments.attempts) stands for that table of every tenant
// that has it, with the partitions and files of all of them (paths
// relative to the lake root) and the columns of all of them, merged by
// name. The engine built on it adds a tenant column from each file's path
// (duckdb.Options.TenantColumn). Commit and Offsets are EFORBIDDEN:
// writes and streams' offsets go through one tenant's catalog (ForTenant).
func AllTenants(c lakegate.Catalog) lakegate.Catalog { return &allTenants{inner: c} }

type allTenants struct{ inner lakegate.Catalog }

var _ lakegate.Catalog = (*allTenants)(nil)

func (a *allTenants) Version(ctx context.Context) (int64, error) { return a.inner.Version(ctx) }

func (a *allTenants) Databases(ctx context.Context) ([]lakegate.Database, error) {
	dbs, err := a.inner.Databases(ctx)
	if err != nil {
		return nil, err
	}
	byName := map[string]lakegate.Database{}
	for _, d := range dbs {
		_, name, ok := strings.Cut(d.Name, tenantSep)
		if _, seen := byName[name]; !ok || seen {
			continue
		}
		d.Name, d.Location = name, TenantsRoot
		byName[name] = d
	}
	out := make([]lakegate.Database, 0, len(byName))
	for _, d := range byName {
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// stored lists the stored database names of database in every tenant.
func (a *allTenants) stored(ctx context.Context, database string) ([]string, error) {
	tenants, err := Tenants(ctx, a.inner)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(tenants))
	for i, t := range tenants {
		out[i] = t + tenantSep + database
	}
	return out, nil
}

func (a *allTenants) Tables(ctx context.Context, database string) ([]lakegate.Table, error) {
	names, err := a.stored(ctx, database)
	if err != nil {
		return nil, err
	}
	byName := map[string][]lakegate.Table{}
	for _, n := range names {
		tables, err := a.inner.Tables(ctx, n)
		if lakegate.ErrorCode(err) == lakegate.ENOTFOUND {
			continue
		}
		if err != nil {
			return nil, err
		}
		for _, t := range tables {
			byName[t.Name] = append(byName[t.Name], t)
		}
	}
	if len(byName) == 0 {
		return nil, lakegate.Errorf(lakegate.ENOTFOUND, "no database %q in any tenant", database)
	}
	out := make([]lakegate.Table, 0, len(byName))
	for _, ts := range byName {
		out = append(out, merge(database, ts))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

func (a *allTenants) Table(ctx context.Context, database, name string) (lakegate.Table, error) {
	ts, err := a.each(ctx, database, name)
	if err != nil {
		return lakegate.Table{}, err
	}
	return merge(database, ts), nil
}

// each returns the table of every tenant that has it; ENOTFOUND when none.
func (a *allTenants) each(ctx context.Context, database, name string) ([]lakegate.Table, error) {
	names, err := a.stored(ctx, database)
	if err != nil {
		return nil, err
	}
	var ts []lakegate.Table
	for _, n := range names {
		t, err := a.inner.Table(ctx, n, name)
		if lakegate.ErrorCode(err) == lakegate.ENOTFOUND {
			continue
		}
		if err != nil {
			return nil, err
		}
		ts = append(ts, t)
	}
	if len(ts) == 0 {
		return nil, lakegate.Errorf(lakegate.ENOTFOUND, "no table %s.%s in any tenant", database, name)
	}
	return ts, nil
}

func (a *allTenants) Partitions(ctx context.Context, database, table string) ([]lakegate.Partition, error) {
	ts, err := a.each(ctx, database, table)
	if err != nil {
		return nil, err
	}
	var out []lakegate.Partition
	for _, t := range ts {
		parts, err := a.inner.Partitions(ctx, t.Database, t.Name)
		if err != nil {
			return nil, err
		}
		tenant, _, _ := strings.Cut(t.Database, tenantSep)
		for _, p := range parts {
			p.Name = "tenant=" + tenant + "/" + p.Name // unique across tenants
			out = append(out, p)
		}
	}
	return out, nil
}

// Batches belong to one tenant's ingest; the merged view has none.
func (a *allTenants) Batches(ctx context.Context, checksum string) ([]lakegate.Batch, error) {
	return nil, nil
}

// Offsets is EFORBIDDEN: a stream belongs to one tenant, and the merged
// view cannot say whose partitions it would list (an empty answer would
// tell the admin that nothing landed). Ingest, the only writer of
// offsets, works through one tenant's catalog; so does reading them.
func (a *allTenants) Offsets(ctx context.Context, stream string) ([]lakegate.StreamOffset, error) {
	return nil, lakegate.Errorf(lakegate.EFORBIDDEN,
		"stream %q: a stream's offsets belong to one tenant; read them through that tenant's catalog (--tenant NAME)", stream)
}

func (a *allTenants) Commit(ctx context.Context, c lakegate.Change) (int64, error) {
	return 0, lakegate.Errorf(lakegate.EFORBIDDEN, "the all-tenants catalog is read-only: commit through one tenant's catalog")
}

// Changes maps the stored changes onto table names: a name changed when
// any tenant's table of that name did, and is dropped when no tenant has
// it any more.
func (a *allTenants) Changes(ctx context.Context, since int64) (lakegate.Delta, error) {
	d, err := a.inner.Changes(ctx, since)
	if err != nil {
		return lakegate.Delta{}, err
	}
	touched := map[lakegate.TableRef]bool{}
	for _, t := range d.Tables {
		touched[logical(t.Database, t.Name)] = true
	}
	for _, r := range d.Dropped {
		touched[logical(r.Database, r.Name)] = true
	}
	out := lakegate.Delta{Version: d.Version, Tables: []lakegate.Table{}, Dropped: []lakegate.TableRef{}}
	for ref := range touched {
		if ref.Database == "" {
			continue // not a tenant's table
		}
		ts, err := a.each(ctx, ref.Database, ref.Name)
		switch {
		case lakegate.ErrorCode(err) == lakegate.ENOTFOUND:
			out.Dropped = append(out.Dropped, ref)
		case err != nil:
			return lakegate.Delta{}, err
		default:
			out.Tables = append(out.Tables, merge(ref.Database, ts))
		}
	}
	return out, nil
}

func (a *allTenants) Close() error { return nil }

// logical is the name a stored table has in the merged view ("" database
// for one outside any tenant).
func logical(database, name string) lakegate.TableRef {
	_, db, ok := strings.Cut(database, tenantSep)
	if !ok {
		return lakegate.TableRef{}
	}
	return lakegate.TableRef{Database: db, Name: name}
}

// merge folds the same table of several tenants into one: columns by name
// in first-seen order, the newest version, summed statistics.
func merge(database string, ts []lakegate.Table) lakegate.Table {
	m := ts[0]
	m.Database, m.Location = database, TenantsRoot
	m.Columns = nil
	seen := map[string]bool{}
	var tenants []string
	m.Stats = lakegate.TableStats{}
	for _, t := range ts {
		for _, c := range t.Columns {
			if !seen[c.Name] {
				seen[c.Name] = true
				m.Columns = append(m.Columns, c)
			}
		}
		m.Version = max(m.Version, t.Version)
		m.Updated = later(m.Updated, t.Updated)
		m.Stats.Rows += t.Stats.Rows
		m.Stats.Bytes += t.Stats.Bytes
		m.Stats.Files += t.Stats.Files
		m.Stats.Partitions += t.Stats.Partitions
		tenant, _, _ := strings.Cut(t.Database, tenantSep)
		tenants = append(tenants, tenant)
	}
	props := map[string]string{"tenants": strings.Join(tenants, ",")}
	for k, v := range ts[0].Properties {
		props[k] = v
	}
	m.Properties = props
	return m
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
