package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/lakegate/lakegate"
)

const queryIDKey = "query_id"

// request is one query as the client sent it.
type request struct {
	SQL    string          `json:"sql"`
	Params json.RawMessage `json:"params"`
	Format string          `json:"format"`
	// TimeoutMS asks for a deadline shorter than Options.Timeout.
	TimeoutMS *int64 `json:"timeout_ms"`
	// Engine asks for auto (the default), duckdb or presto (route.go).
	Engine string `json:"engine"`
	// Dialects are a saved query's texts for engines whose SQL differs.
	Dialects map[string]string `json:"-"`
}

const missingSQL = `missing SQL: send {"sql": ...} or a text/plain body`

// checkSQL refuses an empty text, and one holding a NUL byte: DuckDB would
// run the text up to the NUL while the cache, history and logs kept all
// of it.
func checkSQL(text string) error {
	switch {
	case strings.TrimSpace(text) == "":
		return lakegate.Errorf(lakegate.EINVALID, missingSQL)
	case strings.ContainsRune(text, 0):
		return lakegate.Errorf(lakegate.EINVALID, "the SQL holds a NUL byte (\\u0000); remove it")
	}
	return nil
}

// postQuery runs the SQL of a JSON body, or of a raw application/sql or
// text/plain body.
func (s *Server) postQuery(c echo.Context) error {
	s.startQuery(c)
	req, err := s.readBody(c)
	if err != nil {
		return err
	}
	format, err := chooseFormat("", req.Format, c)
	if err != nil {
		return err
	}
	return s.run(c, req, format)
}

// getQuery serves the one-liners GET /v1/query.csv?sql=... and
// /v1/query.json?sql=..., e.g. for pandas.read_csv.
func (s *Server) getQuery(format string) echo.HandlerFunc {
	return func(c echo.Context) error {
		s.startQuery(c)
		req := request{SQL: c.QueryParam("sql")}
		if p := c.QueryParam("params"); p != "" {
			req.Params = json.RawMessage(p)
		}
		return s.run(c, req, format)
	}
}

func (s *Server) startQuery(c echo.Context) {
	id := uuid.NewString()
	c.Set(queryIDKey, id)
	c.Response().Header().Set("X-Query-Id", id)
}

// readBody reads at most MaxBodyBytes and decodes it by Content-Type.
func (s *Server) readBody(c echo.Context) (request, error) {
	r := c.Request()
	body, err := io.ReadAll(http.MaxBytesReader(c.Response(), r.Body, s.opt.MaxBodyBytes))
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return request{}, lakegate.Errorf(lakegate.ETOOLARGE,
			"the request body is larger than max_body_bytes (%d bytes); send a shorter query", s.opt.MaxBodyBytes)
	}
	if err != nil {
		return request{}, lakegate.Wrap(lakegate.ECANCELED, err, "the request body could not be read")
	}
	ct := r.Header.Get(echo.HeaderContentType)
	mt, _, _ := mime.ParseMediaType(ct)
	switch mt {
	case "application/json":
		return decodeJSON(body)
	case "application/sql", "text/plain":
		return request{SQL: string(body)}, nil
	case "", "application/x-www-form-urlencoded":
		// curl -d without -H sends a form type: take the body as sent,
		// JSON when it looks like an object, else SQL.
		if bytes.HasPrefix(bytes.TrimSpace(body), []byte("{")) {
			return decodeJSON(body)
		}
		return request{SQL: string(body)}, nil
	}
	return request{}, lakegate.Errorf(lakegate.EINVALID,
		"unsupported Content-Type %q: send application/json ({\"sql\": ...}), application/sql or text/plain", ct)
}

// decodeJSON decodes the JSON body strictly, naming what is wrong.
func decodeJSON(body []byte) (request, error) {
	var req request
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	err := dec.Decode(&req)
	if err == nil && dec.More() {
		err = errors.New("unexpected data after the JSON object")
	}
	if err == nil {
		return req, nil
	}
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.EOF):
		return req, lakegate.Errorf(lakegate.EINVALID, missingSQL)
	case errors.As(err, &syn):
		return req, lakegate.Errorf(lakegate.EINVALID, "bad JSON body at byte %d: %v; send {\"sql\": \"SELECT ...\"}", syn.Offset, syn)
	case errors.As(err, &typ):
		return req, lakegate.Errorf(lakegate.EINVALID, "bad JSON body: field %q must be a %s, not a %s", typ.Field, jsonKind(typ.Field), typ.Value)
	}
	return req, lakegate.Errorf(lakegate.EINVALID, "bad JSON body: %v; the fields are sql, params, format and timeout_ms", err)
}

