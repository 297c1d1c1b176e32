// Package tenancy gives every tenant its own DuckDB engine over its own
// part of the lake: tenant t's engine sees the catalog through
// catalog.ForTenant (its tables only, under their plain names) and its
// DuckDB may read tenants/t/ of the lake and nothing else, so no SQL a
// tenant writes can reach another tenant's files. The admin's engine over
// every tenant (lakegate.AllTenants) reads tenants/ and adds a tenant
// column to every table.
package tenancy

import (
	"context"
	"errors"
	"path/filepath"
	"sync"

	"github.com/lakegate/lakegate"
	"github.com/lakegate/lakegate/catalog"
	"github.com/lakegate/lakegate/engine/duckdb"
	"github.com/lakegate/lakegate/landing"
)

// Pool opens each tenant's engine on first use and keeps it until Close.
// Each engine has its own memory_limit and threads (from the template).
type Pool struct {
	shared lakegate.Catalog
	lake   string         // the lake root, absolute
	tmpl   duckdb.Options // Threads, MemoryLimit, SpillDir, QueryLogRows

	mu      sync.Mutex
	engines map[string]*duckdb.DB
	closed  bool
}

var _ lakegate.Tenancy = (*Pool)(nil)

// New returns a pool over the shared catalog and the lake at root. tmpl's
// Catalog, Store, LakeDir and TenantColumn are set per tenant.
func New(shared lakegate.Catalog, root string, tmpl duckdb.Options) (*Pool, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, lakegate.Wrap(lakegate.EINVALID, err, "lake %q: not a usable path", root)
	}
	return &Pool{shared: shared, lake: abs, tmpl: tmpl, engines: map[string]*duckdb.DB{}}, nil
}

// Catalog is tenant's view of the catalog (AllTenants: every tenant's).
func (p *Pool) Catalog(tenant string) (lakegate.Catalog, error) {
	if tenant == lakegate.AllTenants {
		return catalog.AllTenants(p.shared), nil
	}
	return catalog.ForTenant(p.shared, tenant)
}

// Store is the landing store of tenant's part of the lake, where its
// ingest writes.
func Store(lake, tenant string) (*landing.Local, error) {
	if err := lakegate.ValidTenant(tenant); err != nil {
		return nil, err
	}
	return landing.NewLocal(filepath.Join(lake, filepath.FromSlash(catalog.TenantRoot(tenant))))
}

// Engine returns tenant's engine, opening it on first use.
func (p *Pool) Engine(ctx context.Context, tenant string) (lakegate.Engine, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil, lakegate.Errorf(lakegate.EUNAVAILABLE, "the gateway is shutting down")
	}
	if e, ok := p.engines[tenant]; ok {
		return e, nil
	}
	e, err := p.open(ctx, tenant)
	if err != nil {
		return nil, err
	}
	p.engines[tenant] = e
	return e, nil
}

// open starts the engine of one tenant or of all (under p.mu).
func (p *Pool) open(ctx context.Context, tenant string) (*duckdb.DB, error) {
	opt := p.tmpl
	cat, err := p.Catalog(tenant)
	if err != nil {
		return nil, err
	}
	var store *landing.Local
	if tenant == lakegate.AllTenants {
		// Paths stay relative to the lake root; DuckDB may read tenants/ only.
		store, err = landing.NewLocal(p.lake)
		if err == nil {
			_, err = landing.NewLocal(filepath.Join(p.lake, catalog.TenantsRoot))
		}
		opt.LakeDir, opt.TenantColumn = filepath.Join(p.lake, catalog.TenantsRoot), true
	} else {
		store, err = Store(p.lake, tenant)
		if store != nil {
			opt.LakeDir = store.Root()
		}
	}
	if err != nil {
		return nil, err
	}
	opt.Catalog, opt.Store = cat, store
	e, err := duckdb.Open(ctx, opt)
	if err != nil {
		return nil, err
	}
	return e, nil
}

// Close closes every engine (not the shared catalog).
func (p *Pool) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closed = true
	var errs []error
	for _, e := range p.engines {
		errs = append(errs, e.Close())
	}
	p.engines = nil
	return errors.Join(errs...)
}
