package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lakegate/lakegate/internal/peertest"
	"github.com/lakegate/lakegate/internal/prestotest"
	"github.com/lakegate/lakegate/queries"
)

// answer is a query answer with the router's fields.
type answer struct {
	OK          bool   `json:"ok"`
	Engine      string `json:"engine"`
	RouteReason string `json:"route_reason"`
	Plan        string `json:"plan"`
	Columns     []struct {
		Name, Type string
	} `json:"columns"`
	Rows  [][]any `json:"rows"`
	Error struct {
		Code, Message string
	} `json:"error"`
}

// prestoGateway lands a generated lake and serves it with the metastore
// on the Presto peer's port and presto_url set; extra flags follow.
func prestoGateway(t *testing.T, extra ...string) string {
	base, _ := prestoGatewayLake(t, extra...)
	return base
}

// prestoGatewayLake is prestoGateway, also returning the lake.
func prestoGatewayLake(t *testing.T, extra ...string) (string, string) {
	t.Helper()
	lake := t.TempDir()
	return prestoGatewayOn(t, []string{"--lake", lake}, extra...), lake
}

// prestoGatewayOn is prestoGateway on a lake given by its flags.
func prestoGatewayOn(t *testing.T, lake []string, extra ...string) string {
	t.Helper()
	url := prestotest.URL(t)
	hms := peertest.Env(t, "LAKEGATE_TEST_HMS_ADDR", "presto")
	src := filepath.Join(t.TempDir(), "a.json")
	mustRun(t, "generate", "assessments", "--attempts", "1500", "--seed", "11", "-o", src)
	mustRun(t, append([]string{"ingest", "assessments", src}, lake...)...)
	prestotest.Lock(t, hms)
	args := append([]string{"serve", "--auth", "none", "--hms-addr", hms, "--presto-url", url}, lake...)
	base, _ := startApp(t, append(args, extra...)...)
	return base
}

