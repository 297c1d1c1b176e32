package server_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/ipc"

	"github.com/lakegate/lakegate/engine/duckdb"
	"github.com/lakegate/lakegate/engine/enginetest"
	"github.com/lakegate/lakegate/server"
)

// spillFixture is a server whose engine spills into a directory the test
// watches.
func spillFixture(t *testing.T, opt server.Options) (*fixture, string) {
	t.Helper()
	l := enginetest.NewLake(t)
	base := t.TempDir()
	db, err := duckdb.Open(context.Background(), duckdb.Options{Catalog: l.Catalog, Store: l.Store, LakeDir: l.Dir, Threads: 2, SpillDir: base})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	dirs, _ := filepath.Glob(filepath.Join(base, "lakegate-spill-*"))
	if len(dirs) != 1 {
		t.Fatalf("spill dirs %v", dirs)
	}
	logs := &bytes.Buffer{}
	opt.Engine, opt.Catalog = db, l.Catalog
	opt.Logger = slog.New(slog.NewJSONHandler(logs, nil))
	opt.Auth.None = opt.Auth.Tokens == nil // authentication has its own tests (auth_test.go)
	return &fixture{srv: server.New(opt), lake: l, logs: logs}, dirs[0]
}

// waitEmpty waits for the spill directory to be empty.
func waitEmpty(t *testing.T, dir string) {
	t.Helper()
	os.Chmod(dir, 0o700) // the engine keeps it unlistable
	defer os.Chmod(dir, 0o300)
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		ents, _ := os.ReadDir(dir)
		if len(ents) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("spill files left behind: %v", ents)
		}
	}
}

const typedQuery = "SELECT i AS id, 'n' || i AS name, TIMESTAMP '2018-01-23 14:23:19.082' AS ts, CASE WHEN i = 2 THEN NULL ELSE i * 1.5 END AS score FROM range(1, 4) t(i) ORDER BY i"

func TestFormatsDecoded(t *testing.T) {
	f, spill := spillFixture(t, server.Options{})
	get := func(suffix string, header ...string) *httptest.ResponseRecorder {
		var rec *httptest.ResponseRecorder
		if strings.HasPrefix(suffix, "?") { // POST /v1/query negotiates the format
			rec = f.do(t, "POST", "/v1/query"+strings.TrimSuffix(suffix, "&"), "text/plain", typedQuery, header...)
		} else {
			rec = f.do(t, "GET", "/v1/query"+suffix+"sql="+url.QueryEscape(typedQuery), "", "", header...)
		}
		if rec.Code != 200 {
			t.Fatalf("%s: %d %s", suffix, rec.Code, rec.Body)
		}
		return rec
	}
	wantCols := `[{"name":"id","type":"BIGINT"},{"name":"name","type":"VARCHAR"},{"name":"ts","type":"TIMESTAMP"},{"name":"score","type":"DECIMAL(21,1)"}]`
	for _, c := range []struct{ how, suffix, accept, ctype string }{
		{"suffix", ".csv?", "", "text/csv"},
		{"format", "?format=csv&", "", "text/csv"},
		{"format", "?format=tsv&", "", "text/tab-separated-values"},
		{"accept", "?", "text/tab-separated-values", "text/tab-separated-values"},
		{"accept q", "?", "text/csv;q=0.5, application/x-ndjson", "application/x-ndjson"},
		{"suffix", ".ndjson?", "", "application/x-ndjson"},
		{"suffix", ".arrow?", "", "application/vnd.apache.arrow.stream"},
		{"accept", "?", "application/vnd.apache.parquet", "application/vnd.apache.parquet"},
		{"accept", "?", "application/vnd.apache.arrow.stream", "application/vnd.apache.arrow.stream"},
		{"default", "?", "text/html, */*", "application/json"},
	} {
		var rec *httptest.ResponseRecorder
		if c.accept != "" {
			rec = get(c.suffix, "Accept", c.accept)
		} else {
			rec = get(c.suffix)
		}
		if got := rec.Header().Get("Content-Type"); !strings.HasPrefix(got, c.ctype) {
			t.Errorf("%s %s %s: content type %q, want %q", c.how, c.suffix, c.accept, got, c.ctype)
			continue
		}
		if got := rec.Header().Get("X-Lakegate-Columns"); got != wantCols {
			t.Errorf("%s: columns header %s", c.ctype, got)
		}
		checkDecoded(t, c.ctype, rec.Body.Bytes())
	}
	waitEmpty(t, spill)
}

