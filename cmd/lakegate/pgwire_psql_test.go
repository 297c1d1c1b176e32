package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// needClient finds a client program; missing, the test skips, or fails
// under CI=true, where .ci/run installs it.
func needClient(t *testing.T, name, pkg string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not installed (apt-get install %s); CI needs it", name, pkg)
		}
		t.Skipf("%s is not installed: apt-get install %s", name, pkg)
	}
	return path
}

// psqlRun runs psql against the lake's PostgreSQL port as ana.
type psqlRun struct {
	t    *testing.T
	bin  string
	env  []string
	port string
}

func (p psqlRun) cmd(args ...string) *exec.Cmd {
	cmd := exec.Command(p.bin, append([]string{"-X", "-v", "ON_ERROR_STOP=1", "-v", "VERBOSITY=verbose"}, args...)...)
	cmd.Env = p.env
	return cmd
}

func (p psqlRun) run(args ...string) string {
	p.t.Helper()
	out, err := p.cmd(args...).CombinedOutput()
	if err != nil {
		p.t.Fatalf("psql %v: %v\n%s", args, err, out)
	}
	return string(out)
}

func TestPGWireWithPsql(t *testing.T) {
	bin := needClient(t, "psql", "postgresql-client")
	base, port, acme, _ := pgLake(t)
	p := psqlRun{t: t, bin: bin, port: port, env: append(os.Environ(), "PGPASSWORD="+acme, "PGHOST=127.0.0.1", "PGPORT="+port,
		"PGUSER=ana", "PGDATABASE=lakegate", "PGSSLMODE=prefer", "PGAPPNAME=lakegate-test")}

	wantOut(t, `\dt assessments.*`, p.run("-c", `\dt assessments.*`), "assessments | attempts  | table", "assessments | questions | table")
	wantOut(t, `\d assessments.attempts`, p.run("-c", `\d assessments.attempts`), `Table "assessments.attempts"`, "exam_name", "ingest_date", "date")
	wantOut(t, `\dn`, p.run("-c", `\dn`), "assessments")

	// A business question answers what HTTP answers.
	sql := "SELECT count(DISTINCT user_exam_id) AS takers FROM assessments.attempts WHERE exam_name = 'Learning Git'"
	got := p.run("-A", "-F", ",", "-c", sql)
	want := csvQuery(t, base, acme, sql, "")
	if !strings.HasPrefix(got, want) {
		t.Errorf("psql answered\n%s\nHTTP answered\n%s", got, want)
	}

	// \copy writes the rows to a CSV file on the client's machine.
	file := filepath.Join(t.TempDir(), "exams.csv")
	q := "SELECT exam_name, count(*) AS n FROM assessments.attempts GROUP BY 1 ORDER BY 1"
	wantOut(t, `\copy`, p.run("-c", `\copy (`+q+`) TO '`+file+`' WITH (FORMAT csv, HEADER)`), "COPY ")
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if unquoteCSV(t, string(b)) != unquoteCSV(t, csvQuery(t, base, acme, q, "")) {
		t.Errorf("\\copy wrote\n%s", b)
	}

	// Ctrl-C cancels the running query on the server: psql sends a
	// cancel request and the query ends with SQLSTATE 57014.
	cmd := p.cmd("-c", "SELECT sum(i) FROM range(100000000000) t(i)")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second)
	start := time.Now()
	cmd.Process.Signal(syscall.SIGINT)
	err = cmd.Wait()
	if err == nil || !strings.Contains(out.String(), "57014") || time.Since(start) > 20*time.Second {
		t.Errorf("Ctrl-C: %v after %s\n%s", err, time.Since(start), out.String())
	}
}
