package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lakegate/lakegate/queries"
	"github.com/spf13/cobra"
)

// run runs one lakegate command in-process and returns its exit code and
// output.
func run(t *testing.T, env []string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	a := &app{stdout: &out, stderr: &errb, environ: env}
	code := a.main(context.Background(), args)
	return code, out.String(), errb.String()
}

// startApp runs a serving command (demo, serve) in-process until the test
// ends and returns its base URL and a reader of everything it printed.
func startApp(t *testing.T, args ...string) (string, func() string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan int, 1)
	var out, errb syncBuffer
	printed := func() string { return out.String() + errb.String() }
	a := &app{stdout: &out, stderr: &errb, ready: func(u string) { ready <- u }}
	go func() { done <- a.main(ctx, append(args, "--addr", "127.0.0.1:0")) }()
	t.Cleanup(func() {
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("%s exited %d: %s", args[0], code, errb.String())
		}
	})
	select {
	case u := <-ready:
		return u, printed
	case code := <-done:
		done <- 0 // for the cleanup, which would otherwise wait forever
		t.Fatalf("%s exited %d before serving: %s", args[0], code, errb.String())
	case <-time.After(2 * time.Minute):
		t.Fatalf("%s did not start serving within 2 minutes", args[0])
	}
	return "", nil
}

// startDemo runs `lakegate demo` on a free port and returns its base URL.
func startDemo(t *testing.T, lake string, attempts string) string {
	t.Helper()
	u, printed := startApp(t, "demo", "--attempts", attempts, "--lake", lake)
	if !strings.Contains(printed(), u+"/v1/query") {
		t.Errorf("demo did not print examples for %s:\n%s", u, printed())
	}
	return u
}

func TestDemoServesTheREADMEExamples(t *testing.T) {
	lake := t.TempDir()
	base := startDemo(t, lake, "800")

	// curl -s localhost:8080/v1/query -d '{"sql": ...}'
	body := postJSON(t, base+"/v1/query", "application/x-www-form-urlencoded",
		`{"sql":"SELECT exam_name, count(*) AS n FROM assessments.attempts GROUP BY 1 ORDER BY n DESC LIMIT 5"}`)
	if len(body.Rows) != 5 || body.Columns[0].Name != "exam_name" || body.Rows[0][0] != "Learning Git" {
		t.Fatalf("top exams = %+v", body)
	}

	// curl '...?format=csv' -H 'Content-Type: application/sql' --data-binary 'SELECT * FROM assessments.questions LIMIT 100'
	res, err := http.Post(base+"/v1/query?format=csv", "application/sql", strings.NewReader("SELECT * FROM assessments.questions LIMIT 100"))
	if err != nil {
		t.Fatal(err)
	}
	recs := readCSV(t, res)
	if len(recs) != 101 || recs[0][0] != "keen_id" {
		t.Fatalf("questions CSV: %d records, header %v", len(recs), recs[0])
	}

	// pd.read_csv('.../v1/query.csv?sql=SELECT+count(*)+FROM+assessments.attempts')
	res, err = http.Get(base + "/v1/query.csv?sql=" + url.QueryEscape("SELECT count(*) FROM assessments.attempts"))
	if err != nil {
		t.Fatal(err)
	}
	recs = readCSV(t, res)
	if len(recs) != 2 {
		t.Fatalf("count CSV = %v", recs)
	}
	unique := generatedUnique(t, lake)
	if recs[1][0] != unique {
		t.Fatalf("count(*) = %s, generator made %s distinct attempts", recs[1][0], unique)
	}

	// The query page and its assets are served.
	for _, p := range []string{"/", "/ui/app.js", "/ui/app.css"} {
		res, err := http.Get(base + p)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 200 {
			t.Errorf("GET %s: %d", p, res.StatusCode)
		}
	}

	// Every canned business query runs on the landed tables.
	canned, err := queries.All()
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range canned {
		params, err := queries.Bind(q, nil) // the defaults
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(map[string]any{"sql": q.SQL, "params": params})
		if body := postJSON(t, base+"/v1/query", "application/json", string(b)); len(body.Rows) == 0 {
			t.Errorf("canned query %s returned no rows", q.Name)
		}
	}
}

func TestDemoTwiceLandsNothingNew(t *testing.T) {
	lake := t.TempDir()
	code, _, errs := run(t, nil, "generate", "assessments", "--attempts", "300", "-o", filepath.Join(lake, "a.json"))
	if code != 0 {
		t.Fatal(errs)
	}
	for i, want := range []string{"landed", "already ingested"} {
		code, out, errs := run(t, nil, "ingest", "assessments", filepath.Join(lake, "a.json"), "--lake", lake)
		if code != 0 || !strings.Contains(out, want) {
			t.Fatalf("ingest #%d exited %d, output lacks %q:\n%s\n%s", i+1, code, want, out, errs)
		}
	}
	code, out, errs := run(t, nil, "query", "--lake", lake, "--format", "csv", "SELECT count(*) AS n FROM assessments.attempts")
	if code != 0 || !strings.HasPrefix(out, "n\n") {
		t.Fatalf("query exited %d: %s %s", code, out, errs)
	}
}

