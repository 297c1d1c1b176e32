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
)

// Keys of the settings each kind of subcommand uses.
var (
	storageKeys = []string{"lake", "catalog", "log_format", "log_level"}
	engineKeys  = append(append([]string{}, storageKeys...), "threads", "memory_limit", "query_timeout", "max_rows")
	serverKeys  = append(append([]string{}, engineKeys...), "addr", "max_body_bytes",
		"max_concurrent", "max_concurrent_per_user", "max_queued", "queue_wait", "cache_bytes", "job_ttl", "spill_dir",
		"auth", "tls_cert", "tls_key", "rate_limit", "rate_burst", "max_concurrent_per_token", "queries_dir")
)

// stack is the wired set of edges one process uses.
type stack struct {
	cfg     *config.Config
	log     *slog.Logger
	store   *landing.Local
	catalog lakegate.Catalog
	engine  lakegate.Engine
	metrics *server.Metrics // what demo's ingest counts, served at /metrics
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
	cfg, err := cl.Load(a.environ)
	if err != nil {
		return nil, err
	}
	store, err := landing.NewLocal(cfg.Lake)
	if err != nil {
		return nil, err
	}
	cat, err := openCatalog(cfg.Catalog, store)
	if err != nil {
		return nil, err
	}
	return &stack{cfg: cfg, log: a.logger(cfg), store: store, catalog: cat}, nil
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

// openEngine adds the DuckDB engine to an opened stack.
func (s *stack) openEngine(ctx context.Context) error {
	eng, err := duckdb.Open(ctx, duckdb.Options{
		Catalog: s.catalog, Store: s.store, LakeDir: s.store.Root(),
		Threads: s.cfg.Threads, MemoryLimit: s.cfg.MemoryLimit, SpillDir: s.cfg.SpillDir,
	})
	if err != nil {
		return err
	}
	s.engine = eng
	return nil
}

func (s *stack) Close() error {
	var first error
	for _, c := range []io.Closer{s.engine, s.catalog} {
		if c == nil {
			continue
		}
		if err := c.Close(); err != nil && first == nil {
			first = fmt.Errorf("close: %w", err)
		}
	}
	return first
}
