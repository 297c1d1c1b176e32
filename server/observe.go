package server

import (
	"context"
	"encoding/json"
	"log/slog"
	"math"
	"net/http"
	"regexp"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/lakegate/lakegate"
)

// observe sets up what watches queries: the result cache, the metrics, the
// per-user history, the redaction of secrets in logs, and their routes.
func (s *Server) observe(e *echo.Echo) {
	s.log = slog.New(redactHandler{s.log.Handler()})
	s.metrics = s.opt.Metrics
	if s.metrics == nil {
		s.metrics = NewMetrics()
	}
	s.cache = newResultCache(s.opt.CacheBytes, s.metrics.cacheEvicted.Inc)
	s.history = newHistory()
	s.metrics.gauge("lakegate_queries_active", "Queries running now.", func() float64 { return float64(s.limits.Active()) })
	s.metrics.gauge("lakegate_queries_queued", "Queries waiting for a slot now.", func() float64 { return float64(s.limits.Queued()) })
	if s.cache != nil {
		s.metrics.gauge("lakegate_cache_entries", "Answers held by the result cache.", func() float64 {
			n, _ := s.cache.stats()
			return float64(n)
		})
		s.metrics.gauge("lakegate_cache_bytes", "Bytes held by the result cache (bounded by cache_bytes).", func() float64 {
			_, b := s.cache.stats()
			return float64(b)
		})
	}
	e.GET("/v1/history", s.getHistory)
	e.GET("/metrics", s.metrics.handler())
}

// historySQLMax caps the SQL text each history entry keeps in memory.
const historySQLMax = 64 << 10

// record logs one finished query: a structured log line, the metrics, the
// caller's history, the engine's query log table when it has one, and the
// result cache when the answer is to be kept.
func (s *Server) record(c echo.Context, q *call, err error) {
	s.storeCached(c, q, err)
	if q.Bytes == 0 {
		q.Bytes = c.Response().Size
	}
	s.observeQuery(c.Request().Context(), finished{ID: q.ID, User: q.User, SQL: q.SQL, Params: q.Params, Format: q.Format, Protocol: q.Protocol, Start: q.Start,
		Rows: q.Rows, Bytes: q.Bytes, Cached: q.Cached, Queued: q.Queued, Err: err, Engine: q.Engine, Home: q.Home, Route: q.Route})
}

// finished is how one query ended, as record (and any other path that
// runs queries, such as async jobs) reports it to observeQuery.
type finished struct {
	ID, User, SQL, Format string
	Protocol              string // "" for HTTP
	Params                any    // as bound: nil, map[string]any or []any
	Start                 time.Time
	Rows                  int
	Bytes                 int64
	Cached                bool
	Queued                time.Duration
	Err                   error
	// Engine ran it (or would have); its query log gets the entry. Nil
	// for a request refused before it had one: then only a server without
	// tenancy logs it, to its one engine, since any other engine could
	// belong to another tenant.
	Engine lakegate.Engine
	// Home is the scope's own engine, whose query log gets the entry
	// (nil: Engine's); Route says why Engine ran it.
	Home  lakegate.Engine
	Route lakegate.Route
}

