package server_test

import (
	"encoding/json"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/lakegate/lakegate"
	"github.com/lakegate/lakegate/catalog"
	"github.com/lakegate/lakegate/queries"
	"github.com/lakegate/lakegate/server"
)

// testCanned are read-only queries over the fixture's five attempts, as if
// read from a queries_dir folder.
var testCanned = fstest.MapFS{
	"exam_count.sql": {Data: []byte(`-- name: exam_count
-- title: Attempts at an exam
-- description: Attempts at exam with at least min correct answers.
-- chart: bar
-- param: exam string Algebra -- the exam's name
-- param: min integer 0 -- fewest correct answers
SELECT count(*) AS n FROM assessments.attempts WHERE exam_name = $exam AND correct >= $min`)},
	"since.sql": {Data: []byte(`-- name: since
-- title: Attempts since a day
-- description: Attempts started on or after from with a share correct (of 10) of at least share, or all with every.
-- param: from date -- first day
-- param: share number 0.5
-- param: every boolean false
SELECT user_exam_id, correct FROM assessments.attempts
WHERE started_at >= CAST($from AS DATE) AND (correct / 10 >= $share OR $every) ORDER BY 1`)},
}

func savedFixture(t *testing.T, opts ...server.Options) *fixture {
	t.Helper()
	canned, err := queries.Load(testCanned)
	if err != nil {
		t.Fatal(err)
	}
	cat, err := catalog.OpenEmbedded(filepath.Join(t.TempDir(), "_catalog"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cat.Close() })
	builtin, err := queries.All()
	if err != nil {
		t.Fatal(err)
	}
	// Only one embedded query, so the golden list stays short.
	lib, err := queries.NewLibrary(cat.SavedQueries(), builtin[:1], canned)
	if err != nil {
		t.Fatal(err)
	}
	opt := server.Options{MaxRows: 3}
	if len(opts) > 0 {
		opt = opts[0]
	}
	opt.Queries = lib
	f := newFixture(t, opt)
	server.UseTestUsers(f.srv)
	return f
}

const newQuery = `{"name": "mine", "title": "Mine", "description": "Attempts above a floor.", "chart": "table",
 "params": [{"name": "floor", "type": "integer", "default": 4, "help": "lowest correct"}],
 "sql": "SELECT user_exam_id FROM assessments.attempts WHERE correct > $floor ORDER BY 1"}`

func TestSavedRoutes(t *testing.T) {
	f := savedFixture(t)
	for _, c := range []struct {
		name, method, target, ctype, body string
		status                            int
	}{
		{"saved_list", "GET", "/v1/saved", "", "", 200},
		{"saved_get", "GET", "/v1/saved/since", "", "", 200},
		{"saved_run_defaults", "GET", "/v1/saved/exam_count/run", "", "", 200},
		{"saved_run_query_string", "GET", "/v1/saved/exam_count/run?exam=Physics&min=9", "", "", 200},
		{"saved_run_post", "POST", "/v1/saved/since/run", "application/json", `{"params": {"from": "2026-01-02", "share": 0.7, "every": false}}`, 200},
		{"saved_run_post_and_query", "POST", "/v1/saved/since/run?every=true", "application/json", `{"params": {"from": "2026-01-03"}}`, 200},
		{"saved_get_builtin", "GET", "/v1/saved/assessment_count", "", "", 200},
		{"saved_created", "POST", "/v1/saved", "application/json", newQuery, 201},
		{"saved_run_created", "GET", "/v1/saved/mine/run?floor=6", "", "", 200},
		{"saved_error_conflict_saved", "POST", "/v1/saved", "application/json", newQuery, 409},
		{"saved_error_conflict_builtin", "POST", "/v1/saved", "application/sql", "-- name: exam_count\nSELECT 1", 409},
		{"saved_created_from_file", "POST", "/v1/saved", "application/sql", "-- name: by_file\n-- param: exam string\nSELECT count(*) AS n FROM assessments.attempts WHERE exam_name = $exam", 201},
		{"saved_error_missing_param", "GET", "/v1/saved/since/run", "", "", 400},
		{"saved_error_bad_params", "GET", "/v1/saved/since/run?from=yesterday&share=half&every=perhaps", "", "", 400},
		{"saved_error_unknown_param", "GET", "/v1/saved/exam_count/run?exam=Physics&colour=red", "", "", 400},
		{"saved_error_param_twice", "GET", "/v1/saved/exam_count/run?min=1&min=2", "", "", 400},
		{"saved_error_bad_run_body", "POST", "/v1/saved/exam_count/run", "application/json", `{"params": {"min": 1}, "colour": "red"}`, 400},
		{"saved_error_not_found", "GET", "/v1/saved/nope", "", "", 404},
		{"saved_error_run_not_found", "GET", "/v1/saved/nope/run", "", "", 404},
		{"saved_error_undeclared", "POST", "/v1/saved", "application/json", `{"name": "bad", "sql": "SELECT $x"}`, 400},
		{"saved_error_bad_type", "POST", "/v1/saved", "application/json", `{"name": "bad", "params": [{"name": "x", "type": "float"}], "sql": "SELECT $x"}`, 400},
		{"saved_error_bad_name", "POST", "/v1/saved", "application/json", `{"name": "Bad Name", "sql": "SELECT 1"}`, 400},
		{"saved_error_bad_file", "POST", "/v1/saved", "text/plain", "-- name: f\n-- param: n integer ten\nSELECT $n", 400},
		{"saved_error_delete_builtin", "DELETE", "/v1/saved/assessment_count", "", "", 403},
		{"saved_error_delete_folder", "DELETE", "/v1/saved/exam_count", "", "", 403},
		{"saved_deleted", "DELETE", "/v1/saved/mine", "", "", 200},
		{"saved_error_delete_missing", "DELETE", "/v1/saved/mine", "", "", 404},
	} {
		t.Run(c.name, func(t *testing.T) {
			rec := f.do(t, c.method, c.target, c.ctype, c.body)
			if rec.Code != c.status {
				t.Fatalf("%s %s: status %d, want %d: %s", c.method, c.target, rec.Code, c.status, rec.Body)
			}
			golden(t, c.name, rec.Body.Bytes())
		})
	}
}

