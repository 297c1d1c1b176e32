package main

import (
	"fmt"
	"math"
	"os"
	"path/filepath"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
)

// series is one system's bars across the groups of a chart; NaN is a
// missing figure.
type series struct {
	name   string
	values []float64
}

// charts draws the PNGs BENCHMARKS.md embeds, from the results alone.
func charts(r *results, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, f := range r.Sizes {
		if err := cannedChart(r, f.Attempts, dir); err != nil {
			return err
		}
		if err := loadChart(r, f.Attempts, dir); err != nil {
			return err
		}
	}
	if err := ingestChart(r, dir); err != nil {
		return err
	}
	return smallChart(r, dir)
}

func cannedChart(r *results, size int, dir string) error {
	names := r.queryNames(size)
	var ss []series
	for _, sys := range cannedSystems {
		s := series{name: sys}
		for _, q := range names {
			v := math.NaN()
			if c := r.canned(size, q, sys); c != nil && len(c.MS) > 0 {
				v = summarize(c.MS).Med
			}
			s.values = append(s.values, v)
		}
		ss = append(ss, s)
	}
	return bars(fmt.Sprintf("Canned questions, %s attempts, one client (lower is better)", sizeName(size)), "ms (log scale)",
		names, ss, true, filepath.Join(dir, "canned-"+sizeName(size)+".png"))
}

func loadChart(r *results, size int, dir string) error {
	names := r.queryNames(size)
	var ss []series
	for _, sys := range []string{"lakegate", "postgres"} {
		s := series{name: sys}
		for _, q := range names {
			v := math.NaN()
			if l := r.load(size, q, sys); l != nil {
				v = l.QPS
			}
			s.values = append(s.values, v)
		}
		ss = append(ss, s)
	}
	return bars(fmt.Sprintf("Canned questions, %s attempts, 16 clients (higher is better)", sizeName(size)), "queries/s (log scale)",
		names, ss, true, filepath.Join(dir, "load-"+sizeName(size)+".png"))
}

func ingestChart(r *results, dir string) error {
	var groups []string
	for _, f := range r.Sizes {
		groups = append(groups, sizeName(f.Attempts))
	}
	var ss []series
	for _, sys := range []string{"lakegate", "duckdb", "spark"} {
		s := series{name: sys}
		for _, f := range r.Sizes {
			v := math.NaN()
			if in := r.ingest(f.Attempts, sys); in != nil && in.Bytes > 0 {
				v = float64(in.Bytes) / summarize(in.Seconds).Med / (1 << 20)
			}
			s.values = append(s.values, v)
		}
		ss = append(ss, s)
	}
	return bars("Ingest of nested NDJSON (higher is better)", "MB/s", groups, ss, false, filepath.Join(dir, "ingest.png"))
}

func smallChart(r *results, dir string) error {
	var groups []string
	byCache := map[bool]*series{false: {name: "cache bypassed"}, true: {name: "cache allowed"}}
	for _, s := range r.Small {
		if s.System != "lakegate" {
			continue // the ceilings are in the table
		}
		if !s.Cache {
			groups = append(groups, fmt.Sprintf("%d clients", s.Clients))
		}
		byCache[s.Cache].values = append(byCache[s.Cache].values, s.QPS)
	}
	return bars("SELECT 1 over HTTP (higher is better)", "requests/s (log scale)", groups,
		[]series{*byCache[false], *byCache[true]}, true, filepath.Join(dir, "select1.png"))
}

// bars draws grouped bars; with logY the bars are log10 of the values,
// on an axis labelled in the values themselves.
func bars(title, ylabel string, groups []string, ss []series, logY bool, file string) error {
	p := plot.New()
	p.Title.Text, p.Y.Label.Text = title, ylabel
	p.Legend.Top = true
	width := vg.Points(float64(min(60, 400/max(1, len(groups)*len(ss)))))
	top := 0.0
	for i, s := range ss {
		vals := make(plotter.Values, len(s.values))
		for j, v := range s.values {
			switch {
			case math.IsNaN(v) || v <= 0:
				vals[j] = 0
			case logY:
				vals[j] = math.Log10(v) + 1 // one decade below the axis' 1
			default:
				vals[j] = v
			}
		}
		for _, v := range vals {
			top = max(top, v)
		}
		b, err := plotter.NewBarChart(vals, width)
		if err != nil {
			return err
		}
		b.Color = plotutil.Color(i)
		b.LineStyle.Width = 0
		b.Offset = width * vg.Length(float64(i)-float64(len(ss)-1)/2)
		p.Add(b)
		p.Legend.Add(s.name, b)
	}
	p.NominalX(groups...)
	p.X.Tick.Label.Rotation = -0.5
	p.X.Tick.Label.XAlign, p.X.Tick.Label.YAlign = -0.1, -0.5
	// Headroom above the tallest bar for the legend (about 14 points a
	// line of a 4.5-inch chart), so that it never covers a bar.
	p.Y.Min, p.Y.Max = 0, top*(1+0.06*float64(len(ss)+1))
	if logY {
		p.Y.Tick.Marker = decades{}
	}
	return p.Save(vg.Length(max(7, len(groups)))*vg.Inch, 4.5*vg.Inch, file)
}

// decades labels a log10(value)+1 axis with the values: 1, 10, 100, ...
type decades struct{}

func (decades) Ticks(lo, hi float64) []plot.Tick {
	var ts []plot.Tick
	for k := math.Floor(lo); k <= math.Ceil(hi); k++ {
		ts = append(ts, plot.Tick{Value: k, Label: num(math.Pow(10, k-1))})
	}
	return ts
}
