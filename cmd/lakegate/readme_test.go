package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/lakegate/lakegate/internal/peertest"
	"github.com/lakegate/lakegate/internal/prestotest"
)

// readmeBlock returns the lines of the ```sh block of README.md that
// holds marker, or else the first one after it, without comments and
// blank lines.
func readmeBlock(t *testing.T, marker string) []string {
	t.Helper()
	data, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	s := string(data)
	i := strings.Index(s, marker)
	if i < 0 {
		t.Fatalf("README.md has no %q", marker)
	}
	if open := strings.LastIndex(s[:i], "```sh\n"); open >= 0 && !strings.Contains(s[open+6:i], "```") {
		i = open // marker is inside this block
	}
	s = s[i:]
	start := strings.Index(s, "```sh\n")
	end := strings.Index(s[start+6:], "```")
	var lines []string
	for _, l := range strings.Split(s[start+6:start+6+end], "\n") {
		if cmd, _, _ := strings.Cut(l, "   #"); strings.TrimSpace(cmd) != "" && !strings.HasPrefix(strings.TrimSpace(l), "#") {
			lines = append(lines, strings.TrimSpace(cmd))
		}
	}
	return lines
}

// shell runs one README line in bash with env and returns its output.
func shell(t *testing.T, dir string, env []string, line string) string {
	t.Helper()
	cmd := exec.Command("bash", "-euo", "pipefail", "-c", line)
	cmd.Dir, cmd.Env = dir, append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", line, err, out)
	}
	return string(out)
}

func shellOK(dir string, env []string, line string) error {
	cmd := exec.Command("bash", "-c", line)
	cmd.Dir, cmd.Env = dir, append(os.Environ(), env...)
	return cmd.Run()
}

// startBinary runs a README command that serves, in the background, and
// waits until /healthz answers.
func startBinary(t *testing.T, dir string, env []string, line, base string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, "bash", "-c", "exec "+line)
	cmd.Dir, cmd.Env = dir, append(os.Environ(), env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); cmd.Wait() })
	for deadline := time.Now().Add(3 * time.Minute); ; time.Sleep(100 * time.Millisecond) {
		if res, err := http.Get(base + "/healthz"); err == nil {
			res.Body.Close()
			return
		}
		if time.Now().After(deadline) || cmd.ProcessState != nil {
			t.Fatalf("%s did not serve:\n%s", line, out.String())
		}
	}
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return fmt.Sprint(ln.Addr().(*net.TCPAddr).Port)
}

// TestREADMEQuickStart runs the README's quick start as a new user would,
// in a fresh directory (only the port differs: LAKEGATE_ADDR), then its
// curl lines, then its LAKEGATE_TOKEN example against `lakegate serve`
// with that variable exported, which every lakegate command must bear.
func TestREADMEQuickStart(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	lines := readmeBlock(t, "<!-- quickstart -->")
	if len(lines) != 2 || lines[0] != "go install -tags duckdb_arrow ./cmd/lakegate" || lines[1] != "lakegate demo" {
		t.Fatalf("the quick start is no longer install + demo: %q; update this test", lines)
	}
	bin, home := t.TempDir(), t.TempDir()
	port := freePort(t)
	path := bin + ":" + os.Getenv("PATH")
	if py := os.Getenv("LAKEGATE_TEST_PYTHON"); py != "" {
		path = bin + ":" + filepath.Dir(py) + ":" + os.Getenv("PATH") // python3 with pandas, as the README asks
	}
	env := []string{"GOBIN=" + bin, "PATH=" + path, "LAKEGATE_ADDR=127.0.0.1:" + port}
	repo, _ := filepath.Abs("../..")
	shell(t, repo, env, lines[0])
	base := "http://127.0.0.1:" + port
	local := regexp.MustCompile(`localhost:8080`)
	func() {
		startBinary(t, home, env, lines[1], base)
		for _, l := range readmeBlock(t, "## Query it") {
			if strings.Contains(l, "pandas") && shellOK(home, env, "python3 -c 'import pandas'") != nil {
				continue // TestPandasReadsCSV runs it where pandas is
			}
			out := shell(t, home, env, local.ReplaceAllString(l, "127.0.0.1:"+port))
			if strings.Contains(out, `"ok":false`) {
				t.Errorf("%s:\n%s", l, out)
			}
		}
	}()
	t.Run("LAKEGATE_TOKEN", func(t *testing.T) { readmeToken(t, home, env, base, port) })
	t.Run("psql", func(t *testing.T) { readmePsql(t, home, env) })
}

