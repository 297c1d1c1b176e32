package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"sort"
	"strings"
)

// results is everything one run measured; the report and the charts are
// made from it alone, so nothing in BENCHMARKS.md is copied by hand.
type results struct {
	Quick        bool              `json:"quick"`
	Command      string            `json:"command"`
	Machine      string            `json:"machine"`
	Commit       string            `json:"commit"`
	Started      string            `json:"started"`
	Minutes      float64           `json:"minutes"`
	MissingPeers []string          `json:"missing_peers"`
	Versions     map[string]string `json:"versions"`

	Ingest    []ingestRun `json:"ingest"`
	Canned    []cannedRun `json:"canned"`
	Load      []loadRun   `json:"load"`
	Small     []loadRun   `json:"small"`
	Pruning   []pruneRun  `json:"pruning"`
	Cold      []coldRun   `json:"cold_start"`
	Exports   []exportRun `json:"exports"`
	Ablations []ablation  `json:"ablations"`
	Notes     []string    `json:"notes"`
	Sizes     []sizeFacts `json:"sizes"`
}

// sizeFacts describes one data set.
type sizeFacts struct {
	Attempts     int   `json:"attempts"`
	NDJSONBytes  int64 `json:"ndjson_bytes"`
	Landed       int64 `json:"landed_attempts"`
	Questions    int64 `json:"questions"`
	ParquetBytes int64 `json:"parquet_bytes"`
}

// ingestRun is one tool landing one data set, repeated.
type ingestRun struct {
	Size    int       `json:"attempts"`
	System  string    `json:"system"`
	Bytes   int64     `json:"bytes"`
	Files   int       `json:"files"`
	Seconds []float64 `json:"seconds"`
	PeakMB  []float64 `json:"peak_rss_mb"`
	Detail  string    `json:"detail"`
}

// cannedRun is one canned question on one system: milliseconds per run.
type cannedRun struct {
	Size   int       `json:"attempts"`
	Query  string    `json:"query"`
	System string    `json:"system"`
	Rows   int       `json:"rows"`
	MS     []float64 `json:"ms"`
	Error  string    `json:"error,omitempty"` // why the system could not answer (Presto's memory limit)
}

// loadRun is one load loop: clients sending the same request back to back.
type loadRun struct {
	Size     int     `json:"attempts"`
	Query    string  `json:"query"`
	System   string  `json:"system"`
	Clients  int     `json:"clients"`
	Cache    bool    `json:"cache"`
	Requests int     `json:"requests"`
	QPS      float64 `json:"qps"`
	P50      float64 `json:"p50_ms"`
	P99      float64 `json:"p99_ms"`
	Client   string  `json:"client,omitempty"` // the load generator, when not the suite's own
	Error    string  `json:"error,omitempty"`  // why the loop stopped (a request failed)
}

// pruneRun compares a query touching one partition with the full scan.
type pruneRun struct {
	Size       int       `json:"attempts"`
	Partitions int       `json:"partitions"`
	OneMS      []float64 `json:"one_partition_ms"`
	AllMS      []float64 `json:"all_partitions_ms"`
}

// coldRun is a fresh server's start to its first answer.
type coldRun struct {
	Size int       `json:"attempts"`
	MS   []float64 `json:"ms"`
}

// exportRun is one format of the export table, lakegate and DuckDB.
type exportRun struct {
	Rows       int       `json:"rows"`
	Format     string    `json:"format"`
	Bytes      int64     `json:"bytes"`
	Seconds    []float64 `json:"seconds"`
	PeakMB     float64   `json:"server_peak_rss_mb"`
	DuckFormat string    `json:"duckdb_format"`
	DuckSecs   []float64 `json:"duckdb_seconds"`
	DuckPeakMB float64   `json:"duckdb_peak_rss_mb"`
}

func (r *results) save(path string) error {
	b, err := json.MarshalIndent(r, "", " ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}

func (r *results) note(format string, args ...any) {
	r.Notes = append(r.Notes, fmt.Sprintf(format, args...))
	logf("note: "+format, args...)
}

// machine names the CPU, cores, memory and Go version of this run.
func machine() string {
	cpu := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
				cpu = strings.TrimSpace(v)
				break
			}
		}
	}
	mem := ""
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		var kb int64
		fmt.Sscanf(strings.TrimPrefix(strings.SplitN(string(b), "\n", 2)[0], "MemTotal:"), "%d", &kb)
		mem = fmt.Sprintf(", %.0f GiB", float64(kb)/(1<<20))
	}
	return fmt.Sprintf("%d cores (%s)%s, %s/%s, %s", runtime.NumCPU(), cpu, mem, runtime.GOOS, runtime.GOARCH, runtime.Version())
}

func commit() string {
	out, err := exec.Command("git", "rev-parse", "--short", "HEAD").Output()
	if err != nil {
		return "unknown"
	}
	c := strings.TrimSpace(string(out))
	if st, _ := exec.Command("git", "status", "--porcelain", "--untracked-files=no").Output(); len(st) > 0 {
		c += " (with uncommitted changes)"
	}
	return c
}

// stats of repeated measurements: median, min and max.
type stats struct{ Med, Min, Max float64 }

func summarize(xs []float64) stats {
	if len(xs) == 0 {
		return stats{}
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	m := s[len(s)/2]
	if len(s)%2 == 0 {
		m = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return stats{Med: m, Min: s[0], Max: s[len(s)-1]}
}

// percentile of sorted xs, p in [0, 1].
func percentile(sorted []float64, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(p * float64(len(sorted)-1))
	return sorted[i]
}
