package server

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/lakegate/lakegate"
)

// Job states.
const (
	jobQueued    = "queued"
	jobRunning   = "running"
	jobSucceeded = "succeeded"
	jobFailed    = "failed"
	jobCanceled  = "canceled"
)

// job is one asynchronous query. Its result is a spill file of NDJSON: a
// first line {"columns":[...]} (jobFileHead), then one JSON array per row holding the
// values as the JSON answer renders them, so json, ndjson, csv and tsv can
// be rendered from it later without the engine. A job submitted with
// format arrow or parquet is written by the engine's export in that
// format instead (flat memory, typed columns) and served as it is.
type job struct {
	id, user, sql string
	params        any
	format        string          // the result format when GET .../result names none
	binary        bool            // the result file is format (arrow, parquet), not NDJSON
	engine        lakegate.Engine // routed at submission; the job stays on it (route.go)
	home          lakegate.Engine // the submitter's scope's engine (tenant.go)
	route         lakegate.Route
	timeout       time.Duration
	ttl           time.Duration // kept this long after it finished
	limit         string        // where timeout came from, for the 504 message
	created       time.Time
	path          string
	cancel        context.CancelFunc
	done          chan struct{} // closed when the job has finished
	rows          atomic.Int64

	mu           sync.Mutex
	state        string
	canceled     bool // DELETE asked to stop it
	started, end time.Time
	cols         []lakegate.Column
	err          error
	expiry       *time.Timer
}

// jobStore holds the jobs of one server and the directory of their results.
type jobStore struct {
	ttl   time.Duration
	spill string // Options.SpillDir

	mu   sync.Mutex
	byID map[string]*job
	dir  string // created on the first job
}

func newJobStore(ttl time.Duration, spill string) *jobStore {
	return &jobStore{ttl: ttl, spill: spill, byID: map[string]*job{}}
}

// jobRoutes registers the async job API.
func (s *Server) jobRoutes(e *echo.Echo) {
	e.POST("/v1/jobs", s.postJob)
	e.GET("/v1/jobs", s.listJobs)
	e.GET("/v1/jobs/:id", s.getJob)
	e.GET("/v1/jobs/:id/result", s.jobResult)
	e.DELETE("/v1/jobs/:id", s.deleteJob)
}

// postJob checks the query like POST /v1/query, takes its place in the
// admission queue and answers 202 at once; the query runs in the background.
func (s *Server) postJob(c echo.Context) error {
	s.startQuery(c)
	req, err := s.readBody(c)
	if err != nil {
		return err
	}
	j, err := s.newJob(c, req)
	if err != nil {
		return err
	}
	t, err := s.limits.enter(j.user)
	if err != nil {
		c.Response().Header().Set("Retry-After", strconv.Itoa(s.limits.retryAfter()))
		return err
	}
	if t.started() {
		j.state = jobRunning
	}
	ctx, cancel := context.WithCancel(context.Background())
	j.cancel, j.ttl = cancel, s.jobs.ttl
	if err := s.jobs.add(j); err != nil {
		cancel()
		t.release()
		return err
	}
	st := j.status() // before it runs: the answer says queued or running, no rows yet
	go s.runJob(ctx, j, t)
	c.Response().Header().Set(echo.HeaderLocation, "/v1/jobs/"+j.id)
	return c.JSON(http.StatusAccepted, st)
}