func ask(t *testing.T, method, u, body string) (int, answer, http.Header) {
	t.Helper()
	req, _ := http.NewRequest(method, u, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	var a answer
	if err := json.Unmarshal(b, &a); err != nil {
		t.Fatalf("%s %s: %d %s", method, u, res.StatusCode, b)
	}
	return res.StatusCode, a, res.Header
}

// TestCannedQueriesBothEngines: every canned question gets the same
// answer from DuckDB and from Presto (floats to 1e-9 relative), over a
// local lake and over HDFS (Presto reads the hdfs:// locations the
// metastore gives).
func TestCannedQueriesBothEngines(t *testing.T) {
	t.Run("local", func(t *testing.T) { bothEngines(t, prestoGateway(t)) })
	t.Run("hdfs", func(t *testing.T) { bothEngines(t, prestoGatewayOn(t, hdfsLake(t))) })
}

func bothEngines(t *testing.T, base string) {
	all, err := queries.All()
	if err != nil {
		t.Fatal(err)
	}
	runs := map[string]string{"course_takers": "exam_name=Learning%20Git", "average_score": "by_course=true"}
	for _, q := range all {
		for _, params := range []string{"", runs[q.Name]} {
			u := base + "/v1/saved/" + q.Name + "/run?" + params + "&engine="
			_, d, _ := ask(t, "GET", u+"duckdb", "")
			code, p, _ := ask(t, "GET", u+"presto", "")
			if code != 200 || p.Engine != "presto" || d.Engine != "duckdb" {
				t.Errorf("%s?%s: presto %d %+v, duckdb %+v", q.Name, params, code, p, d)
				continue
			}
			sameAnswer(t, q.Name+"?"+params, d, p)
		}
	}
}

// sameAnswer compares two answers cell by cell; a column only Presto has
// that is NULL throughout is left out (average_score without by_course:
// Presto cannot drop a column by a parameter, DuckDB's COLUMNS does).
func sameAnswer(t *testing.T, what string, d, p answer) {
	t.Helper()
	pi := map[string]int{}
	for i, c := range p.Columns {
		pi[c.Name] = i
	}
	if len(d.Rows) != len(p.Rows) || len(d.Rows) == 0 {
		t.Errorf("%s: %d rows from duckdb, %d from presto", what, len(d.Rows), len(p.Rows))
		return
	}
	for ci, c := range d.Columns {
		j, ok := pi[c.Name]
		if !ok {
			t.Errorf("%s: presto has no column %s", what, c.Name)
			continue
		}
		for r := range d.Rows {
			if !sameCell(d.Rows[r][ci], p.Rows[r][j]) {
				t.Errorf("%s row %d %s: duckdb %v, presto %v", what, r, c.Name, d.Rows[r][ci], p.Rows[r][j])
			}
		}
	}
}

func sameCell(a, b any) bool {
	fa, oka := a.(float64)
	fb, okb := b.(float64)
	if oka && okb {
		return fa == fb || math.Abs(fa-fb) <= 1e-9*math.Max(math.Abs(fa), math.Abs(fb))
	}
	return fmt.Sprint(a) == fmt.Sprint(b)
}

// TestRouter: auto picks by size (threshold 1 byte here: a table goes to
// Presto, no table to DuckDB), a named engine is obeyed, EXPLAIN shows
// the route, jobs stay on their engine, and the route is in the headers.
func TestRouter(t *testing.T) {
	base := prestoGateway(t, "--presto-threshold", "1")
	cases := []struct{ body, engine, reason string }{
		{`{"sql":"SELECT count(*) AS n FROM assessments.attempts"}`, "presto", "at least presto_threshold"},
		{`{"sql":"SELECT 1 AS n"}`, "duckdb", "below presto_threshold"},
		{`{"sql":"SELECT count(*) AS n FROM assessments.attempts","engine":"duckdb"}`, "duckdb", "engine duckdb was asked for"},
		{`{"sql":"SELECT 1 AS n","engine":"presto"}`, "presto", "engine presto was asked for"},
	}
	for _, c := range cases {
		code, a, h := ask(t, "POST", base+"/v1/query", c.body)
		if code != 200 || a.Engine != c.engine || !strings.Contains(a.RouteReason, c.reason) || h.Get("X-Lakegate-Engine") != c.engine {
			t.Errorf("%s: %d engine %s (%s), header %s; want %s (%s)", c.body, code, a.Engine, a.RouteReason, h.Get("X-Lakegate-Engine"), c.engine, c.reason)
		}
	}
	_, a, _ := ask(t, "POST", base+"/v1/query?engine=presto", `{"sql":"EXPLAIN SELECT count(*) FROM assessments.attempts"}`)
	if !strings.Contains(a.Plan, "-- lakegate: engine presto: engine presto was asked for") {
		t.Errorf("EXPLAIN on presto: plan %q", a.Plan)
	}
	code, a, _ := ask(t, "POST", base+"/v1/query", `{"sql":"SELECT 1","engine":"spark"}`)
	if code != 400 || !strings.Contains(a.Error.Message, "auto, duckdb or presto") {
		t.Errorf("unknown engine: %d %+v", code, a.Error)
	}
	stickyJob(t, base)
}

// stickyJob: a job started on Presto says so until its result.
func stickyJob(t *testing.T, base string) {
	t.Helper()
	var st struct {
		JobID       string `json:"job_id"`
		Engine      string `json:"engine"`
		State       string `json:"state"`
		RouteReason string `json:"route_reason"`
	}
	res := postRaw(t, base+"/v1/jobs", `{"sql":"SELECT count(*) AS n FROM assessments.attempts","engine":"presto"}`)
	json.Unmarshal(res, &st)
	if st.Engine != "presto" {
		t.Fatalf("job: %s", res)
	}
	for deadline := time.Now().Add(time.Minute); st.State != "succeeded" && time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		_, b := get(t, base+"/v1/jobs/"+st.JobID)
		json.Unmarshal([]byte(b), &st)
	}
	_, b := get(t, base+"/v1/jobs/"+st.JobID+"/result")
	if st.Engine != "presto" || !strings.Contains(b, `"engine":"presto"`) {
		t.Errorf("job on presto: state %s engine %s, result %s", st.State, st.Engine, b)
	}
}

