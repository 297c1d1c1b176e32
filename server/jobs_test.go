package server_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/ipc"

	"github.com/lakegate/lakegate/engine/enginetest"
	"github.com/lakegate/lakegate/server"
)

// jobState is the part of a job answer the tests read.
type jobState struct {
	JobID string `json:"job_id"`
	State string `json:"state"`
	Rows  int    `json:"rows"`
	Error *struct {
		Code, Message string
	} `json:"error"`
}

func decodeJob(t *testing.T, rec *httptest.ResponseRecorder) jobState {
	t.Helper()
	var j jobState
	if err := json.Unmarshal(rec.Body.Bytes(), &j); err != nil {
		t.Fatalf("not JSON: %v: %s", err, rec.Body)
	}
	return j
}

// goldenJob is golden with the job's id and expiry masked.
func goldenJob(t *testing.T, name string, rec *httptest.ResponseRecorder) {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
		t.Fatalf("%s: not JSON: %v: %s", name, err, rec.Body)
	}
	if r, ok := v["result"].(string); ok {
		id, _ := v["job_id"].(string)
		v["result"] = strings.Replace(r, id, "<id>", 1)
	}
	for _, k := range []string{"job_id", "expires_at"} {
		if _, ok := v[k]; ok {
			v[k] = "<masked>"
		}
	}
	b, _ := json.Marshal(v)
	golden(t, name, b)
}

// submit posts a job as user and checks the 202.
func submit(t *testing.T, f *fixture, user, body string) jobState {
	t.Helper()
	rec := f.do(t, "POST", "/v1/jobs", "application/json", body, "X-Test-User", user)
	if rec.Code != 202 {
		t.Fatalf("submit: status %d: %s", rec.Code, rec.Body)
	}
	return decodeJob(t, rec)
}

