package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/lakegate/lakegate/bench/internal/baseline"
	"github.com/lakegate/lakegate/queries"
)

// systems asks every question of one data set: lakegate over HTTP beside
// DuckDB in process, PostgreSQL and Presto.
type systems struct {
	c    *config
	r    *results
	size int
	lake string
	gw   *gateway
	duck *sql.DB
	pg   *pgxpool.Pool
	qs   []queries.Query
}

func queryAll(c *config, r *results, size int, lake string) error {
	ctx := context.Background()
	s := &systems{c: c, r: r, size: size, lake: lake}
	var err error
	if s.qs, err = queries.All(); err != nil {
		return err
	}
	if err := buildPruningTable(c, lake); err != nil {
		return fmt.Errorf("pruning table: %w", err)
	}
	if err := coldStart(c, r, size, lake); err != nil {
		return fmt.Errorf("cold start: %w", err)
	}
	if s.duck, err = baseline.Open(ctx, lake, 0); err != nil {
		return err
	}
	defer s.duck.Close()
	if err := s.facts(ctx); err != nil {
		return err
	}
	if c.pgURL != "" && size <= c.peerMax {
		logf("loading PostgreSQL")
		if s.pg, err = loadPostgres(c, r, s.duck, size); err != nil {
			return err
		}
		defer s.pg.Close()
	} else if c.pgURL != "" {
		r.note("%d attempts: PostgreSQL is loaded up to %d attempts (at 10M, 60M rows and their indexes take longer than this run's hour)", size, c.peerMax)
	}
	s.versions(ctx)
	// queue_wait: 16 clients of seconds-long questions (10M attempts) wait
	// longer than the default 10 s for one of the 4 slots a user has.
	// memory_limit: the default 512MB (per tenant's engine) is too little
	// for 4 distinct counts at once over 10M attempts; an operator serving
	// that much raises it, as the in-process DuckDB has 80% of RAM.
	if s.gw, err = serve(c, lake, c.presto != "" && c.hmsAddr != "", "--queue-wait", "10m", "--memory-limit", serveMemory); err != nil {
		return err
	}
	defer s.gw.stop()
	for _, step := range []func(context.Context) error{s.oneClient, s.presto, s.sixteenClients, s.small, s.pruning} {
		if err := step(ctx); err != nil {
			return err
		}
	}
	return nil
}

// serveMemory is lakegate's memory_limit in the query runs.
const serveMemory = "8GB"

// runs is the timed runs per question: a third beyond the peers' size
// (10M attempts: seconds per question), so the full run keeps to its hour.
func (s *systems) runs() int {
	if s.size > s.c.peerMax {
		return max(5, s.c.runs/3)
	}
	return s.c.runs
}

func (s *systems) prestoRuns() int {
	if s.size > s.c.peerMax {
		return max(2, s.c.prestoRuns-1)
	}
	return s.c.prestoRuns
}

// facts records the data set's rows and bytes.
func (s *systems) facts(ctx context.Context) error {
	f := sizeFacts{Attempts: s.size, NDJSONBytes: s.r.ingestBytes(s.size),
		ParquetBytes: dirSize(filepath.Join(s.lake, "tenants", "default", "assessments"))}
	if err := s.duck.QueryRowContext(ctx, "SELECT count(*) FROM assessments.attempts").Scan(&f.Landed); err != nil {
		return err
	}
	if err := s.duck.QueryRowContext(ctx, "SELECT count(*) FROM assessments.questions").Scan(&f.Questions); err != nil {
		return err
	}
	s.r.Sizes = append(s.r.Sizes, f)
	return nil
}

func (r *results) ingestBytes(size int) int64 {
	for _, in := range r.Ingest {
		if in.Size == size && in.System == "lakegate" {
			return in.Bytes
		}
	}
	return 0
}

