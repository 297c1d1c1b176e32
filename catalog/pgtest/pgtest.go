// Package pgtest runs throwaway PostgreSQL clusters for tests: initdb and
// pg_ctl in a temporary directory, on a free loopback port, with fsync off.
//
// Without PostgreSQL installed, tests that ask for a cluster are skipped,
// unless the environment variable CI is set: then they fail, because CI
// must run them (.ci/run installs postgresql).
package pgtest

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// User and Password are the superuser of every cluster. Connections over
// TCP authenticate with the password (scram-sha-256), so tests see the
// secret handling of real deployments.
const (
	User     = "lakegate"
	Password = "pgtest-s3cret"
)

// Cluster is one throwaway PostgreSQL server.
type Cluster struct {
	dir  string // temporary directory: data/, the socket, the log
	bin  string // directory of initdb, pg_ctl
	port int
	mu   sync.Mutex // serializes Stop and Start
}

var dbSeq atomic.Int64

// Start starts a cluster for this test alone (stopped and removed by
// tb.Cleanup) and returns the URL of a fresh database on it.
func Start(tb testing.TB) string {
	tb.Helper()
	c := NewCluster(tb)
	return c.CreateDB(tb)
}

// NewCluster starts a cluster that tb.Cleanup stops and removes; use it to
// Stop and Start the server under a test.
func NewCluster(tb testing.TB) *Cluster {
	tb.Helper()
	bin := requireBin(tb)
	c, err := newCluster(bin)
	if err != nil {
		tb.Fatalf("pgtest: %v", err)
	}
	tb.Cleanup(c.destroy)
	return c
}

var shared struct {
	sync.Mutex
	c       *Cluster
	err     error
	enabled bool // Main is in charge of stopping it
}

// StartShared returns the URL of a fresh database on the cluster this test
// process shares: the postgres peer of scripts/peers when
// LAKEGATE_TEST_PG_URL names it, else a cluster of its own, started on
// first use. The package must run its tests through Main, which stops
// that cluster at the end.
func StartShared(tb testing.TB) string {
	tb.Helper()
	if url := os.Getenv("LAKEGATE_TEST_PG_URL"); url != "" {
		return createDB(tb, url)
	}
	bin := requireBin(tb)
	shared.Lock()
	if !shared.enabled {
		shared.Unlock()
		tb.Fatal("pgtest: StartShared needs func TestMain(m *testing.M) { pgtest.Main(m) } in the test package")
	}
	if shared.c == nil && shared.err == nil {
		shared.c, shared.err = newCluster(bin)
	}
	c, err := shared.c, shared.err
	shared.Unlock()
	if err != nil {
		tb.Fatalf("pgtest: shared cluster: %v", err)
	}
	return c.CreateDB(tb)
}

// Main runs the tests of a package that uses StartShared, then stops the
// shared cluster, and exits with the tests' status.
func Main(m interface{ Run() int }) {
	shared.Lock()
	shared.enabled = true
	shared.Unlock()
	code := m.Run()
	shared.Lock()
	if shared.c != nil {
		shared.c.destroy()
	}
	shared.Unlock()
	os.Exit(code)
}

// Available reports whether PostgreSQL's server binaries can be found.
func Available() bool { return findBin() != "" }

func requireBin(tb testing.TB) string {
	tb.Helper()
	bin := findBin()
	if bin != "" {
		return bin
	}
	msg := "PostgreSQL is not installed (no initdb in PATH or /usr/lib/postgresql/*/bin); " +
		"install it (apt-get install postgresql) to run the PostgreSQL catalog tests"
	if os.Getenv("CI") != "" {
		tb.Fatal("pgtest: CI is set: " + msg)
	}
	tb.Skip("pgtest: " + msg)
	return ""
}

// findBin returns the directory holding initdb and pg_ctl, preferring PATH,
// then the newest /usr/lib/postgresql/<version>/bin.
func findBin() string {
	if p, err := exec.LookPath("initdb"); err == nil {
		if real, err := filepath.EvalSymlinks(p); err == nil {
			p = real
		}
		if _, err := os.Stat(filepath.Join(filepath.Dir(p), "pg_ctl")); err == nil {
			return filepath.Dir(p)
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return versionOf(dirs[i]) > versionOf(dirs[j]) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d
		}
	}
	return ""
}

func versionOf(binDir string) float64 {
	v, _ := strconv.ParseFloat(filepath.Base(filepath.Dir(binDir)), 64)
	return v
}

