package main

import (
	"fmt"
	"math"
)

// goal is one target of issue 16 beside what this run measured.
type goal struct {
	What     string
	Target   string
	Measured string
	Met      bool
	Miss     float64 // how far off, as a fraction of the target (0 when met)
}

// selective are the canned questions a filter makes selective (one
// exam's takers); the others aggregate the whole table.
var selective = map[string]bool{"course_takers": true}

func (r *results) canned(size int, query, system string) *cannedRun {
	for i := range r.Canned {
		c := &r.Canned[i]
		if c.Size == size && c.Query == query && c.System == system {
			return c
		}
	}
	return nil
}

func (r *results) load(size int, query, system string) *loadRun {
	for i := range r.Load {
		l := &r.Load[i]
		if l.Size == size && l.Query == query && l.System == system {
			return l
		}
	}
	return nil
}

func (r *results) ingest(size int, system string) *ingestRun {
	for i := range r.Ingest {
		in := &r.Ingest[i]
		if in.Size == size && in.System == system {
			return in
		}
	}
	return nil
}

// queryNames lists the canned questions measured on lakegate at size.
func (r *results) queryNames(size int) []string {
	var out []string
	for _, c := range r.Canned {
		if c.Size == size && c.System == "lakegate" {
			out = append(out, c.Query)
		}
	}
	return out
}

// atLeast and atMost make a goal from a measured value and its bound.
func atLeast(what string, got, want float64, unit string) goal {
	g := goal{What: what, Target: fmt.Sprintf("≥ %s%s", num(want), unit), Measured: num(got) + unit, Met: got >= want}
	if !g.Met {
		g.Miss = (want - got) / want
	}
	return g
}

func atMost(what string, got, want float64, unit string) goal {
	g := goal{What: what, Target: fmt.Sprintf("≤ %s%s", num(want), unit), Measured: num(got) + unit, Met: got <= want}
	if !g.Met {
		g.Miss = (got - want) / want
	}
	return g
}

// goals evaluates every target the run has figures for.
func (r *results) goals() []goal {
	var gs []goal
	for _, f := range r.Sizes {
		gs = append(gs, r.overheadGoals(f.Attempts)...)
		gs = append(gs, r.postgresGoals(f.Attempts)...)
		gs = append(gs, r.sparkGoals(f.Attempts)...)
		gs = append(gs, r.ingestGoals(f.Attempts)...)
	}
	gs = append(gs, r.smallGoals()...)
	for _, p := range r.Pruning {
		gs = append(gs, atMost(fmt.Sprintf("%s: one of %d partitions / full scan", sizeName(p.Size), p.Partitions),
			summarize(p.OneMS).Med/summarize(p.AllMS).Med, 1.0/20, "×"))
	}
	for _, e := range r.Exports {
		gs = append(gs, atLeast(fmt.Sprintf("export %s, %s rows: DuckDB COPY time / lakegate's", e.Format, sizeName(e.Rows)),
			summarize(e.DuckSecs).Med/summarize(e.Seconds).Med, 0.95, "×"))
	}
	return gs
}

// overheadGoals: every canned query over HTTP within 1.10× of the same
// SQL in process, and at most 1 ms added to the quickest.
func (r *results) overheadGoals(size int) []goal {
	worst, worstQ, added, quickest := 0.0, "", 0.0, math.Inf(1)
	for _, q := range r.queryNames(size) {
		l, d := r.canned(size, q, "lakegate"), r.canned(size, q, "duckdb")
		if d == nil {
			continue
		}
		lm, dm := summarize(l.MS).Med, summarize(d.MS).Med
		if lm/dm > worst {
			worst, worstQ = lm/dm, q
		}
		if dm < quickest {
			quickest, added = dm, lm-dm
		}
	}
	if worstQ == "" {
		return nil
	}
	return []goal{
		atMost(fmt.Sprintf("%s: canned query over HTTP / in process, worst (%s)", sizeName(size), worstQ), worst, 1.10, "×"),
		atMost(fmt.Sprintf("%s: time HTTP adds to the quickest canned query (%.1f ms in process)", sizeName(size), quickest), added, 1, " ms"),
	}
}

