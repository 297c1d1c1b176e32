package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/lakegate/lakegate/bench/internal/baseline"
	"github.com/lakegate/lakegate/queries"
)

// ablation is one of the suite's fixes switched off: the same question in
// process with the fix (On) and without it (Off), interleaved, so that the
// report's claims about each fix are measured in the run, not remembered.
type ablation struct {
	Size      int       `json:"attempts"`
	Fix       string    `json:"fix"`
	Query     string    `json:"query"`
	OnMS      []float64 `json:"on_ms"`
	OffMS     []float64 `json:"off_ms"`
	OnDetail  string    `json:"on_detail,omitempty"`
	OffDetail string    `json:"off_detail,omitempty"`
}

// ablations measures, on the smallest data set, each fix the suite led
// to: clustering attempts by exam (a second lake ingested without it),
// views without union_by_name over files of one schema, and DuckDB's
// Parquet footer cache (both on the 100-file pruning table).
func ablations(c *config, r *results, size int, lake string) error {
	if size != c.sizes[0] {
		return nil
	}
	if err := clusteringAblation(c, r, size, lake); err != nil {
		return fmt.Errorf("clustering: %w", err)
	}
	return viewAblations(c, r, size, lake)
}

// clusteringAblation ingests the same file with cluster_attempts_by ""
// and asks both lakes one course's takers.
func clusteringAblation(c *config, r *results, size int, lake string) error {
	ch := chunks(c, size)[0]
	if err := ch.make(c); err != nil {
		return err
	}
	off := lake + "-unclustered"
	defer os.RemoveAll(off)
	if err := os.RemoveAll(off); err != nil {
		return err
	}
	warm(ch.path)
	start := time.Now()
	if _, err := runTool(c.lakegate, "ingest", "assessments", ch.path, "--lake", off, "--cluster-attempts-by", "", "--log-level", "warn"); err != nil {
		return err
	}
	offIngest := time.Since(start).Seconds()
	on, err := baseline.Open(context.Background(), lake, 0)
	if err != nil {
		return err
	}
	defer on.Close()
	offDB, err := baseline.Open(context.Background(), off, 0)
	if err != nil {
		return err
	}
	defer offDB.Close()
	q, err := courseTakers()
	if err != nil {
		return err
	}
	params, err := queries.Bind(q, nil)
	if err != nil {
		return err
	}
	args, _ := baseline.BindArgs(params)
	a := ablation{Size: size, Fix: "attempts clustered by exam_name (`cluster_attempts_by`)", Query: "course_takers"}
	onIngest := 0.0
	if in := r.ingest(size, "lakegate"); in != nil {
		onIngest = summarize(in.Seconds).Med
	}
	a.OnDetail = fmt.Sprintf("%s; ingest %.1f s", rowGroups(lake), onIngest)
	a.OffDetail = fmt.Sprintf("%s; ingest %.1f s", rowGroups(off), offIngest)
	ask := func(db *sql.DB) func() error {
		return func() error { return drainQuery(db, q.SQL, args...) }
	}
	if err := interleave(c.runs, &a, ask(on), ask(offDB)); err != nil {
		return err
	}
	r.Ablations = append(r.Ablations, a)
	return nil
}

func courseTakers() (queries.Query, error) {
	all, err := queries.All()
	if err != nil {
		return queries.Query{}, err
	}
	for _, q := range all {
		if q.Name == "course_takers" {
			return q, nil
		}
	}
	return queries.Query{}, fmt.Errorf("no canned query course_takers")
}

// rowGroups counts the row groups of a lake's attempts files.
func rowGroups(lake string) string {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return err.Error()
	}
	defer db.Close()
	glob := filepath.Join(lake, "tenants", "default", "assessments", "attempts", "*", "*.parquet")
	var n int64
	q := "SELECT count(*) FROM (SELECT DISTINCT file_name, row_group_id FROM parquet_metadata(" + baseline.QuoteString(glob) + "))"
	if err := db.QueryRow(q).Scan(&n); err != nil {
		return err.Error()
	}
	return fmt.Sprintf("%d row groups", n)
}

