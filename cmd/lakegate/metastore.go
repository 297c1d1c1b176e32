package main

import (
	"net"

	"github.com/lakegate/lakegate"
	"github.com/lakegate/lakegate/catalog"
	"github.com/lakegate/lakegate/catalog/hms"
	"github.com/lakegate/lakegate/tenancy"
)

// metastoreTenants gives the metastore each tenant's catalog and store.
type metastoreTenants struct{ s *stack }

func (m metastoreTenants) Tenant(name string) (lakegate.Catalog, lakegate.Store, error) {
	cat, err := catalog.ForTenant(m.s.shared, name)
	if err != nil {
		return nil, nil, err
	}
	store, err := tenancy.Store(m.s.root, name)
	return cat, store, err
}

// startMetastore serves the Hive Metastore API on hms_addr (when set) and
// returns its stop.
func (s *stack) startMetastore() (stop func(), err error) {
	if s.cfg.HMSAddr == "" {
		return func() {}, nil
	}
	ln, err := net.Listen("tcp", s.cfg.HMSAddr)
	if err != nil {
		return nil, lakegate.Wrap(lakegate.EUNAVAILABLE, err,
			"cannot listen for the metastore on %s (%v); pick another address with --hms-addr", s.cfg.HMSAddr, unwrapNet(err))
	}
	tokens, _ := s.tokens()
	srv := hms.New(hms.Options{Tenants: metastoreTenants{s}, Tokens: tokens, DefaultTenant: s.cfg.HMSDefaultTenant,
		TokensOnly: s.cfg.HMSAuth == "token", Logger: s.log, Metrics: hms.NewMetrics(s.metrics.Registerer())})
	go func() {
		if err := srv.Serve(ln); err != nil {
			s.log.Error("the metastore stopped", "err", err)
		}
	}()
	s.log.Info("serving the Hive metastore API", "addr", "thrift://"+ln.Addr().String(), "auth", s.cfg.HMSAuth)
	if !isLoopback(ln.Addr()) && s.cfg.HMSAuth != "token" {
		s.log.Warn("THE METASTORE LISTENS BEYOND THIS MACHINE and takes a tenant's name as proof (hms_auth: user): anyone who reaches it can read any tenant's table definitions; keep it on a private network or set hms_auth: token", "addr", ln.Addr().String())
	}
	return func() { srv.Close() }, nil
}
