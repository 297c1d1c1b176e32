// Command pgwire measures lakegate's PostgreSQL protocol beside its HTTP
// API on one server (bench/pgwire.sh runs it): a ROWS-row result read
// over HTTP as Arrow, with psql's \copy, with a psycopg server-side
// cursor and with pgx, and the latency of a simple query over the wire
// and over HTTP. It rewrites its section of BENCHMARKS.md.
//
//	pgwire -lakegate BIN -duckexport BIN [-rows N] [-runs N] [-dir DIR] [-out BENCHMARKS.md]
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"maps"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/lakegate/lakegate/bench/internal/report"
)

type bench struct {
	lakegate, duckexport, python, dir string
	rows, runs                        int
	base, pgPort                      string
	srv                               *exec.Cmd
}

func main() {
	var b bench
	out := flag.String("out", "BENCHMARKS.md", "the Markdown file whose pgwire section is rewritten")
	flag.StringVar(&b.lakegate, "lakegate", "", "the lakegate binary (built with -tags duckdb_arrow)")
	flag.StringVar(&b.duckexport, "duckexport", "", "bench/duckexport's binary (makes the table)")
	flag.StringVar(&b.dir, "dir", "/tmp/lakegate-bench", "work folder")
	flag.IntVar(&b.rows, "rows", 10_000_000, "rows of the table read whole")
	flag.IntVar(&b.runs, "runs", 3, "timed reads per client")
	flag.Parse()
	b.python = os.Getenv("LAKEGATE_TEST_PYTHON")
	if b.lakegate == "" || b.duckexport == "" || b.python == "" {
		log.Fatal("usage: pgwire -lakegate BIN -duckexport BIN (with LAKEGATE_TEST_PYTHON from scripts/peers env: psycopg)")
	}
	if _, err := exec.LookPath("psql"); err != nil {
		log.Fatal("pgwire: psql is not installed (apt-get install postgresql-client)")
	}
	section, err := b.run()
	if err != nil {
		log.Fatalf("pgwire: %v", err)
	}
	if err := splice(*out, section); err != nil {
		log.Fatalf("pgwire: %v", err)
	}
}

func (b *bench) run() (string, error) {
	lake := filepath.Join(b.dir, fmt.Sprintf("pgwire-lake-%d", b.rows))
	if err := b.makeTable(lake); err != nil {
		return "", err
	}
	reads, peaks := map[string][]float64{}, map[string]float64{}
	clients := []string{"HTTP Arrow (curl-like, Go)", "psql \\copy (CSV)", "psycopg 3 named cursor", "pgx (Go, binary)"}
	for _, c := range clients { // each on a fresh server, so that its peak memory is its own
		if err := b.serve(lake); err != nil {
			return "", err
		}
		for i := 0; i < b.runs+1; i++ { // one warm-up read
			secs, err := b.read(c)
			if err != nil {
				b.stop()
				return "", fmt.Errorf("%s: %w", c, err)
			}
			log.Printf("%s: %.2f s", c, secs)
			if i > 0 {
				reads[c] = append(reads[c], secs)
			}
		}
		peaks[c] = b.peakMB()
		b.stop()
	}
	if err := b.serve(lake); err != nil {
		return "", err
	}
	defer b.stop()
	lat, err := b.latency(2000)
	if err != nil {
		return "", err
	}
	return b.report(clients, reads, peaks, lat), nil
}

// makeTable writes the table with duckexport and registers it.
func (b *bench) makeTable(lake string) error {
	table := filepath.Join(lake, "tenants", "default", "bench", "rows")
	if st, err := os.Stat(filepath.Join(table, "part-0.parquet")); err == nil && st.Size() > 0 {
		return nil
	}
	os.RemoveAll(lake)
	if out, err := exec.Command(b.duckexport, "make", table, strconv.Itoa(b.rows)).CombinedOutput(); err != nil {
		return fmt.Errorf("duckexport make: %v %s", err, out)
	}
	out, err := exec.Command(b.lakegate, "catalog", "register", "--lake", lake, "--db", "bench", "--table", "rows",
		"--location", "bench/rows", "--log-level", "warn").CombinedOutput()
	if err != nil {
		return fmt.Errorf("catalog register: %v %s", err, out)
	}
	return nil
}