// viewAblations asks one ingest date of the 100-file pruning table through
// a view built as the engine builds it, then with union_by_name=true (as
// every view was before), then with the footer cache off.
func viewAblations(c *config, r *results, size int, lake string) error {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1) // SET applies to the one connection
	glob := baseline.QuoteString(filepath.Join(lake, "tenants", "default", "bench", "attempts_by_day", "*", "*.parquet"))
	view := func(name, extra string) string {
		return fmt.Sprintf("CREATE VIEW %s AS SELECT * FROM read_parquet(%s, hive_partitioning=true, hive_types={'ingest_date': 'DATE'}%s)", name, glob, extra)
	}
	for _, s := range []string{view("plain", ""), view("unioned", ", union_by_name=true")} {
		if _, err := db.Exec(s); err != nil {
			return err
		}
	}
	one := func(table string) string {
		return strings.Replace(pruneSQL("WHERE ingest_date = '2026-01-15'"), "bench.attempts_by_day", table, 1)
	}
	withCache := func(on bool, table string) func() error {
		return func() error {
			if _, err := db.Exec(fmt.Sprintf("SET parquet_metadata_cache=%v", on)); err != nil {
				return err
			}
			return drainQuery(db, one(table))
		}
	}
	fix := fmt.Sprintf("views without `union_by_name` over files of one schema (%d files)", c.partitions)
	u := ablation{Size: size, Fix: fix, Query: "one ingest date of bench.attempts_by_day", OnDetail: "cache on", OffDetail: "cache on"}
	if err := interleave(c.runs, &u, withCache(true, "plain"), withCache(true, "unioned")); err != nil {
		return err
	}
	m := ablation{Size: size, Fix: "Parquet footer cache (`parquet_metadata_cache`)", Query: u.Query, OnDetail: "no union_by_name", OffDetail: "no union_by_name"}
	if err := interleave(c.runs, &m, withCache(true, "plain"), withCache(false, "plain")); err != nil {
		return err
	}
	r.Ablations = append(r.Ablations, u, m)
	return nil
}

// interleave times on and off alternately, runs times each after two
// warm-up rounds.
func interleave(runs int, a *ablation, on, off func() error) error {
	for i := 0; i < runs+2; i++ {
		for j, f := range []func() error{on, off} {
			ms, err := timeMS(f)
			if err != nil {
				return err
			}
			if i < 2 {
				continue
			}
			if j == 0 {
				a.OnMS = append(a.OnMS, ms)
			} else {
				a.OffMS = append(a.OffMS, ms)
			}
		}
	}
	logf("%s: %.1f ms with, %.1f ms without", a.Fix, summarize(a.OnMS).Med, summarize(a.OffMS).Med)
	return nil
}

func drainQuery(db *sql.DB, q string, args ...any) error {
	rs, err := db.Query(q, args...)
	if err != nil {
		return err
	}
	_, err = baseline.Drain(rs)
	return err
}

func (r *results) ablationSection(m *md) {
	if len(r.Ablations) == 0 {
		return
	}
	m.p("### Each fix switched off")
	m.p("")
	m.p("The fixes this suite led to, each measured against itself switched off, in process (DuckDB, no HTTP),")
	m.p("interleaved run by run. Clustering compares the lake above with the same file ingested with")
	m.p("`--cluster-attempts-by \"\"`; the view fixes use the pruning table's files.")
	m.p("")
	var rows [][]string
	for _, a := range r.Ablations {
		on, off := summarize(a.OnMS), summarize(a.OffMS)
		rows = append(rows, []string{sizeName(a.Size), a.Fix, a.Query, spread(on, "%.1f") + " (" + a.OnDetail + ")",
			spread(off, "%.1f") + " (" + a.OffDetail + ")", fmt.Sprintf("%.2f×", off.Med/on.Med)})
	}
	m.table([]string{"attempts", "fix", "question", "with it, ms", "without it, ms", "gain"}, rows)
}
