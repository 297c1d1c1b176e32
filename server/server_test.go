package server_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"flag"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lakegate/lakegate/engine/duckdb"
	"github.com/lakegate/lakegate/engine/enginetest"
	"github.com/lakegate/lakegate/server"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// fixture is a server over the real engine and embedded catalog, with the
// engine suite's five attempts landed.
type fixture struct {
	srv  *server.Server
	lake *enginetest.Lake
	logs *bytes.Buffer
}

func newFixture(t *testing.T, opt server.Options) *fixture {
	t.Helper()
	l := enginetest.NewLake(t)
	for _, d := range []string{"2026-01-02", "2026-01-03"} {
		l.Land(t, "assessments", "attempts", d, enginetest.Attempts[d])
	}
	db, err := duckdb.Open(context.Background(), duckdb.Options{Catalog: l.Catalog, Store: l.Store, LakeDir: l.Dir, Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	logs := &bytes.Buffer{}
	opt.Engine, opt.Catalog = db, l.Catalog
	opt.Logger = slog.New(slog.NewJSONHandler(logs, nil))
	opt.Auth.None = opt.Auth.Tokens == nil // authentication has its own tests (auth_test.go)
	return &fixture{srv: server.New(opt), lake: l, logs: logs}
}

// do sends one request and returns the recorded response.
func (f *fixture) do(t *testing.T, method, target, contentType, body string, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	f.srv.Handler().ServeHTTP(rec, req)
	return rec
}

// golden compares a JSON body, with its varying fields masked, to
// testdata/<name>.json; -update rewrites the file.
func golden(t *testing.T, name string, body []byte) {
	t.Helper()
	var v any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber() // keep big numbers exact
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("%s: body is not JSON: %v\n%s", name, err, body)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(mask(v)); err != nil {
		t.Fatal(err)
	}
	got := buf.Bytes()
	path := filepath.Join("testdata", name+".json")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from %s:\n%s", name, path, got)
	}
}

// mask replaces the values that differ between runs.
func mask(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			switch k {
			case "query_id", "elapsed_ms", "created", "updated", "bytes":
				x[k] = "<masked>"
			default:
				x[k] = mask(e)
			}
		}
	case []any:
		for i := range x {
			x[i] = mask(x[i])
		}
	}
	return v
}