func freePort() string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	defer ln.Close()
	return strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
}

// serve starts lakegate with the PostgreSQL protocol on, no auth, a long
// query timeout (a whole read is one query) and no result cache.
func (b *bench) serve(lake string) error {
	http, pg := freePort(), freePort()
	b.base, b.pgPort = "http://127.0.0.1:"+http, pg
	b.srv = exec.Command(b.lakegate, "serve", "--lake", lake, "--auth", "none", "--addr", "127.0.0.1:"+http,
		"--pg-addr", "127.0.0.1:"+pg, "--query-timeout", "30m", "--log-level", "warn",
		"--cache-bytes", "0") // the latency is the query's on both protocols, never a cache hit
	b.srv.Stderr = os.Stderr
	if err := b.srv.Start(); err != nil {
		return err
	}
	for i := 0; i < 3000; i++ {
		if res, err := client.Get(b.base + "/healthz"); err == nil {
			res.Body.Close()
			return nil
		}
		time.Sleep(10 * time.Millisecond)
	}
	return fmt.Errorf("lakegate serve did not start")
}

func (b *bench) stop() {
	b.srv.Process.Signal(os.Interrupt)
	b.srv.Wait()
}

// peakMB is the server's peak resident set (VmHWM).
func (b *bench) peakMB() float64 { return report.PeakMB(b.srv.Process.Pid) }

var client = &http.Client{Timeout: 30 * time.Minute}

const readSQL = "SELECT * FROM bench.rows"

// read reads the whole table once with one client and returns seconds.
func (b *bench) read(c string) (float64, error) {
	start := time.Now()
	var err error
	switch {
	case strings.HasPrefix(c, "HTTP"):
		err = b.readHTTP()
	case strings.HasPrefix(c, "psql"):
		cmd := exec.Command("psql", "-h", "127.0.0.1", "-p", b.pgPort, "-U", "bench", "-d", "lakegate", "-X", "-q", "-v", "ON_ERROR_STOP=1",
			"-c", `\copy (`+readSQL+`) TO '/dev/null' WITH (FORMAT csv)`)
		var out []byte
		if out, err = cmd.CombinedOutput(); err != nil {
			err = fmt.Errorf("%v: %s", err, out)
		}
	case strings.HasPrefix(c, "psycopg"):
		err = b.readPsycopg()
	default:
		err = b.readPgx()
	}
	return time.Since(start).Seconds(), err
}

func (b *bench) readHTTP() error {
	res, err := client.Get(b.base + "/v1/query.arrow?limit=0&sql=" + url.QueryEscape(readSQL))
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("status %d", res.StatusCode)
	}
	_, err = io.Copy(io.Discard, res.Body)
	return err
}

const psycopgScript = `import sys, psycopg
with psycopg.connect(f"host=127.0.0.1 port={sys.argv[1]} user=bench dbname=lakegate") as conn:
    with conn.cursor(name="all_rows") as cur:
        cur.execute(sys.argv[2])
        n = 0
        while rows := cur.fetchmany(10000):
            n += len(rows)
print(n)
`

func (b *bench) readPsycopg() error {
	out, err := exec.Command(b.python, "-c", psycopgScript, b.pgPort, readSQL).CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != strconv.Itoa(b.rows) {
		return fmt.Errorf("psycopg read %q: %v", out, err)
	}
	return nil
}

func (b *bench) connect() (*pgx.Conn, error) {
	return pgx.Connect(context.Background(), "postgres://bench@127.0.0.1:"+b.pgPort+"/lakegate?sslmode=disable")
}

func (b *bench) readPgx() error {
	conn, err := b.connect()
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	rows, err := conn.Query(context.Background(), readSQL)
	if err != nil {
		return err
	}
	n := 0
	for rows.Next() {
		n++
	}
	if rows.Err() == nil && n != b.rows {
		return fmt.Errorf("pgx read %d rows", n)
	}
	return rows.Err()
}

