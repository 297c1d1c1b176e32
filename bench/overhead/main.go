// Command overhead measures the HTTP overhead of the canned queries
// (bench/overhead.sh): each query of queries.All() is run, in the same
// process run and interleaved so that the shared VM's drift hits all of
// them alike,
//
//   - in process on a plain DuckDB (database/sql + duckdb-go, default
//     settings) with the same views over the same Parquet files as the
//     engine builds (engine/duckdb/views.go), reading every row;
//   - the same, preceded by the read-only check the engine does: a
//     (*duckdb.Conn).Prepare of the text on the query's connection;
//   - prepared once: the statement the check prepared is the one executed
//     (what the engine would cost without its second prepare);
//   - over HTTP: POST /v1/query with Cache-Control: no-cache (the server
//     computes the answer), JSON, reading the whole body;
//   - over HTTP with the cache allowed (every timed request is a hit).
//
// It prints a Markdown table of medians and the ratio HTTP / in process,
// with the geometric mean of the ratios.
//
//	overhead -lake DIR -url http://127.0.0.1:PORT [-n 20] [-warmup 3] [-threads 0]
package main

import (
	"bytes"
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"sort"
	"strings"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/lakegate/lakegate/bench/internal/baseline"
	"github.com/lakegate/lakegate/queries"
)

func main() {
	lake := flag.String("lake", "", "lake directory (the one `lakegate serve --lake` serves)")
	base := flag.String("url", "", "the server's base URL, e.g. http://127.0.0.1:8080")
	n := flag.Int("n", 20, "timed runs per query and path")
	warm := flag.Int("warmup", 3, "untimed runs per query and path before the timed ones")
	threads := flag.Int("threads", 0, "DuckDB threads of the in-process baseline (0: DuckDB's default, as the server's default)")
	flag.Parse()
	if *lake == "" || *base == "" || *n < 1 {
		fmt.Fprintln(os.Stderr, "usage: overhead -lake DIR -url http://HOST:PORT [-n 20] [-warmup 3] [-threads 0]")
		os.Exit(2)
	}
	if err := run(*lake, strings.TrimRight(*base, "/"), *n, *warm, *threads); err != nil {
		fmt.Fprintln(os.Stderr, "overhead:", err)
		os.Exit(1)
	}
}

// result holds the timings of one query, in milliseconds.
type result struct {
	name                          string
	rows                          int
	local, checked, prepare, once []float64
	server                        []float64
	http, cached                  []float64
}

func run(lake, base string, n, warm, threads int) error {
	ctx := context.Background()
	qs, err := queries.All()
	if err != nil {
		return err
	}
	db, err := baseline.Open(ctx, lake, threads)
	if err != nil {
		return err
	}
	defer db.Close()
	client := &http.Client{Timeout: 5 * time.Minute}
	var results []result
	for _, q := range qs {
		r := result{name: q.Name}
		params, err := queries.Bind(q, nil) // the defaults, bound as the server binds them
		if err != nil {
			return err
		}
		args, named := baseline.BindArgs(params)
		for i := 0; i < warm+n; i++ {
			var rows int
			var local, checked, prep, once, h, c float64
			var a, ca answer
			// One run of each path per round; the order rotates from round
			// to round so that none always follows the same one.
			paths := []func() error{
				func() (err error) {
					rows, local, err = timeLocal(ctx, db, q.SQL, args...)
					return wrap("in process", err)
				},
				func() (err error) {
					checked, prep, err = timeChecked(ctx, db, q.SQL, args...)
					return wrap("in process with check", err)
				},
				func() (err error) {
					once, err = timeOnce(ctx, db, q.SQL, named)
					return wrap("in process, prepared once", err)
				},
				func() (err error) {
					h, a, err = timeHTTP(client, base, q.SQL, params, true)
					return wrap("over HTTP", err)
				},
				func() (err error) {
					c, ca, err = timeHTTP(client, base, q.SQL, params, false)
					return wrap("over HTTP, cached", err)
				},
			}
			for j := range paths {
				if err := paths[(i+j)%len(paths)](); err != nil {
					return fmt.Errorf("%s: %w", q.Name, err)
				}
			}
			if a.RowCount != rows {
				return fmt.Errorf("%s: %d rows over HTTP, %d in process", q.Name, a.RowCount, rows)
			}
			if i < warm {
				continue
			}
			if !ca.Cached {
				return fmt.Errorf("%s: a request allowed to use the cache, after a no-cache one, was not a hit", q.Name)
			}
			r.rows = rows
			r.local = append(r.local, local)
			r.checked = append(r.checked, checked)
			r.prepare = append(r.prepare, prep)
			r.once = append(r.once, once)
			r.http = append(r.http, h)
			r.server = append(r.server, a.ElapsedMS)
			r.cached = append(r.cached, c)
		}
		results = append(results, r)
	}
	report(results, n, warm)
	return nil
}

