// Command suite is the benchmark suite behind bench/run.sh: lakegate beside
// what a data team would otherwise pick (DuckDB in process, PostgreSQL,
// the seeds' Spark job, Presto), on the same flattened data, measured in
// one run on this machine. It writes the results (results.json in -dir),
// PNG charts (-charts) and the generated part of BENCHMARKS.md (-out,
// between its markers), every figure with a goal printed beside it.
//
//	suite -lakegate BIN -duckcopy BIN -duckexport BIN [-quick] [-dir DIR] [-out BENCHMARKS.md] [-charts docs/bench]
//
// Peers come from the same variables as the tests (scripts/peers env):
// LAKEGATE_TEST_PG_URL, LAKEGATE_TEST_PRESTO with LAKEGATE_TEST_HMS_ADDR,
// LAKEGATE_TEST_PYTHON (pyspark). A missing peer's figures are left out
// and the report says which peer was missing; with -require-peers the run
// fails instead.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// config is one run's shape: quick (CI: minutes) or full (under an hour).
type config struct {
	quick                          bool
	dir, out, charts               string
	lakegate, duckcopy, duckexport string
	python, pgURL, presto, hmsAddr string
	command                        string

	sizes       []int         // attempts per data set, smallest first
	peerMax     int           // largest size PostgreSQL and Spark are loaded with
	chunk       int           // attempts per generated file (bigger sets are several ingests)
	ingestRuns  int           // repeated ingests per tool (the smallest size)
	runs        int           // timed runs per canned query and system
	prestoRuns  int           // the same on Presto (seconds per query)
	loadTime    time.Duration // bound of one load loop
	loadCount   int           // and its bound in requests
	exportRows  int           // rows of the export table
	partitions  int           // ingest dates of the pruning table
	coldStarts  int           // repeated cold starts
	clientSteps []int         // client counts of the small-query loops
}

func main() {
	var c config
	flag.BoolVar(&c.quick, "quick", false, "the CI run: 100,000 attempts, fewer repeats (minutes, not an hour)")
	flag.StringVar(&c.dir, "dir", "/tmp/lakegate-bench", "work folder: data sets and lakes (generated NDJSON is reused)")
	flag.StringVar(&c.out, "out", "BENCHMARKS.md", "the Markdown file whose generated section is rewritten")
	flag.StringVar(&c.charts, "charts", "docs/bench", "folder of the PNG charts")
	flag.StringVar(&c.lakegate, "lakegate", "", "the lakegate binary (built with -tags duckdb_arrow)")
	flag.StringVar(&c.duckcopy, "duckcopy", "", "bench/duckcopy's binary: DuckDB's own ingest")
	flag.StringVar(&c.duckexport, "duckexport", "", "bench/duckexport's binary: DuckDB's own COPY")
	flag.StringVar(&c.command, "command", "bench/run.sh", "the command line the report names")
	requirePeers := flag.Bool("require-peers", false, "fail when a peer's variable is unset")
	sizes := flag.String("sizes", "", "override the data set sizes, e.g. 20000 (a smoke run; comma-separated)")
	reportOnly := flag.Bool("report", false, "measure nothing: rewrite the report and charts from -dir's results.json")
	flag.Parse()
	if *reportOnly {
		if err := rewriteReport(c); err != nil {
			log.Fatalf("suite: %v", err)
		}
		return
	}
	if c.lakegate == "" || c.duckcopy == "" || c.duckexport == "" {
		fmt.Fprintln(os.Stderr, "usage: suite -lakegate BIN -duckcopy BIN -duckexport BIN [-quick] [-dir DIR] [-out FILE] [-charts DIR]")
		os.Exit(2)
	}
	c.shape()
	if *sizes != "" {
		c.sizes = nil
		for _, f := range strings.Split(*sizes, ",") {
			n, err := strconv.Atoi(f)
			if err != nil || n < 1 {
				log.Fatalf("suite: -sizes %q: a comma-separated list of attempt counts", *sizes)
			}
			c.sizes, c.peerMax = append(c.sizes, n), max(c.peerMax, n)
		}
	}
	c.python, c.pgURL = os.Getenv("LAKEGATE_TEST_PYTHON"), os.Getenv("LAKEGATE_TEST_PG_URL")
	c.presto, c.hmsAddr = os.Getenv("LAKEGATE_TEST_PRESTO"), os.Getenv("LAKEGATE_TEST_HMS_ADDR")
	if missing := c.missingPeers(); len(missing) > 0 && *requirePeers {
		log.Fatalf("suite: peers missing: %s (scripts/peers up postgres presto python && eval \"$(scripts/peers env)\")", strings.Join(missing, ", "))
	}
	if err := run(&c); err != nil {
		log.Fatalf("suite: %v", err)
	}
}