// latency times n SELECT 1 each over pgx (extended and simple protocol)
// and over HTTP (JSON, cache bypassed), interleaved; it returns medians
// and p99s in ms.
func (b *bench) latency(n int) (map[string][2]float64, error) {
	conn, err := b.connect()
	if err != nil {
		return nil, err
	}
	defer conn.Close(context.Background())
	ctx := context.Background()
	paths := map[string]func() error{
		"pgx, extended protocol": func() error { var x int; return conn.QueryRow(ctx, "SELECT 1").Scan(&x) },
		"pgx, simple protocol": func() error {
			var x int
			return conn.QueryRow(ctx, "SELECT 1", pgx.QueryExecModeSimpleProtocol).Scan(&x)
		},
		"HTTP POST /v1/query (JSON)": func() error {
			req, _ := http.NewRequest("POST", b.base+"/v1/query", strings.NewReader(`{"sql":"SELECT 1"}`))
			req.Header.Set("Cache-Control", "no-cache")
			res, err := client.Do(req)
			if err != nil {
				return err
			}
			io.Copy(io.Discard, res.Body)
			return res.Body.Close()
		},
	}
	ms := map[string][]float64{}
	for i := 0; i < n; i++ {
		for name, f := range paths {
			start := time.Now()
			if err := f(); err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
			ms[name] = append(ms[name], float64(time.Since(start).Microseconds())/1000)
		}
	}
	out := map[string][2]float64{}
	for name, xs := range ms {
		sort.Float64s(xs)
		out[name] = [2]float64{xs[len(xs)/2], xs[len(xs)*99/100]}
	}
	return out, nil
}

func (b *bench) report(clients []string, reads map[string][]float64, peaks map[string]float64, lat map[string][2]float64) string {
	var s strings.Builder
	fmt.Fprintf(&s, "Generated by `bench/pgwire.sh` (commit %s, %s). Each client reads the whole table %d times after a\n", commit(), time.Now().UTC().Format("2006-01-02"), b.runs)
	fmt.Fprintf(&s, "warm-up read, on a fresh `lakegate serve --pg-addr` of its own, whose peak resident memory is shown.\n")
	fmt.Fprintf(&s, "The table is bench/duckexport's %d rows (id, user_name, score, at, flag).\n\n", b.rows)
	s.WriteString("| client | seconds, median (min–max) | rows/s | vs HTTP Arrow | server peak RSS |\n| --- | --- | --- | --- | --- |\n")
	arrow := median(reads[clients[0]])
	for _, c := range clients {
		xs := reads[c]
		sort.Float64s(xs)
		m := median(xs)
		fmt.Fprintf(&s, "| %s | %.2f (%.2f–%.2f) | %.0f | %.2f× the time | %.0f MB |\n", c, m, xs[0], xs[len(xs)-1], float64(b.rows)/m, m/arrow, peaks[c])
	}
	s.WriteString("\n")
	s.WriteString("| `SELECT 1`, one client, 2,000 each | p50 ms | p99 ms |\n| --- | --- | --- |\n")
	for _, n := range slices.Sorted(maps.Keys(lat)) {
		fmt.Fprintf(&s, "| %s | %.3f | %.3f |\n", n, lat[n][0], lat[n][1])
	}
	return s.String()
}

func median(xs []float64) float64 {
	ys := append([]float64(nil), xs...)
	sort.Float64s(ys)
	return ys[len(ys)/2]
}

func commit() string {
	out, err := exec.Command("git", "rev-parse", "--short", "HEAD").Output()
	if err != nil {
		return "unknown"
	}
	return strings.TrimSpace(string(out))
}

const (
	beginMark = "<!-- begin bench/pgwire.sh: generated, edits are lost -->"
	endMark   = "<!-- end bench/pgwire.sh -->"
)

// splice rewrites the section between the markers (appended with a
// heading when the file has none).
func splice(path, section string) error {
	doc, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	s := string(doc)
	body := beginMark + "\n" + section + endMark + "\n"
	out, ok := report.Splice(s, beginMark, endMark, body)
	if !ok {
		out = s + "\n## The PostgreSQL protocol beside HTTP (issue 17)\n\n" + body
	}
	return os.WriteFile(path, []byte(out), 0o644)
}
