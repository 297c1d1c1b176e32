package server

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/lakegate/lakegate"
)

// The server is also the lakegate.Gateway of the other wire protocols
// (pgwire): their queries take the same pipeline as POST /v1/query, run
// on an echo context of their own, so every stage (tenant, router,
// deadline, admission, query log) applies to them as written for HTTP.
// Two stages differ: the result cache keeps the rows, not a body
// (wire_cache.go), and there is no row limit, since the protocol pages
// the rows.
var _ lakegate.Gateway = (*Server)(nil)

// SignIn checks a user name and a token sent as password.
func (s *Server) SignIn(ctx context.Context, user, password string) (lakegate.Principal, error) {
	if s.auth.opt.None {
		return lakegate.Anonymous, nil
	}
	if s.auth.opt.Tokens == nil {
		return lakegate.Principal{}, lakegate.Errorf(lakegate.EUNAUTHORIZED, "this server has no token store configured, so nobody can sign in; ask its operator")
	}
	r, err := lakegate.VerifyToken(ctx, s.auth.opt.Tokens, password, s.auth.opt.Now())
	if err != nil {
		return lakegate.Principal{}, err
	}
	if user != r.User {
		return lakegate.Principal{}, lakegate.Errorf(lakegate.EUNAUTHORIZED, "user %q is not the token's user: connect as %s", user, r.User)
	}
	return r.Principal(), nil
}

// SignInSCRAM checks a SCRAM-SHA-256 proof against each of user's tokens
// that has a verifier (records list without them, so each is looked up).
// Only the token the proof matches says whether it expired or was revoked.
func (s *Server) SignInSCRAM(ctx context.Context, user string, proves func(lakegate.SCRAMVerifier) bool) (lakegate.Principal, error) {
	if s.auth.opt.None {
		return lakegate.Anonymous, nil
	}
	store := s.auth.opt.Tokens
	if store == nil {
		return lakegate.Principal{}, lakegate.Errorf(lakegate.EUNAUTHORIZED, "this server has no token store configured, so nobody can sign in; ask its operator")
	}
	list, err := store.List(ctx)
	if err != nil {
		return lakegate.Principal{}, err
	}
	for _, r := range list {
		if r.User != user {
			continue
		}
		full, err := store.Lookup(ctx, r.ID)
		if err != nil {
			return lakegate.Principal{}, err
		}
		v, err := lakegate.ParseSCRAMVerifier(full.SCRAM)
		if err != nil || !proves(v) {
			continue
		}
		if st := full.Status(s.auth.opt.Now()); st != "active" {
			return lakegate.Principal{}, lakegate.Errorf(lakegate.EUNAUTHORIZED, "token %s is %s; ask an admin for a new one", full.ID, st)
		}
		return full.Principal(), nil
	}
	return lakegate.Principal{}, lakegate.Errorf(lakegate.EUNAUTHORIZED,
		"password authentication failed for user %q: the password must be one of %s's API tokens (tokens made before lakegate kept SCRAM verifiers sign in only with pg_auth: password; or make a new one)", user, user)
}

// Open runs one query of another protocol and returns its cursor; the
// cursor's Close frees the query's slot and records it.
func (s *Server) Open(ctx context.Context, who lakegate.Principal, wq lakegate.WireQuery) (rows lakegate.Rows, err error) {
	if !who.Can(lakegate.RoleAnalyst) {
		return nil, lakegate.Errorf(lakegate.EFORBIDDEN, "%s may not query: the %s role only sends events; ask an admin for an analyst token", who.User, who.Role)
	}
	c := s.wireContext(ctx, who)
	q := &call{Start: time.Now(), Format: wq.Protocol, Protocol: wq.Protocol, SQL: wq.SQL, Params: wq.Params, User: userOf(c), Timeout: s.opt.Timeout}
	q.ID, _ = c.Get(queryIDKey).(string)
	cur, err := s.openWire(c, q, request{SQL: wq.SQL, Engine: wq.Engine})
	if err != nil {
		s.record(c, q, err)
		return nil, err
	}
	return cur, nil
}

