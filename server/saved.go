package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/lakegate/lakegate"
	"github.com/lakegate/lakegate/queries"
)

// savedRoutes registers the saved-query API: the canned queries shipped in
// the binary or read from queries_dir, and the ones users save per tenant.
// A run goes through the same pipeline as POST /v1/query (run in
// query.go), so formats, limits, the cache, metrics and history apply.
func (s *Server) savedRoutes(e *echo.Echo) {
	if s.opt.Queries == nil {
		all, err := queries.All()
		if err != nil {
			panic(fmt.Sprintf("server: the embedded queries do not parse: %v", err)) // a build error
		}
		lib, err := queries.NewLibrary(nil, all)
		if err != nil {
			panic(fmt.Sprintf("server: the embedded queries do not make a library: %v", err)) // a build error
		}
		s.opt.Queries = lib
	}
	e.GET("/v1/saved", s.listSaved)
	e.POST("/v1/saved", s.postSaved)
	e.GET("/v1/saved/:name", s.getSaved)
	e.DELETE("/v1/saved/:name", s.deleteSaved)
	e.GET("/v1/saved/:name/run", s.runSaved)
	e.POST("/v1/saved/:name/run", s.runSaved)
}

func (s *Server) listSaved(c echo.Context) error {
	qs, err := s.opt.Queries.List(c.Request().Context(), principalOf(c).Tenant)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, savedListAnswer{OK: true, Queries: qs})
}

func (s *Server) getSaved(c echo.Context) error {
	q, err := s.opt.Queries.Get(c.Request().Context(), principalOf(c).Tenant, c.Param("name"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, savedAnswer{OK: true, Query: q})
}

func (s *Server) deleteSaved(c echo.Context) error {
	name := c.Param("name")
	if err := s.opt.Queries.Delete(c.Request().Context(), principalOf(c), name); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, deletedAnswer{OK: true, Deleted: name})
}

// savedBody is a query to save, as JSON.
type savedBody struct {
	Name        string           `json:"name"`
	Title       string           `json:"title"`
	Description string           `json:"description"`
	Chart       string           `json:"chart"`
	Params      []lakegate.Param `json:"params"`
	SQL         string           `json:"sql"`
}

// postSaved saves a query for the caller's tenant: a JSON body
// ({"name", "title", "description", "chart", "params", "sql"}) or the
// .sql file format (Content-Type application/sql or text/plain).
func (s *Server) postSaved(c echo.Context) error {
	body, mt, err := s.readRaw(c)
	if err != nil {
		return err
	}
	var q queries.Query
	switch {
	case mt == "application/sql" || mt == "text/plain" || !looksJSON(body) && mt != "application/json":
		if q, err = queries.Parse(string(body)); err != nil {
			return lakegate.Errorf(lakegate.EINVALID, "bad query file: %s", strings.TrimPrefix(lakegate.ErrorMessage(err), "invalid: "))
		}
	default:
		var b savedBody
		if err := strictJSON(body, &b, "name, title, description, chart, params and sql"); err != nil {
			return err
		}
		q = queries.Query{Name: b.Name, Title: b.Title, Description: b.Description, Chart: b.Chart, Params: b.Params, SQL: b.SQL}
	}
	saved, err := s.opt.Queries.Save(c.Request().Context(), principalOf(c), q)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, "/v1/saved/"+url.PathEscape(saved.Name))
	return c.JSON(http.StatusCreated, savedAnswer{OK: true, Query: saved})
}

// runBody is the optional JSON body of POST /v1/saved/{name}/run.
type runBody struct {
	Params    map[string]any `json:"params"`
	Format    string         `json:"format"`
	TimeoutMS *int64         `json:"timeout_ms"`
	Engine    string         `json:"engine"`
}

// runSaved runs a query with its parameters from the query string
// (?threshold=0.8) and, on POST, the JSON body's "params"; every value is
// checked against its declared type and the defaults fill in the rest.
// Requests refused before the query pipeline are logged, counted and kept
// in history like the pipeline's own failures.
func (s *Server) runSaved(c echo.Context) error {
	s.startQuery(c)
	start := time.Now()
	req, format, err := s.savedRequest(c)
	if err != nil {
		id, _ := c.Get(queryIDKey).(string)
		s.observeQuery(c.Request().Context(), finished{ID: id, User: userOf(c), SQL: req.SQL, Format: format, Start: start, Err: err})
		return err
	}
	return s.run(c, req, format)
}