func TestCommandLineErrors(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "bad.yaml")
	os.WriteFile(cfg, []byte("lake: x\nlaek: y\n"), 0o644)
	tests := []struct {
		name string
		env  []string
		args []string
		code int
		want string
	}{
		{"unknown command", nil, []string{"frobnicate"}, 2, `unknown command "frobnicate"`},
		{"unknown config key", nil, []string{"serve", "--config", cfg}, 1, `unknown setting "laek"`},
		{"unknown dataset", nil, []string{"generate", "students"}, 2, `unknown dataset "students"`},
		{"no files", nil, []string{"ingest", "assessments"}, 2, "missing arguments"},
		{"missing file", nil, []string{"ingest", "assessments", filepath.Join(dir, "nope.json"), "--lake", dir}, 1, "nope.json"},
		{"postgres unreachable, password masked", nil, []string{"query", "--lake", dir, "--catalog", "postgres://u:hunter2@127.0.0.1:1/db?connect_timeout=2", "SELECT 1"}, 1, "u:****@127.0.0.1"},
		{"demo beyond this machine", nil, []string{"demo", "--lake", dir, "--attempts", "10", "--addr", "0.0.0.0:0"}, 1, "refusing to listen on 0.0.0.0:0 without authentication"},
		{"unknown env warns", []string{"LAKEGATE_MAX_ROW=5"}, []string{"query", "--lake", dir, "SELECT 1 AS one"}, 0, `LAKEGATE_MAX_ROW names no setting; ignored; did you mean "max_rows"?`},
		{"write refused", nil, []string{"query", "--lake", dir, "CREATE TABLE t (a INT)"}, 1, "read-only"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errs := run(t, tt.env, tt.args...)
			if code != tt.code || !strings.Contains(out+errs, tt.want) {
				t.Fatalf("exit %d (want %d), output lacks %q:\n%s%s", code, tt.code, tt.want, out, errs)
			}
			if strings.Contains(out+errs, "hunter2") {
				t.Fatalf("a secret was printed: %s%s", out, errs)
			}
		})
	}
}

// TestHelpForEveryCommand: --help of every command and subcommand
// prints its usage and flags, generated from the settings table.
func TestHelpForEveryCommand(t *testing.T) {
	a := &app{stdout: io.Discard, stderr: io.Discard}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			if sub.Name() == "help" || sub.Parent().Name() == "completion" {
				continue
			}
			path := strings.Fields(strings.TrimPrefix(sub.CommandPath(), "lakegate "))
			code, out, _ := run(t, nil, append(path, "--help")...)
			if code != 0 || !strings.Contains(out, "Usage:\n  "+sub.CommandPath()) {
				t.Errorf("%s --help: exit %d, %q", sub.CommandPath(), code, out)
			}
			if sub.Flags().Lookup("lake") != nil && !strings.Contains(out, "--lake DIR") {
				t.Errorf("%s --help lacks --lake DIR:\n%s", sub.CommandPath(), out)
			}
			walk(sub)
		}
	}
	walk(a.rootCmd())
	if code, out, _ := run(t, nil, "version"); code != 0 || !strings.HasPrefix(out, "lakegate ") {
		t.Errorf("version: %d %q", code, out)
	}
	if code, _, errs := run(t, nil); code != 2 || !strings.Contains(errs, "Available Commands") {
		t.Errorf("no arguments: exit %d, %q", code, errs)
	}
	if code, out, _ := run(t, nil, "completion", "bash"); code != 0 || !strings.Contains(out, "__start_lakegate") {
		t.Errorf("completion bash: exit %d", code)
	}
	if code, _, errs := run(t, nil, "serve", "--max-row", "5"); code != 2 || !strings.Contains(errs, "unknown flag: --max-row; did you mean --max-rows?") {
		t.Errorf("a typo of a flag: exit %d, %q", code, errs)
	}
}

type queryBody struct {
	OK      bool `json:"ok"`
	Columns []struct {
		Name, Type string
	} `json:"columns"`
	Rows [][]any `json:"rows"`
}

// postJSON posts like curl -d, whose default content type is form-encoded.
func postJSON(t *testing.T, u, ctype, body string) queryBody {
	t.Helper()
	res, err := http.Post(u, ctype, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	var out queryBody
	if err := json.Unmarshal(b, &out); err != nil || !out.OK {
		t.Fatalf("POST %s: %d %s", u, res.StatusCode, b)
	}
	return out
}

func readCSV(t *testing.T, res *http.Response) [][]string {
	t.Helper()
	defer res.Body.Close()
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") {
		b, _ := io.ReadAll(res.Body)
		t.Fatalf("status %d %s: %s", res.StatusCode, res.Header.Get("Content-Type"), b)
	}
	recs, err := csv.NewReader(res.Body).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// A cluster_attempts_by that is no text column of the attempts is refused
// when any command loads its configuration, not at the first ingest.
func TestConfigRefusesABadClusterColumn(t *testing.T) {
	code, _, stderr := run(t, []string{"LAKEGATE_CLUSTER_ATTEMPTS_BY=scores"}, "config")
	if code == 0 || !strings.Contains(stderr, `cluster_attempts_by "scores" is not a text column`) || !strings.Contains(stderr, "exam_name") {
		t.Fatalf("config with a bad cluster column: exit %d, %s", code, stderr)
	}
	if code, out, stderr := run(t, nil, "config", "--cluster-attempts-by", ""); code != 0 || !strings.Contains(out, `cluster_attempts_by: ""`) {
		t.Fatalf("config with clustering off: exit %d, %s%s", code, out, stderr)
	}
}