// await polls the job until it reaches one of the finished states.
func await(t *testing.T, f *fixture, user, id string) *httptest.ResponseRecorder {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		rec := f.do(t, "GET", "/v1/jobs/"+id, "", "", "X-Test-User", user)
		switch decodeJob(t, rec).State {
		case "succeeded", "failed", "canceled":
			return rec
		}
		if time.Now().After(deadline) {
			t.Fatalf("job %s still unfinished: %s", id, rec.Body)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func jobFixture(t *testing.T, opt server.Options) *fixture {
	t.Helper()
	if opt.SpillDir == "" {
		opt.SpillDir = t.TempDir()
	}
	f := newFixture(t, opt)
	server.UseTestUsers(f.srv)
	return f
}

// spilled lists the job result files left in dir.
func spilled(t *testing.T, dir string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, "*", "*.ndjson"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestJobLifecycle(t *testing.T) {
	spill := t.TempDir()
	f := jobFixture(t, server.Options{SpillDir: spill})
	q := `{"sql": "SELECT user_exam_id, correct, started_at, [1, 2] AS l, 'a,\"b\"' AS s FROM assessments.attempts ORDER BY user_exam_id"}`
	rec := f.do(t, "POST", "/v1/jobs", "application/json", q, "X-Test-User", "alice")
	if rec.Code != 202 || rec.Header().Get("Location") == "" {
		t.Fatalf("submit: %d, Location %q: %s", rec.Code, rec.Header().Get("Location"), rec.Body)
	}
	goldenJob(t, "job_submitted", rec)
	id := decodeJob(t, rec).JobID
	rec = await(t, f, "alice", id)
	goldenJob(t, "job_succeeded", rec)
	if n := len(spilled(t, spill)); n != 1 {
		t.Errorf("%d result files, want 1", n)
	}

	for _, c := range []struct{ name, target, wantType string }{
		{"job_result_json", "/v1/jobs/" + id + "/result", "application/json"},
		{"job_result_json_param", "/v1/jobs/" + id + "/result?format=json", "application/json"},
	} {
		rec = f.do(t, "GET", c.target, "", "", "X-Test-User", "alice")
		if rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), c.wantType) {
			t.Fatalf("%s: %d %q: %s", c.name, rec.Code, rec.Header().Get("Content-Type"), rec.Body)
		}
		goldenJob(t, "job_result_json", rec)
	}
	rec = f.do(t, "GET", "/v1/jobs/"+id+"/result?format=csv", "", "", "X-Test-User", "alice")
	recs := readCSV(t, rec)
	if len(recs) != 6 || mustJSON(recs[0]) != `["user_exam_id","correct","started_at","l","s"]` ||
		mustJSON(recs[1]) != `["u1","7","2026-01-02 10:00:00","[1,2]","a,\"b\""]` {
		t.Errorf("csv result: %s", mustJSON(recs))
	}

	for _, c := range []struct {
		name, method, target, body string
		status                     int
	}{
		{"error_job_format", "GET", "/v1/jobs/" + id + "/result?format=xml", "", 400},
		{"error_job_empty_sql", "POST", "/v1/jobs", `{"sql": ""}`, 400},
		{"error_job_bad_timeout", "POST", "/v1/jobs?timeout=soon", `{"sql": "SELECT 1"}`, 400},
		{"error_job_not_found", "GET", "/v1/jobs/nope", "", 404},
		{"error_job_not_found", "GET", "/v1/jobs/nope/result", "", 404},
		{"error_job_not_found", "DELETE", "/v1/jobs/nope", "", 404},
	} {
		rec := f.do(t, c.method, c.target, "application/json", c.body, "X-Test-User", "alice")
		if rec.Code != c.status {
			t.Errorf("%s: status %d, want %d: %s", c.name, rec.Code, c.status, rec.Body)
		}
		golden(t, c.name, rec.Body.Bytes())
	}

	rec = f.do(t, "DELETE", "/v1/jobs/"+id, "", "", "X-Test-User", "alice")
	if rec.Code != 200 {
		t.Fatalf("delete: %d %s", rec.Code, rec.Body)
	}
	goldenJob(t, "job_deleted", rec)
	if rec := f.do(t, "GET", "/v1/jobs/"+id, "", "", "X-Test-User", "alice"); rec.Code != 404 {
		t.Errorf("deleted job: %d %s", rec.Code, rec.Body)
	}
	if files := spilled(t, spill); len(files) != 0 {
		t.Errorf("files left after delete: %v", files)
	}
}

func TestJobFailed(t *testing.T) {
	f := jobFixture(t, server.Options{})
	j := submit(t, f, "alice", `{"sql": "SELECT * FROM assessments.nope"}`)
	goldenJob(t, "job_failed", await(t, f, "alice", j.JobID))
	rec := f.do(t, "GET", "/v1/jobs/"+j.JobID+"/result", "", "", "X-Test-User", "alice")
	if rec.Code != 409 {
		t.Errorf("result of a failed job: %d %s", rec.Code, rec.Body)
	}
	goldenJob(t, "error_job_no_result", rec)

	j = submit(t, f, "alice", `{"sql": "`+slowSQL+`", "timeout_ms": 300}`)
	rec = await(t, f, "alice", j.JobID)
	if got := decodeJob(t, rec); got.State != "failed" || got.Error == nil || got.Error.Code != "timeout" ||
		!strings.Contains(got.Error.Message, "ran past its 300ms deadline (timeout_ms)") {
		t.Errorf("timed-out job: %s", rec.Body)
	}
}

func TestJobCancel(t *testing.T) {
	spill := t.TempDir()
	f := jobFixture(t, server.Options{SpillDir: spill})
	j := submit(t, f, "alice", `{"sql": "`+slowSQL+`"}`)
	waitSlots(t, f.srv, 1, 0)
	start := time.Now()
	rec := f.do(t, "DELETE", "/v1/jobs/"+j.JobID, "", "", "X-Test-User", "alice")
	if rec.Code != 200 || decodeJob(t, rec).State != "canceled" {
		t.Fatalf("cancel: %d %s", rec.Code, rec.Body)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("cancel took %v", d)
	}
	goldenJob(t, "job_canceled", rec)
	waitSlots(t, f.srv, 0, 0)
	if rec := f.do(t, "GET", "/v1/jobs/"+j.JobID+"/result", "", "", "X-Test-User", "alice"); rec.Code != 409 {
		t.Errorf("result of a canceled job: %d %s", rec.Code, rec.Body)
	}
	if rec := f.do(t, "DELETE", "/v1/jobs/"+j.JobID, "", "", "X-Test-User", "alice"); rec.Code != 200 {
		t.Errorf("delete a canceled job: %d %s", rec.Code, rec.Body)
	}
	if files := spilled(t, spill); len(files) != 0 {
		t.Errorf("files left: %v", files)
	}
}

func TestJobIsolation(t *testing.T) {
	f := jobFixture(t, server.Options{})
	j := submit(t, f, "alice", `{"sql": "SELECT 1 AS one"}`)
	await(t, f, "alice", j.JobID)
	for _, c := range []struct{ method, target string }{
		{"GET", "/v1/jobs/" + j.JobID},
		{"GET", "/v1/jobs/" + j.JobID + "/result"},
		{"DELETE", "/v1/jobs/" + j.JobID},
	} {
		rec := f.do(t, c.method, c.target, "", "", "X-Test-User", "bob")
		if code, msg, _ := errorOf(t, rec); rec.Code != 404 || code != "not_found" || !strings.Contains(msg, "no job") {
			t.Errorf("bob %s %s: %d %s", c.method, c.target, rec.Code, rec.Body)
		}
	}
	if rec := f.do(t, "GET", "/v1/jobs/"+j.JobID+"/result", "", "", "X-Test-User", "alice"); rec.Code != 200 {
		t.Errorf("alice's result after bob's attempts: %d %s", rec.Code, rec.Body)
	}
}

func TestJobExpiry(t *testing.T) {
	spill := t.TempDir()
	f := jobFixture(t, server.Options{SpillDir: spill, JobTTL: 200 * time.Millisecond})
	j := submit(t, f, "alice", `{"sql": "SELECT 1 AS one"}`)
	await(t, f, "alice", j.JobID)
	deadline := time.Now().Add(5 * time.Second)
	for f.do(t, "GET", "/v1/jobs/"+j.JobID, "", "", "X-Test-User", "alice").Code != 404 {
		if time.Now().After(deadline) {
			t.Fatal("the job did not expire")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if files := spilled(t, spill); len(files) != 0 {
		t.Errorf("files left after expiry: %v", files)
	}
}

// TestJobAdmission: jobs take the same slots as queries.
func TestJobAdmission(t *testing.T) {
	f := jobFixture(t, server.Options{MaxConcurrent: 1, MaxQueued: 1})
	slow := submit(t, f, "alice", `{"sql": "`+slowSQL+`"}`)
	if slow.State != "running" {
		t.Errorf("first job: %s", slow.State)
	}
	waitSlots(t, f.srv, 1, 0)
	queued := submit(t, f, "alice", `{"sql": "SELECT 1 AS one"}`)
	if queued.State != "queued" {
		t.Errorf("second job: %s", queued.State)
	}
	rec := f.do(t, "POST", "/v1/jobs", "application/json", `{"sql": "SELECT 2"}`, "X-Test-User", "alice")
	if rec.Code != 429 || rec.Header().Get("Retry-After") == "" {
		t.Errorf("third job with a full queue: %d, Retry-After %q: %s", rec.Code, rec.Header().Get("Retry-After"), rec.Body)
	}
	if rec := f.do(t, "POST", "/v1/query", "text/plain", "SELECT 3"); rec.Code != 429 {
		t.Errorf("query with a full queue: %d %s", rec.Code, rec.Body)
	}
	f.do(t, "DELETE", "/v1/jobs/"+slow.JobID, "", "", "X-Test-User", "alice")
	if got := decodeJob(t, await(t, f, "alice", queued.JobID)); got.State != "succeeded" || got.Rows != 1 {
		t.Errorf("queued job: %+v", got)
	}
	waitSlots(t, f.srv, 0, 0)
}

func TestJobShutdown(t *testing.T) {
	spill := t.TempDir()
	f := jobFixture(t, server.Options{SpillDir: spill})
	done := submit(t, f, "alice", `{"sql": "SELECT 1"}`)
	await(t, f, "alice", done.JobID)
	submit(t, f, "alice", `{"sql": "`+slowSQL+`"}`)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := f.srv.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if left, _ := os.ReadDir(spill); len(left) != 0 {
		t.Errorf("left in spill_dir after shutdown: %v", left)
	}
}

// TestJobFormats: a text job is served as json, ndjson, csv and tsv; an
// arrow or parquet job is written by the engine's export and served as
// itself; each is read back by an independent decoder. GET /v1/jobs lists
// the caller's jobs only.
func TestJobFormats(t *testing.T) {
	f := jobFixture(t, server.Options{})
	sql := "SELECT user_exam_id, correct FROM assessments.attempts ORDER BY user_exam_id"
	text := submit(t, f, "alice", `{"sql": "`+sql+`"}`)
	await(t, f, "alice", text.JobID)
	get := func(id, format string) *httptest.ResponseRecorder {
		t.Helper()
		return f.do(t, "GET", "/v1/jobs/"+id+"/result?format="+format, "", "", "X-Test-User", "alice")
	}
	rec := get(text.JobID, "ndjson")
	if lines := strings.Split(strings.TrimSpace(rec.Body.String()), "\n"); rec.Code != 200 || len(lines) != 5 ||
		lines[0] != `{"user_exam_id":"u1","correct":7}` {
		t.Errorf("ndjson: %d %q", rec.Code, rec.Body)
	}
	rec = get(text.JobID, "tsv")
	if recs := readTSV(t, rec.Body.String()); rec.Code != 200 || len(recs) != 6 || mustJSON(recs[1]) != `["u1","7"]` {
		t.Errorf("tsv: %d %q", rec.Code, rec.Body)
	}
	if rec := get(text.JobID, "parquet"); rec.Code != 400 || !strings.Contains(rec.Body.String(), `format\": \"parquet\"`) && !strings.Contains(rec.Body.String(), "submit it with") {
		t.Errorf("parquet of a text job: %d %s", rec.Code, rec.Body)
	}
	for _, format := range []string{"parquet", "arrow"} {
		j := submit(t, f, "alice", `{"sql": "`+sql+`", "format": "`+format+`"}`)
		if st := decodeJob(t, await(t, f, "alice", j.JobID)); st.State != "succeeded" || st.Rows != 5 {
			t.Fatalf("%s job: %+v", format, st)
		}
		rec := get(j.JobID, "")
		if rec.Code != 200 {
			t.Fatalf("%s result: %d %s", format, rec.Code, rec.Body)
		}
		var got []string
		if format == "parquet" {
			got = enginetest.ReadParquet(t, rec.Body.Bytes(), "SELECT * FROM p")
		} else {
			got = readArrowRows(t, rec.Body.Bytes())
		}
		if len(got) != 5 || got[0] != "u1|7" {
			t.Errorf("%s rows: %q", format, got)
		}
		if rec := get(j.JobID, "csv"); rec.Code != 400 {
			t.Errorf("csv of a %s job: %d %s", format, rec.Code, rec.Body)
		}
	}
	submit(t, f, "bob", `{"sql": "SELECT 1"}`)
	rec = f.do(t, "GET", "/v1/jobs", "", "", "X-Test-User", "alice")
	var list struct {
		OK   bool       `json:"ok"`
		Jobs []jobState `json:"jobs"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &list); err != nil || !list.OK || len(list.Jobs) != 3 {
		t.Errorf("alice's jobs: %d %s", rec.Code, rec.Body)
	}
}

// readTSV splits a TSV answer with encoding/csv.
func readTSV(t *testing.T, body string) [][]string {
	t.Helper()
	r := csv.NewReader(strings.NewReader(body))
	r.Comma = '\t'
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatalf("tsv: %v: %q", err, body)
	}
	return recs
}

// readArrowRows decodes an Arrow IPC stream with arrow-go and renders
// each row as its values joined by "|".
func readArrowRows(t *testing.T, b []byte) []string {
	t.Helper()
	r, err := ipc.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Release()
	var out []string
	for r.Next() {
		rec := r.RecordBatch()
		for i := 0; i < int(rec.NumRows()); i++ {
			vals := make([]string, rec.NumCols())
			for c := range vals {
				vals[c] = rec.Column(c).ValueStr(i)
			}
			out = append(out, strings.Join(vals, "|"))
		}
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
