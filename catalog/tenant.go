package catalog

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/lakegate/lakegate"
)

// Tenants share one catalog store and one lake, and are kept apart by
// construction: tenant t's databases are stored as t__<database>, its
// files under tenants/t/ of the lake, its batches under checksums "t:...",
// its streams' offsets under stream names "t:..." (tenant names hold no
// ':', so no two tenants' streams share a stored name).
// ForTenant is the only way the gateway and ingest see a tenant's
// catalog: it shows and writes that tenant's names and paths and nothing
// else, so an engine built on it has no view, name or path of another
// tenant (and its DuckDB may only read tenants/t/).

// tenantSep ends the tenant prefix of a stored database name; tenant
// names cannot contain it (lakegate.ValidTenant).
const tenantSep = "__"

// TenantRoot is the directory of a tenant's files, relative to the lake root.
func TenantRoot(tenant string) string { return "tenants/" + tenant }

// TenantsRoot is the directory holding every tenant's files.
const TenantsRoot = "tenants"

// ForTenant returns tenant's view of the shared catalog c. Closing it does
// not close c.
func ForTenant(c lakegate.Catalog, tenant string) (lakegate.Catalog, error) {
	if err := lakegate.ValidTenant(tenant); err != nil {
		return nil, err
	}
	return &tenantCatalog{inner: c, tenant: tenant, prefix: tenant + tenantSep, root: TenantRoot(tenant) + "/"}, nil
}