// oneClient times every canned query on one connection: lakegate over
// HTTP (cache bypassed), the same SQL in process, and PostgreSQL's
// version, interleaved round by round so that the VM's drift hits all.
func (s *systems) oneClient(ctx context.Context) error {
	for _, q := range s.qs {
		params, err := queries.Bind(q, nil)
		if err != nil {
			return err
		}
		args, _ := baseline.BindArgs(params)
		runs := map[string]*cannedRun{}
		paths := map[string]func() (int, error){
			"lakegate": func() (int, error) { a, err := s.gw.canned(ctx, q.Name, "duckdb"); return a.RowCount, err },
			"duckdb": func() (int, error) {
				rs, err := s.duck.QueryContext(ctx, q.SQL, args...)
				if err != nil {
					return 0, err
				}
				return baseline.Drain(rs)
			},
		}
		if s.pg != nil {
			paths["postgres"] = func() (int, error) { return pgQuery(ctx, s.pg, pgQuestions[q.Name]) }
		}
		order := []string{"lakegate", "duckdb", "postgres"}
		for i := 0; i < s.runs()+2; i++ { // two warm-up rounds
			for j := range order {
				name := order[(i+j)%len(order)]
				f := paths[name]
				if f == nil {
					continue
				}
				var rows int
				ms, err := timeMS(func() (err error) { rows, err = f(); return err })
				if err != nil {
					return fmt.Errorf("%s on %s: %w", q.Name, name, err)
				}
				if runs[name] == nil {
					runs[name] = &cannedRun{Size: s.size, Query: q.Name, System: name, Rows: rows}
				}
				if i >= 2 {
					runs[name].MS = append(runs[name].MS, ms)
				}
			}
		}
		for _, name := range order {
			if runs[name] != nil {
				s.r.Canned = append(s.r.Canned, *runs[name])
			}
		}
		logf("%s: lakegate %.1f ms, duckdb %.1f ms", q.Name, summarize(runs["lakegate"].MS).Med, summarize(runs["duckdb"].MS).Med)
	}
	return nil
}

// presto runs every canned query on the Presto peer through the gateway
// (its Presto dialect where the query has one), alone: Presto's
// background work would otherwise fall on the others.
func (s *systems) presto(ctx context.Context) error {
	if s.c.presto == "" || s.c.hmsAddr == "" {
		return nil
	}
	for _, q := range s.qs {
		run := cannedRun{Size: s.size, Query: q.Name, System: "presto"}
		for i := 0; i < s.prestoRuns()+1; i++ {
			var a answer
			ms, err := timeMS(func() (err error) { a, err = s.gw.canned(ctx, q.Name, "presto"); return err })
			if err != nil { // Presto's own limits (its memory per query) are a result, not the suite's failure
				run.Error = errorCode(err)
				logf("%s on presto failed: %v", q.Name, err)
				break
			}
			if a.Engine != "presto" {
				return fmt.Errorf("%s: asked for presto, answered by %q", q.Name, a.Engine)
			}
			run.Rows = a.RowCount
			if i > 0 {
				run.MS = append(run.MS, ms)
			}
		}
		logf("%s: presto %.0f ms %s", q.Name, summarize(run.MS).Med, run.Error)
		s.r.Canned = append(s.r.Canned, run)
	}
	return nil
}

// sixteenClients is each canned query's throughput with 16 clients, on
// lakegate (cache bypassed) and on PostgreSQL.
func (s *systems) sixteenClients(ctx context.Context) error {
	for _, q := range s.qs {
		lr, err := load(s.c, 16, func(ctx context.Context) error { _, err := s.gw.canned(ctx, q.Name, "duckdb"); return err })
		if err != nil { // recorded (out of memory at 10M is an answer too), not fatal
			lr = loadRun{Clients: 16, Error: errorCode(err)}
			logf("%s, 16 clients on lakegate failed: %v", q.Name, err)
		}
		lr.Size, lr.Query, lr.System = s.size, q.Name, "lakegate"
		s.r.Load = append(s.r.Load, lr)
		if s.pg == nil {
			continue
		}
		pr, err := load(s.c, 16, func(ctx context.Context) error { _, err := pgQuery(ctx, s.pg, pgQuestions[q.Name]); return err })
		if err != nil {
			return fmt.Errorf("%s on postgres, 16 clients: %w", q.Name, err)
		}
		pr.Size, pr.Query, pr.System = s.size, q.Name, "postgres"
		s.r.Load = append(s.r.Load, pr)
		logf("%s, 16 clients: lakegate %.0f/s, postgres %.0f/s", q.Name, lr.QPS, pr.QPS)
	}
	return nil
}

