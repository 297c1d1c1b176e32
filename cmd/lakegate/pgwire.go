package main

import (
	"crypto/tls"
	"net"

	"github.com/lakegate/lakegate"
	"github.com/lakegate/lakegate/engine/duckdb"
	"github.com/lakegate/lakegate/pgwire"
)

// startPG speaks the PostgreSQL wire protocol on pg_addr (when set),
// through gw (the HTTP server's pipeline), and returns its stop.
func (s *stack) startPG(gw lakegate.Gateway, tlsCfg *tls.Config, authNone bool) (stop func(), err error) {
	if s.cfg.PGAddr == "" {
		return func() {}, nil
	}
	ln, err := net.Listen("tcp", s.cfg.PGAddr)
	if err != nil {
		return nil, lakegate.Wrap(lakegate.EUNAVAILABLE, err,
			"cannot listen for the PostgreSQL protocol on %s (%v); pick another address with --pg-addr", s.cfg.PGAddr, unwrapNet(err))
	}
	if authNone && !isLoopback(ln.Addr()) && !s.insecureListen {
		ln.Close()
		return nil, lakegate.Errorf(lakegate.EINVALID, "refusing to speak the PostgreSQL protocol on %s without authentication: anyone who reaches it would act as an admin. "+
			"Listen on 127.0.0.1 (--pg-addr 127.0.0.1:5433), use auth: token, or pass --insecure-listen if you mean it", s.cfg.PGAddr)
	}
	srv := pgwire.New(pgwire.Options{Gateway: gw, Metadata: duckdb.NewPGCatalog(), TLS: tlsCfg, Trust: authNone,
		Cleartext: s.cfg.PGAuth == "password",
		MaxConns:  s.cfg.PGMaxConns, MaxConnsPerUser: s.cfg.PGMaxConnsPerUser, IdleTimeout: s.cfg.PGIdleTimeout,
		ServerVersion: "15.0 (lakegate " + lakegate.Version + ")", Logger: s.log})
	go func() {
		if err := srv.Serve(ln); err != nil {
			s.log.Error("the PostgreSQL protocol service stopped", "err", err)
		}
	}()
	s.log.Info("speaking the PostgreSQL wire protocol", "addr", ln.Addr().String(), "tls", tlsCfg != nil, "auth", s.pgAuth(authNone))
	return func() { srv.Close() }, nil
}

// pgAuth names how wire clients sign in, for the log.
func (s *stack) pgAuth(authNone bool) string {
	if authNone {
		return "trust"
	}
	return s.cfg.PGAuth
}
