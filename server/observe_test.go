package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/lakegate/lakegate"
	"github.com/lakegate/lakegate/engine/duckdb"
	"github.com/lakegate/lakegate/engine/enginetest"
	"github.com/lakegate/lakegate/server"
)

// cachedAnswer is the part of a JSON answer the cache tests look at.
type cachedAnswer struct {
	QueryID string          `json:"query_id"`
	Cached  *bool           `json:"cached"`
	Rows    json.RawMessage `json:"rows"`
}

func decodeAnswer(t *testing.T, rec *httptest.ResponseRecorder) cachedAnswer {
	t.Helper()
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	var a cachedAnswer
	if err := json.Unmarshal(rec.Body.Bytes(), &a); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, rec.Body)
	}
	return a
}

// expectCache checks the X-Lakegate-Cache header and, for JSON, the body's
// "cached" flag and query id.
func expectCache(t *testing.T, rec *httptest.ResponseRecorder, want string) cachedAnswer {
	t.Helper()
	if got := rec.Header().Get(server.CacheHeader); got != want {
		t.Errorf("%s: %q, want %q", server.CacheHeader, got, want)
	}
	if !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
		return cachedAnswer{}
	}
	a := decodeAnswer(t, rec)
	if a.Cached == nil || *a.Cached != (want == "hit") {
		t.Errorf(`"cached": %v on a %s`, a.Cached, want)
	}
	if a.QueryID != rec.Header().Get("X-Query-Id") {
		t.Errorf("body query_id %q, header %q", a.QueryID, rec.Header().Get("X-Query-Id"))
	}
	return a
}

const countSQL = "SELECT count(*) AS n FROM assessments.attempts"

func TestCacheHitMissBypass(t *testing.T) {
	f := newFixture(t, server.Options{CacheBytes: 1 << 20})
	miss := expectCache(t, f.do(t, "POST", "/v1/query", "text/plain", countSQL), "miss")
	hit := expectCache(t, f.do(t, "POST", "/v1/query", "text/plain", countSQL), "hit")
	if string(hit.Rows) != string(miss.Rows) || hit.QueryID == miss.QueryID {
		t.Errorf("hit rows %s (id %s), miss rows %s (id %s)", hit.Rows, hit.QueryID, miss.Rows, miss.QueryID)
	}
	expectCache(t, f.do(t, "POST", "/v1/query", "text/plain", countSQL, "Cache-Control", "no-cache"), "bypass")
	expectCache(t, f.do(t, "POST", "/v1/query", "text/plain", countSQL, "Cache-Control", "no-store"), "bypass")
	expectCache(t, f.do(t, "POST", "/v1/query", "text/plain", countSQL), "hit")

	// The same SQL with other parameters, in another format, is its own entry.
	params := `{"sql": "SELECT count(*) AS n FROM assessments.attempts WHERE correct >= $min", "params": {"min": 5}}`
	expectCache(t, f.do(t, "POST", "/v1/query", "application/json", params), "miss")
	expectCache(t, f.do(t, "POST", "/v1/query", "application/json", strings.Replace(params, "5", "6", 1)), "miss")
	expectCache(t, f.do(t, "POST", "/v1/query", "application/json", params), "hit")
	csvMiss := f.do(t, "GET", "/v1/query.csv?sql=SELECT+user_exam_id+FROM+assessments.attempts+ORDER+BY+1", "", "")
	csvHit := f.do(t, "GET", "/v1/query.csv?sql=SELECT+user_exam_id+FROM+assessments.attempts+ORDER+BY+1", "", "")
	expectCache(t, csvMiss, "miss")
	expectCache(t, csvHit, "hit")
	if csvHit.Body.String() != csvMiss.Body.String() || csvHit.Header().Get("Content-Type") != csvMiss.Header().Get("Content-Type") {
		t.Errorf("csv hit %q (%s), miss %q (%s)", csvHit.Body, csvHit.Header().Get("Content-Type"), csvMiss.Body, csvMiss.Header().Get("Content-Type"))
	}
	// Errors are not cached.
	for range 2 {
		if rec := f.do(t, "POST", "/v1/query", "text/plain", "SELECT * FROM assessments.nope"); rec.Code != 404 || rec.Header().Get(server.CacheHeader) != "miss" {
			t.Errorf("error: status %d, cache %q", rec.Code, rec.Header().Get(server.CacheHeader))
		}
	}
}

func TestCacheOff(t *testing.T) {
	f := newFixture(t, server.Options{})
	for range 2 {
		expectCache(t, f.do(t, "POST", "/v1/query", "text/plain", countSQL), "bypass")
	}
}