// newJob validates the request as a query would be.
func (s *Server) newJob(c echo.Context, req request) (*job, error) {
	j := &job{user: userOf(c), sql: req.SQL, created: time.Now(), state: jobQueued, done: make(chan struct{})}
	j.id, _ = c.Get(queryIDKey).(string)
	if err := checkSQL(req.SQL); err != nil {
		return nil, err
	}
	var err error
	if j.home, err = s.engineOf(c); err != nil {
		return nil, err
	}
	scope, _ := s.scopeOf(c) // engineOf checked it
	if j.route, err = s.route(c, scope, j.home, req); err != nil {
		return nil, err
	}
	j.engine = j.route.Engine
	if text, ok := req.Dialects[j.engine.Name()]; ok {
		j.sql = text
	}
	if j.params, err = decodeParams(req.Params); err != nil {
		return nil, err
	}
	if j.timeout, j.limit, err = s.requestTimeout(c, req); err != nil {
		return nil, err
	}
	if j.format, err = jobFormat(req.Format, ""); err != nil {
		return nil, err
	}
	if j.binary = binaryFormat(j.format); j.binary {
		if ex, ok := j.engine.(lakegate.Exporter); !ok || !exports(ex, j.format) {
			return nil, lakegate.Errorf(lakegate.EINVALID, "format %s needs an engine that exports files; the %s engine's jobs answer json, ndjson, csv and tsv", j.format, j.engine.Name())
		}
	}
	return j, nil
}

// runJob waits for a slot, runs the query into the job's file and records
// how it ended.
func (s *Server) runJob(ctx context.Context, j *job, t *ticket) {
	defer close(j.done)
	defer j.cancel()
	if err := t.wait(ctx); err != nil {
		s.finishJob(j, err)
		return
	}
	defer t.release()
	j.mu.Lock()
	j.state, j.started = jobRunning, time.Now()
	j.mu.Unlock()
	qctx, cancel := context.WithTimeout(ctx, j.timeout)
	defer cancel()
	err := s.spillJob(qctx, j)
	s.finishJob(j, s.pastDeadline(err, j.timeout, j.limit))
}

// spillJob runs the query and writes its rows to the job's file.
func (s *Server) spillJob(ctx context.Context, j *job) error {
	if j.binary {
		return s.exportJob(ctx, j)
	}
	rs, err := j.engine.Query(ctx, lakegate.Query{ID: j.id, SQL: j.sql, Params: j.params})
	if err != nil {
		return err
	}
	defer rs.Close()
	cols := rs.Columns()
	j.mu.Lock()
	j.cols = cols
	j.mu.Unlock()
	f, err := os.Create(j.path)
	if err != nil {
		return lakegate.Wrap(lakegate.EUNAVAILABLE, err, "cannot write the job's result to spill_dir")
	}
	defer f.Close()
	w := bufio.NewWriterSize(f, 1<<16)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(jobFileHead{Columns: cols}); err != nil {
		return lakegate.Wrap(lakegate.EUNAVAILABLE, err, "cannot write the job's result to spill_dir")
	}
	row := make([]any, len(cols))
	for rs.Next() {
		for i, v := range rs.Values() {
			row[i] = jsonValue(v, cols[i].Type)
		}
		if err := enc.Encode(row); err != nil {
			return lakegate.Wrap(lakegate.EUNAVAILABLE, err, "cannot write the job's result to spill_dir")
		}
		j.rows.Add(1)
	}
	if err := rs.Err(); err != nil {
		return err
	}
	if err := w.Flush(); err != nil {
		return lakegate.Wrap(lakegate.EUNAVAILABLE, err, "cannot write the job's result to spill_dir")
	}
	return f.Close()
}

// finishJob records the outcome, logs it and schedules the job's expiry.
func (s *Server) finishJob(j *job, err error) {
	j.mu.Lock()
	j.end, j.err = time.Now(), err
	switch {
	case err == nil:
		j.state = jobSucceeded
	case j.canceled && lakegate.ErrorCode(err) == lakegate.ECANCELED:
		j.state = jobCanceled
	default:
		j.state = jobFailed
	}
	state := j.state
	j.expiry = time.AfterFunc(j.ttl, func() { s.jobs.remove(j) })
	j.mu.Unlock()
	if err != nil {
		os.Remove(j.path) // a partial result is never served
	}
	if lakegate.ErrorCode(err) == lakegate.EINTERNAL {
		s.log.Error("internal error", "query_id", j.id, "path", "/v1/jobs", "err", err)
	}
	// A job is a query like any other: its log line, metrics, history
	// entry and query-log row come from the same place.
	s.observeQuery(context.Background(), finished{ID: j.id, User: j.user, SQL: j.sql, Params: j.params,
		Format: j.format, Start: j.created, Rows: int(j.rows.Load()), Err: err, Engine: j.engine,
		Home: j.home, Route: j.route})
	s.log.Debug("job finished", "query_id", j.id, "state", state)
}

