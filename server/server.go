// Package server is lakegate's HTTP API (echo): SQL in, JSON or CSV out,
// plus the table list and a health check. Handlers return errors; one
// error handler turns them into the fixed error shape.
package server

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/lakegate/lakegate"
	"github.com/lakegate/lakegate/queries"
)

// Options configures the server. Each limit is a setting of config's
// table (the setting is named beside it); a zero limit takes that
// setting's default, except MaxQueued and CacheBytes, where zero means
// none (cmd/lakegate passes the settings' values, 64 and 64 MiB by
// default).
type Options struct {
	Engine  lakegate.Engine
	Catalog lakegate.Catalog
	// MaxRows caps the rows of an answer (truncated beyond it): max_rows.
	MaxRows int
	// Timeout is each query's deadline: query_timeout.
	Timeout time.Duration
	// MaxBodyBytes caps a request body; larger bodies get 413: max_body_bytes.
	MaxBodyBytes int64
	// Logger receives one line per query and the details of internal
	// errors. Default slog.Default().
	Logger *slog.Logger
	// UI, when set, serves the browser query page at / and its assets
	// under /ui/.
	UI http.Handler
	// MaxConcurrent and MaxConcurrentPerUser bound running queries
	// (max_concurrent, max_concurrent_per_user); MaxQueued and QueueWait
	// bound the wait for a slot, then 429 (max_queued, queue_wait;
	// MaxQueued 0: nobody waits).
	MaxConcurrent, MaxConcurrentPerUser, MaxQueued int
	QueueWait                                      time.Duration
	// CacheBytes sizes the result cache (cache_bytes; 0: off).
	CacheBytes int64
	// JobTTL is how long finished async jobs keep their results: job_ttl.
	JobTTL time.Duration
	// SpillDir holds temporary files of exports and jobs ("": os.TempDir()).
	SpillDir string
	// Ingest, when set, lands uploads of POST /v1/ingest/assessments
	// (publisher) into the caller's tenant; MaxIngestBytes caps one upload
	// (max_ingest_bytes).
	Ingest         Ingester
	MaxIngestBytes int64
	// Events, when set, takes the events of POST and GET
	// /v1/events/{stream} (sender) into the caller's tenant's log;
	// EventTypeField (event_type_field) names an event's type, the stream
	// when the event names none; EventHeaders (event_headers) are added
	// to every event with received_at; MaxEventBytes caps a body.
	Events         EventLogs
	EventTypeField string
	EventHeaders   []string
	MaxEventBytes  int64
	// Tenancy, when set, gives each tenant its own engine and catalog
	// (tenant.go); Engine and Catalog then serve the default tenant's
	// health check and name the engine.
	Tenancy lakegate.Tenancy
	// Router picks each query's engine in its scope (engine/router); nil:
	// the scope's engine answers, and only it may be asked for.
	Router lakegate.Router
	// Metrics, when set, is the registry served at /metrics, so code
	// outside the server (demo's ingest) can count in it; default a new one.
	Metrics *Metrics
	// LakeCheck, when set, tells /healthz whether the lake can be read.
	LakeCheck func(ctx context.Context) error
	// Queries are the saved queries served under /v1/saved: the canned
	// ones and a store for users' own (saved.go); default the embedded
	// canned queries alone, nothing can be saved.
	Queries *queries.Library
	// Auth says who may call: a token store, or None (auth.go). The zero
	// value lets nobody in.
	Auth AuthOptions
}

// Server serves the HTTP API.
type Server struct {
	opt  Options
	echo *echo.Echo
	http *http.Server
	log  *slog.Logger
	// cache, metrics and history watch queries (cache.go, metrics.go,
	// history.go; set up by observe in observe.go).
	cache   *resultCache
	metrics *Metrics
	history *history
	limits  *limiter  // admission: running and queued queries (limits.go)
	jobs    *jobStore // async jobs (jobs.go)
	auth    *auth     // who is calling (auth.go)
	// wireTables keeps each scope's table list at its catalog version,
	// for the catalog queries of other protocols (wire.go).
	wireTables sync.Map
}