// A commit makes older answers unreachable: the same query misses and
// sees the new data, then hits again.
func TestCacheInvalidatedByCommit(t *testing.T) {
	f := newFixture(t, server.Options{CacheBytes: 1 << 20})
	before := expectCache(t, f.do(t, "POST", "/v1/query", "text/plain", countSQL), "miss")
	expectCache(t, f.do(t, "POST", "/v1/query", "text/plain", countSQL), "hit")
	f.lake.Land(t, "assessments", "attempts", "2026-01-04", enginetest.Attempts["2026-01-03"])
	after := expectCache(t, f.do(t, "POST", "/v1/query", "text/plain", countSQL), "miss")
	if string(after.Rows) == string(before.Rows) {
		t.Errorf("the count did not change after a commit: %s", after.Rows)
	}
	again := expectCache(t, f.do(t, "POST", "/v1/query", "text/plain", countSQL), "hit")
	if string(again.Rows) != string(after.Rows) {
		t.Errorf("hit %s, want %s", again.Rows, after.Rows)
	}
}

// Answers larger than an eighth of the cache are served, never stored.
func TestCacheEntryBound(t *testing.T) {
	f := newFixture(t, server.Options{CacheBytes: 8192})
	big := "SELECT repeat('x', 2000) AS s FROM range(5)"
	for range 2 {
		expectCache(t, f.do(t, "POST", "/v1/query", "text/plain", big), "miss")
	}
	expectCache(t, f.do(t, "POST", "/v1/query", "text/plain", "SELECT 1 AS one"), "miss")
	expectCache(t, f.do(t, "POST", "/v1/query", "text/plain", "SELECT 1 AS one"), "hit")
}

func TestQueryLogTable(t *testing.T) {
	f := newFixture(t, server.Options{CacheBytes: 1 << 20})
	q := `{"sql": "SELECT count(*) AS n FROM assessments.attempts WHERE correct >= $min", "params": {"min": 5}}`
	ids := []string{
		f.do(t, "POST", "/v1/query", "application/json", q).Header().Get("X-Query-Id"),
		f.do(t, "POST", "/v1/query", "application/json", q).Header().Get("X-Query-Id"),
		f.do(t, "POST", "/v1/query", "text/plain", "SELECT * FROM assessments.nope").Header().Get("X-Query-Id"),
	}
	rec := f.do(t, "GET", "/v1/query.csv?sql="+strings.ReplaceAll(
		"SELECT query_id, username, sql, params, engine, format, status, code, rows, bytes > 0, elapsed_ms >= 0, cached, error FROM lakegate.query_log ORDER BY seq",
		" ", "+"), "", "")
	want := strings.Join([]string{
		// bytes: error bodies are written after the record, so they count 0
		"query_id,username,sql,params,engine,format,status,code,rows,(bytes > 0),(elapsed_ms >= 0),cached,error",
		ids[0] + `,anonymous,SELECT count(*) AS n FROM assessments.attempts WHERE correct >= $min,"{""min"":5}",duckdb,json,200,,1,true,true,false,`,
		ids[1] + `,anonymous,SELECT count(*) AS n FROM assessments.attempts WHERE correct >= $min,"{""min"":5}",duckdb,json,200,,1,true,true,true,`,
		ids[2] + `,anonymous,SELECT * FROM assessments.nope,,duckdb,json,404,not_found,0,false,true,false,`,
	}, "\n")
	got := strings.TrimSpace(rec.Body.String())
	if !strings.HasPrefix(got, want) { // the error message is the engine's
		t.Errorf("lakegate.query_log:\n%s\nwant a prefix of each line:\n%s", got, want)
	}
	if rec := f.do(t, "POST", "/v1/query", "text/plain", "INSERT INTO lakegate.query_log (seq) VALUES (0)"); rec.Code != http.StatusForbidden {
		t.Errorf("writing the query log: status %d, want 403", rec.Code)
	}
}

func TestHistory(t *testing.T) {
	f := newFixture(t, server.Options{CacheBytes: 1 << 20})
	f.do(t, "POST", "/v1/query", "text/plain", "SELECT 1 AS one")
	f.do(t, "POST", "/v1/query", "application/json", `{"sql": "SELECT $x AS x", "params": {"x": "a"}}`)
	f.do(t, "GET", "/v1/query.csv?sql=SELECT+1+AS+one", "", "")
	f.do(t, "POST", "/v1/query", "text/plain", "SELEC 1")
	rec := f.do(t, "GET", "/v1/history?limit=3", "", "")
	if rec.Code != 200 {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	golden(t, "history", maskStarted(t, rec.Body.Bytes()))
	rec = f.do(t, "GET", "/v1/history", "", "")
	var all struct {
		Queries []struct {
			SQL string `json:"sql"`
		} `json:"queries"`
	}
	json.Unmarshal(rec.Body.Bytes(), &all)
	if len(all.Queries) != 4 || all.Queries[3].SQL != "SELECT 1 AS one" {
		t.Errorf("history: %s", rec.Body)
	}
	for _, c := range []struct{ name, target string }{
		{"error_history_bad_limit", "/v1/history?limit=abc"},
		{"error_history_limit_too_large", "/v1/history?limit=1001"},
	} {
		rec := f.do(t, "GET", c.target, "", "")
		if rec.Code != 400 {
			t.Errorf("%s: status %d", c.target, rec.Code)
		}
		golden(t, c.name, rec.Body.Bytes())
	}
}

// maskStarted masks the history's timestamps, which golden does not know.
func maskStarted(t *testing.T, body []byte) []byte {
	t.Helper()
	var v map[string]any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		t.Fatal(err)
	}
	qs, _ := v["queries"].([]any)
	for _, q := range qs {
		q.(map[string]any)["started_at"] = "<masked>"
	}
	out, _ := json.Marshal(v)
	return out
}