func (s *Server) openWire(c echo.Context, q *call, req request) (*wireRows, error) {
	if err := checkSQL(q.SQL); err != nil {
		return nil, err
	}
	var err error
	if q.Scope, err = s.scopeOf(c); err != nil {
		return nil, err
	}
	if q.Home, err = s.engineOf(c); err != nil {
		return nil, err
	}
	if q.Route, err = s.route(c, q.Scope, q.Home, req); err != nil {
		return nil, err
	}
	q.Engine = q.Route.Engine
	hit, keep := s.cachedWire(c, q)
	if hit != nil {
		return &wireRows{Rows: hit, s: s, c: c, q: q, done: func() {}}, nil
	}
	release, err := s.admit(c, q)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(c.Request().Context(), q.Timeout)
	// Streamed: a client pages through portals and cursors, and an error
	// after rows is the protocol's own ErrorResponse.
	rs, err := q.Engine.Query(ctx, lakegate.Query{ID: q.ID, SQL: q.SQL, Params: q.Params, Stream: true})
	if err != nil {
		cancel()
		release()
		return nil, s.pastDeadline(err, q.Timeout, "query_timeout")
	}
	return &wireRows{Rows: rs, s: s, c: c, q: q, keep: keep, done: func() { cancel(); release() }}, nil
}

// wireContext is the echo context a wire query runs in: who is its
// principal, ctx its request's context (cancelled by the protocol's
// cancel request).
func (s *Server) wireContext(ctx context.Context, who lakegate.Principal) echo.Context {
	r, _ := http.NewRequestWithContext(ctx, http.MethodPost, "/v1/query", http.NoBody)
	c := s.echo.NewContext(r, discardWriter{http.Header{}})
	c.Set(principalKey, who)
	c.Set(queryIDKey, uuid.NewString())
	return c
}

// discardWriter is the response of a wire query's echo context: the
// protocol writes the answer, headers set on the way are dropped.
type discardWriter struct{ h http.Header }

func (w discardWriter) Header() http.Header         { return w.h }
func (w discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w discardWriter) WriteHeader(int)             {}

// wireRows counts the rows the protocol reads and records the query once,
// on Close, with the cursor's error if it had one; keep (when set)
// collects them for the result cache.
type wireRows struct {
	lakegate.Rows
	s    *Server
	c    echo.Context
	q    *call
	keep *wireCapture
	done func()
	once sync.Once
}

func (w *wireRows) Next() bool {
	if w.Rows.Next() {
		w.q.Rows++
		if w.keep != nil {
			w.keep.add(w.Rows.Values())
		}
		return true
	}
	if w.keep != nil {
		w.keep.drained = true
	}
	return false
}

func (w *wireRows) Err() error {
	return w.s.pastDeadline(w.Rows.Err(), w.q.Timeout, "query_timeout")
}

func (w *wireRows) Close() error {
	err := w.Rows.Close()
	w.once.Do(func() {
		w.done()
		w.s.storeWire(w.keep, w.Columns(), w.q.Rows, w.Err())
		w.s.record(w.c, w.q, w.Err())
	})
	return err
}

// Tables lists who's tenant's tables. A tool's catalog queries come in
// bursts (psql's \d sends nine), so the list is read again only when the
// catalog's version moved.
func (s *Server) Tables(ctx context.Context, who lakegate.Principal) ([]lakegate.Table, int64, error) {
	c := s.wireContext(ctx, who)
	scope, err := s.scopeOf(c)
	if err != nil {
		return nil, 0, err
	}
	cat, err := s.catalogOf(c)
	if err != nil {
		return nil, 0, err
	}
	v, err := cat.Version(ctx)
	if err != nil {
		return nil, 0, err
	}
	if held, ok := s.wireTables.Load(scope); ok && held.(tablesAt).version == v {
		return held.(tablesAt).tables, v, nil
	}
	tables, err := allTables(ctx, cat)
	if err != nil {
		return nil, 0, err
	}
	s.wireTables.Store(scope, tablesAt{version: v, tables: tables})
	return tables, v, nil
}

// tablesAt is a scope's tables at one catalog version.
type tablesAt struct {
	version int64
	tables  []lakegate.Table
}

func allTables(ctx context.Context, cat lakegate.Catalog) ([]lakegate.Table, error) {
	dbs, err := cat.Databases(ctx)
	if err != nil {
		return nil, err
	}
	var out []lakegate.Table
	for _, db := range dbs {
		ts, err := cat.Tables(ctx, db.Name)
		if err != nil {
			return nil, err
		}
		out = append(out, ts...)
	}
	return out, nil
}