func jsonKind(field string) string {
	switch field {
	case "params":
		return "object or array"
	case "timeout_ms":
		return "whole number of milliseconds"
	}
	return "string"
}

// run executes the query under the request's deadline and writes the
// answer; it logs one line per query.
// call is one query on its way through the server. Each stage fills in
// what it learns: admission (limits.go), the result cache (cache.go),
// execution and rendering (query.go, render.go) and the record of the
// query (observe.go).
type call struct {
	ID      string
	User    string // the principal's name; "anonymous" until authentication exists
	SQL     string
	Params  any
	Format  string
	Limit   int           // most rows to return; 0 = unlimited (streaming formats only)
	Timeout time.Duration // this query's deadline, at most Options.Timeout
	NoCache bool          // Cache-Control: no-cache
	Start   time.Time
	Rows    int   // rows sent
	Bytes   int64 // body bytes sent
	Cached  bool  // answered from the result cache
	Queued  time.Duration
	Engine  lakegate.Engine // the routed engine that answers (route.go)
	Home    lakegate.Engine // the scope's own engine (tenant.go), whose query log gets the entry
	Route   lakegate.Route
	Scope   string
	// Protocol is the wire protocol of a query that did not come over
	// HTTP (wire.go); "" for HTTP.
	Protocol string
}

// run is the pipeline of one query: check, admit, answer from the cache or
// the engine, record.
func (s *Server) run(c echo.Context, req request, format string) (err error) {
	q := &call{Start: time.Now(), Format: format, SQL: req.SQL, User: userOf(c), Limit: s.opt.MaxRows, Timeout: s.opt.Timeout}
	q.ID, _ = c.Get(queryIDKey).(string)
	defer func() { s.record(c, q, err) }()
	if err := checkSQL(req.SQL); err != nil {
		return err
	}
	if q.Scope, err = s.scopeOf(c); err != nil {
		return err
	}
	if q.Home, err = s.engineOf(c); err != nil {
		return err
	}
	if q.Route, err = s.route(c, q.Scope, q.Home, req); err != nil {
		return err
	}
	q.Engine = q.Route.Engine
	if text, ok := req.Dialects[q.Engine.Name()]; ok {
		q.SQL = text
	}
	var limit string
	if q.Timeout, limit, err = s.requestTimeout(c, req); err != nil {
		return err
	}
	defer func() { err = s.pastDeadline(err, q.Timeout, limit) }()
	if q.Params, err = decodeParams(req.Params); err != nil {
		return err
	}
	if q.Limit, err = s.chooseLimit(c, q.Format); err != nil {
		return err
	}
	// A cache hit costs microseconds, so it does not wait for a slot.
	if hit, err := s.serveCached(c, q); hit || err != nil {
		return err
	}
	release, err := s.admit(c, q)
	if err != nil {
		return err
	}
	defer release()
	return s.execute(c, q)
}

// requestTimeout is the deadline the request asks for, the body's
// timeout_ms or else ?timeout= (a Go duration or whole milliseconds), capped
// at Options.Timeout; limit names where it came from.
func (s *Server) requestTimeout(c echo.Context, req request) (d time.Duration, limit string, err error) {
	maxMS := s.opt.Timeout.Milliseconds()
	switch p := c.QueryParam("timeout"); {
	case req.TimeoutMS != nil:
		if *req.TimeoutMS <= 0 {
			return 0, "", lakegate.Errorf(lakegate.EINVALID, "bad timeout_ms %d: send a positive number of milliseconds (at most %d)", *req.TimeoutMS, maxMS)
		}
		d, limit = time.Duration(min(*req.TimeoutMS, maxMS))*time.Millisecond, "timeout_ms"
	case p != "":
		ms, err := strconv.ParseInt(p, 10, 64)
		if err == nil {
			d = time.Duration(min(ms, maxMS)) * time.Millisecond
		} else {
			d, err = time.ParseDuration(p)
		}
		if err != nil || d <= 0 {
			return 0, "", lakegate.Errorf(lakegate.EINVALID, "bad timeout %q: send a positive Go duration such as 5s or 500ms, or whole milliseconds such as 1500 (at most %s)", p, s.opt.Timeout)
		}
		limit = "timeout"
	}
	if d == 0 || d >= s.opt.Timeout {
		return s.opt.Timeout, "query_timeout", nil
	}
	return d, limit, nil
}