// New builds the server and its routes.
func New(opt Options) *Server {
	opt.withDefaults()
	s := &Server{opt: opt, log: opt.Logger,
		limits: newLimiter(opt.MaxConcurrent, opt.MaxConcurrentPerUser, opt.MaxQueued, opt.QueueWait),
		jobs:   newJobStore(opt.JobTTL, opt.SpillDir)}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = s.handleError
	s.useAuth(e) // before every route
	e.POST("/v1/query", s.postQuery)
	for _, f := range formats {
		e.GET("/v1/query."+f.name, s.getQuery(f.name)) // e.g. /v1/query.csv for pandas.read_csv
	}
	e.GET("/v1/tables", s.tables)
	e.POST("/v1/ingest/assessments", s.postIngest)
	e.POST("/v1/events/:stream", s.countEvents(s.postEvents))
	e.GET("/v1/events/:stream", s.countEvents(s.getEvent))
	e.GET("/healthz", s.health)
	s.catalogRoutes(e)
	s.observe(e)
	s.jobRoutes(e)
	s.savedRoutes(e)
	if opt.UI != nil {
		e.GET("/", echo.WrapHandler(opt.UI))
		e.GET("/ui/*", echo.WrapHandler(http.StripPrefix("/ui", opt.UI)))
	}
	s.echo = e
	s.http = &http.Server{Handler: e, ReadHeaderTimeout: 10 * time.Second}
	return s
}

// Handler is the API as an http.Handler, e.g. for httptest.
func (s *Server) Handler() http.Handler { return s.echo }

// Start listens on addr and serves until Shutdown, then returns
// http.ErrServerClosed.
func (s *Server) Start(addr string) error {
	s.http.Addr = addr
	return s.http.ListenAndServe()
}

// Serve serves on an open listener until Shutdown, then returns
// http.ErrServerClosed. Use it to learn the port of ":0" before serving.
func (s *Server) Serve(ln net.Listener) error {
	return s.http.Serve(ln)
}

// Shutdown stops accepting requests and waits for running ones until ctx
// ends, then cancels async jobs and removes their results.
func (s *Server) Shutdown(ctx context.Context) error {
	err := s.http.Shutdown(ctx)
	if jerr := s.jobs.close(ctx); err == nil {
		err = jerr
	}
	return err
}

// StatusClientClosed is the status logged when the client went away
// before its answer (nginx's 499).
const StatusClientClosed = 499

// statuses maps application error codes to HTTP statuses.
var statuses = map[string]int{
	lakegate.EINVALID:      http.StatusBadRequest,
	lakegate.EUNAUTHORIZED: http.StatusUnauthorized,
	lakegate.EFORBIDDEN:    http.StatusForbidden,
	lakegate.ENOTFOUND:     http.StatusNotFound,
	lakegate.ECONFLICT:     http.StatusConflict,
	lakegate.ETIMEOUT:      http.StatusGatewayTimeout,
	lakegate.ECANCELED:     StatusClientClosed,
	lakegate.EUNAVAILABLE:  http.StatusServiceUnavailable,
	lakegate.EBUSY:         http.StatusTooManyRequests,
	lakegate.ENOMEM:        http.StatusInsufficientStorage,
	lakegate.ETOOLARGE:     http.StatusRequestEntityTooLarge,
	lakegate.EMETHOD:       http.StatusMethodNotAllowed,
	lakegate.EINTERNAL:     http.StatusInternalServerError,
}