// checkDecoded reads an answer back with a decoder independent of the
// server and checks names, rows, NULL and the timestamp.
func checkDecoded(t *testing.T, ctype string, b []byte) {
	t.Helper()
	switch ctype {
	case "text/csv", "text/tab-separated-values":
		r := csv.NewReader(bytes.NewReader(b))
		if ctype != "text/csv" {
			r.Comma = '\t'
		}
		recs, err := r.ReadAll()
		if err != nil || len(recs) != 4 {
			t.Fatalf("%s: %v %q", ctype, err, b)
		}
		if strings.Join(recs[0], ",") != "id,name,ts,score" || recs[1][2] != "2018-01-23 14:23:19.082" || recs[2][3] != "" || recs[3][3] != "4.5" {
			t.Errorf("%s: %q", ctype, recs)
		}
	case "application/x-ndjson":
		var rows []map[string]any
		sc := bufio.NewScanner(bytes.NewReader(b))
		for sc.Scan() {
			var m map[string]any
			if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
				t.Fatalf("ndjson line %q: %v", sc.Text(), err)
			}
			rows = append(rows, m)
		}
		if len(rows) != 3 || rows[0]["ts"] != "2018-01-23T14:23:19.082Z" || rows[1]["score"] != nil || rows[2]["name"] != "n3" {
			t.Errorf("ndjson %v", rows)
		}
	case "application/vnd.apache.arrow.stream":
		r, err := ipc.NewReader(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		defer r.Release()
		n := 0
		for r.Next() {
			rec := r.RecordBatch()
			if !rec.Column(3).IsNull(1) {
				t.Errorf("arrow: NULL lost")
			}
			n += int(rec.NumRows())
		}
		s := r.Schema()
		if n != 3 || s.Field(1).Name != "name" || s.Field(2).Type.String() != "timestamp[us]" {
			t.Errorf("arrow: %d rows, schema %v", n, s)
		}
	case "application/vnd.apache.parquet":
		got := onlyRow(t, enginetest.ReadParquet(t, b, "SELECT count(*), count(score), typeof(any_value(ts)), CAST(min(ts) AS VARCHAR), string_agg(name, ' ') FROM p"))
		if got != "3|2|TIMESTAMP|2018-01-23 14:23:19.082|n1 n2 n3" {
			t.Errorf("parquet: %s", got)
		}
	case "application/json":
		var a struct {
			RowCount int `json:"row_count"`
		}
		if err := json.Unmarshal(b, &a); err != nil || a.RowCount != 3 {
			t.Errorf("json: %v %s", err, b)
		}
	}
}

func TestLimits(t *testing.T) {
	f, spill := spillFixture(t, server.Options{MaxRows: 5})
	q := "sql=" + url.QueryEscape("SELECT * FROM range(20)")
	for _, c := range []struct {
		target    string
		rows      int
		truncated string
	}{
		{"/v1/query.csv?" + q, 5, "true"},
		{"/v1/query.csv?limit=3&" + q, 3, "true"},
		{"/v1/query.ndjson?limit=0&" + q, 20, ""},
		{"/v1/query.tsv?limit=50&" + q, 20, ""},
		{"/v1/query.arrow?limit=7&" + q, 7, "true"},
		{"/v1/query.json?limit=100&" + q, 5, ""},
		{"/v1/query.json?limit=2&" + q, 2, ""},
		{"/v1/query.json?limit=0&" + q, 5, ""},
	} {
		rec := f.do(t, "GET", c.target, "", "")
		if rec.Code != 200 {
			t.Fatalf("%s: %d %s", c.target, rec.Code, rec.Body)
		}
		var n int
		switch {
		case strings.Contains(c.target, ".json"):
			var a struct {
				RowCount  int  `json:"row_count"`
				Truncated bool `json:"truncated"`
			}
			json.Unmarshal(rec.Body.Bytes(), &a)
			n = a.RowCount
			if !a.Truncated {
				t.Errorf("%s: not truncated", c.target)
			}
		case strings.Contains(c.target, ".arrow"):
			r, err := ipc.NewReader(rec.Body)
			if err != nil {
				t.Fatal(err)
			}
			for r.Next() {
				n += int(r.RecordBatch().NumRows())
			}
		case strings.Contains(c.target, ".csv"), strings.Contains(c.target, ".tsv"):
			n = strings.Count(rec.Body.String(), "\n") - 1
		default:
			n = strings.Count(rec.Body.String(), "\n")
		}
		if n != c.rows {
			t.Errorf("%s: %d rows, want %d", c.target, n, c.rows)
		}
		if got := rec.Header().Get("X-Lakegate-Truncated"); got != c.truncated {
			t.Errorf("%s: truncated header %q, want %q", c.target, got, c.truncated)
		}
	}
	waitEmpty(t, spill)
}

