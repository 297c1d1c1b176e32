package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/lakegate/lakegate"
	"github.com/lakegate/lakegate/catalog"
	"github.com/lakegate/lakegate/config"
	"github.com/lakegate/lakegate/engine/duckdb"
	"github.com/lakegate/lakegate/landing"
	"github.com/lakegate/lakegate/landing/cache"
	"github.com/lakegate/lakegate/server"
	"github.com/lakegate/lakegate/tenancy"
)

// Keys of the settings each kind of subcommand uses.
var (
	storageKeys = []string{"lake", "lake_cache_dir", "lake_cache_bytes", "catalog", "log_format", "log_level"}
	tenantKeys  = append(append([]string{}, storageKeys...), "tenant") // commands on one tenant's data
	ingestKeys  = append(append([]string{}, tenantKeys...), "cluster_attempts_by")
	engineKeys  = append(append([]string{}, storageKeys...), "threads", "memory_limit", "query_timeout", "max_rows", "presto_url", "presto_threshold", "presto_max_queued", "presto_max_memory")
	serverKeys  = append(append([]string{}, engineKeys...), "addr", "max_body_bytes", "max_ingest_bytes", "max_ingest_decompressed_bytes", "cluster_attempts_by",
		"max_concurrent", "max_concurrent_per_user", "max_queued", "queue_wait", "cache_bytes", "job_ttl", "spill_dir",
		"auth", "tls_cert", "tls_key", "hms_addr", "hms_auth", "pg_addr", "pg_auth", "pg_max_conns", "pg_max_conns_per_user", "pg_idle_timeout", "hms_default_tenant", "rate_limit", "rate_burst", "max_concurrent_per_token", "queries_dir",
		"kafka_brokers", "events_topic", "event_type_field", "event_headers", "max_event_bytes", "events_dir", "events_trigger")
)

// stack is the wired set of edges one process uses. Commands work on one
// tenant (the tenant setting): store and catalog are that tenant's part of
// the lake and its view of the catalog; root and shared are the whole of
// them, for what spans tenants (serving them all, tokens, saved queries).
type stack struct {
	cfg     *config.Config
	log     *slog.Logger
	root    landing.Lake     // the lake, local or on HDFS
	shared  lakegate.Catalog // the catalog store of every tenant
	store   landing.Lake     // the tenant's part of the lake
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
	root, err := landing.Open(cfg.Lake)
	if err != nil {
		return nil, err
	}
	shared, err := openCatalog(cfg.Catalog, cfg.Lake, root)
	if err != nil {
		root.Close()
		return nil, err
	}
	s := &stack{cfg: cfg, log: a.logger(cfg), root: root, shared: shared}
	if old, err := catalog.Untenanted(context.Background(), shared); err == nil && len(old) > 0 {
		s.log.Warn("the catalog holds databases from before tenants; no tenant sees them: ingest their sources again with --tenant",
			"databases", strings.Join(old, ","))
	}
	if s.catalog, err = catalog.ForTenant(shared, cfg.Tenant); err == nil {
		s.store, err = tenancy.Store(root, cfg.Tenant)
	}
	if err != nil {
		shared.Close()
		root.Close()
		return nil, err
	}
	return s, nil
}

// openCatalog picks the catalog store named by the catalog setting. The
// embedded store lives under a local lake (<lake>/_catalog); an HDFS lake's
// lives in a local folder named after the lake (embeddedDir).
func openCatalog(spec, lakeSpec string, lake landing.Lake) (lakegate.Catalog, error) {
	switch {
	case spec == "embedded":
		dir, err := embeddedDir(lakeSpec, lake)
		if err != nil {
			return nil, err
		}
		return catalog.OpenEmbedded(dir)
	case strings.HasPrefix(spec, "embedded:"):
		return catalog.OpenEmbedded(strings.TrimPrefix(spec, "embedded:"))
	case strings.HasPrefix(spec, "postgres://"), strings.HasPrefix(spec, "postgresql://"):
		return openPostgres(spec)
	}
	return nil, lakegate.Errorf(lakegate.EINVALID,
		"catalog %q: expected \"embedded\", \"embedded:DIR\" or a postgres:// URL", config.Mask(spec))
}

// embeddedDir is where the embedded catalog of a lake lives: <lake>/_catalog
// for a local lake; for an HDFS lake, which cannot hold its lock file, a
// local folder named after the lake URL under the user's config folder
// (~/.config/lakegate/catalogs/hdfs_HOST_PORT_path), so every lakegate
// command of this user on this machine finds it.
func embeddedDir(lakeSpec string, lake landing.Lake) (string, error) {
	if lake.Dir() != "" {
		return filepath.Join(lake.Dir(), "_catalog"), nil
	}
	base, err := os.UserConfigDir()
	if err != nil {
		return "", lakegate.Wrap(lakegate.EUNAVAILABLE, err, "no folder for the embedded catalog of %s: set catalog to embedded:DIR or a postgres:// URL", lakeSpec)
	}
	name := strings.Trim(regexp.MustCompile(`[^A-Za-z0-9.-]+`).ReplaceAllString(lakeSpec, "_"), "_")
	return filepath.Join(base, "lakegate", "catalogs", name), nil
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
// the tenant's part of the lake only (through the pool, like serve's).
func (s *stack) openEngine(ctx context.Context) error { return s.openPool(ctx) }

// engineOptions adds the engine settings to opt.
func (s *stack) engineOptions(opt duckdb.Options) duckdb.Options {
	opt.Threads, opt.MemoryLimit, opt.SpillDir = s.cfg.Threads, s.cfg.MemoryLimit, s.cfg.SpillDir
	return opt
}

// openPool starts serving every tenant: engines open on first use; the
// stack's tenant's engine opens now, so that a broken lake fails at start.
func (s *stack) openPool(ctx context.Context) error {
	var files *cache.Cache
	if s.root.Dir() == "" {
		dir, err := s.cacheDir()
		if err != nil {
			return err
		}
		if files, err = cache.New(dir, s.cfg.LakeCacheBytes); err != nil {
			return err
		}
	}
	pool, err := tenancy.New(s.shared, s.root, files, s.engineOptions(duckdb.Options{}))
	if err != nil {
		return err
	}
	s.pool = pool
	s.engine, err = pool.Engine(ctx, s.cfg.Tenant)
	return err
}

// cacheDir is the folder of local copies of a remote lake's files.
func (s *stack) cacheDir() (string, error) {
	if s.cfg.LakeCacheDir != "" {
		return s.cfg.LakeCacheDir, nil
	}
	base, err := os.UserCacheDir()
	if err != nil {
		return "", lakegate.Wrap(lakegate.EUNAVAILABLE, err, "no folder for the lake cache: set lake_cache_dir")
	}
	return filepath.Join(base, "lakegate", "lake-cache"), nil
}

func (s *stack) Close() error {
	var first error
	closers := []io.Closer{s.engine, s.shared, s.root}
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