func postRaw(t *testing.T, u, body string) []byte {
	t.Helper()
	res, err := http.Post(u, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return b
}

// TestPrestoNewTenant: a tenant landed while the gateway and Presto run
// is queryable through Presto at once, and sees its own rows only.
func TestPrestoNewTenant(t *testing.T) {
	base, lake := prestoGatewayLake(t)
	src := filepath.Join(t.TempDir(), "b.json")
	mustRun(t, "generate", "assessments", "--attempts", "40", "--seed", "12", "-o", src)
	mustRun(t, "ingest", "assessments", src, "--lake", lake, "--tenant", "newcomer")
	code, a, _ := ask(t, "POST", base+"/v1/query?tenant=newcomer", `{"sql":"SELECT count(*) AS n FROM assessments.attempts","engine":"presto"}`)
	_, d, _ := ask(t, "POST", base+"/v1/query?tenant=newcomer", `{"sql":"SELECT count(*) AS n FROM assessments.attempts","engine":"duckdb"}`)
	if code != 200 || a.Engine != "presto" || len(a.Rows) != 1 || fmt.Sprint(a.Rows) != fmt.Sprint(d.Rows) {
		t.Errorf("new tenant on presto: %d %+v, duckdb %v", code, a, d.Rows)
	}
}

// TestPrestoJobDelete: DELETE /v1/jobs/{id} ends the job's Presto query.
func TestPrestoJobDelete(t *testing.T) {
	base := prestoGateway(t)
	tag := fmt.Sprintf("lakegate_job_%d", time.Now().UnixNano())
	body, _ := json.Marshal(map[string]string{"sql": slowPresto(tag), "engine": "presto"})
	var st struct {
		JobID string `json:"job_id"`
	}
	json.Unmarshal(postRaw(t, base+"/v1/jobs", string(body)), &st)
	prestotest.WaitState(t, tag, "RUNNING")
	req, _ := http.NewRequest("DELETE", base+"/v1/jobs/"+st.JobID, nil)
	if res, err := http.DefaultClient.Do(req); err != nil || res.StatusCode != 200 {
		t.Fatalf("DELETE job: %v %v", res, err)
	}
	prestotest.WaitState(t, tag, "FAILED")
}

// slowPresto is minutes of work for Presto, its count named tag.
func slowPresto(tag string) string {
	return fmt.Sprintf(`SELECT count(*) AS %s FROM UNNEST(sequence(1, 10000)) a(x) CROSS JOIN UNNEST(sequence(1, 10000)) b(y) CROSS JOIN UNNEST(sequence(1, 100)) c(z) WHERE (x * y + z) %% 7 = 3`, tag)
}

// TestPrestoDown: with Presto unreachable, engine presto answers 503
// naming it and auto falls back to DuckDB, saying why.
func TestPrestoDown(t *testing.T) {
	lake := t.TempDir()
	src := filepath.Join(t.TempDir(), "a.json")
	mustRun(t, "generate", "assessments", "--attempts", "200", "--seed", "5", "-o", src)
	mustRun(t, "ingest", "assessments", src, "--lake", lake)
	base, _ := startApp(t, "serve", "--auth", "none", "--lake", lake, "--presto-url", "http://127.0.0.1:"+freePort(t), "--presto-threshold", "1")
	code, a, _ := ask(t, "POST", base+"/v1/query", `{"sql":"SELECT count(*) AS n FROM assessments.attempts","engine":"presto"}`)
	if code != 503 || !strings.Contains(a.Error.Message, "engine presto") {
		t.Errorf("named presto down: %d %+v", code, a.Error)
	}
	code, a, _ = ask(t, "POST", base+"/v1/query", `{"sql":"SELECT count(*) AS n FROM assessments.attempts"}`)
	if code != 200 || a.Engine != "duckdb" || !strings.Contains(a.RouteReason, "Presto cannot answer") {
		t.Errorf("auto with presto down: %d %s %q", code, a.Engine, a.RouteReason)
	}
}

// TestPrestoDisconnect: a client that goes away ends its Presto query.
func TestPrestoDisconnect(t *testing.T) {
	base := prestoGateway(t)
	tag := fmt.Sprintf("lakegate_gone_%d", time.Now().UnixNano())
	sql := slowPresto(tag)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	body, _ := json.Marshal(map[string]string{"sql": sql, "engine": "presto"})
	req, _ := http.NewRequestWithContext(ctx, "POST", base+"/v1/query", strings.NewReader(string(body)))
	if res, err := http.DefaultClient.Do(req); err == nil {
		b, _ := io.ReadAll(res.Body)
		t.Fatalf("the slow query answered: %s", b)
	}
	prestotest.WaitState(t, tag, "FAILED")
}

// TestPrestoFormats: every format the API has, answered by Presto, read
// back by a decoder that is not lakegate's: Go's encoding/csv and
// encoding/json, and pyarrow for Arrow and Parquet.
func TestPrestoFormats(t *testing.T) {
	py := peertest.Env(t, "LAKEGATE_TEST_PYTHON", "python")
	base := prestoGateway(t)
	sql := `SELECT exam_name, count(*) AS attempts, round(avg(score), 4) AS avg_score FROM assessments.attempts WHERE NOT is_test GROUP BY exam_name ORDER BY attempts DESC, exam_name LIMIT 5`
	_, want, _ := ask(t, "POST", base+"/v1/query?engine=duckdb", `{"sql":`+strconvQuote(sql)+`}`)
	dir := t.TempDir()
	for _, f := range []string{"json", "ndjson", "csv", "tsv", "arrow", "parquet"} {
		res := postRaw(t, base+"/v1/query?engine=presto&format="+f, `{"sql":`+strconvQuote(sql)+`}`)
		name := filepath.Join(dir, "answer."+f)
		if err := os.WriteFile(name, res, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	script := `
import csv, json, sys, pyarrow.parquet as pq, pyarrow.ipc as ipc
d = sys.argv[1]
out = {}
out["json"] = [r for r in json.load(open(d + "/answer.json"))["rows"]]
out["ndjson"] = [list(json.loads(l).values()) for l in open(d + "/answer.ndjson")]
out["csv"] = [[r[0], int(r[1]), float(r[2])] for r in list(csv.reader(open(d + "/answer.csv")))[1:]]
out["tsv"] = [[r[0], int(r[1]), float(r[2])] for r in list(csv.reader(open(d + "/answer.tsv"), delimiter="\t"))[1:]]
out["arrow"] = [list(r.values()) for r in ipc.open_stream(open(d + "/answer.arrow", "rb")).read_all().to_pylist()]
out["parquet"] = [list(r.values()) for r in pq.read_table(d + "/answer.parquet").to_pylist()]
print(json.dumps(out))
`
	out, err := exec.Command(py, "-c", script, dir).CombinedOutput()
	if err != nil {
		t.Fatalf("decoders: %v\n%s", err, out)
	}
	var got map[string][][]any
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	for f, rows := range got {
		if fmt.Sprint(rows) != fmt.Sprint(want.Rows) {
			t.Errorf("%s from presto: %v, duckdb's json %v", f, rows, want.Rows)
		}
	}
	if len(got) != 6 {
		t.Errorf("decoded %d formats of 6", len(got))
	}
}

func strconvQuote(s string) string { b, _ := json.Marshal(s); return string(b) }

// TestPrestoTenantsOverHTTP: two tenants with their own API tokens ask
// Presto, through the gateway, for each other's data by every name and
// probe; each sees its own rows only, and nothing is written.
func TestPrestoTenantsOverHTTP(t *testing.T) {
	url := prestotest.URL(t)
	hms := peertest.Env(t, "LAKEGATE_TEST_HMS_ADDR", "presto")
	lake := t.TempDir()
	for tenant, seed := range map[string]string{"acme": "21", "beta": "22"} {
		src := filepath.Join(t.TempDir(), tenant+".json")
		mustRun(t, "generate", "assessments", "--attempts", "60", "--seed", seed, "-o", src)
		mustRun(t, "ingest", "assessments", src, "--lake", lake, "--tenant", tenant)
	}
	acme := createToken(t, lake, "ana", "analyst")
	_, out, _ := run(t, nil, "token", "create", "--lake", lake, "--user", "bo", "--tenant", "beta", "--role", "analyst")
	beta := strings.TrimSpace(out)
	prestotest.Lock(t, hms)
	base, _ := startApp(t, "serve", "--lake", lake, "--hms-addr", hms, "--presto-url", url)
	ids := map[string]string{}
	for tenant, tok := range map[string]string{"acme": acme, "beta": beta} {
		code, a := askAs(t, base, tok, "SELECT array_join(array_agg(user_exam_id), ',') AS ids FROM assessments.attempts")
		if code != 200 || a.Engine != "presto" || len(a.Rows) != 1 {
			t.Fatalf("%s on presto: %d %+v", tenant, code, a)
		}
		ids[tenant] = fmt.Sprint(a.Rows[0][0])
	}
	if ids["acme"] == ids["beta"] || strings.Contains(ids["acme"], strings.Split(ids["beta"], ",")[0]) {
		t.Fatalf("the tenants' rows are not told apart: %s / %s", ids["acme"], ids["beta"])
	}
	secret := strings.Split(ids["beta"], ",")[0]
	for _, q := range []string{
		"SELECT user_exam_id FROM assessments.attempts",
		"SELECT user_exam_id FROM beta.assessments.attempts",
		"SELECT user_exam_id FROM hive.assessments.attempts",
		`SELECT * FROM assessments."attempts$partitions"`,
		"SELECT table_schema, table_name FROM information_schema.tables",
		"SELECT * FROM system.runtime.queries",
		"SHOW SCHEMAS",
		"CREATE TABLE assessments.stolen AS SELECT * FROM assessments.attempts",
		"DROP TABLE assessments.attempts",
	} {
		code, a := askAs(t, base, acme, q)
		if text := fmt.Sprint(a.Rows, a.Error); strings.Contains(text, secret) {
			t.Errorf("acme's %q on presto shows beta's %s: %d %s", q, secret, code, text)
		}
	}
	code, a := askAs(t, base, beta, "SELECT count(*) AS n FROM assessments.attempts")
	if code != 200 || fmt.Sprint(a.Rows) != fmt.Sprintf("[[%d]]", len(strings.Split(ids["beta"], ","))) {
		t.Errorf("beta's attempts after acme's attacks: %d %v", code, a.Rows)
	}
}

// askAs posts sql with engine presto as the token's holder.
func askAs(t *testing.T, base, tok, sql string) (int, answer) {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"sql": sql, "engine": "presto"})
	req, _ := http.NewRequest("POST", base+"/v1/query", strings.NewReader(string(body)))
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var a answer
	json.NewDecoder(res.Body).Decode(&a)
	return res.StatusCode, a
}
