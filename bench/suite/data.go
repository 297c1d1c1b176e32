package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"

	"github.com/lakegate/lakegate/bench/internal/report"
)

// chunks are the NDJSON files of a data set: one file up to the chunk
// size, else one per chunk with its own seed (generated when needed and
// removed after use, so that 10M attempts never need 30 GB of disk).
func chunks(c *config, size int) []chunk {
	if size <= c.chunk {
		return []chunk{{path: filepath.Join(c.dir, fmt.Sprintf("attempts-%d.ndjson", size)), attempts: size, seed: 7, keep: true}}
	}
	var out []chunk
	for i := 0; i < size/c.chunk; i++ {
		ch := chunk{path: filepath.Join(c.dir, fmt.Sprintf("attempts-%d-seed%d.ndjson", c.chunk, 7+i)), attempts: c.chunk, seed: 7 + i}
		if i == 0 { // the smaller data set's file
			ch.path, ch.keep = filepath.Join(c.dir, fmt.Sprintf("attempts-%d.ndjson", c.chunk)), true
		}
		out = append(out, ch)
	}
	return out
}

type chunk struct {
	path     string
	attempts int
	seed     int
	keep     bool
}

// make writes the chunk's file unless it is there; `lakegate generate` is
// deterministic for a seed, so a kept file is the same data.
func (ch chunk) make(c *config) error {
	if st, err := os.Stat(ch.path); err == nil && st.Size() > 0 {
		return nil
	}
	tmp := ch.path + ".tmp"
	_, err := runTool(c.lakegate, "generate", "assessments", "--attempts", strconv.Itoa(ch.attempts),
		"--seed", strconv.Itoa(ch.seed), "--format", "ndjson", "-o", tmp)
	if err != nil {
		return err
	}
	return os.Rename(tmp, ch.path)
}

func (ch chunk) done() {
	if !ch.keep {
		os.Remove(ch.path)
	}
}

// ingestAll lands the data set with lakegate (kept as the lake the
// questions run on), with DuckDB's own COPY and with the seeds' Spark job.
func ingestAll(c *config, r *results, size int) (string, error) {
	chs := chunks(c, size)
	lake := filepath.Join(c.dir, fmt.Sprintf("lake-%d", size))
	runs := c.ingestRuns
	if len(chs) > 1 {
		runs = 1 // ten ingests already; the smaller set measures repeats
	}
	li := ingestRun{Size: size, System: "lakegate", Files: len(chs), Detail: fmt.Sprintf("%d × `lakegate ingest assessments`", len(chs))}
	di := ingestRun{Size: size, System: "duckdb", Detail: "bench/duckcopy: DuckDB read_json → COPY TO parquet (zstd)"}
	for i := 0; i < runs; i++ {
		if err := os.RemoveAll(lake); err != nil {
			return "", err
		}
		var secs, peak float64
		for _, ch := range chs {
			if err := ch.make(c); err != nil {
				return "", err
			}
			s, mb, err := timedIngest(c, ch.path, lake)
			if err != nil {
				return "", err
			}
			if i == 0 {
				li.Bytes += fileSize(ch.path)
			}
			secs, peak = secs+s, max(peak, mb)
			if len(chs) == 1 {
				if err := duckIngest(c, &di, ch.path); err != nil {
					return "", err
				}
			}
			ch.done()
		}
		li.Seconds, li.PeakMB = append(li.Seconds, secs), append(li.PeakMB, peak)
		logf("lakegate ingest %d: %.1f s, peak %.0f MB", size, secs, peak)
	}
	r.Ingest = append(r.Ingest, li)
	if len(di.Seconds) > 0 {
		r.Ingest = append(r.Ingest, di)
	} else {
		r.note("%d attempts: DuckDB's own ingest is measured on one file; this set is %d files of %d attempts, generated one at a time", size, len(chs), c.chunk)
	}
	if err := sparkJob(c, r, size, chs); err != nil {
		return "", err
	}
	return lake, nil
}

// timedIngest runs `lakegate ingest assessments` on a warm file.
func timedIngest(c *config, file, lake string) (secs, peakMB float64, err error) {
	warm(file)
	start := time.Now()
	ps, err := runTool(c.lakegate, "ingest", "assessments", file, "--lake", lake, "--log-level", "warn")
	if err != nil {
		return 0, 0, err
	}
	return time.Since(start).Seconds(), peakRSS(ps), nil
}

func duckIngest(c *config, di *ingestRun, file string) error {
	out := filepath.Join(c.dir, "duckcopy-out")
	os.RemoveAll(out)
	defer os.RemoveAll(out)
	warm(file)
	start := time.Now()
	ps, err := runTool(c.duckcopy, file, out)
	if err != nil {
		return err
	}
	di.Seconds, di.PeakMB = append(di.Seconds, time.Since(start).Seconds()), append(di.PeakMB, peakRSS(ps))
	di.Bytes = fileSize(file)
	return nil
}