// readmePsql runs the README's PostgreSQL protocol block: the demo with
// --pg-addr, then psql's lines, on free ports.
func readmePsql(t *testing.T, home string, env []string) {
	needClient(t, "psql", "postgresql-client")
	lines := readmeBlock(t, "<!-- pg -->")
	pg, http := freePort(t), freePort(t)
	env = append(env, "LAKEGATE_ADDR=127.0.0.1:"+http)
	startBinary(t, home, env, strings.ReplaceAll(lines[0], "5433", pg), "http://127.0.0.1:"+http)
	for _, l := range lines[1:] {
		out := shell(t, home, env, strings.ReplaceAll(l, "5433", pg))
		if !strings.Contains(out, "attempts") && !strings.Contains(out, "Learning Git") && !strings.HasPrefix(out, "COPY ") {
			t.Errorf("%s:\n%s", l, out)
		}
	}
	if b, err := os.ReadFile(filepath.Join(home, "attempts.csv")); err != nil || !strings.HasPrefix(string(b), "keen_id,") {
		t.Errorf("\\copy wrote %.100q: %v", b, err)
	}
}

// readmeToken: with LAKEGATE_TOKEN exported as the README says, lakegate
// commands still work, and the README's curl lines authenticate.
func readmeToken(t *testing.T, home string, env []string, base, port string) {
	tok := strings.TrimSpace(shell(t, home, env, "lakegate token create --user ana --tenant default --role analyst 2>/dev/null"))
	env = append(env, "LAKEGATE_TOKEN="+tok)
	port2 := freePort(t)
	env = append(env, "LAKEGATE_ADDR=127.0.0.1:"+port2)
	startBinary(t, home, env, "lakegate serve", "http://127.0.0.1:"+port2)
	if out := shell(t, home, env, "lakegate config"); !strings.Contains(out, "addr:") {
		t.Errorf("lakegate config with LAKEGATE_TOKEN set: %s", out)
	}
	for _, l := range readmeBlock(t, "export LAKEGATE_TOKEN=") {
		if strings.HasPrefix(l, "export LAKEGATE_TOKEN=") {
			continue
		}
		out := shell(t, home, env, strings.ReplaceAll(l, "localhost:8080", "127.0.0.1:"+port2))
		if !strings.Contains(out, `"ok":true`) {
			t.Errorf("%s:\n%s", l, out)
		}
	}
}

// TestREADMEHDFS runs the README's HDFS example, as written, against the
// HDFS peer (in a fresh directory, with its own config folder).
func TestREADMEHDFS(t *testing.T) {
	peertest.Env(t, "LAKEGATE_TEST_HDFS", "hdfs")
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	lines := readmeBlock(t, "<!-- hdfs -->")
	bin, home := t.TempDir(), t.TempDir()
	repo, _ := filepath.Abs("../..")
	shell(t, repo, []string{"GOBIN=" + bin}, "go install ./cmd/lakegate")
	script := "cd " + repo + " && " + lines[0] + " && cd " + home + "\n" +
		strings.Join(lines[1:], "\n") // the lines run in one shell: export and eval carry on
	script = strings.ReplaceAll(script, "$LAKEGATE_TEST_HDFS/lake", fmt.Sprintf("$LAKEGATE_TEST_HDFS/readme-%d", time.Now().UnixNano()))
	env := []string{"PATH=" + bin + ":" + os.Getenv("PATH"), "HOME=" + home, "XDG_CONFIG_HOME=" + filepath.Join(home, ".config")}
	out := shell(t, home, env, script)
	if !strings.Contains(out, "pass_rate") {
		t.Errorf("the README's HDFS example printed:\n%s", out)
	}
}

// TestREADMEPresto runs the README's Presto example as a user would.
func TestREADMEPresto(t *testing.T) {
	hms := peertest.Env(t, "LAKEGATE_TEST_HMS_ADDR", "presto")
	peertest.Env(t, "LAKEGATE_TEST_PRESTO", "presto")
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	lines := readmeBlock(t, "<!-- presto -->")
	bin, home := t.TempDir(), t.TempDir()
	repo, _ := filepath.Abs("../..")
	shell(t, repo, []string{"GOBIN=" + bin}, "go install ./cmd/lakegate")
	prestotest.Lock(t, hms)
	script := "cd " + repo + " && " + lines[0] + " && cd " + home + "\n" + strings.Join(lines[1:], "\n")
	port := freePort(t)
	script = strings.ReplaceAll(script, "localhost:8080", "localhost:"+port)
	script = strings.ReplaceAll(script, "--auth none", "--auth none --addr 127.0.0.1:"+port)
	env := []string{"PATH=" + bin + ":" + os.Getenv("PATH"), "HOME=" + home, "XDG_CONFIG_HOME=" + filepath.Join(home, ".config")}
	out := shell(t, home, env, script)
	for _, want := range []string{`"engine":"presto","route_reason":"engine presto was asked for"`, `"engine":"duckdb","route_reason":"it may scan`} {
		if !strings.Contains(out, want) {
			t.Errorf("the README's Presto example lacks %s; it printed:\n%s", want, out)
		}
	}
}
