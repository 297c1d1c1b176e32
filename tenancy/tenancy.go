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
	"os"
	"path/filepath"
	"sync"

	"github.com/lakegate/lakegate"
	"github.com/lakegate/lakegate/catalog"
	"github.com/lakegate/lakegate/engine/duckdb"
	"github.com/lakegate/lakegate/landing"
	"github.com/lakegate/lakegate/landing/cache"
)

// Pool opens each tenant's engine on first use and keeps it until Close.
// Each engine has its own memory_limit and threads (from the template).
type Pool struct {
	shared lakegate.Catalog
	lake   landing.Lake
	cache  *cache.Cache   // local copies of a remote lake's files; nil for a local lake
	tmpl   duckdb.Options // Threads, MemoryLimit, SpillDir, QueryLogRows

	mu      sync.Mutex
	engines map[string]*duckdb.DB
	closed  bool
}

var _ lakegate.Tenancy = (*Pool)(nil)

// New returns a pool over the shared catalog and the lake. tmpl's
// Catalog, Store, LakeDir, Files and TenantColumn are set per tenant. A
// remote lake (HDFS) needs files, the cache its engines read copies from.
func New(shared lakegate.Catalog, lake landing.Lake, files *cache.Cache, tmpl duckdb.Options) (*Pool, error) {
	if lake.Dir() == "" && files == nil {
		return nil, lakegate.Errorf(lakegate.EINVALID, "a remote lake needs a local cache folder for its engines")
	}
	return &Pool{shared: shared, lake: lake, cache: files, tmpl: tmpl, engines: map[string]*duckdb.DB{}}, nil
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
func Store(lake landing.Lake, tenant string) (landing.Lake, error) {
	if err := lakegate.ValidTenant(tenant); err != nil {
		return nil, err
	}
	return lake.Sub(catalog.TenantRoot(tenant))
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

// open starts the engine of one tenant or of all (under p.mu). The
// admin's engine over all tenants keeps paths relative to the lake root
// and may read tenants/ only.
func (p *Pool) open(ctx context.Context, tenant string) (*duckdb.DB, error) {
	opt := p.tmpl
	cat, err := p.Catalog(tenant)
	if err != nil {
		return nil, err
	}
	var store landing.Lake = p.lake
	prefix := catalog.TenantsRoot
	if tenant != lakegate.AllTenants {
		if store, err = Store(p.lake, tenant); err != nil {
			return nil, err
		}
		prefix = catalog.TenantRoot(tenant)
	} else if _, err := p.lake.Sub(catalog.TenantsRoot); err != nil {
		return nil, err
	}
	opt.Catalog, opt.Store, opt.TenantColumn = cat, store, tenant == lakegate.AllTenants
	if err := p.readFrom(&opt, store, prefix); err != nil {
		return nil, err
	}
	return duckdb.Open(ctx, opt)
}

// readFrom sets where the engine reads: the lake's own folder under
// prefix, or, for a remote lake, the cache's copies of it.
func (p *Pool) readFrom(opt *duckdb.Options, store landing.Lake, prefix string) error {
	if p.lake.Dir() != "" {
		opt.LakeDir = filepath.Join(p.lake.Dir(), filepath.FromSlash(prefix))
		return nil
	}
	viewPrefix := prefix
	if opt.TenantColumn {
		viewPrefix = "" // its paths start with tenants/
	}
	opt.Files = p.cache.View(store, viewPrefix)
	opt.LakeDir = filepath.Join(p.cache.Dir(), filepath.FromSlash(prefix))
	if err := os.MkdirAll(opt.LakeDir, 0o700); err != nil {
		return lakegate.Wrap(lakegate.EUNAVAILABLE, err, "cannot create the cache folder %s", opt.LakeDir)
	}
	return nil
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