// pastDeadline gives a timed-out query's error a message naming its
// deadline and how to get more time.
func (s *Server) pastDeadline(err error, d time.Duration, limit string) error {
	if lakegate.ErrorCode(err) != lakegate.ETIMEOUT {
		return err
	}
	more := "raise query_timeout"
	if limit != "query_timeout" {
		more = fmt.Sprintf("ask for a longer %s (at most %s)", limit, s.opt.Timeout)
	}
	return lakegate.Wrap(lakegate.ETIMEOUT, err, "the query ran past its %s deadline (%s); narrow it (filter on ingest_date, add LIMIT) or %s", d, limit, more)
}

// execute runs the query on the engine and renders its rows: streamed
// formats in format.go, JSON in render.go.
func (s *Server) execute(c echo.Context, q *call) error {
	if f, _ := formatNamed(q.Format); f.streamed {
		return s.stream(c, q)
	}
	rs, done, err := s.query(c, q)
	if err != nil {
		return err
	}
	defer done()
	return s.writeJSON(c, rs, q)
}

// query starts q on the engine under its deadline and the request's
// context; done closes the cursor and releases the deadline.
func (s *Server) query(c echo.Context, q *call) (rs lakegate.Rows, done func(), err error) {
	ctx, cancel := context.WithTimeout(c.Request().Context(), q.Timeout)
	rs, err = q.Engine.Query(ctx, lakegate.Query{ID: q.ID, SQL: q.SQL, Params: q.Params})
	if err != nil {
		cancel()
		return nil, nil, err
	}
	return rs, func() { rs.Close(); cancel() }, nil
}

// principalKey holds the caller (a lakegate.Principal) in the echo
// context. Authentication (auth.go) sets it on every request: the token's
// principal, lakegate.Anonymous when authentication is off.
const principalKey = "principal"

// principalOf returns the caller; a request authentication never saw
// (a bug) is nobody, with no rights and no tenant, never an admin.
func principalOf(c echo.Context) lakegate.Principal {
	if p, ok := c.Get(principalKey).(lakegate.Principal); ok && p.User != "" {
		return p
	}
	return nobody
}

// userOf names the caller, with its tenant unless that is the default one
// (user names cannot hold "@"): history, jobs, limits and the cache key
// their entries by it, so two tenants' users of one name stay apart.
func userOf(c echo.Context) string {
	p := principalOf(c)
	if p.Tenant == lakegate.DefaultTenant || p.Tenant == "" {
		return p.User
	}
	return p.User + "@" + p.Tenant
}

// decodeParams turns the JSON params into Go values the engine binds:
// integers stay exact (int64), other numbers become float64.
func decodeParams(raw json.RawMessage) (any, error) {
	if len(bytes.TrimSpace(raw)) == 0 || string(bytes.TrimSpace(raw)) == "null" {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, lakegate.Errorf(lakegate.EINVALID, "bad params: %v; send an object ({\"name\": value} for $name) or an array ([v1, v2] for ? or $1)", err)
	}
	switch v.(type) {
	case map[string]any, []any:
		return numbers(v), nil
	}
	return nil, lakegate.Errorf(lakegate.EINVALID, "params must be an object ({\"name\": value} for $name) or an array ([v1, v2] for ? or $1)")
}

func numbers(v any) any {
	switch x := v.(type) {
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return i
		}
		f, _ := x.Float64()
		return f
	case []any:
		for i := range x {
			x[i] = numbers(x[i])
		}
	case map[string]any:
		for k := range x {
			x[k] = numbers(x[k])
		}
	}
	return v
}