// small is the gateway's own cost: SELECT 1 at 1, 8 and 64 clients, with
// the cache bypassed and allowed; once per run (it reads no table).
func (s *systems) small(ctx context.Context) error {
	if len(s.r.Small) > 0 {
		return nil
	}
	for _, cache := range []bool{false, true} {
		for _, n := range s.c.clientSteps {
			lr, ok, err := wrkLoad(s.c, s.gw, n, cache)
			lr.Client = "wrk"
			if !ok {
				lr, err = load(s.c, n, func(ctx context.Context) error { _, err := s.gw.sql(ctx, "SELECT 1 AS one", cache); return err })
				lr.Client = "the suite's Go client (wrk is not installed)"
			}
			if err != nil {
				return fmt.Errorf("SELECT 1, %d clients: %w", n, err)
			}
			lr.Size, lr.Query, lr.System, lr.Cache = s.size, "SELECT 1", "lakegate", cache
			s.r.Small = append(s.r.Small, lr)
			logf("SELECT 1, %d clients, cache %v: %.0f/s, p99 %.2f ms", n, cache, lr.QPS, lr.P99)
		}
	}
	return s.ceilings(ctx)
}

// pruneSQL touches one ingest date of the pruning table, or all of them.
func pruneSQL(where string) string {
	return "SELECT exam_name, count(*) AS attempts, avg(score) AS score FROM bench.attempts_by_day " + where + " GROUP BY exam_name ORDER BY exam_name"
}

// pruning compares a query on one of the table's ingest dates with the
// same query on all of them, over HTTP with the cache bypassed.
func (s *systems) pruning(ctx context.Context) error {
	p := pruneRun{Size: s.size, Partitions: s.c.partitions}
	one, all := pruneSQL("WHERE ingest_date = '2026-01-15'"), pruneSQL("")
	for i := 0; i < s.runs()+2; i++ {
		for _, t := range []struct {
			sql string
			out *[]float64
		}{{one, &p.OneMS}, {all, &p.AllMS}} {
			ms, err := timeMS(func() error { _, err := s.gw.sql(ctx, t.sql, false); return err })
			if err != nil {
				return fmt.Errorf("pruning: %w", err)
			}
			if i >= 2 {
				*t.out = append(*t.out, ms)
			}
		}
	}
	s.r.Pruning = append(s.r.Pruning, p)
	return nil
}

// buildPruningTable writes the lake's attempts again as the external
// table bench.attempts_by_day, spread over c.partitions ingest dates (by
// a hash of keen_id), and registers it.
func buildPruningTable(c *config, lake string) error {
	dir := filepath.Join(lake, "tenants", "default", "bench", "attempts_by_day")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	duck, err := baseline.Open(context.Background(), lake, 0)
	if err != nil {
		return err
	}
	defer duck.Close()
	q := fmt.Sprintf(`COPY (SELECT * EXCLUDE (ingest_date), DATE '2026-01-01' + CAST(hash(keen_id) %% %d AS INTEGER) AS ingest_date
		FROM assessments.attempts) TO %s (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (ingest_date), OVERWRITE_OR_IGNORE)`,
		c.partitions, baseline.QuoteString(dir))
	if _, err := duck.Exec(q); err != nil {
		return err
	}
	_, err = runTool(c.lakegate, "catalog", "register", "--lake", lake, "--db", "bench", "--table", "attempts_by_day",
		"--location", "bench/attempts_by_day", "--log-level", "warn")
	return err
}

// coldStart is a fresh server's start to its first answer of a canned
// query (the process, the catalog, DuckDB's views and the query).
func coldStart(c *config, r *results, size int, lake string) error {
	run := coldRun{Size: size}
	for i := 0; i < c.coldStarts; i++ {
		var g *gateway
		ms, err := timeMS(func() (err error) {
			if g, err = serve(c, lake, false); err != nil {
				return err
			}
			_, err = g.canned(context.Background(), "assessment_count", "duckdb")
			return err
		})
		if g != nil {
			g.stop()
		}
		if err != nil {
			return err
		}
		run.MS = append(run.MS, ms)
	}
	r.Cold = append(r.Cold, run)
	return nil
}

// errorCode is the gateway's error code in a failed answer (e.g.
// out_of_memory), or the error's start.
func errorCode(err error) string {
	msg := err.Error()
	if _, after, ok := strings.Cut(msg, `"code":"`); ok {
		if code, _, ok := strings.Cut(after, `"`); ok {
			return strings.ReplaceAll(code, "_", " ")
		}
	}
	return msg[:min(len(msg), 80)]
}