// TestSavedRunFormats: a run answers in every format of the query service,
// chosen as for /v1/query, and honours limit.
func TestSavedRunFormats(t *testing.T) {
	f := savedFixture(t)
	rec := f.do(t, "GET", "/v1/saved/since/run?from=2026-01-01&every=true&format=csv", "", "")
	if rec.Code != 200 || rec.Body.String() != "user_exam_id,correct\nu1,7\nu2,5\nu3,9\n" {
		t.Fatalf("csv: %d %q", rec.Code, rec.Body)
	}
	rec = f.do(t, "POST", "/v1/saved/since/run?limit=2", "application/json", `{"params": {"from": "2026-01-01", "every": true}, "format": "tsv"}`)
	if rec.Code != 200 || rec.Body.String() != "user_exam_id\tcorrect\nu1\t7\nu2\t5\n" || rec.Header().Get("X-Lakegate-Truncated") != "true" {
		t.Fatalf("tsv with limit: %d %q %v", rec.Code, rec.Body, rec.Header())
	}
	for _, format := range []string{"json", "ndjson", "arrow", "parquet"} {
		rec = f.do(t, "GET", "/v1/saved/exam_count/run?format="+format, "", "")
		if rec.Code != 200 || !strings.Contains(rec.Header().Get("X-Lakegate-Columns"), `"n"`) {
			t.Errorf("%s: %d %v %s", format, rec.Code, rec.Header(), rec.Body)
		}
	}
	rec = f.do(t, "GET", "/v1/saved/exam_count/run", "", "", "Accept", "text/csv")
	if rec.Code != 200 || rec.Body.String() != "n\n3\n" {
		t.Fatalf("Accept: text/csv: %d %q", rec.Code, rec.Body)
	}
	rec = f.do(t, "GET", "/v1/saved/exam_count/run?format=xls", "", "")
	if code, _, _ := errorOf(t, rec); rec.Code != 400 || code != lakegate.EINVALID {
		t.Fatalf("unknown format: %d %s", rec.Code, rec.Body)
	}
}

// TestSavedRunCached: a repeated run is a cache hit, and is recorded in the
// caller's history like any query.
func TestSavedRunCached(t *testing.T) {
	f := savedFixture(t, server.Options{CacheBytes: 1 << 20})
	for _, want := range []string{"miss", "hit"} {
		rec := f.do(t, "GET", "/v1/saved/exam_count/run?min=5", "", "")
		if rec.Code != 200 || rec.Header().Get("X-Lakegate-Cache") != want {
			t.Fatalf("cache %q, want %q: %s", rec.Header().Get("X-Lakegate-Cache"), want, rec.Body)
		}
	}
	rec := f.do(t, "GET", "/v1/history", "", "")
	var h struct {
		Queries []struct {
			SQL    string          `json:"sql"`
			Params json.RawMessage `json:"params"`
		} `json:"queries"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &h); err != nil || len(h.Queries) != 2 ||
		!strings.Contains(h.Queries[0].SQL, "$exam") || !strings.Contains(string(h.Queries[0].Params), `"min":5`) {
		t.Fatalf("history: %s", rec.Body)
	}
}

// TestSavedOwners: only the owner (or an admin) deletes a saved query.
func TestSavedOwners(t *testing.T) {
	f := savedFixture(t)
	as := func(user, method, target, body string) *httptest.ResponseRecorder {
		return f.do(t, method, target, "application/json", body, "X-Test-User", user)
	}
	if rec := as("ann", "POST", "/v1/saved", newQuery); rec.Code != 201 || !strings.Contains(rec.Body.String(), `"owner":"ann"`) {
		t.Fatalf("save as ann: %d %s", rec.Code, rec.Body)
	}
	rec := as("bob", "DELETE", "/v1/saved/mine", "")
	if code, msg, _ := errorOf(t, rec); rec.Code != 403 || code != lakegate.EFORBIDDEN || !strings.Contains(msg, "saved by ann") {
		t.Fatalf("bob deletes ann's query: %d %s", rec.Code, rec.Body)
	}
	if rec := as("bob", "GET", "/v1/saved/mine/run", ""); rec.Code != 200 {
		t.Fatalf("bob runs ann's query (same tenant): %d %s", rec.Code, rec.Body)
	}
	if rec := as("ann", "DELETE", "/v1/saved/mine", ""); rec.Code != 200 {
		t.Fatalf("ann deletes her query: %d %s", rec.Code, rec.Body)
	}
}

// TestSavedRunRefusedIsRecorded: a run refused for its parameters is in
// the caller's history with its code, like a failed POST /v1/query.
func TestSavedRunRefusedIsRecorded(t *testing.T) {
	f := savedFixture(t)
	if rec := f.do(t, "GET", "/v1/saved/exam_count/run?min=lots", "", ""); rec.Code != 400 {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	rec := f.do(t, "GET", "/v1/history", "", "")
	if !strings.Contains(rec.Body.String(), `"code":"invalid"`) || !strings.Contains(rec.Body.String(), `$exam`) {
		t.Fatalf("history: %s", rec.Body)
	}
	if !strings.Contains(f.logs.String(), `"code":"invalid"`) {
		t.Fatalf("no log line: %s", f.logs)
	}
}
