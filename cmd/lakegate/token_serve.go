package main

import (
	"context"
	"crypto/tls"
	"net"
	"strings"
	"time"

	"github.com/lakegate/lakegate"
	"github.com/lakegate/lakegate/server"
)

// security reads the authentication and TLS settings: the catalog's token
// store (or auth: none), the per-token quotas, and the certificate when
// tls_cert and tls_key are set.
func (s *stack) security() (server.AuthOptions, *tls.Config, error) {
	opt := server.AuthOptions{
		None:      s.cfg.Auth == "none",
		RateLimit: s.cfg.RateLimit, RateBurst: s.cfg.RateBurst,
		MaxConcurrentPerToken: s.cfg.MaxPerToken,
	}
	if !opt.None {
		ts, err := s.tokens()
		if err != nil {
			return opt, nil, err
		}
		opt.Tokens = ts
	}
	if s.cfg.TLSCert == "" && s.cfg.TLSKey == "" {
		return opt, nil, nil
	}
	cfg, err := server.LoadTLS(s.cfg.TLSCert, s.cfg.TLSKey)
	return opt, cfg, err
}

// warnSecurity says loudly at start what is unsafe about this server:
// authentication off, tokens in clear text, or no token to sign in with.
func (s *stack) warnSecurity(ctx context.Context, opt server.AuthOptions, base string, addr net.Addr, tlsOn bool) {
	local := isLoopback(addr)
	if opt.None {
		msg := "AUTHENTICATION IS OFF (auth: none): every request acts as an admin of every tenant; use this only on your own machine and set auth: token (the default) anywhere else"
		if !local {
			msg += "; THIS SERVER LISTENS BEYOND THIS MACHINE: anyone who can reach it has full access"
		}
		s.log.Warn(msg, "url", base)
		return
	}
	if !tlsOn && !local {
		s.log.Warn("API tokens travel in clear text over plain HTTP: set tls_cert and tls_key, or serve behind a TLS proxy", "url", base)
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	list, err := opt.Tokens.List(ctx)
	if err != nil {
		s.log.Warn("cannot list API tokens", "err", err)
		return
	}
	now := time.Now()
	for _, r := range list {
		if r.Status(now) == "active" {
			s.log.Info("authentication: API tokens required (Bearer or Basic)", "tokens_active", countActive(list, now))
			return
		}
	}
	s.log.Warn("authentication is on but there is no active API token yet, so every request will get 401: " +
		"create one with `lakegate token create --user USER --tenant TENANT --role admin` (same --lake and --catalog)")
}

func countActive(list []lakegate.TokenRecord, now time.Time) int {
	n := 0
	for _, r := range list {
		if r.Status(now) == "active" {
			n++
		}
	}
	return n
}

func isLoopback(addr net.Addr) bool {
	if a, ok := addr.(*net.TCPAddr); ok {
		return a.IP.IsLoopback()
	}
	return false
}

// serveOn serves plain HTTP, or HTTPS when cfg is set.
func serveOn(srv *server.Server, ln net.Listener, cfg *tls.Config) error {
	if cfg != nil {
		return srv.ServeTLS(ln, cfg)
	}
	return srv.Serve(ln)
}

// httpsURL turns the base URL into its https form when TLS is on.
func httpsURL(base string, tlsOn bool) string {
	if tlsOn {
		return "https://" + strings.TrimPrefix(base, "http://")
	}
	return base
}