// jobStatus is the answer of POST /v1/jobs, GET and DELETE /v1/jobs/{id}.
type jobStatus struct {
	OK          bool              `json:"ok"`
	JobID       string            `json:"job_id"`
	QueryID     string            `json:"query_id"`
	State       string            `json:"state"`
	Created     string            `json:"created"`
	Engine      string            `json:"engine"`
	RouteReason string            `json:"route_reason"`
	ElapsedMS   float64           `json:"elapsed_ms"`
	Rows        int64             `json:"rows"`
	Columns     []lakegate.Column `json:"columns,omitempty"`
	Error       *errorInfo        `json:"error,omitempty"`
	Result      string            `json:"result,omitempty"`
	ExpiresAt   string            `json:"expires_at,omitempty"`
	Deleted     bool              `json:"deleted,omitempty"`
}

func (j *job) status() jobStatus {
	j.mu.Lock()
	defer j.mu.Unlock()
	st := jobStatus{OK: true, JobID: j.id, QueryID: j.id, State: j.state, Created: j.created.UTC().Format(time.RFC3339Nano),
		Engine: j.engine.Name(), RouteReason: j.route.Reason,
		Rows: j.rows.Load(), Columns: j.cols}
	end := time.Now()
	if !j.end.IsZero() {
		end = j.end
		st.ExpiresAt = j.end.UTC().Add(j.ttl).Format(time.RFC3339)
	}
	st.ElapsedMS = math.Round(float64(end.Sub(j.created).Microseconds())/10) / 100
	if j.err != nil && j.state == jobFailed {
		st.Error = &errorInfo{Code: lakegate.ErrorCode(j.err), Message: lakegate.ErrorMessage(j.err)}
	}
	if j.state == jobSucceeded {
		st.Result = "/v1/jobs/" + j.id + "/result"
	}
	return st
}

// getJob answers the job's state.
func (s *Server) getJob(c echo.Context) error {
	j, err := s.jobs.lookup(c)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, j.status())
}

// deleteJob cancels a queued or running job (it stays, canceled, until it
// expires) or deletes a finished one and its result.
func (s *Server) deleteJob(c echo.Context) error {
	j, err := s.jobs.lookup(c)
	if err != nil {
		return err
	}
	select {
	case <-j.done:
		s.jobs.remove(j)
		st := j.status()
		st.Deleted, st.ExpiresAt, st.Result = true, "", ""
		return c.JSON(http.StatusOK, st)
	default:
	}
	j.mu.Lock()
	j.canceled = true
	j.mu.Unlock()
	j.cancel()
	select {
	case <-j.done: // the engine stops within about 500 ms
	case <-c.Request().Context().Done():
		return lakegate.Wrap(lakegate.ECANCELED, c.Request().Context().Err(), "the request was canceled")
	}
	return c.JSON(http.StatusOK, j.status())
}

// jobResult streams a succeeded job's result as JSON (every row, the
// query answer's shape plus job_id) or CSV.
func (s *Server) jobResult(c echo.Context) error {
	j, err := s.jobs.lookup(c)
	if err != nil {
		return err
	}
	format, err := jobFormat(c.QueryParam("format"), j.format)
	if err == nil {
		err = j.resultFormat(format)
	}
	if err != nil {
		return err
	}
	st := j.status()
	if st.State != jobSucceeded {
		return lakegate.Errorf(lakegate.ECONFLICT, "the job has no result: its state is %s and only succeeded jobs have one; poll GET /v1/jobs/{id} for its state and error", st.State)
	}
	f, err := os.Open(j.path)
	if errors.Is(err, os.ErrNotExist) {
		return jobNotFound(j.id, s.jobs.ttl) // expired or deleted meanwhile
	}
	if err != nil {
		return lakegate.Wrap(lakegate.EUNAVAILABLE, err, "cannot read the job's result from spill_dir")
	}
	defer f.Close()
	c.Response().Header().Set("X-Query-Id", j.id)
	err = s.writeJobResult(c.Response(), f, format, st)
	if err != nil {
		s.log.Error("job result cut short", "query_id", j.id, "err", err)
		panic(http.ErrAbortHandler) // a client never mistakes a cut answer for a whole one
	}
	return nil
}