func TestFormatErrors(t *testing.T) {
	f, spill := spillFixture(t, server.Options{})
	for _, c := range []struct {
		name, target, accept string
		status               int
	}{
		{"error_bad_limit", "/v1/query.csv?limit=-1&sql=SELECT+1", "", 400},
		{"error_bad_limit_text", "/v1/query.json?limit=ten&sql=SELECT+1", "", 400},
		{"error_export_explain", "/v1/query.csv?sql=EXPLAIN+SELECT+1", "", 400},
	} {
		rec := f.do(t, "GET", c.target, "", "")
		if rec.Code != c.status {
			t.Errorf("%s: status %d, want %d: %s", c.target, rec.Code, c.status, rec.Body)
		}
		golden(t, c.name, rec.Body.Bytes())
	}
	// Nothing escapes the COPY the export wraps around the query.
	for _, text := range []string{"SELECT 1 AS a --", "SELECT 1 AS a;"} {
		rec := f.do(t, "POST", "/v1/query?format=csv", "text/plain", text)
		if rec.Code != 200 || rec.Body.String() != "a\n1\n" {
			t.Errorf("%q: %d %q", text, rec.Code, rec.Body)
		}
	}
	rec := f.do(t, "POST", "/v1/query?format=csv", "text/plain", "SELECT 1) TO '/tmp/lakegate-evil.csv' (FORMAT csv) --")
	if rec.Code == 200 {
		t.Errorf("the splice escaped: %s", rec.Body)
	}
	if _, err := os.Stat("/tmp/lakegate-evil.csv"); err == nil {
		t.Errorf("the splice wrote a file")
	}
	// An engine error before the answer started leaves no file and keeps
	// the error shape (a later one cuts the stream: TestBigExportStreams).
	rec = f.do(t, "GET", "/v1/query.csv?limit=0&sql="+url.QueryEscape("SELECT CASE WHEN i = 1000 THEN 'x'::INT ELSE i END AS i FROM range(2000000) t(i)"), "", "")
	if rec.Code != 400 || !strings.Contains(rec.Body.String(), `"ok":false`) {
		t.Errorf("early error: %d %s", rec.Code, rec.Body)
	}
	waitEmpty(t, spill)
}

func TestBigExportStreams(t *testing.T) {
	f, spill := spillFixture(t, server.Options{})
	ts := httptest.NewServer(f.srv.Handler())
	defer ts.Close()
	res, err := http.Get(ts.URL + "/v1/query.csv?limit=0&sql=" + url.QueryEscape("SELECT * FROM range(2000000)"))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	lines := 0
	sc := bufio.NewScanner(res.Body)
	for sc.Scan() {
		lines++
	}
	if err := sc.Err(); err != nil || lines != 2000001 {
		t.Errorf("%d lines (%v), want 2000001", lines, err)
	}
	if res.Header.Get("X-Lakegate-Truncated") != "" {
		t.Errorf("an export with limit=0 was truncated")
	}
	waitEmpty(t, spill)

	// An engine error after the answer started cuts the stream, so that the
	// client cannot take the rows it got for the whole answer.
	res, err = http.Get(ts.URL + "/v1/query.csv?limit=0&sql=" + url.QueryEscape("SELECT CASE WHEN i = 1500000 THEN 'x'::INT ELSE i END AS i FROM range(2000000) t(i)"))
	if err != nil {
		t.Fatal(err)
	}
	n, err := io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || err == nil {
		t.Errorf("late error: status %d, %d bytes, read error %v; want 200 and a cut stream", res.StatusCode, n, err)
	}
	waitEmpty(t, spill)

	// A client that goes away mid-download leaves no spill file.
	for _, format := range []string{"csv", "arrow"} {
		ctx, cancel := context.WithCancel(context.Background())
		req, _ := http.NewRequestWithContext(ctx, "GET", ts.URL+"/v1/query."+format+"?limit=0&sql="+url.QueryEscape("SELECT i, i * 2 AS j FROM range(3000000) t(i)"), nil)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.CopyN(io.Discard, res.Body, 64<<10)
		cancel()
		res.Body.Close()
		waitEmpty(t, spill)
	}
}