func TestRoutes(t *testing.T) {
	f := newFixture(t, server.Options{MaxRows: 3})
	q := `SELECT user_exam_id, correct, started_at, ingest_date FROM assessments.attempts ORDER BY user_exam_id`
	jq, _ := json.Marshal(map[string]any{"sql": q})
	for _, c := range []struct {
		name, method, target, ctype, body string
		status                            int
	}{
		{"query_json", "POST", "/v1/query", "application/json", string(jq), 200},
		{"query_raw_text", "POST", "/v1/query", "text/plain", q, 200},
		{"query_raw_sql", "POST", "/v1/query", "application/sql; charset=utf-8", "SELECT count(*) AS n FROM assessments.attempts", 200},
		{"query_get_json", "GET", "/v1/query.json?sql=SELECT+count(*)+AS+n+FROM+assessments.attempts", "", "", 200},
		{"query_named_params", "POST", "/v1/query", "application/json", `{"sql": "SELECT count(*) AS n FROM assessments.attempts WHERE exam_name = $exam AND correct >= $min", "params": {"exam": "Algebra", "min": 5}}`, 200},
		{"query_positional_params", "POST", "/v1/query", "application/json", `{"sql": "SELECT user_exam_id FROM assessments.attempts WHERE correct > ? ORDER BY 1", "params": [6]}`, 200},
		{"tables", "GET", "/v1/tables", "", "", 200},
		{"healthz", "GET", "/healthz", "", "", 200},
		{"error_forbidden", "POST", "/v1/query", "text/plain", "DROP VIEW assessments.attempts", 403},
		{"error_not_found_table", "POST", "/v1/query", "text/plain", "SELECT * FROM assessments.nope", 404},
		{"error_syntax", "POST", "/v1/query", "text/plain", "SELEC 1", 400},
		{"error_empty_sql", "POST", "/v1/query", "application/json", `{"sql": "  "}`, 400},
		{"error_bad_json", "POST", "/v1/query", "application/json", `{"sql": "SELECT 1",}`, 400},
		{"error_unknown_field", "POST", "/v1/query", "application/json", `{"sq1": "SELECT 1"}`, 400},
		{"error_sql_type", "POST", "/v1/query", "application/json", `{"sql": 42}`, 400},
		{"error_bad_params", "POST", "/v1/query", "application/json", `{"sql": "SELECT 1", "params": "x"}`, 400},
		{"error_unknown_format", "POST", "/v1/query?format=xml", "text/plain", "SELECT 1", 400},
		{"error_content_type", "POST", "/v1/query", "application/xml", "<sql/>", 400},
		{"error_unknown_route", "GET", "/v1/nope", "", "", 404},
		{"error_method", "DELETE", "/v1/tables", "", "", 405},
		{"error_get_query", "GET", "/v1/query?sql=SELECT+1", "", "", 405},
		{"error_multi_statement", "POST", "/v1/query", "text/plain", "SELECT 1; SELECT 2", 403},
		{"catalog_databases", "GET", "/v1/catalog/databases", "", "", 200},
		{"catalog_tables", "GET", "/v1/catalog/databases/assessments/tables", "", "", 200},
		{"catalog_table", "GET", "/v1/catalog/tables/assessments/attempts", "", "", 200},
		{"catalog_partitions", "GET", "/v1/catalog/tables/assessments/attempts/partitions", "", "", 200},
		{"catalog_partitions_page", "GET", "/v1/catalog/tables/assessments/attempts/partitions?limit=1", "", "", 200},
		{"catalog_partitions_last_page", "GET", "/v1/catalog/tables/assessments/attempts/partitions?limit=1&offset=1", "", "", 200},
		{"catalog_partitions_past_end", "GET", "/v1/catalog/tables/assessments/attempts/partitions?offset=5", "", "", 200},
		{"error_catalog_unknown_database", "GET", "/v1/catalog/databases/nope/tables", "", "", 404},
		{"error_catalog_unknown_table", "GET", "/v1/catalog/tables/assessments/nope", "", "", 404},
		{"error_catalog_unknown_table_partitions", "GET", "/v1/catalog/tables/nope/attempts/partitions", "", "", 404},
		{"error_catalog_bad_limit", "GET", "/v1/catalog/tables/assessments/attempts/partitions?limit=abc", "", "", 400},
		{"error_catalog_limit_too_large", "GET", "/v1/catalog/tables/assessments/attempts/partitions?limit=1001", "", "", 400},
		{"error_catalog_bad_offset", "GET", "/v1/catalog/tables/assessments/attempts/partitions?offset=-1", "", "", 400},
		{"error_catalog_method", "POST", "/v1/catalog/databases", "", "", 405},
	} {
		t.Run(c.name, func(t *testing.T) {
			rec := f.do(t, c.method, c.target, c.ctype, c.body)
			if rec.Code != c.status {
				t.Errorf("status %d, want %d: %s", rec.Code, c.status, rec.Body)
			}
			if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("Content-Type %q", ct)
			}
			golden(t, c.name, rec.Body.Bytes())
		})
	}
}

// TestMethodNotAllowed: a wrong method names the right ones, also in the
// Allow header.
func TestMethodNotAllowed(t *testing.T) {
	f := newFixture(t, server.Options{})
	rec := f.do(t, "GET", "/v1/query?sql=SELECT+1", "", "")
	if rec.Code != 405 || rec.Header().Get("Allow") != "POST" {
		t.Fatalf("status %d, Allow %q", rec.Code, rec.Header().Get("Allow"))
	}
	if !strings.Contains(rec.Body.String(), "/v1/query.json?sql=") {
		t.Errorf("no hint at the GET route: %s", rec.Body)
	}
	rec = f.do(t, "PUT", "/v1/jobs/x", "", "")
	if rec.Code != 405 || rec.Header().Get("Allow") != "DELETE, GET" {
		t.Fatalf("status %d, Allow %q", rec.Code, rec.Header().Get("Allow"))
	}
}

func TestQueryIDs(t *testing.T) {
	f := newFixture(t, server.Options{})
	rec := f.do(t, "POST", "/v1/query", "text/plain", "SELECT * FROM assessments.nope")
	var body struct {
		OK      bool   `json:"ok"`
		QueryID string `json:"query_id"`
	}
	json.Unmarshal(rec.Body.Bytes(), &body)
	if body.OK || body.QueryID == "" || body.QueryID != rec.Header().Get("X-Query-Id") {
		t.Errorf("error body query_id %q, header %q", body.QueryID, rec.Header().Get("X-Query-Id"))
	}
	logs := f.logs.String()
	for _, want := range []string{`"query_id":"` + body.QueryID, `"status":404`, `"engine":"duckdb"`, `"sql":"SELECT * FROM assessments.nope"`} {
		if !strings.Contains(logs, want) {
			t.Errorf("log lacks %s:\n%s", want, logs)
		}
	}
}