// savedRequest turns a run request into the query pipeline's request.
func (s *Server) savedRequest(c echo.Context) (req request, format string, err error) {
	format = "json"
	q, err := s.opt.Queries.Get(c.Request().Context(), principalOf(c).Tenant, c.Param("name"))
	if err != nil {
		return req, format, err
	}
	req.SQL, req.Dialects = q.SQL, q.Dialects
	var body runBody
	if c.Request().Method == http.MethodPost {
		raw, _, err := s.readRaw(c)
		if err != nil {
			return req, format, err
		}
		if len(bytes.TrimSpace(raw)) > 0 {
			if err := strictJSON(raw, &body, `params, format and timeout_ms, e.g. {"params": {"threshold": 0.8}}`); err != nil {
				return req, format, err
			}
		}
	}
	values, err := runValues(c.QueryParams(), body.Params)
	if err != nil {
		return req, format, err
	}
	bound, err := queries.Bind(q, values)
	if err != nil {
		return req, format, err
	}
	if format, err = chooseFormat("", body.Format, c); err != nil {
		return req, "json", err
	}
	req.TimeoutMS, req.Engine = body.TimeoutMS, body.Engine
	req.Params, err = typedJSON(bound)
	return req, format, err
}

// runOptions are the query-string keys of the run route that are not
// parameters (queries.Reserved keeps parameters from taking them).
var runOptions = map[string]bool{"format": true, "limit": true, "timeout": true, "engine": true}

// runValues merges the query string's parameters with the body's; a
// parameter given twice is an error naming it.
func runValues(qs url.Values, body map[string]any) (map[string]any, error) {
	values := map[string]any{}
	for k, v := range body {
		values[k] = v
	}
	var twice []string
	for k, vs := range qs {
		if runOptions[k] {
			continue
		}
		if _, dup := values[k]; dup || len(vs) > 1 {
			twice = append(twice, k)
			continue
		}
		values[k] = vs[0]
	}
	if len(twice) > 0 {
		sort.Strings(twice)
		return nil, lakegate.Errorf(lakegate.EINVALID, "parameter given more than once: %s; send each once", strings.Join(twice, ", "))
	}
	return values, nil
}

// typedJSON encodes bound parameters so that run's decoding gives back the
// same Go types: a number-typed 1 stays a float (1.0), not an int64.
func typedJSON(bound map[string]any) (json.RawMessage, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	names := make([]string, 0, len(bound))
	for k := range bound {
		names = append(names, k)
	}
	sort.Strings(names)
	for i, k := range names {
		if i > 0 {
			b.WriteByte(',')
		}
		key, err := json.Marshal(k)
		if err != nil {
			return nil, err
		}
		b.Write(key)
		b.WriteByte(':')
		if f, ok := bound[k].(float64); ok {
			t := strconv.FormatFloat(f, 'g', -1, 64)
			if !strings.ContainsAny(t, ".eEnN") {
				t += ".0"
			}
			b.WriteString(t)
			continue
		}
		v, err := json.Marshal(bound[k])
		if err != nil {
			return nil, lakegate.Wrap(lakegate.EINVALID, err, "parameter %s: its value cannot be sent as JSON", k)
		}
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// readRaw reads at most MaxBodyBytes and returns the body and its media type.
func (s *Server) readRaw(c echo.Context) ([]byte, string, error) {
	r := c.Request()
	body, err := io.ReadAll(http.MaxBytesReader(c.Response(), r.Body, s.opt.MaxBodyBytes))
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return nil, "", lakegate.Errorf(lakegate.ETOOLARGE,
			"the request body is larger than max_body_bytes (%d bytes)", s.opt.MaxBodyBytes)
	}
	if err != nil {
		return nil, "", lakegate.Wrap(lakegate.ECANCELED, err, "the request body could not be read")
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get(echo.HeaderContentType))
	return body, mt, nil
}

func looksJSON(b []byte) bool { return bytes.HasPrefix(bytes.TrimSpace(b), []byte("{")) }

// strictJSON decodes one JSON object into v, refusing unknown fields;
// fields lists the known ones for the message.
func strictJSON(body []byte, v any, fields string) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	err := dec.Decode(v)
	if err == nil && dec.More() {
		err = errors.New("unexpected data after the JSON object")
	}
	if err == nil {
		return nil
	}
	var typ *json.UnmarshalTypeError
	if errors.As(err, &typ) {
		return lakegate.Errorf(lakegate.EINVALID, "bad JSON body: field %q cannot be a %s; the fields are %s", typ.Field, typ.Value, fields)
	}
	return lakegate.Errorf(lakegate.EINVALID, "bad JSON body: %v; the fields are %s", err, fields)
}