// jobFormat is the requested result format, else the job's, else JSON.
func jobFormat(requested, fallback string) (string, error) {
	f := strings.ToLower(strings.TrimSpace(requested))
	if f == "" {
		f = fallback
	}
	if f == "" {
		return "json", nil
	}
	if _, ok := formatNamed(f); !ok {
		return "", lakegate.Errorf(lakegate.EINVALID, "unknown job result format %q: use one of %s", f, formatList())
	}
	return f, nil
}

// binaryFormat tells the formats a job's result is written in directly.
func binaryFormat(f string) bool { return f == lakegate.FormatArrow || f == lakegate.FormatParquet }

// resultFormat checks that a job's result can be served in format: a
// text result in any text format, a binary one only as itself.
func (j *job) resultFormat(format string) error {
	switch {
	case j.binary && format != j.format:
		return lakegate.Errorf(lakegate.EINVALID, "job %s was submitted with format %s, so its result is %s only; submit it again with the format you need", j.id, j.format, j.format)
	case !j.binary && binaryFormat(format):
		return lakegate.Errorf(lakegate.EINVALID, "job %s was submitted for a text result (json, ndjson, csv, tsv); submit it with \"format\": %q to fetch it as %s", j.id, format, format)
	}
	return nil
}

// add registers a job and gives it its result path.
func (js *jobStore) add(j *job) error {
	js.mu.Lock()
	defer js.mu.Unlock()
	if js.dir == "" {
		dir, err := os.MkdirTemp(js.spill, "lakegate-jobs-")
		if err != nil {
			return lakegate.Wrap(lakegate.EUNAVAILABLE, err, "cannot create the job directory in spill_dir")
		}
		js.dir = dir
	}
	ext := "ndjson"
	if j.binary {
		ext = j.format
	}
	j.path = filepath.Join(js.dir, j.id+"."+ext)
	js.byID[j.id] = j
	return nil
}

// lookup finds the caller's job named by :id; other users' jobs are as
// unknown as jobs that never existed.
func (js *jobStore) lookup(c echo.Context) (*job, error) {
	id := c.Param("id")
	js.mu.Lock()
	j, ok := js.byID[id]
	js.mu.Unlock()
	if !ok || j.user != userOf(c) {
		return nil, jobNotFound(id, js.ttl)
	}
	return j, nil
}

func jobNotFound(id string, ttl time.Duration) error {
	return lakegate.Errorf(lakegate.ENOTFOUND, "no job %q: jobs are kept job_ttl (%s) after they finish; submit it again with POST /v1/jobs", id, ttl)
}

// remove forgets a job and deletes its result.
func (js *jobStore) remove(j *job) {
	js.mu.Lock()
	if js.byID[j.id] == j {
		delete(js.byID, j.id)
	}
	js.mu.Unlock()
	j.mu.Lock()
	if j.expiry != nil {
		j.expiry.Stop()
	}
	j.mu.Unlock()
	os.Remove(j.path)
}

// close cancels every job, waits for them until ctx ends and removes the
// job directory.
func (js *jobStore) close(ctx context.Context) error {
	js.mu.Lock()
	jobs := make([]*job, 0, len(js.byID))
	for _, j := range js.byID {
		jobs = append(jobs, j)
	}
	dir := js.dir
	js.mu.Unlock()
	for _, j := range jobs {
		j.cancel()
	}
	for _, j := range jobs {
		select {
		case <-j.done:
		case <-ctx.Done():
			return ctx.Err()
		}
		js.remove(j)
	}
	if dir != "" {
		return os.RemoveAll(dir)
	}
	return nil
}