// Status is the HTTP status of an error's code.
func Status(err error) int {
	if s, ok := statuses[lakegate.ErrorCode(err)]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// errorBody is the fixed error shape.
type errorBody struct {
	OK      bool      `json:"ok"`
	Error   errorInfo `json:"error"`
	QueryID string    `json:"query_id,omitempty"`
}

type errorInfo struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// handleError is the one place errors become responses: the status
// comes from the error's code (Status). Echo's own errors (unknown route,
// wrong method) get a code and a message that says what to do.
func (s *Server) handleError(err error, c echo.Context) {
	var he *echo.HTTPError
	if errors.As(err, &he) {
		err = s.fromHTTPError(c, he)
	}
	status, code, msg := Status(err), lakegate.ErrorCode(err), lakegate.ErrorMessage(err)
	qid, _ := c.Get(queryIDKey).(string)
	switch code {
	case lakegate.EINTERNAL:
		s.log.Error("internal error", "query_id", qid, "method", c.Request().Method, "path", c.Path(), "err", err)
	case lakegate.ECANCELED:
		s.log.Info("client went away", "query_id", qid, "path", c.Path())
	}
	if c.Response().Committed {
		return // a streamed answer failed midway; the handler aborts it
	}
	body := errorBody{Error: errorInfo{Code: code, Message: msg}, QueryID: qid}
	if err := c.JSON(status, body); err != nil {
		s.log.Debug("cannot write the error response", "err", err)
	}
}

// fromHTTPError gives echo's errors an application code and a message
// that says how to get it right, from the routes the server has.
func (s *Server) fromHTTPError(c echo.Context, he *echo.HTTPError) error {
	r := c.Request()
	switch he.Code {
	case http.StatusNotFound:
		return lakegate.Errorf(lakegate.ENOTFOUND, "no route %s %s; the API has %s", r.Method, r.URL.Path, s.routeList())
	case http.StatusMethodNotAllowed:
		allowed := s.methodsOf(c.Path())
		c.Response().Header().Set(echo.HeaderAllow, strings.Join(allowed, ", "))
		hint := ""
		if c.Path() == "/v1/query" {
			hint = "; a query with GET goes to /v1/query.json?sql=... (or .csv, .ndjson, ...)"
		}
		return lakegate.Errorf(lakegate.EMETHOD, "method %s is not allowed on %s: use %s%s", r.Method, r.URL.Path, strings.Join(allowed, " or "), hint)
	case http.StatusRequestEntityTooLarge:
		return lakegate.Errorf(lakegate.ETOOLARGE, "the request body is too large")
	}
	code := lakegate.EINTERNAL
	if he.Code >= 400 && he.Code < 500 {
		code = lakegate.EINVALID
	}
	return lakegate.Wrap(code, he, "%s", http.StatusText(he.Code))
}

// routeList names every route, e.g. "GET /healthz, POST /v1/query, ...",
// one entry per path, sorted.
func (s *Server) routeList() string {
	var paths []string
	methods := map[string][]string{}
	for _, rt := range s.echo.Routes() {
		if strings.HasPrefix(rt.Path, "/ui/") || rt.Method == echo.RouteNotFound {
			continue
		}
		if _, ok := methods[rt.Path]; !ok {
			paths = append(paths, rt.Path)
		}
		methods[rt.Path] = append(methods[rt.Path], rt.Method)
	}
	sort.Strings(paths)
	out := make([]string, len(paths))
	for i, p := range paths {
		sort.Strings(methods[p])
		out[i] = strings.Join(methods[p], " and ") + " " + p
	}
	return strings.Join(out, ", ")
}

// methodsOf lists the methods of the route at path.
func (s *Server) methodsOf(path string) []string {
	var ms []string
	for _, rt := range s.echo.Routes() {
		if rt.Path == path {
			ms = append(ms, rt.Method)
		}
	}
	sort.Strings(ms)
	return ms
}

// health answers whether the catalog can be read. It needs no token, so
// it does not say the catalog version: that moves with every tenant's
// commits and would tell anyone when another tenant lands data.
//
// The lake is checked too (Options.LakeCheck): a lake that cannot be read
// makes the answer "degraded", still 200, since queries over copies the
// engine keeps (an HDFS lake's cache) still answer; its details are only
// logged.
func (s *Server) health(c echo.Context) error {
	ctx := c.Request().Context()
	if _, err := s.opt.Catalog.Version(ctx); err != nil {
		return err
	}
	a := healthAnswer{OK: true, Status: "ok", Lake: "ok", Version: lakegate.Version, Engine: s.opt.Engine.Name()}
	if s.opt.LakeCheck != nil {
		if err := s.opt.LakeCheck(ctx); err != nil {
			s.log.Warn("the lake cannot be read", "err", err)
			a.Status, a.Lake = "degraded", "unavailable"
		}
	}
	return c.JSON(http.StatusOK, a)
}

// tables lists every table of every database.
func (s *Server) tables(c echo.Context) error {
	ctx := c.Request().Context()
	cat, err := s.catalogOf(c)
	if err != nil {
		return err
	}
	dbs, err := cat.Databases(ctx)
	if err != nil {
		return err
	}
	out := []lakegate.Table{}
	for _, d := range dbs {
		ts, err := cat.Tables(ctx, d.Name)
		if lakegate.ErrorCode(err) == lakegate.ENOTFOUND {
			continue // dropped between the two calls
		}
		if err != nil {
			return err
		}
		out = append(out, ts...)
	}
	return c.JSON(http.StatusOK, tablesAnswer{OK: true, Tables: out})
}