// Tenants lists the tenants that have at least one database.
func Tenants(ctx context.Context, c lakegate.Catalog) ([]string, error) {
	dbs, err := c.Databases(ctx)
	if err != nil {
		return nil, err
	}
	var out []string
	seen := map[string]bool{}
	for _, d := range dbs {
		if t, _, ok := strings.Cut(d.Name, tenantSep); ok && !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	return out, nil
}

type tenantCatalog struct {
	inner  lakegate.Catalog
	tenant string
	prefix string // "<tenant>__"
	root   string // "tenants/<tenant>/"
}

var _ lakegate.Catalog = (*tenantCatalog)(nil)

func (t *tenantCatalog) Version(ctx context.Context) (int64, error) {
	v, err := t.inner.Version(ctx)
	return v, t.clean(err)
}

func (t *tenantCatalog) Databases(ctx context.Context) ([]lakegate.Database, error) {
	dbs, err := t.inner.Databases(ctx)
	if err != nil {
		return nil, t.clean(err)
	}
	out := []lakegate.Database{}
	for _, d := range dbs {
		if name, ok := strings.CutPrefix(d.Name, t.prefix); ok {
			if d.Location == d.Name { // a database's location is its name (catalog.plan)
				d.Location = name
			} else {
				d.Location = t.outPath(d.Location)
			}
			d.Name = name
			out = append(out, d)
		}
	}
	return out, nil
}

func (t *tenantCatalog) Tables(ctx context.Context, database string) ([]lakegate.Table, error) {
	tables, err := t.inner.Tables(ctx, t.prefix+database)
	if err != nil {
		return nil, t.clean(err)
	}
	for i := range tables {
		tables[i] = t.outTable(tables[i])
	}
	return tables, nil
}

func (t *tenantCatalog) Table(ctx context.Context, database, name string) (lakegate.Table, error) {
	tb, err := t.inner.Table(ctx, t.prefix+database, name)
	if err != nil {
		return lakegate.Table{}, t.clean(err)
	}
	return t.outTable(tb), nil
}

func (t *tenantCatalog) Partitions(ctx context.Context, database, table string) ([]lakegate.Partition, error) {
	parts, err := t.inner.Partitions(ctx, t.prefix+database, table)
	if err != nil {
		return nil, t.clean(err)
	}
	for i := range parts {
		parts[i] = t.outPartition(parts[i])
	}
	return parts, nil
}

func (t *tenantCatalog) Batches(ctx context.Context, checksum string) ([]lakegate.Batch, error) {
	bs, err := t.inner.Batches(ctx, t.tenant+":"+checksum)
	if err != nil {
		return nil, t.clean(err)
	}
	for i := range bs {
		bs[i].Checksum = strings.TrimPrefix(bs[i].Checksum, t.tenant+":")
	}
	return bs, nil
}

// Offsets reads the tenant's own stream (stored as "<tenant>:<stream>").
func (t *tenantCatalog) Offsets(ctx context.Context, stream string) ([]lakegate.StreamOffset, error) {
	offs, err := t.inner.Offsets(ctx, t.tenant+":"+stream)
	if err != nil {
		return nil, t.clean(err)
	}
	for i := range offs {
		offs[i].Stream = stream
	}
	return offs, nil
}

func (t *tenantCatalog) Commit(ctx context.Context, c lakegate.Change) (int64, error) {
	if err := checkTenantNames(c); err != nil {
		return 0, err
	}
	v, err := t.inner.Commit(ctx, t.inChange(c))
	return v, t.clean(err)
}

// checkTenantNames validates the database and stream names of a change
// before the prefix makes any of them (even "") a valid stored name.
func checkTenantNames(c lakegate.Change) error {
	for i, o := range c.Offsets {
		if err := checkStream(fmt.Sprintf("change.offsets[%d]", i), o.Stream); err != nil {
			return err
		}
	}
	for i, tc := range c.Tables {
		if err := checkName(fmt.Sprintf("change.tables[%d]", i), "database", tc.Table.Database); err != nil {
			return err
		}
	}
	for i, r := range c.DropTables {
		if err := checkName(fmt.Sprintf("change.drop_tables[%d]", i), "database", r.Database); err != nil {
			return err
		}
	}
	for i, r := range c.DropPartitions {
		if err := checkName(fmt.Sprintf("change.drop_partitions[%d]", i), "database", r.Database); err != nil {
			return err
		}
	}
	return nil
}

func (t *tenantCatalog) Changes(ctx context.Context, since int64) (lakegate.Delta, error) {
	d, err := t.inner.Changes(ctx, since)
	if err != nil {
		return lakegate.Delta{}, t.clean(err)
	}
	out := lakegate.Delta{Version: d.Version, Tables: []lakegate.Table{}, Dropped: []lakegate.TableRef{}}
	for _, tb := range d.Tables {
		if strings.HasPrefix(tb.Database, t.prefix) {
			out.Tables = append(out.Tables, t.outTable(tb))
		}
	}
	for _, r := range d.Dropped {
		if name, ok := strings.CutPrefix(r.Database, t.prefix); ok {
			out.Dropped = append(out.Dropped, lakegate.TableRef{Database: name, Name: r.Name})
		}
	}
	return out, nil
}

// Close leaves the shared catalog open: its owner closes it.
func (t *tenantCatalog) Close() error { return nil }

// outPath turns a stored path (relative to the lake) into one relative to
// the tenant's root. A path outside the root (a corrupt or hand-made
// entry) becomes one no store accepts, so it fails instead of reaching
// another tenant's files.
func (t *tenantCatalog) outPath(p string) string {
	if p == "" {
		return ""
	}
	if rel, ok := strings.CutPrefix(p, t.root); ok {
		return rel
	}
	return "../outside-tenant"
}

// inPath puts a tenant's path under its root. A path that is not a clean
// relative one is passed as it is, for the store's rules to refuse.
func (t *tenantCatalog) inPath(p string) string {
	if checkPath("", "", p) != nil {
		return p
	}
	return t.root + p
}

func (t *tenantCatalog) outTable(tb lakegate.Table) lakegate.Table {
	tb.Database = strings.TrimPrefix(tb.Database, t.prefix)
	tb.Location = t.outPath(tb.Location)
	return tb
}

func (t *tenantCatalog) outPartition(p lakegate.Partition) lakegate.Partition {
	p.Location = t.outPath(p.Location)
	files := make([]lakegate.File, len(p.Files))
	for i, f := range p.Files {
		f.Path = t.outPath(f.Path)
		files[i] = f
	}
	p.Files = files
	return p
}

// inChange rewrites a tenant's change into stored names and paths.
func (t *tenantCatalog) inChange(c lakegate.Change) lakegate.Change {
	out := lakegate.Change{}
	for _, tc := range c.Tables {
		tb := tc.Table
		if tb.Location == "" { // the store's default (catalog.plan), under the tenant's root
			tb.Location = tb.Database + "/" + tb.Name
		}
		tb.Database, tb.Location = t.prefix+tb.Database, t.inPath(tb.Location)
		parts := make([]lakegate.Partition, len(tc.Partitions))
		for i, p := range tc.Partitions {
			p.Location = t.inPath(p.Location)
			p.Files = append([]lakegate.File(nil), p.Files...)
			for j := range p.Files {
				p.Files[j].Path = t.inPath(p.Files[j].Path)
			}
			parts[i] = p
		}
		out.Tables = append(out.Tables, lakegate.TableChange{Table: tb, Partitions: parts})
	}
	for _, b := range c.Batches {
		b.Checksum = t.tenant + ":" + b.Checksum
		out.Batches = append(out.Batches, b)
	}
	for _, o := range c.Offsets {
		o.Stream = t.tenant + ":" + o.Stream
		out.Offsets = append(out.Offsets, o)
	}
	for _, r := range c.DropTables {
		out.DropTables = append(out.DropTables, lakegate.TableRef{Database: t.prefix + r.Database, Name: r.Name})
	}
	for _, r := range c.DropPartitions {
		r.Database = t.prefix + r.Database
		out.DropPartitions = append(out.DropPartitions, r)
	}
	return out
}

// clean keeps the stored names and paths out of the tenant's error
// messages: they would show the tenant prefix, never another tenant's
// (the inner catalog only ever hears this tenant's names). Stored stream
// names are quoted ("t:kafka:x"): only a quote's leading "t:" goes, so a
// tenant named kafka keeps the kafka: of its own streams.
func (t *tenantCatalog) clean(err error) error {
	var e *lakegate.Error
	if err == nil || !errors.As(err, &e) {
		return err
	}
	msg := strings.ReplaceAll(strings.ReplaceAll(e.Message, t.root, ""), t.prefix, "")
	msg = strings.ReplaceAll(msg, `"`+t.tenant+":", `"`)
	if msg == e.Message {
		return err
	}
	return &lakegate.Error{Code: e.Code, Message: msg, Err: e.Err}
}

// Untenanted lists the databases stored outside any tenant: a lake made
// before tenants existed. No tenant's view shows them; they are reported
// so that an operator re-ingests them with --tenant.
func Untenanted(ctx context.Context, c lakegate.Catalog) ([]string, error) {
	dbs, err := c.Databases(ctx)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, d := range dbs {
		if !strings.Contains(d.Name, tenantSep) {
			out = append(out, d.Name)
		}
	}
	return out, nil
}