func TestMetrics(t *testing.T) {
	m := server.NewMetrics()
	m.CountIngest(5, 2, 1)
	f := newFixture(t, server.Options{CacheBytes: 1 << 20, Metrics: m})
	for range 3 {
		f.do(t, "POST", "/v1/query", "text/plain", countSQL)
	}
	f.do(t, "POST", "/v1/query", "text/plain", "SELEC 1")
	rec := f.do(t, "GET", "/metrics", "", "")
	if rec.Code != 200 {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(rec.Body)
	if err != nil {
		t.Fatalf("not the Prometheus text format: %v", err)
	}
	value := func(name string, labels ...string) float64 {
		t.Helper()
		fam := families[name]
		if fam == nil {
			t.Errorf("no metric %s", name)
			return -1
		}
	metrics:
		for _, m := range fam.GetMetric() {
			have := map[string]string{}
			for _, l := range m.GetLabel() {
				have[l.GetName()] = l.GetValue()
			}
			for i := 0; i+1 < len(labels); i += 2 {
				if have[labels[i]] != labels[i+1] {
					continue metrics
				}
			}
			switch {
			case m.Counter != nil:
				return m.Counter.GetValue()
			case m.Gauge != nil:
				return m.Gauge.GetValue()
			case m.Histogram != nil:
				return float64(m.Histogram.GetSampleCount())
			}
		}
		t.Errorf("no %s%v", name, labels)
		return -1
	}
	for _, c := range []struct {
		name   string
		labels []string
		want   float64
	}{
		{"lakegate_queries_total", []string{"engine", "duckdb", "status", "ok"}, 3},
		{"lakegate_queries_total", []string{"engine", "duckdb", "status", "invalid"}, 1},
		{"lakegate_query_duration_seconds", []string{"engine", "duckdb"}, 4},
		{"lakegate_query_rows_total", nil, 3},
		{"lakegate_cache_hits_total", nil, 2},
		{"lakegate_cache_misses_total", nil, 2},
		{"lakegate_cache_entries", nil, 1},
		{"lakegate_queries_active", nil, 0},
		{"lakegate_queries_queued", nil, 0},
		{"lakegate_ingest_records_total", []string{"outcome", "landed"}, 5},
		{"lakegate_ingest_records_total", []string{"outcome", "duplicate"}, 2},
		{"lakegate_ingest_records_total", []string{"outcome", "rejected"}, 1},
	} {
		if got := value(c.name, c.labels...); got != c.want {
			t.Errorf("%s%v = %v, want %v", c.name, c.labels, got, c.want)
		}
	}
	if value("lakegate_query_bytes_total") <= 0 {
		t.Error("no bytes counted")
	}
	if fam := families["lakegate_query_duration_seconds"]; fam != nil && fam.GetType().String() != "HISTOGRAM" {
		t.Errorf("duration is a %s", fam.GetType())
	}
}

// secretEngine fails like a driver whose errors carry a connection URL.
type secretEngine struct{ code string }

func (secretEngine) Name() string { return "secret" }
func (e secretEngine) Query(context.Context, lakegate.Query) (lakegate.Rows, error) {
	cause := lakegate.Errorf(lakegate.EINTERNAL, "dial postgres://lake:s3cr3t-pw@db:5432/catalog: refused")
	if e.code == lakegate.EINTERNAL {
		return nil, cause
	}
	return nil, lakegate.Wrap(e.code, cause, "catalog postgres://lake:s3cr3t-pw@db:5432/catalog is down")
}
func (secretEngine) Close() error { return nil }

// Every query's log line carries the query's fields, and no password ever
// reaches the logs, whatever path an error takes.
func TestQueryLogLines(t *testing.T) {
	f := newFixture(t, server.Options{})
	for _, format := range []string{"json", "text"} {
		for _, code := range []string{lakegate.EINTERNAL, lakegate.EUNAVAILABLE} {
			logs := &bytes.Buffer{}
			var h slog.Handler = slog.NewJSONHandler(logs, nil)
			if format == "text" {
				h = slog.NewTextHandler(logs, nil)
			}
			f.srv = server.New(server.Options{Auth: server.AuthOptions{None: true}, Engine: secretEngine{code}, Catalog: f.lake.Catalog, Logger: slog.New(h)})
			f.do(t, "POST", "/v1/query", "application/json", `{"sql": "SELECT $a", "params": {"a": 1}}`)
			if strings.Contains(logs.String(), "s3cr3t") {
				t.Errorf("%s logs, %s error: a password leaked:\n%s", format, code, logs)
			}
			if !strings.Contains(logs.String(), "lake:****@db") {
				t.Errorf("%s logs, %s error: the masked URL is missing:\n%s", format, code, logs)
			}
		}
	}
	f = newFixture(t, server.Options{})
	f.do(t, "POST", "/v1/query", "application/json", `{"sql": "SELECT $a AS a", "params": {"a": 1}}`)
	var line map[string]any
	for _, l := range strings.Split(strings.TrimSpace(f.logs.String()), "\n") {
		if strings.Contains(l, `"msg":"query"`) {
			json.Unmarshal([]byte(l), &line)
		}
	}
	for _, k := range []string{"query_id", "user", "sql", "params", "engine", "format", "status", "code", "rows", "bytes", "elapsed_ms", "cached", "error"} {
		if _, ok := line[k]; !ok {
			t.Errorf("the query line lacks %q: %v", k, line)
		}
	}
	if line["params"] != `{"a":1}` || line["rows"] != 1.0 || line["status"] != 200.0 {
		t.Errorf("query line: %v", line)
	}
}

// BenchmarkCachedQuery times a cache hit of a canned-style query through
// the whole handler (routing, admission, cache, record: log line, history,
// metrics, query log append).
func BenchmarkCachedQuery(b *testing.B) {
	l := enginetest.NewLake(b)
	for _, d := range []string{"2026-01-02", "2026-01-03"} {
		l.Land(b, "assessments", "attempts", d, enginetest.Attempts[d])
	}
	db, err := duckdb.Open(context.Background(), duckdb.Options{Catalog: l.Catalog, Store: l.Store, LakeDir: l.Dir, Threads: 2})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	srv := server.New(server.Options{Auth: server.AuthOptions{None: true}, Engine: db, Catalog: l.Catalog, CacheBytes: 64 << 20,
		Logger: slog.New(slog.NewJSONHandler(io.Discard, nil))})
	sql, _ := json.Marshal(`SELECT exam_name, count(*) AS attempts, avg(correct) AS avg_correct FROM assessments.attempts GROUP BY 1 ORDER BY 2 DESC, 1`)
	body := `{"sql": ` + string(sql) + `}`
	send := func(b *testing.B, want string) {
		req := httptest.NewRequest("POST", "/v1/query", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if want == "bypass" {
			req.Header.Set("Cache-Control", "no-cache")
		}
		rec := httptest.NewRecorder()
		srv.Handler().ServeHTTP(rec, req)
		if rec.Header().Get(server.CacheHeader) != want {
			b.Fatalf("want a %s: %d %s", want, rec.Code, rec.Body)
		}
	}
	send(b, "miss")
	// hit is the cached answer; bypass the same query computed by the
	// engine (Cache-Control: no-cache), for comparison.
	for _, want := range []string{"hit", "bypass"} {
		b.Run(want, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				send(b, want)
			}
		})
	}
}