func newCluster(bin string) (*Cluster, error) {
	dir, err := os.MkdirTemp("", "lakegate-pg-")
	if err != nil {
		return nil, err
	}
	c := &Cluster{dir: dir, bin: bin}
	if err := c.init(); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	for attempt := 0; ; attempt++ {
		if c.port, err = freePort(); err == nil {
			if err = c.start(); err == nil {
				return c, nil
			}
		}
		if attempt == 2 { // the port was taken between freePort and start
			os.RemoveAll(dir)
			return nil, err
		}
	}
}

// init runs initdb as the postgres user when running as root (the server
// refuses to run as root).
func (c *Cluster) init() error {
	pwfile := filepath.Join(c.dir, "pwfile")
	if err := os.WriteFile(pwfile, []byte(Password+"\n"), 0o600); err != nil {
		return err
	}
	if os.Geteuid() == 0 {
		if err := chownTree(c.dir, "postgres"); err != nil {
			return err
		}
	}
	return c.run("initdb", "-D", c.data(), "-U", User, "--pwfile", pwfile,
		"--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C", "--no-sync")
}

func (c *Cluster) data() string { return filepath.Join(c.dir, "data") }

func (c *Cluster) start() error {
	opts := strings.Join([]string{
		"-p", strconv.Itoa(c.port), "-k", c.dir, "-c", "listen_addresses=127.0.0.1",
		"-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
		"-c", "max_connections=300",
	}, " ")
	return c.run("pg_ctl", "-D", c.data(), "-l", filepath.Join(c.dir, "log"), "-w", "-t", "60", "-o", opts, "start")
}

func (c *Cluster) stop() error {
	return c.run("pg_ctl", "-D", c.data(), "-m", "fast", "-w", "-t", "60", "stop")
}

// run runs a PostgreSQL program, through runuser -u postgres as root.
func (c *Cluster) run(prog string, args ...string) error {
	path := filepath.Join(c.bin, prog)
	var cmd *exec.Cmd
	if os.Geteuid() == 0 {
		cmd = exec.Command("runuser", append([]string{"-u", "postgres", "--", path}, args...)...)
	} else {
		cmd = exec.Command(path, args...)
	}
	cmd.Dir = c.dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		log, _ := os.ReadFile(filepath.Join(c.dir, "log"))
		return fmt.Errorf("%s %s: %v\n%s\nserver log:\n%s", prog, strings.Join(args, " "), err, out, tail(string(log), 2000))
	}
	return nil
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

func chownTree(dir, name string) error {
	u, err := user.Lookup(name)
	if err != nil {
		return fmt.Errorf("running as root needs the %q user to run PostgreSQL: %w", name, err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return filepath.Walk(dir, func(p string, _ os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, uid, gid)
	})
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Port is the cluster's TCP port on 127.0.0.1.
func (c *Cluster) Port() int { return c.port }

// URL returns the URL of database db on the cluster, with the password.
func (c *Cluster) URL(db string) string {
	return fmt.Sprintf("postgres://%s:%s@127.0.0.1:%d/%s?sslmode=disable", User, Password, c.port, db)
}

// CreateDB creates a fresh database t_<n> and returns its URL.
func (c *Cluster) CreateDB(tb testing.TB) string {
	tb.Helper()
	return createDB(tb, c.URL("postgres"))
}

// createDB creates a fresh database t_<pid>_<n> on the server of admin (a
// URL) and returns its URL.
func createDB(tb testing.TB, admin string) string {
	tb.Helper()
	name := fmt.Sprintf("t_%d_%d", os.Getpid(), dbSeq.Add(1))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	u, err := url.Parse(admin)
	if err != nil {
		tb.Fatalf("pgtest: %v", err)
	}
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		tb.Fatalf("pgtest: connect: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		tb.Fatalf("pgtest: create database: %v", err)
	}
	u.Path = "/" + name
	return u.String()
}

// Stop stops the server (fast shutdown: sessions are disconnected).
func (c *Cluster) Stop(tb testing.TB) {
	tb.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.stop(); err != nil {
		tb.Fatalf("pgtest: %v", err)
	}
}

// Start starts a stopped server again on the same port.
func (c *Cluster) Start(tb testing.TB) {
	tb.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.start(); err != nil {
		tb.Fatalf("pgtest: %v", err)
	}
}

// Restart stops and starts the server.
func (c *Cluster) Restart(tb testing.TB) {
	tb.Helper()
	c.Stop(tb)
	c.Start(tb)
}

// destroy stops the server if it runs and removes its directory.
func (c *Cluster) destroy() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, err := os.Stat(filepath.Join(c.data(), "postmaster.pid")); err == nil {
		_ = c.stop()
	}
	os.RemoveAll(c.dir)
}
