package main

import (
	"fmt"
)

func (r *results) loadSection(m *md, charts string) {
	if len(r.Load) == 0 {
		return
	}
	m.p("### Canned questions, 16 clients: throughput (queries/s)")
	m.p("")
	m.p("16 clients send the same question back to back for a bounded time and count; lakegate with the")
	m.p("cache bypassed (the server's default limits: 4 queries at once per user, the rest queued;")
	m.p("`memory_limit` " + serveMemory + " instead of the default 512MB),")
	m.p("PostgreSQL through a pgx pool of 32.")
	m.p("")
	for _, f := range r.Sizes {
		var rows [][]string
		for _, q := range r.queryNames(f.Attempts) {
			l, p := r.load(f.Attempts, q, "lakegate"), r.load(f.Attempts, q, "postgres")
			if l == nil {
				continue
			}
			row := []string{q, fmt.Sprintf("%.1f", l.QPS), fmt.Sprintf("%.0f / %.0f", l.P50, l.P99)}
			if l.Error != "" {
				row = []string{q, "failed: " + l.Error, "—"}
			}
			if p != nil {
				row = append(row, fmt.Sprintf("%.1f", p.QPS), fmt.Sprintf("%.0f / %.0f", p.P50, p.P99), fmt.Sprintf("%.1f×", l.QPS/p.QPS))
			} else {
				row = append(row, "—", "—", "—")
			}
			rows = append(rows, row)
		}
		if len(rows) == 0 {
			continue
		}
		m.p("%s attempts:", sizeName(f.Attempts))
		m.p("")
		m.table([]string{"question", "lakegate q/s", "lakegate p50 / p99 ms", "PostgreSQL q/s", "PostgreSQL p50 / p99 ms", "lakegate / PostgreSQL"}, rows)
		m.p("![16 clients, %s attempts](%s/load-%s.png)", sizeName(f.Attempts), charts, sizeName(f.Attempts))
		m.p("")
	}
}

func (r *results) smallSection(m *md, charts string) {
	if len(r.Small) == 0 {
		return
	}
	m.p("### The gateway's own cost: `SELECT 1` over HTTP")
	m.p("")
	m.p("`POST /v1/query` with `{\"sql\": \"SELECT 1 AS one\"}`, JSON; uncached with `Cache-Control: no-cache`")
	m.p("(the engine runs it), cached when every request after the first is a hit. The load client (%s)", r.Small[0].Client)
	m.p("runs on the same two cores as the server. Beside it, what bounds it on this machine: %s", ceilingDuckDB)
	m.p("(`SELECT 1` through database/sql from the suite's goroutines, no HTTP: every uncached query runs in")
	m.p("DuckDB), and %s (a bare handler sending lakegate's own JSON answer, under the same wrk load:", ceilingHTTP)
	m.p("every cached answer goes out through Go's HTTP server).")
	m.p("")
	var rows [][]string
	for _, s := range r.Small {
		cache := "bypassed"
		switch {
		case s.System != "lakegate":
			cache = "—"
		case s.Cache:
			cache = "allowed"
		}
		rows = append(rows, []string{s.System, fmt.Sprint(s.Clients), cache, fmt.Sprintf("%.0f", s.QPS), fmt.Sprintf("%.2f", s.P50), fmt.Sprintf("%.2f", s.P99), fmt.Sprint(s.Requests)})
	}
	m.table([]string{"system", "clients", "cache", "requests/s", "p50 ms", "p99 ms", "requests"}, rows)
	m.p("![SELECT 1 throughput](%s/select1.png)", charts)
	m.p("")
}

// scaleSection shows how each question's time grows with the data.
func (r *results) scaleSection(m *md) {
	if len(r.Sizes) < 2 {
		return
	}
	small, big := r.Sizes[0].Attempts, r.Sizes[len(r.Sizes)-1].Attempts
	m.p("### Scale: %s to %s attempts (%.0f× the data)", sizeName(small), sizeName(big), float64(big)/float64(small))
	m.p("")
	var rows [][]string
	for _, q := range r.queryNames(big) {
		row := []string{q}
		for _, sys := range []string{"lakegate", "duckdb", "presto"} {
			a, b := r.canned(small, q, sys), r.canned(big, q, sys)
			if a == nil || b == nil || len(a.MS) == 0 || len(b.MS) == 0 {
				row = append(row, "—", "—", "—")
				continue
			}
			am, bm := summarize(a.MS).Med, summarize(b.MS).Med
			row = append(row, fmt.Sprintf("%.1f", am), fmt.Sprintf("%.1f", bm), fmt.Sprintf("%.1f×", bm/am))
		}
		rows = append(rows, row)
	}
	s, b := sizeName(small), sizeName(big)
	m.table([]string{"question", "lakegate " + s + " ms", "lakegate " + b + " ms", "growth", "DuckDB " + s, "DuckDB " + b, "growth",
		"Presto " + s, "Presto " + b, "growth"}, rows)
}

func (r *results) otherSections(m *md) {
	if len(r.Pruning) > 0 {
		m.p("### Partition pruning")
		m.p("")
		m.p("The attempts written again as `bench.attempts_by_day`, spread over ingest dates by a hash of")
		m.p("`keen_id`, registered with `lakegate catalog register`; a per-course aggregate over one ingest")
		m.p("date against the same over all, over HTTP, cache bypassed.")
		m.p("")
		var rows [][]string
		for _, p := range r.Pruning {
			one, all := summarize(p.OneMS), summarize(p.AllMS)
			rows = append(rows, []string{sizeName(p.Size), fmt.Sprint(p.Partitions), spread(one, "%.1f"), spread(all, "%.1f"), fmt.Sprintf("1/%.0f", all.Med/one.Med)})
		}
		m.table([]string{"attempts", "partitions", "one partition ms", "all partitions ms", "share"}, rows)
	}
	if len(r.Cold) > 0 {
		m.p("### Cold start to the first answer")
		m.p("")
		m.p("A fresh `lakegate serve` process on the lake, to its first answer of `assessment_count`.")
		m.p("")
		var rows [][]string
		for _, c := range r.Cold {
			rows = append(rows, []string{sizeName(c.Size), spread(summarize(c.MS), "%.0f")})
		}
		m.table([]string{"attempts", "ms"}, rows)
	}
	r.exportSection(m)
}

func (r *results) exportSection(m *md) {
	if len(r.Exports) == 0 {
		return
	}
	m.p("### Exports: every row streamed, against DuckDB's own COPY")
	m.p("")
	m.p("`GET /v1/query.FORMAT?limit=0&sql=SELECT * FROM bench.rows` (5 columns) written to a file, from a")
	m.p("fresh server per format (its peak RSS is that format's), alternating with `bench/duckexport copy`")
	m.p("(DuckDB's `COPY ... TO` a file) on the same Parquet.")
	m.p("")
	var rows [][]string
	for _, e := range r.Exports {
		rows = append(rows, []string{e.Format, sizeName(e.Rows), mb(e.Bytes), spread(summarize(e.Seconds), "%.2f"), fmt.Sprintf("%.0f", e.PeakMB),
			e.DuckFormat, spread(summarize(e.DuckSecs), "%.2f"), fmt.Sprintf("%.0f", e.DuckPeakMB),
			fmt.Sprintf("%.2f", summarize(e.DuckSecs).Med/summarize(e.Seconds).Med)})
	}
	m.table([]string{"format", "rows", "size", "lakegate s", "server peak RSS MB", "DuckDB COPY to", "DuckDB s", "DuckDB peak RSS MB", "DuckDB time / lakegate's"}, rows)
}
