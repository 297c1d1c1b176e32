package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"time"

	"github.com/lakegate/lakegate"
	"github.com/lakegate/lakegate/catalog"
	"github.com/lakegate/lakegate/config"
	"github.com/lakegate/lakegate/engine/duckdb"
	"github.com/lakegate/lakegate/landing"
	"github.com/lakegate/lakegate/server"
	"github.com/lakegate/lakegate/tenancy"
)

// Keys of the settings each kind of subcommand uses.
var (
	storageKeys = []string{"lake", "catalog", "log_format", "log_level"}
	tenantKeys  = append(append([]string{}, storageKeys...), "tenant") // commands on one tenant's data
	engineKeys  = append(append([]string{}, storageKeys...), "threads", "memory_limit", "query_timeout", "max_rows")
	serverKeys  = append(append([]string{}, engineKeys...), "addr", "max_body_bytes", "max_ingest_bytes", "max_ingest_decompressed_bytes",
		"max_concurrent", "max_concurrent_per_user", "max_queued", "queue_wait", "cache_bytes", "job_ttl", "spill_dir",
		"auth", "tls_cert", "tls_key", "rate_limit", "rate_burst", "max_concurrent_per_token", "queries_dir")
)

// stack is the wired set of edges one process uses. Commands work on one
// tenant (the tenant setting): store and catalog are that tenant's part of
// the lake and its view of the catalog; root and shared are the whole of
// them, for what spans tenants (serving them all, tokens, saved queries).
type stack struct {
	cfg     *config.Config
	log     *slog.Logger
	root    *landing.Local   // the lake
	shared  lakegate.Catalog // the catalog store of every tenant
	store   *landing.Local   // the tenant's part of the lake
	catalog lakegate.Catalog // the tenant's view of the catalog
	engine  lakegate.Engine
	pool    *tenancy.Pool   // every tenant's engine, when serving
	metrics *server.Metrics // what demo's ingest counts, served at /metrics
	// insecureListen allows auth none on an address beyond this machine.
	insecureListen bool
}

func (a *app) logger(cfg *config.Config) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(a.stderr, opts))
	}
	return slog.New(slog.NewTextHandler(a.stderr, opts))
}

// open loads the configuration and opens the lake and its catalog.
func (a *app) open(cl *config.Loader) (*stack, error) {
	cfg, err := a.load(cl)
	if err != nil {
		return nil, err
	}
	root, err := landing.NewLocal(cfg.Lake)
	if err != nil {
		return nil, err
	}
	shared, err := openCatalog(cfg.Catalog, root)
	if err != nil {
		return nil, err
	}
	s := &stack{cfg: cfg, log: a.logger(cfg), root: root, shared: shared}
	if old, err := catalog.Untenanted(context.Background(), shared); err == nil && len(old) > 0 {
		s.log.Warn("the catalog holds databases from before tenants; no tenant sees them: ingest their sources again with --tenant",
			"databases", strings.Join(old, ","))
	}
	if s.catalog, err = catalog.ForTenant(shared, cfg.Tenant); err == nil {
		s.store, err = tenancy.Store(root.Root(), cfg.Tenant)
	}
	if err != nil {
		shared.Close()
		return nil, err
	}
	return s, nil
}

// openCatalog picks the catalog store named by the catalog setting.
func openCatalog(spec string, store *landing.Local) (lakegate.Catalog, error) {
	switch {
	case spec == "embedded":
		return catalog.OpenEmbedded(filepath.Join(store.Root(), "_catalog"))
	case strings.HasPrefix(spec, "postgres://"), strings.HasPrefix(spec, "postgresql://"):
		return openPostgres(spec)
	}
	return nil, lakegate.Errorf(lakegate.EINVALID,
		"catalog %q: expected \"embedded\" or a postgres:// URL", config.Mask(spec))
}

// postgresOpenTimeout bounds connecting and migrating at startup.
const postgresOpenTimeout = 30 * time.Second

// openPostgres opens the shared PostgreSQL catalog. Its errors name the
// catalog URL with the password masked.
func openPostgres(spec string) (lakegate.Catalog, error) {
	ctx, cancel := context.WithTimeout(context.Background(), postgresOpenTimeout)
	defer cancel()
	c, err := catalog.OpenPostgres(ctx, spec)
	if err != nil {
		var cause error
		if le, ok := errors.AsType[*lakegate.Error](err); ok {
			cause = le.Err
		}
		return nil, &lakegate.Error{
			Code:    lakegate.ErrorCode(err),
			Message: fmt.Sprintf("catalog %s: %s", config.Mask(spec), lakegate.ErrorMessage(err)),
			Err:     cause,
		}
	}
	return c, nil
}

// openEngine adds the tenant's DuckDB engine to an opened stack: it reads
// the tenant's part of the lake only.
func (s *stack) openEngine(ctx context.Context) error {
	eng, err := duckdb.Open(ctx, s.engineOptions(duckdb.Options{
		Catalog: s.catalog, Store: s.store, LakeDir: s.store.Root(),
	}))
	if err != nil {
		return err
	}
	s.engine = eng
	return nil
}

// engineOptions adds the engine settings to opt.
func (s *stack) engineOptions(opt duckdb.Options) duckdb.Options {
	opt.Threads, opt.MemoryLimit, opt.SpillDir = s.cfg.Threads, s.cfg.MemoryLimit, s.cfg.SpillDir
	return opt
}

// openPool starts serving every tenant: engines open on first use; the
// stack's tenant's engine opens now, so that a broken lake fails at start.
func (s *stack) openPool(ctx context.Context) error {
	pool, err := tenancy.New(s.shared, s.root.Root(), s.engineOptions(duckdb.Options{}))
	if err != nil {
		return err
	}
	s.pool = pool
	s.engine, err = pool.Engine(ctx, s.cfg.Tenant)
	return err
}

func (s *stack) Close() error {
	var first error
	closers := []io.Closer{s.engine, s.shared}
	if s.pool != nil { // it owns s.engine
		closers[0] = s.pool
	}
	for _, c := range closers {
		if c == nil {
			continue
		}
		if err := c.Close(); err != nil && first == nil {
			first = fmt.Errorf("close: %w", err)
		}
	}
	return first
}