// Two users' identical queries never share a cache entry, and each sees
// only their own history.
func TestPerUser(t *testing.T) {
	f := newFixture(t, server.Options{CacheBytes: 1 << 20})
	server.UseTestUsers(f.srv)
	as := func(user, sql string) *httptest.ResponseRecorder {
		return f.do(t, "POST", "/v1/query", "text/plain", sql, "X-Test-User", user)
	}
	expectCache(t, as("ada", countSQL), "miss")
	expectCache(t, as("bob", countSQL), "miss")
	expectCache(t, as("ada", countSQL), "hit")
	expectCache(t, as("bob", countSQL), "hit")
	as("bob", "SELECT 'bob only' AS s")
	for user, want := range map[string][]string{
		"ada": {countSQL, countSQL},
		"bob": {"SELECT 'bob only' AS s", countSQL, countSQL},
		"eve": {},
	} {
		rec := f.do(t, "GET", "/v1/history", "", "", "X-Test-User", user)
		var h struct {
			OK      bool `json:"ok"`
			Queries []struct {
				SQL string `json:"sql"`
			} `json:"queries"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &h); err != nil || !h.OK || h.Queries == nil {
			t.Fatalf("%s: %v %s", user, err, rec.Body)
		}
		var got []string
		for _, q := range h.Queries {
			got = append(got, q.SQL)
		}
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("%s's history: %q, want %q", user, got, want)
		}
	}
}
