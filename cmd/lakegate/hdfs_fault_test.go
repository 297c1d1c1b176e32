package main

import (
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lakegate/lakegate/internal/peertest"
)

// The fault tests stop and start the HDFS peer itself, so they run alone
// (.ci/run runs them after the suite, with LAKEGATE_TEST_HDFS_FAULTS=1):
// other tests on the peer would fail while it is down.
func faults(t *testing.T) {
	t.Helper()
	peertest.Env(t, "LAKEGATE_TEST_HDFS", "hdfs")
	if os.Getenv("LAKEGATE_TEST_HDFS_FAULTS") != "1" {
		t.Skip("stops the HDFS peer: run alone with LAKEGATE_TEST_HDFS_FAULTS=1 go test -p 1 -run TestHDFSFault ./cmd/lakegate")
	}
}

// peers runs scripts/peers with args.
func peers(t *testing.T, args ...string) {
	t.Helper()
	out, err := exec.Command("../../scripts/peers", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("scripts/peers %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// hdfsDown stops HDFS (the whole of it, or its DataNode) until restart.
func hdfsDown(t *testing.T, datanodeOnly bool) (restart func()) {
	t.Helper()
	up := func() { peers(t, "up", "hdfs") }
	if datanodeOnly {
		peers(t, "hdfs", "stop-datanode")
		up = func() { peers(t, "hdfs", "start-datanode") }
	} else {
		peers(t, "down", "hdfs")
	}
	done := false
	restart = func() {
		if !done {
			done = true
			up()
		}
	}
	t.Cleanup(restart)
	return restart
}

// TestHDFSFaultIngest: with the DataNode, then the NameNode, down, an
// ingest fails with a message naming HDFS and lands nothing; once HDFS is
// back a rerun lands every record exactly once.
func TestHDFSFaultIngest(t *testing.T) {
	faults(t)
	addr := strings.TrimPrefix(os.Getenv("LAKEGATE_TEST_HDFS"), "hdfs://")
	for _, datanodeOnly := range []bool{true, false} {
		lake := hdfsLake(t)
		src := filepath.Join(t.TempDir(), "a.json")
		mustRun(t, "generate", "assessments", "--attempts", "500", "--seed", "9", "-o", src)
		seen := map[string]bool{}
		addRecords(t, src, seen)
		restart := hdfsDown(t, datanodeOnly)
		code, out, errs := run(t, nil, append([]string{"ingest", "assessments", src}, lake...)...)
		if code == 0 || !strings.Contains(out+errs, "HDFS at "+addr) {
			t.Errorf("datanode only %v: ingest exit %d, no word of HDFS at %s:\n%s%s", datanodeOnly, code, addr, out, errs)
		}
		restart()
		mustRun(t, append([]string{"ingest", "assessments", src}, lake...)...)
		got := mustRun(t, append([]string{"query", "--format", "csv", "SELECT count(*) AS n, count(DISTINCT record_hash) AS d FROM assessments.attempts"}, lake...)...)
		if want := "n,d\n" + itoa(len(seen)) + "," + itoa(len(seen)) + "\n"; got != want {
			t.Errorf("datanode only %v: after the rerun %q, want %q", datanodeOnly, got, want)
		}
		checkVisibleCommitted(t, lake)
	}
}

// TestHDFSFaultServe: with HDFS down the server keeps serving: a query
// over cached copies answers, one that needs an uncached file gets 503
// naming HDFS, /healthz says the lake is unavailable; with HDFS back the
// query answers.
func TestHDFSFaultServe(t *testing.T) {
	faults(t)
	lake := hdfsLake(t)
	src := filepath.Join(t.TempDir(), "a.json")
	mustRun(t, "generate", "assessments", "--attempts", "300", "--seed", "4", "-o", src)
	mustRun(t, append([]string{"ingest", "assessments", src}, lake...)...)
	base, _ := startApp(t, append([]string{"serve", "--auth", "none"}, lake...)...)
	cached := "SELECT count(*) FROM assessments.attempts"
	uncached := "SELECT count(*) FROM assessments.questions"
	if status, body := getCSV(t, base, cached); status != 200 {
		t.Fatalf("warming the cache: %d %s", status, body)
	}
	restart := hdfsDown(t, false)
	if status, body := getCSV(t, base, cached+" WHERE true"); status != 200 {
		t.Errorf("a query over cached copies with HDFS down: %d %s", status, body)
	}
	status, body := getCSV(t, base, uncached)
	if status != 503 || !strings.Contains(body, `"code":"unavailable"`) || !strings.Contains(body, "HDFS at") {
		t.Errorf("an uncached table with HDFS down: %d %s", status, body)
	}
	if status, body := get(t, base+"/healthz"); status != 200 || !strings.Contains(body, `"lake":"unavailable"`) {
		t.Errorf("healthz with HDFS down: %d %s", status, body)
	}
	restart()
	deadline := time.Now().Add(30 * time.Second)
	for status, body = getCSV(t, base, uncached); status != 200 && time.Now().Before(deadline); status, body = getCSV(t, base, uncached) {
		time.Sleep(500 * time.Millisecond)
	}
	if status != 200 {
		t.Errorf("with HDFS back: %d %s", status, body)
	}
}

func getCSV(t *testing.T, base, sql string) (int, string) {
	return get(t, base+"/v1/query.csv?sql="+url.QueryEscape(sql))
}

func get(t *testing.T, u string) (int, string) {
	t.Helper()
	res, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func itoa(n int) string { return strconv.Itoa(n) }