func TestTruncation(t *testing.T) {
	f := newFixture(t, server.Options{MaxRows: 2})
	var a struct {
		Rows      [][]any `json:"rows"`
		RowCount  int     `json:"row_count"`
		Truncated bool    `json:"truncated"`
	}
	rec := f.do(t, "POST", "/v1/query", "text/plain", "SELECT * FROM assessments.attempts")
	json.Unmarshal(rec.Body.Bytes(), &a)
	if len(a.Rows) != 2 || a.RowCount != 2 || !a.Truncated {
		t.Errorf("5 rows with MaxRows 2: rows %d, row_count %d, truncated %v", len(a.Rows), a.RowCount, a.Truncated)
	}
	rec = f.do(t, "POST", "/v1/query", "text/plain", "SELECT * FROM assessments.attempts LIMIT 2")
	json.Unmarshal(rec.Body.Bytes(), &a)
	if a.RowCount != 2 || a.Truncated {
		t.Errorf("exactly MaxRows rows: row_count %d, truncated %v", a.RowCount, a.Truncated)
	}
	// CSV is capped too unless ?limit=0 asks for every row.
	rec = f.do(t, "GET", "/v1/query.csv?sql=SELECT+*+FROM+assessments.attempts", "", "")
	if recs := readCSV(t, rec); len(recs) != 3 || rec.Header().Get("X-Lakegate-Truncated") != "true" {
		t.Errorf("csv: %d records, want header + 2, truncated", len(recs))
	}
	rec = f.do(t, "GET", "/v1/query.csv?limit=0&sql=SELECT+*+FROM+assessments.attempts", "", "")
	if recs := readCSV(t, rec); len(recs) != 6 {
		t.Errorf("csv limit=0: %d records, want header + 5", len(recs))
	}
}

