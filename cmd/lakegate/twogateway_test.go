package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lakegate/lakegate/catalog/pgtest"
)

// Two `lakegate serve` processes share one PostgreSQL catalog and one lake:
// what an ingest (a third process) commits becomes visible on both within
// 2 seconds, without restarting either.
func TestTwoGatewaysSharePostgresCatalog(t *testing.T) {
	dsn := pgtest.Start(t)
	lake := t.TempDir()
	bin := buildLakegate(t)
	gateways := []string{serveProcess(t, bin, lake, dsn), serveProcess(t, bin, lake, dsn)}

	seen := map[string]bool{}
	for i, seed := range []string{"1", "2"} {
		file := filepath.Join(t.TempDir(), "attempts-"+seed+".json")
		code, _, errs := run(t, nil, "generate", "assessments", "--attempts", "400", "--seed", seed, "-o", file)
		if code != 0 {
			t.Fatalf("generate: %s", errs)
		}
		addRecords(t, file, seen)
		out, err := exec.Command(bin, "ingest", "assessments", file, "--lake", lake, "--catalog", dsn).CombinedOutput()
		if err != nil || !strings.Contains(string(out), "landed") {
			t.Fatalf("ingest #%d: %v\n%s", i+1, err, out)
		}
		if strings.Contains(string(out), pgtest.Password) {
			t.Fatalf("ingest printed the catalog password:\n%s", out)
		}
		committed := time.Now()
		want := fmt.Sprint(len(seen))
		for {
			got := make([]string, len(gateways))
			for j, base := range gateways {
				got[j] = countAttempts(base)
			}
			if got[0] == want && got[1] == want {
				t.Logf("ingest #%d: both gateways count %s attempts %v after the commit", i+1, want, time.Since(committed))
				break
			}
			if time.Since(committed) > 2*time.Second {
				t.Fatalf("ingest #%d: 2 s after the commit the gateways count %q, want %s on both", i+1, got, want)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
}

// buildLakegate builds the command once for the tests that run it as a
// separate process.
func buildLakegate(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "lakegate")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// serveProcess starts `lakegate serve` as its own process on a free port
// and returns its base URL, read from its "lakegate serving" log line.
func serveProcess(t *testing.T, bin, lake, catalogURL string) string {
	t.Helper()
	cmd := exec.Command(bin, "serve", "--lake", lake, "--catalog", catalogURL, "--addr", "127.0.0.1:0", "--auth", "none")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var logs syncBuffer
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		cmd.Wait()
		if strings.Contains(logs.String(), pgtest.Password) {
			t.Errorf("serve logged the catalog password:\n%s", logs.String())
		}
	})
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			line := sc.Text()
			logs.Write([]byte(line + "\n"))
			if _, rest, ok := strings.Cut(line, "lakegate serving\" url="); ok {
				urls <- strings.Fields(rest)[0]
			}
		}
	}()
	select {
	case u := <-urls:
		return u
	case <-time.After(time.Minute):
		t.Fatalf("serve did not start within a minute:\n%s", logs.String())
	}
	return ""
}

// startServe runs `lakegate serve` in-process on a free port and returns
// its base URL; it must never print the catalog password.
func startServe(t *testing.T, lake, catalogURL string) string {
	t.Helper()
	u, printed := startApp(t, "serve", "--lake", lake, "--catalog", catalogURL, "--auth", "none")
	t.Cleanup(func() {
		if strings.Contains(printed(), pgtest.Password) {
			t.Errorf("serve printed the catalog password:\n%s", printed())
		}
	})
	return u
}

// countAttempts asks a gateway for count(*) of the attempts table; an
// error (the table not there yet) reads as "".
func countAttempts(base string) string {
	res, err := http.Post(base+"/v1/query", "application/json",
		strings.NewReader(`{"sql":"SELECT count(*) AS n FROM assessments.attempts"}`))
	if err != nil {
		return ""
	}
	defer res.Body.Close()
	var body struct {
		OK   bool    `json:"ok"`
		Rows [][]any `json:"rows"`
	}
	if json.NewDecoder(res.Body).Decode(&body) != nil || !body.OK || len(body.Rows) != 1 || len(body.Rows[0]) != 1 {
		return ""
	}
	return fmt.Sprint(body.Rows[0][0])
}

// A gateway whose PostgreSQL catalog goes away answers 503 with a clear
// message, and answers again by itself once the server is back.
func TestGatewaySurvivesCatalogOutage(t *testing.T) {
	cluster := pgtest.NewCluster(t)
	dsn := cluster.CreateDB(t)
	lake := t.TempDir()
	file := filepath.Join(t.TempDir(), "a.json")
	if code, _, errs := run(t, nil, "generate", "assessments", "--attempts", "200", "-o", file); code != 0 {
		t.Fatal(errs)
	}
	if code, out, errs := run(t, nil, "ingest", "assessments", file, "--lake", lake, "--catalog", dsn); code != 0 {
		t.Fatalf("ingest: %s%s", out, errs)
	}
	base := startServe(t, lake, dsn)
	if countAttempts(base) == "" {
		t.Fatal("no answer before the outage")
	}

	cluster.Stop(t)
	for _, path := range []string{"/v1/query", "/v1/tables"} {
		status, body := request(t, base, path)
		if status != http.StatusServiceUnavailable || !strings.Contains(body, `"code":"unavailable"`) ||
			!strings.Contains(body, "PostgreSQL catalog") || strings.Contains(body, pgtest.Password) {
			t.Fatalf("%s during the outage: %d %s", path, status, body)
		}
	}

	cluster.Start(t)
	deadline := time.Now().Add(10 * time.Second)
	for countAttempts(base) == "" {
		if time.Now().After(deadline) {
			status, body := request(t, base, "/v1/query")
			t.Fatalf("the gateway did not recover within 10 s of the catalog's return: %d %s", status, body)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// request runs a count query (POST /v1/query) or a GET and returns the
// status and body.
func request(t *testing.T, base, path string) (int, string) {
	t.Helper()
	var res *http.Response
	var err error
	if path == "/v1/query" {
		res, err = http.Post(base+path, "application/json",
			strings.NewReader(`{"sql":"SELECT count(*) FROM assessments.attempts"}`))
	} else {
		res, err = http.Get(base + path)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}