// postgresGoals: lakegate's throughput over PostgreSQL's with 16 clients,
// worst aggregate (≥ 10×) and the selective question (≥ 1×), and the
// same at one client.
func (r *results) postgresGoals(size int) []goal {
	var gs []goal
	worst, worstQ := math.Inf(1), ""
	for _, q := range r.queryNames(size) {
		l, p := r.load(size, q, "lakegate"), r.load(size, q, "postgres")
		if p == nil {
			continue
		}
		ratio := l.QPS / p.QPS
		if selective[q] {
			gs = append(gs, atLeast(fmt.Sprintf("%s: %s (selective), 16 clients, lakegate / PostgreSQL throughput", sizeName(size), q), ratio, 1, "×"))
			one := summarize(r.canned(size, q, "postgres").MS).Med / summarize(r.canned(size, q, "lakegate").MS).Med
			gs = append(gs, atLeast(fmt.Sprintf("%s: %s (selective), 1 client, lakegate / PostgreSQL throughput", sizeName(size), q), one, 1, "×"))
		} else if ratio < worst {
			worst, worstQ = ratio, q
		}
	}
	if worstQ != "" {
		gs = append(gs, atLeast(fmt.Sprintf("%s: aggregates, 16 clients, lakegate / PostgreSQL throughput, worst (%s)", sizeName(size), worstQ), worst, 10, "×"))
	}
	return gs
}

// sparkGoals: each question end to end (Spark: a fresh session's start-up
// plus the warm query) at least 5× faster on lakegate.
func (r *results) sparkGoals(size int) []goal {
	start := r.canned(size, "(start-up)", "spark")
	if start == nil {
		return nil
	}
	worst, worstQ := math.Inf(1), ""
	for _, q := range r.queryNames(size) {
		s := r.canned(size, q, "spark")
		if s == nil {
			continue
		}
		ratio := (summarize(start.MS).Med + summarize(s.MS).Med) / summarize(r.canned(size, q, "lakegate").MS).Med
		if ratio < worst {
			worst, worstQ = ratio, q
		}
	}
	return []goal{atLeast(fmt.Sprintf("%s: business question end to end, Spark's time / lakegate's, worst (%s)", sizeName(size), worstQ), worst, 5, "×")}
}

// ingestGoals: lakegate's ingest ≥ 2× DuckDB's own and ≥ 5× the seeds'
// Spark job, with a peak RSS under 300 MB per GB of input.
func (r *results) ingestGoals(size int) []goal {
	l := r.ingest(size, "lakegate")
	if l == nil {
		return nil
	}
	ls := summarize(l.Seconds).Med
	var gs []goal
	if d := r.ingest(size, "duckdb"); d != nil {
		gs = append(gs, atLeast(fmt.Sprintf("%s: ingest, lakegate / DuckDB's own throughput", sizeName(size)), summarize(d.Seconds).Med/ls, 2, "×"))
	}
	if s := r.ingest(size, "spark"); s != nil {
		gs = append(gs, atLeast(fmt.Sprintf("%s: ingest, lakegate / Spark job throughput (start-up included)", sizeName(size)), summarize(s.Seconds).Med/ls, 5, "×"))
	}
	perFile := float64(l.Bytes) / float64(max(l.Files, 1)) / (1 << 30)
	if perFile < 1 { // a small file's peak is the process's floor, not a rate per GB
		return gs
	}
	perGB := summarize(l.PeakMB).Max / perFile
	return append(gs, atMost(fmt.Sprintf("%s: ingest peak RSS per GB of one input file", sizeName(size)), perGB, 300, " MB"))
}

// smallGoals: SELECT 1 throughput, best over the client counts.
func (r *results) smallGoals() []goal {
	best := map[string]float64{}
	for _, s := range r.Small {
		key := s.System
		if s.System == "lakegate" {
			key = fmt.Sprint(s.Cache)
		}
		best[key] = max(best[key], s.QPS)
	}
	if len(r.Small) == 0 {
		return nil
	}
	ceiling := func(system string) string {
		if v, ok := best[system]; ok {
			return fmt.Sprintf(" (%s: %.0f)", system, v)
		}
		return ""
	}
	return []goal{
		atLeast("SELECT 1 uncached, best over 1/8/64 clients"+ceiling(ceilingDuckDB), best["false"], 10000, " req/s"),
		atLeast("SELECT 1 from the cache, best over 1/8/64 clients"+ceiling(ceilingHTTP), best["true"], 50000, " req/s"),
	}
}

// sizeName writes 1000000 as 1M and 100000 as 100k.
func sizeName(n int) string {
	switch {
	case n >= 1_000_000 && n%1_000_000 == 0:
		return fmt.Sprintf("%dM", n/1_000_000)
	case n >= 1000 && n%1000 == 0:
		return fmt.Sprintf("%dk", n/1000)
	}
	return fmt.Sprint(n)
}

// num prints a figure with precision fit for its size.
func num(x float64) string {
	switch a := math.Abs(x); {
	case a >= 100:
		return fmt.Sprintf("%.0f", x)
	case a >= 10:
		return fmt.Sprintf("%.1f", x)
	case a >= 0.1:
		return fmt.Sprintf("%.2f", x)
	}
	return fmt.Sprintf("%.3f", x)
}
