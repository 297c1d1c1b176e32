package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lakegate/lakegate/bench/internal/report"
)

// gateway is a running `lakegate serve` on loopback.
type gateway struct {
	cmd   *exec.Cmd
	base  string
	log   *os.File
	start time.Time
}

// serve starts lakegate on lake with no authentication, on a free port;
// with Presto configured it also serves its metastore to the Presto peer.
func serve(c *config, lake string, presto bool, extra ...string) (*gateway, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	args := []string{"serve", "--lake", lake, "--addr", "127.0.0.1:" + strconv.Itoa(port), "--log-level", "warn", "--auth", "none"}
	if presto {
		args = append(args, "--hms-addr", c.hmsAddr, "--presto-url", c.presto)
	}
	args = append(args, extra...)
	logFile, err := os.CreateTemp(c.dir, "serve-*.log")
	if err != nil {
		return nil, err
	}
	g := &gateway{cmd: exec.Command(c.lakegate, args...), base: "http://127.0.0.1:" + strconv.Itoa(port), log: logFile}
	g.cmd.Stdout, g.cmd.Stderr = logFile, logFile
	g.start = time.Now()
	if err := g.cmd.Start(); err != nil {
		return nil, err
	}
	return g, g.waitHealthy()
}

func (g *gateway) waitHealthy() error {
	for i := 0; i < 3000; i++ {
		if res, err := http.Get(g.base + "/healthz"); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	g.stop()
	b, _ := os.ReadFile(g.log.Name())
	return fmt.Errorf("lakegate serve did not answer /healthz in 30 s: %s", tail(b, 2000))
}

// peakMB is the server's peak resident set so far (VmHWM).
func (g *gateway) peakMB() float64 { return report.PeakMB(g.cmd.Process.Pid) }

func (g *gateway) stop() {
	g.cmd.Process.Signal(os.Interrupt)
	done := make(chan error, 1)
	go func() { done <- g.cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		g.cmd.Process.Kill()
		<-done
	}
	g.log.Close()
	os.Remove(g.log.Name())
}

// answer is the part of a JSON answer the suite checks.
type answer struct {
	OK       bool   `json:"ok"`
	Cached   bool   `json:"cached"`
	Engine   string `json:"engine"`
	RowCount int    `json:"row_count"`
	Error    *struct {
		Message string `json:"message"`
	} `json:"error"`
	raw []byte // the whole answer as sent
}

var client = &http.Client{Timeout: 10 * time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: 256}}

// post sends one request and reads the whole answer: a canned query
// (path /v1/saved/NAME/run?engine=E) or SQL (/v1/query).
func (g *gateway) post(ctx context.Context, path, body string, cache bool) (answer, error) {
	var a answer
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, g.base+path, strings.NewReader(body))
	if err != nil {
		return a, err
	}
	req.Header.Set("Content-Type", "application/json")
	if !cache {
		req.Header.Set("Cache-Control", "no-cache")
	}
	res, err := client.Do(req)
	if err != nil {
		return a, err
	}
	b, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		return a, err
	}
	if err := json.Unmarshal(b, &a); err != nil || res.StatusCode != http.StatusOK || !a.OK {
		return a, fmt.Errorf("%s: status %d: %.300s", path, res.StatusCode, b)
	}
	a.raw = b
	return a, nil
}

func (g *gateway) sql(ctx context.Context, text string, cache bool) (answer, error) {
	body, _ := json.Marshal(map[string]string{"sql": text})
	return g.post(ctx, "/v1/query", string(body), cache)
}

func (g *gateway) canned(ctx context.Context, name, engine string) (answer, error) {
	return g.post(ctx, "/v1/saved/"+name+"/run?engine="+engine, "", false)
}

// timeMS runs f once and returns its wall time in milliseconds.
func timeMS(f func() error) (float64, error) {
	start := time.Now()
	err := f()
	return float64(time.Since(start).Microseconds()) / 1000, err
}

// load runs clients loops of f back to back until c.loadTime has passed
// or c.loadCount requests were sent.
// Any failed request fails the loop: a benchmark that drops errors
// measures something else.
func load(c *config, clients int, f func(ctx context.Context) error) (loadRun, error) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var (
		mu       sync.Mutex
		lat      []float64
		firstErr error
		sent     atomic.Int64
	)
	deadline := time.Now().Add(c.loadTime)
	var wg sync.WaitGroup
	start := time.Now()
	for i := 0; i < clients; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mine, err := loop(ctx, f, deadline, &sent, int64(c.loadCount))
			mu.Lock()
			defer mu.Unlock()
			lat = append(lat, mine...)
			if err != nil && firstErr == nil {
				firstErr = err
				cancel()
			}
		}()
	}
	wg.Wait()
	took := time.Since(start).Seconds()
	if firstErr != nil {
		return loadRun{}, firstErr
	}
	sort.Float64s(lat)
	return loadRun{Clients: clients, Requests: len(lat), QPS: float64(len(lat)) / took,
		P50: percentile(lat, 0.50), P99: percentile(lat, 0.99)}, nil
}

func loop(ctx context.Context, f func(ctx context.Context) error, deadline time.Time, sent *atomic.Int64, limit int64) ([]float64, error) {
	var lat []float64
	for time.Now().Before(deadline) && sent.Add(1) <= limit {
		ms, err := timeMS(func() error { return f(ctx) })
		if err != nil {
			return lat, err
		}
		lat = append(lat, ms)
	}
	return lat, nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