// sparkJob runs the seeds' flatten-and-write job, then the questions in
// the same session (bench/spark/seeds_batch.py), and a bare start-up.
func sparkJob(c *config, r *results, size int, chs []chunk) error {
	if c.python == "" || size > c.peerMax || len(chs) != 1 {
		if c.python != "" {
			r.note("%d attempts: Spark is measured up to %d attempts (its job alone takes minutes per million)", size, c.peerMax)
		}
		return nil
	}
	out := filepath.Join(c.dir, fmt.Sprintf("spark-%d", size))
	defer os.RemoveAll(out)
	warm(chs[0].path)
	lines, err := pythonJSON(c, "bench/spark/seeds_batch.py", chs[0].path, out, strconv.Itoa(min(c.runs, 5)))
	if err != nil {
		return fmt.Errorf("spark job: %w", err)
	}
	si := ingestRun{Size: size, System: "spark", Bytes: fileSize(chs[0].path), Detail: "pyspark 4.3 local[2]: read.json (schema inferred), flatten, write Parquet; start-up included"}
	byQuery := map[string]*cannedRun{}
	var order []string
	for _, l := range lines {
		switch l.Step {
		case "ingest":
			si.Seconds = append(si.Seconds, l.Seconds)
			logf("spark ingest %d: %.1f s (%d attempts)", size, l.Seconds, l.Attempts)
		case "query":
			if byQuery[l.Name] == nil {
				byQuery[l.Name] = &cannedRun{Size: size, Query: l.Name, System: "spark", Rows: l.Rows}
				order = append(order, l.Name)
			}
			byQuery[l.Name].MS = append(byQuery[l.Name].MS, l.Seconds*1000)
		}
	}
	r.Ingest = append(r.Ingest, si)
	for _, q := range order {
		r.Canned = append(r.Canned, *byQuery[q])
	}
	return sparkStartup(c, r, size)
}

// sparkStartup is what a question costs end to end on top of its warm
// time: a fresh process's SparkSession.
func sparkStartup(c *config, r *results, size int) error {
	lines, err := pythonJSON(c, "bench/spark/seeds_batch.py", "startup")
	if err != nil || len(lines) != 1 {
		return fmt.Errorf("spark start-up: %v (%d lines)", err, len(lines))
	}
	r.Canned = append(r.Canned, cannedRun{Size: size, Query: "(start-up)", System: "spark", MS: []float64{lines[0].Seconds * 1000}})
	return nil
}

type sparkLine struct {
	Step     string  `json:"step"`
	Name     string  `json:"name"`
	Seconds  float64 `json:"seconds"`
	Rows     int     `json:"rows"`
	Attempts int64   `json:"attempts"`
}

// pythonJSON runs a script of the repository with the python peer and
// decodes the JSON lines it prints.
func pythonJSON(c *config, script string, args ...string) ([]sparkLine, error) {
	cmd := exec.Command(c.python, append([]string{script}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("%s: %v: %s", script, err, tail(stderr.Bytes(), 2000))
	}
	var lines []sparkLine
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		var l sparkLine
		if json.Unmarshal(sc.Bytes(), &l) == nil && l.Step != "" {
			lines = append(lines, l)
		}
	}
	return lines, nil
}

// runTool runs a command to the end; its output goes to the suite's log
// only when it fails.
func runTool(bin string, args ...string) (*toolRun, error) {
	cmd := exec.Command(bin, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	run := &toolRun{}
	stop := make(chan struct{})
	polled := make(chan struct{})
	go func() {
		defer close(polled)
		run.pollHWM(cmd.Process.Pid, stop)
	}()
	err := cmd.Wait()
	close(stop)
	<-polled
	if err != nil {
		return nil, fmt.Errorf("%s %v: %v: %s", filepath.Base(bin), args, err, tail(out.Bytes(), 2000))
	}
	run.ProcessState = cmd.ProcessState
	return run, nil
}

// toolRun is a finished tool and its peak resident set.
type toolRun struct {
	*os.ProcessState
	peakMB float64
}

// pollHWM follows the process's own high-water mark (VmHWM) until stop.
// The rusage of the finished child cannot be used: Go starts it with
// vfork (CLONE_VM), and at exec Linux folds the parent's high-water mark
// into the child's ru_maxrss, so after the suite's in-process DuckDB had
// grown it to 1.2 GB every tool it ran "peaked" at 1.2 GB.
func (t *toolRun) pollHWM(pid int, stop <-chan struct{}) {
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		t.peakMB = max(t.peakMB, report.PeakMB(pid))
		select {
		case <-stop:
			return
		case <-tick.C:
		}
	}
}

// peakRSS is a finished tool's peak resident set in MB, from its own
// VmHWM as last polled (up to 20 ms before it ended).
func peakRSS(t *toolRun) float64 { return t.peakMB }

// warm reads a file once, so every tool starts from the same page cache.
func warm(path string) {
	if f, err := os.Open(path); err == nil {
		io.Copy(io.Discard, f)
		f.Close()
	}
}

func fileSize(path string) int64 {
	st, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return st.Size()
}

// dirSize is the bytes of the files under dir.
func dirSize(dir string) int64 {
	var n int64
	filepath.Walk(dir, func(_ string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			n += info.Size()
		}
		return nil
	})
	return n
}

func tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}

// execOutput runs a command and returns its standard output.
func execOutput(bin string, args ...string) ([]byte, error) {
	cmd := exec.Command(bin, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("%s %v: %v: %s", filepath.Base(bin), args, err, tail(stderr.Bytes(), 2000))
	}
	return out, nil
}