// onlyRow is the single row of a one-row answer.
func onlyRow(t *testing.T, rows []string) string {
	t.Helper()
	if len(rows) != 1 {
		t.Fatalf("want one row, got %q", rows)
	}
	return rows[0]
}

// TestExplainText: EXPLAIN and EXPLAIN ANALYZE answer with their plan as
// text in "plan", ready to print, beside the rows DuckDB returns.
func TestExplainText(t *testing.T) {
	f := newFixture(t, server.Options{})
	for sql, want := range map[string]string{
		"EXPLAIN SELECT count(*) FROM assessments.attempts":         "READ_PARQUET",
		"EXPLAIN ANALYZE SELECT count(*) FROM assessments.attempts": "Query Profiling Information",
	} {
		rec := f.do(t, "POST", "/v1/query", "text/plain", sql)
		var a struct {
			OK   bool   `json:"ok"`
			Plan string `json:"plan"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &a); err != nil || !a.OK {
			t.Fatalf("%s: %d %s", sql, rec.Code, rec.Body)
		}
		if !strings.Contains(a.Plan, want) || !strings.Contains(a.Plan, "\n") {
			t.Errorf("%s: plan %q, want text containing %q", sql, a.Plan, want)
		}
	}
	rec := f.do(t, "POST", "/v1/query", "text/plain", "SELECT 1 AS explain_key")
	if strings.Contains(rec.Body.String(), `"plan"`) {
		t.Errorf("a plain answer has a plan: %s", rec.Body)
	}
}

// TestNULInSQL: DuckDB would run a text only up to a NUL byte while the
// cache and history keep all of it, so such a text is refused.
func TestNULInSQL(t *testing.T) {
	f := newFixture(t, server.Options{})
	for _, target := range []string{"/v1/query", "/v1/jobs"} {
		rec := f.do(t, "POST", target, "text/plain", "SELECT 1\x00; SELECT 2")
		if rec.Code != 400 || !strings.Contains(rec.Body.String(), "NUL byte") {
			t.Errorf("%s: %d %s", target, rec.Code, rec.Body)
		}
	}
}

// TestTextLikeDuckDB: the Go rendering of CSV fields (cursor answers,
// jobs, the CLI) is the text DuckDB's COPY writes for exports.
func TestTextLikeDuckDB(t *testing.T) {
	ts := time.Date(2018, 1, 23, 14, 23, 19, 82_000_000, time.UTC)
	for _, c := range []struct {
		v    any
		typ  string
		want string
	}{
		{ts, "TIMESTAMP", "2018-01-23 14:23:19.082"},
		{ts.Truncate(time.Second), "TIMESTAMP", "2018-01-23 14:23:19"},
		{ts.In(time.FixedZone("x", 7200)), "TIMESTAMP WITH TIME ZONE", "2018-01-23 14:23:19.082+00"},
		{ts, "DATE", "2018-01-23"},
		{math.NaN(), "DOUBLE", "nan"},
		{math.Inf(-1), "DOUBLE", "-inf"},
		{float32(0.1), "FLOAT", "0.1"},
		{1e20, "DOUBLE", "1e+20"},
	} {
		if got := server.Text(c.v, c.typ); got != c.want {
			t.Errorf("Text(%v, %s) = %q, want %q", c.v, c.typ, got, c.want)
		}
	}
}