// observeQuery writes the query's log line, counts it in the metrics, adds
// it to its user's history and appends it to the engine's query log.
func (s *Server) observeQuery(ctx context.Context, f finished) {
	elapsed := time.Since(f.Start)
	status, code, msg := http.StatusOK, "", ""
	if f.Err != nil {
		status, code, msg = Status(f.Err), lakegate.ErrorCode(f.Err), lakegate.ErrorMessage(f.Err)
	}
	params := paramsJSON(f.Params)
	eng := f.Engine
	if eng == nil && s.opt.Tenancy == nil {
		eng = s.opt.Engine
	}
	engine := s.opt.Engine.Name()
	if eng != nil {
		engine = eng.Name()
	}
	if f.Home != nil {
		eng = f.Home
	}
	s.log.Info("query", "query_id", f.ID, "user", f.User, "sql", f.SQL, "params", params, "engine", engine, "route_reason", f.Route.Reason,
		"format", f.Format, "status", status, "code", code, "rows", f.Rows, "bytes", f.Bytes,
		"elapsed_ms", ms(elapsed), "cached", f.Cached, "queued_ms", ms(f.Queued), "error", msg)
	label := "ok"
	if code != "" {
		label = code
	}
	s.metrics.observe(engine, label, elapsed.Seconds(), f.Rows, f.Bytes)
	s.metrics.routed(engine, f.Route.Rule)
	sql := f.SQL
	if len(sql) > historySQLMax {
		sql = sql[:historySQLMax] + "…"
	}
	s.history.add(f.User, historyEntry{QueryID: f.ID, StartedAt: f.Start.UTC(), SQL: sql, Params: json.RawMessage(nullJSON(params)),
		Engine: engine, RouteReason: f.Route.Reason, Format: f.Format, Status: status, Code: code, Error: msg, Rows: f.Rows, Bytes: f.Bytes,
		ElapsedMS: ms(elapsed), Cached: f.Cached})
	if ql, ok := eng.(lakegate.QueryLogger); ok {
		entry := lakegate.QueryLogEntry{ID: f.ID, User: f.User, SQL: redact(f.SQL), Params: redact(params), Engine: engine, Route: f.Route.Reason,
			Format: f.Format, Protocol: f.Protocol, Status: status, Code: code, Rows: int64(f.Rows), Bytes: f.Bytes, Elapsed: elapsed,
			Cached: f.Cached, Error: redact(msg), Start: f.Start}
		if err := ql.LogQuery(context.WithoutCancel(ctx), entry); err != nil {
			s.metrics.logErrors.Inc()
			s.log.Warn("query log table write failed", "query_id", f.ID, "err", err)
		}
	}
}

// ms renders a duration in milliseconds with microsecond precision.
func ms(d time.Duration) float64 { return math.Round(float64(d.Microseconds())) / 1000 }

// paramsJSON renders the bound parameters as JSON ("" when none).
func paramsJSON(p any) string {
	if p == nil {
		return ""
	}
	b, err := json.Marshal(p)
	if err != nil {
		return ""
	}
	return string(b)
}

func nullJSON(s string) string {
	if s == "" {
		return "null"
	}
	return s
}

// urlPassword matches the password of a URL's user info
// (scheme://user:password@host).
var urlPassword = regexp.MustCompile(`([a-zA-Z][a-zA-Z0-9+.-]*://[^/\s:@'"]*:)[^/\s@'"]+@`)

// redact masks URL passwords, such as a PostgreSQL catalog's, in text
// bound for logs.
func redact(s string) string {
	if len(s) < 8 || !containsScheme(s) {
		return s
	}
	return urlPassword.ReplaceAllString(s, "${1}****@")
}

func containsScheme(s string) bool {
	for i := 0; i+2 < len(s); i++ {
		if s[i] == ':' && s[i+1] == '/' && s[i+2] == '/' {
			return true
		}
	}
	return false
}

// redactHandler masks URL passwords in every string and error attribute of
// the server's log lines, so no code path can leak one into the logs.
type redactHandler struct{ slog.Handler }

func (h redactHandler) Handle(ctx context.Context, r slog.Record) error {
	out := slog.NewRecord(r.Time, r.Level, redact(r.Message), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(redactAttr(a))
		return true
	})
	return h.Handler.Handle(ctx, out)
}

func (h redactHandler) WithAttrs(as []slog.Attr) slog.Handler {
	out := make([]slog.Attr, len(as))
	for i, a := range as {
		out[i] = redactAttr(a)
	}
	return redactHandler{h.Handler.WithAttrs(out)}
}

func (h redactHandler) WithGroup(name string) slog.Handler {
	return redactHandler{h.Handler.WithGroup(name)}
}

func redactAttr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, redact(v.String()))
	case slog.KindGroup:
		g := v.Group()
		for i := range g {
			g[i] = redactAttr(g[i])
		}
		return slog.Attr{Key: a.Key, Value: slog.GroupValue(g...)}
	case slog.KindAny:
		if err, ok := v.Any().(error); ok {
			return slog.String(a.Key, redact(err.Error()))
		}
	}
	return a
}