func readCSV(t *testing.T, rec *httptest.ResponseRecorder) [][]string {
	t.Helper()
	if rec.Code != 200 {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "text/csv; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	if rec.Header().Get("X-Query-Id") == "" {
		t.Errorf("no X-Query-Id header")
	}
	recs, err := csv.NewReader(rec.Body).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

func TestCSV(t *testing.T) {
	f := newFixture(t, server.Options{})
	q := "SELECT user_exam_id, correct, started_at, ingest_date, NULL AS nothing, 'a,\"b\"' AS quoted FROM assessments.attempts ORDER BY 1 LIMIT 1"
	want := [][]string{
		{"user_exam_id", "correct", "started_at", "ingest_date", "nothing", "quoted"},
		{"u1", "7", "2026-01-02 10:00:00", "2026-01-02", "", `a,"b"`}, // timestamps as DuckDB writes CSV
	}
	jq, _ := json.Marshal(map[string]any{"sql": q, "format": "csv"})
	for name, rec := range map[string]*httptest.ResponseRecorder{
		"body format":  f.do(t, "POST", "/v1/query", "application/json", string(jq)),
		"query format": f.do(t, "POST", "/v1/query?format=csv", "text/plain", q),
		"accept":       f.do(t, "POST", "/v1/query", "text/plain", q, "Accept", "text/csv"),
		"get":          f.do(t, "GET", "/v1/query.csv?sql="+urlQuery(q), "", ""),
	} {
		got := readCSV(t, rec)
		if a, b := mustJSON(got), mustJSON(want); a != b {
			t.Errorf("%s: got %s, want %s", name, a, b)
		}
	}
	// The pandas one-liner.
	rec := f.do(t, "GET", "/v1/query.csv?sql=SELECT+count(*)+FROM+assessments.attempts", "", "")
	if got := mustJSON(readCSV(t, rec)); got != `[["count_star()"],["5"]]` {
		t.Errorf("pandas one-liner: %s", got)
	}
	// An error before the first row keeps the JSON error shape.
	rec = f.do(t, "GET", "/v1/query.csv?sql=SELECT+*+FROM+nope", "", "")
	if rec.Code != 404 || !strings.Contains(rec.Body.String(), `"ok":false`) {
		t.Errorf("csv error: %d %s", rec.Code, rec.Body)
	}
}

func urlQuery(s string) string {
	r := httptest.NewRequest("GET", "/", nil)
	q := r.URL.Query()
	q.Set("sql", s)
	return strings.TrimPrefix(q.Encode(), "sql=")
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestValues(t *testing.T) {
	f := newFixture(t, server.Options{})
	q := `SELECT 1::BIGINT AS big, 170141183460469231731687303715884105727::HUGEINT AS huge,
		12.345::DECIMAL(18,3) AS dec, 1.5::DOUBLE AS dbl, 'NaN'::DOUBLE AS nan, 'inf'::DOUBLE AS inf,
		true AS flag, NULL AS nothing, DATE '2026-01-02' AS day, TIME '13:14:15' AS tod,
		TIMESTAMP '2026-01-02 03:04:05.123456' AS ts, TIMESTAMPTZ '2026-01-02 03:04:05+02' AS tstz,
		'\x01\x02'::BLOB AS blob, '6ba7b810-9dad-11d1-80b4-00c04fd430c8'::UUID AS id,
		[1, 2, NULL] AS list, {'a': 1, 'b': 'x'} AS rec, MAP {'k': 1} AS m, INTERVAL 1 DAY AS span`
	rec := f.do(t, "POST", "/v1/query", "text/plain", q)
	if rec.Code != 200 {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	golden(t, "values", rec.Body.Bytes())
	rec = f.do(t, "POST", "/v1/query?format=csv", "text/plain", q)
	recs := readCSV(t, rec)
	got := map[string]string{}
	for i, name := range recs[0] {
		got[name] = recs[1][i]
	}
	for name, want := range map[string]string{"huge": "170141183460469231731687303715884105727", "dec": "12.345",
		"nan": "nan", "inf": "inf", "nothing": "", "day": "2026-01-02", "ts": "2026-01-02 03:04:05.123456",
		"tstz": "2026-01-02 01:04:05+00", "id": "6ba7b810-9dad-11d1-80b4-00c04fd430c8", "list": "[1,2,null]", "m": `{"k":1}`} {
		if got[name] != want {
			t.Errorf("csv %s = %q, want %q", name, got[name], want)
		}
	}
}

func TestBodyLimit(t *testing.T) {
	f := newFixture(t, server.Options{MaxBodyBytes: 64})
	rec := f.do(t, "POST", "/v1/query", "text/plain", "SELECT 1 AS "+strings.Repeat("x", 100))
	if rec.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("status %d, want 413", rec.Code)
	}
	golden(t, "error_too_large", rec.Body.Bytes())
}

func TestTimeout(t *testing.T) {
	f := newFixture(t, server.Options{Timeout: 200 * time.Millisecond})
	start := time.Now()
	rec := f.do(t, "POST", "/v1/query", "text/plain", "SELECT count(*) FROM range(10000000000)")
	if rec.Code != http.StatusGatewayTimeout {
		t.Errorf("status %d, want 504: %s", rec.Code, rec.Body)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("answered after %v", d)
	}
	golden(t, "error_timeout", rec.Body.Bytes())
}

func TestClientGone(t *testing.T) {
	f := newFixture(t, server.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	req := httptest.NewRequest("POST", "/v1/query", strings.NewReader("SELECT count(*) FROM range(10000000000)")).WithContext(ctx)
	req.Header.Set("Content-Type", "text/plain")
	rec := httptest.NewRecorder()
	f.srv.Handler().ServeHTTP(rec, req)
	if rec.Code != server.StatusClientClosed {
		t.Errorf("status %d, want %d", rec.Code, server.StatusClientClosed)
	}
}

// TestStartShutdown: the server answers on its socket; Shutdown lets a
// query in flight finish, then Serve returns http.ErrServerClosed and the
// socket is closed. Start reports a bad address.
func TestStartShutdown(t *testing.T) {
	f := newFixture(t, server.Options{})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- f.srv.Serve(ln) }()
	base := "http://" + ln.Addr().String()
	if res, err := http.Get(base + "/healthz"); err != nil || res.StatusCode != 200 {
		t.Fatalf("healthz: %v %v", res, err)
	}
	slow := make(chan int, 1)
	go func() {
		res, err := http.Post(base+"/v1/query", "text/plain", strings.NewReader("SELECT count(*) FROM range(200000000)"))
		if err != nil {
			slow <- 0
			return
		}
		res.Body.Close()
		slow <- res.StatusCode
	}()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		if active, _ := server.Slots(f.srv); active == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the query never started")
		}
	}
	if err := f.srv.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != http.ErrServerClosed {
		t.Errorf("Serve returned %v, want http.ErrServerClosed", err)
	}
	if status := <-slow; status != 200 {
		t.Errorf("the query in flight got %d, want 200", status)
	}
	if _, err := http.Get(base + "/healthz"); err == nil {
		t.Error("the server still answers after Shutdown")
	}
	if err := server.New(server.Options{Catalog: f.lake.Catalog}).Start("127.0.0.1:-1"); err == nil {
		t.Error("Start on a bad address returned nil")
	}
}

// TestLiveServer checks the pandas path over a real socket.
func TestLiveServer(t *testing.T) {
	f := newFixture(t, server.Options{})
	ts := httptest.NewServer(f.srv.Handler())
	defer ts.Close()
	res, err := http.Get(ts.URL + "/v1/query.csv?sql=SELECT+count(*)+FROM+assessments.attempts")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 || string(body) != "count_star()\n5\n" {
		t.Errorf("%d %q", res.StatusCode, body)
	}
}
