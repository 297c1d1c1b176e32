package main

import (
	"github.com/lakegate/lakegate"
	"github.com/lakegate/lakegate/engine/presto"
	"github.com/lakegate/lakegate/engine/router"
	"github.com/lakegate/lakegate/engine/rowexport"
)

// prestoRemote is the Presto cluster as the router sees it.
type prestoRemote struct {
	*presto.Client
	spill string
}

// Engine is tenant's Presto engine, with Arrow and Parquet exports
// written from its rows into the spill directory.
func (p prestoRemote) Engine(tenant string) lakegate.Engine {
	return rowexport.Wrap(p.Client.Engine(tenant), p.spill)
}

// router chooses each query's engine over the stack's pool: DuckDB, and
// Presto when presto_url is set (engine/router has the rule). It needs
// openPool first.
func (s *stack) router() (*router.Router, error) {
	opt := router.Options{Local: s.pool, Threshold: s.cfg.PrestoThreshold, MaxQueued: s.cfg.PrestoMaxQueued}
	if s.cfg.PrestoURL != "" {
		c, err := presto.New(presto.Options{URL: s.cfg.PrestoURL, MaxMemory: s.cfg.PrestoMaxMemory})
		if err != nil {
			return nil, err
		}
		opt.Remote = prestoRemote{c, s.cfg.SpillDir}
		if s.cfg.HMSAddr == "" {
			s.log.Warn("presto_url is set but hms_addr is not: Presto's hive catalog must read a lakegate metastore over this catalog (another gateway's, or set --hms-addr)")
		}
	}
	return router.New(opt), nil
}
