package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/lakegate/lakegate"
	"github.com/lakegate/lakegate/config"
	"github.com/lakegate/lakegate/server"
	"github.com/lakegate/lakegate/web"
	"github.com/spf13/cobra"
)

func (a *app) serveCmd() *cobra.Command {
	var insecure bool
	cmd := &cobra.Command{Use: "serve", Short: "serve SQL over HTTP on the lake", Args: a.args(0, 0)}
	cmd.Flags().BoolVar(&insecure, "insecure-listen", false, "with auth none, allow --addr beyond this machine (a warning is printed)")
	cl := config.Bind(cmd.Flags(), serverKeys...)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		s, err := a.open(cl)
		if err != nil {
			return err
		}
		defer s.Close()
		s.insecureListen = insecure
		return a.serve(cmd.Context(), s, nil)
	}
	return cmd
}

// serve runs the HTTP server on an opened stack until ctx ends. onListen,
// when set, runs once the port is bound (demo prints examples there).
func (a *app) serve(ctx context.Context, s *stack, onListen func(base string)) error {
	if err := s.openPool(ctx); err != nil {
		return err
	}
	auth, tlsCfg, err := s.security() // token_serve.go
	if err != nil {
		return err
	}
	lib, err := s.library() // canned, queries_dir and saved queries
	if err != nil {
		return err
	}
	rt, err := s.router() // route.go
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		return lakegate.Wrap(lakegate.EUNAVAILABLE, err,
			"cannot listen on %s (%v); pick another address with --addr or LAKEGATE_ADDR", s.cfg.Addr, unwrapNet(err))
	}
	if auth.None && !isLoopback(ln.Addr()) && !s.insecureListen {
		ln.Close()
		return lakegate.Errorf(lakegate.EINVALID, "refusing to listen on %s without authentication: anyone who reaches it would act as an admin. "+
			"Listen on 127.0.0.1 (--addr 127.0.0.1:8080), use auth: token, or pass --insecure-listen if you mean it", s.cfg.Addr)
	}
	if s.metrics == nil {
		s.metrics = server.NewMetrics()
	}
	stopMetastore, err := s.startMetastore() // metastore.go
	if err != nil {
		ln.Close()
		return err
	}
	defer stopMetastore()
	events, err := s.openEventLogs(ctx) // events.go
	if err != nil {
		ln.Close()
		return err
	}
	defer events.Close()
	srv := server.New(server.Options{
		Engine: s.engine, Catalog: s.catalog, Tenancy: s.pool, Router: rt, Logger: s.log, UI: web.Handler(),
		MaxRows: s.cfg.MaxRows, Timeout: s.cfg.QueryTimeout, MaxBodyBytes: s.cfg.MaxBodyBytes,
		MaxConcurrent: s.cfg.MaxConcurrent, MaxConcurrentPerUser: s.cfg.MaxConcurrentPerUser,
		MaxQueued: s.cfg.MaxQueued, QueueWait: s.cfg.QueueWait,
		CacheBytes: s.cfg.CacheBytes, JobTTL: s.cfg.JobTTL, SpillDir: s.cfg.SpillDir,
		Ingest: s.ingestInto, MaxIngestBytes: s.cfg.MaxIngestBytes,
		Events: events.get, EventTypeField: s.cfg.EventTypeField, EventHeaders: eventHeaders(s.cfg.EventHeaders),
		MaxEventBytes: s.cfg.MaxEventBytes,
		Auth:          auth,
		Metrics:       s.metrics, Queries: lib,
		LakeCheck: func(ctx context.Context) error { _, err := s.root.List(ctx, "."); return err },
	})
	stopPG, err := s.startPG(srv, tlsCfg, auth.None) // pgwire.go
	if err != nil {
		ln.Close()
		return err
	}
	defer stopPG()
	base := httpsURL(baseURL(ln.Addr()), tlsCfg != nil)
	s.log.Info("lakegate serving", "url", base, "lake", s.cfg.Lake, "catalog", config.Mask(s.cfg.Catalog), "version", lakegate.Version)
	s.warnSecurity(ctx, auth, base, ln.Addr(), tlsCfg != nil)
	if onListen != nil {
		onListen(base)
	}
	if a.ready != nil {
		a.ready(base)
	}
	errc := make(chan error, 1)
	go func() { errc <- serveOn(srv, ln, tlsCfg) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	s.log.Info("shutting down")
	shut, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shut); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func unwrapNet(err error) error {
	var op *net.OpError
	if errors.As(err, &op) && op.Err != nil {
		return op.Err
	}
	return err
}

// baseURL turns a listen address into a URL a user can paste (":8080"
// becomes http://localhost:8080).
func baseURL(addr net.Addr) string {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return "http://" + addr.String()
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "localhost"
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	return fmt.Sprintf("http://%s:%s", host, port)
}