// shape sets the sizes and repeats of a quick or a full run.
func (c *config) shape() {
	c.chunk, c.partitions, c.clientSteps = 1_000_000, 100, []int{1, 8, 64}
	if c.quick {
		c.sizes, c.peerMax, c.ingestRuns, c.runs, c.prestoRuns = []int{100_000}, 100_000, 1, 5, 2
		c.loadTime, c.loadCount, c.exportRows, c.coldStarts = 2*time.Second, 20_000, 1_000_000, 2
		return
	}
	c.sizes, c.peerMax, c.ingestRuns, c.runs, c.prestoRuns = []int{1_000_000, 10_000_000}, 1_000_000, 3, 15, 3
	c.loadTime, c.loadCount, c.exportRows, c.coldStarts = 5*time.Second, 200_000, 10_000_000, 5
}

func (c *config) missingPeers() []string {
	var m []string
	for name, v := range map[string]string{"postgres (LAKEGATE_TEST_PG_URL)": c.pgURL, "presto (LAKEGATE_TEST_PRESTO)": c.presto,
		"presto's metastore (LAKEGATE_TEST_HMS_ADDR)": c.hmsAddr, "python with pyspark (LAKEGATE_TEST_PYTHON)": c.python} {
		if v == "" {
			m = append(m, name)
		}
	}
	return m
}

func run(c *config) error {
	start := time.Now()
	if err := os.MkdirAll(c.dir, 0o755); err != nil {
		return err
	}
	r := &results{Quick: c.quick, Command: c.command, Machine: machine(), Commit: commit(), Started: start.UTC().Format(time.RFC3339)}
	r.MissingPeers = c.missingPeers()
	for _, size := range c.sizes {
		if err := benchSize(c, r, size); err != nil {
			return fmt.Errorf("%d attempts: %w", size, err)
		}
		if err := r.save(filepath.Join(c.dir, "results.json")); err != nil { // what an abort later keeps
			return err
		}
	}
	if err := exports(c, r); err != nil {
		return fmt.Errorf("exports: %w", err)
	}
	r.Minutes = time.Since(start).Minutes()
	if err := r.save(filepath.Join(c.dir, "results.json")); err != nil {
		return err
	}
	if err := charts(r, c.charts); err != nil {
		return fmt.Errorf("charts: %w", err)
	}
	return writeReport(r, c.out, c.charts)
}

// rewriteReport makes the charts and the report again from a run's
// results.json (after a change to the report's wording or charts).
func rewriteReport(c config) error {
	b, err := os.ReadFile(filepath.Join(c.dir, "results.json"))
	if err != nil {
		return err
	}
	var r results
	if err := json.Unmarshal(b, &r); err != nil {
		return fmt.Errorf("results.json: %w", err)
	}
	if err := charts(&r, c.charts); err != nil {
		return err
	}
	return writeReport(&r, c.out, c.charts)
}

// benchSize lands one data set with every tool and asks it every question.
func benchSize(c *config, r *results, size int) error {
	logf("== %d attempts", size)
	lake, err := ingestAll(c, r, size)
	if err != nil {
		return err
	}
	if err := queryAll(c, r, size, lake); err != nil {
		return err
	}
	return ablations(c, r, size, lake)
}

func logf(format string, args ...any) {
	log.Printf(format, args...)
}