// timeLocal runs text once and reads every row.
func timeLocal(ctx context.Context, db *sql.DB, text string, args ...any) (int, float64, error) {
	start := time.Now()
	rs, err := db.QueryContext(ctx, text, args...)
	if err != nil {
		return 0, 0, err
	}
	rows, err := baseline.Drain(rs)
	return rows, ms(time.Since(start)), err
}

// timeChecked does what the engine does on its connection: prepare the
// text with (*duckdb.Conn).Prepare (the read-only check), then run it. It
// returns the whole time and the prepare's share.
func timeChecked(ctx context.Context, db *sql.DB, text string, args ...any) (float64, float64, error) {
	start := time.Now()
	conn, err := db.Conn(ctx)
	if err != nil {
		return 0, 0, err
	}
	defer conn.Close()
	p := time.Now()
	err = conn.Raw(func(dc any) error {
		st, err := dc.(*duckdb.Conn).Prepare(text)
		if err != nil {
			return err
		}
		return st.Close()
	})
	prep := ms(time.Since(p))
	if err != nil {
		return 0, 0, err
	}
	rs, err := conn.QueryContext(ctx, text, args...)
	if err != nil {
		return 0, 0, err
	}
	if _, err := baseline.Drain(rs); err != nil {
		return 0, 0, err
	}
	return ms(time.Since(start)), prep, nil
}

// timeOnce is what the engine would cost with a single prepare: the
// statement the read-only check prepared is the one executed.
func timeOnce(ctx context.Context, db *sql.DB, text string, named []driver.NamedValue) (float64, error) {
	start := time.Now()
	conn, err := db.Conn(ctx)
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	err = conn.Raw(func(dc any) error {
		st, err := dc.(*duckdb.Conn).Prepare(text)
		if err != nil {
			return err
		}
		defer st.Close()
		ds := st.(*duckdb.Stmt)
		if typ, err := ds.StatementType(); err != nil || typ != duckdb.STATEMENT_TYPE_SELECT {
			return fmt.Errorf("statement type %v: %v", typ, err)
		}
		rs, err := ds.QueryContext(ctx, named)
		if err != nil {
			return err
		}
		defer rs.Close()
		dest := make([]driver.Value, len(rs.Columns()))
		for {
			if err := rs.Next(dest); err == io.EOF {
				return nil
			} else if err != nil {
				return err
			}
		}
	})
	return ms(time.Since(start)), err
}

// answer is the part of the JSON answer the benchmark checks.
type answer struct {
	OK        bool    `json:"ok"`
	Cached    bool    `json:"cached"`
	RowCount  int     `json:"row_count"`
	ElapsedMS float64 `json:"elapsed_ms"`
}

// timeHTTP posts text as JSON and reads the whole answer; noCache makes
// the server compute it instead of answering from its cache.
func timeHTTP(client *http.Client, base, text string, params map[string]any, noCache bool) (float64, answer, error) {
	var a answer
	body, err := json.Marshal(map[string]any{"sql": text, "params": params})
	if err != nil {
		return 0, a, err
	}
	start := time.Now()
	req, err := http.NewRequest(http.MethodPost, base+"/v1/query", bytes.NewReader(body))
	if err != nil {
		return 0, a, err
	}
	req.Header.Set("Content-Type", "application/json")
	if noCache {
		req.Header.Set("Cache-Control", "no-cache")
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, a, err
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	elapsed := ms(time.Since(start))
	if err != nil {
		return 0, a, err
	}
	if resp.StatusCode != http.StatusOK {
		return 0, a, fmt.Errorf("status %d: %s", resp.StatusCode, b)
	}
	if err := json.Unmarshal(b, &a); err != nil || !a.OK {
		return 0, a, fmt.Errorf("bad answer (%v): %.200s", err, b)
	}
	return elapsed, a, nil
}

func report(results []result, n, warm int) {
	fmt.Printf("medians of %d runs per query and path, after %d warm-up runs, interleaved\n\n", n, warm)
	fmt.Println("| query | rows | in process ms | in process + Prepare check ms | Prepare alone ms | in process, prepared once ms | HTTP no-cache ms | server elapsed_ms | HTTP / in process | HTTP / (in process + check) | HTTP cache hit ms |")
	fmt.Println("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
	logSum, logChecked := 0.0, 0.0
	for _, r := range results {
		local, h := median(r.local), median(r.http)
		ratio := h / local
		checked := median(r.checked)
		logSum += math.Log(ratio)
		logChecked += math.Log(h / checked)
		fmt.Printf("| %s | %d | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %.2f | %.2f | %.2f |\n", r.name, r.rows, local,
			checked, median(r.prepare), median(r.once), h, median(r.server), ratio, h/checked, median(r.cached))
	}
	k := float64(len(results))
	fmt.Printf("\ngeometric mean of HTTP / in process: %.2f; of HTTP / (in process + check): %.2f\n",
		math.Exp(logSum/k), math.Exp(logChecked/k))
}

func wrap(path string, err error) error {
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

func median(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
