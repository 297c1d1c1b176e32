package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

// wrkLoad sends `SELECT 1` with wrk, a C load generator: on two cores the
// suite's own Go client would take a core's worth of CPU from the server
// it measures. It returns false when wrk is not installed (apt-get install
// wrk); the caller then uses the Go client and says so.
func wrkLoad(c *config, g *gateway, clients int, cache bool) (loadRun, bool, error) {
	bin, err := exec.LookPath("wrk")
	if err != nil {
		return loadRun{}, false, nil
	}
	script := filepath.Join(c.dir, fmt.Sprintf("select1-cache-%v.lua", cache))
	lua := "wrk.method = \"POST\"\nwrk.body = '{\"sql\": \"SELECT 1 AS one\"}'\nwrk.headers[\"Content-Type\"] = \"application/json\"\n"
	if !cache {
		lua += "wrk.headers[\"Cache-Control\"] = \"no-cache\"\n"
	}
	if err := os.WriteFile(script, []byte(lua), 0o644); err != nil {
		return loadRun{}, true, err
	}
	out, err := execOutput(bin, "-t", strconv.Itoa(min(clients, 2)), "-c", strconv.Itoa(clients),
		"-d", fmt.Sprintf("%ds", int(c.loadTime.Seconds())), "--latency", "-s", script, g.base+"/v1/query")
	if err != nil {
		return loadRun{}, true, err
	}
	lr, err := parseWrk(out)
	lr.Clients, lr.Cache = clients, cache
	return lr, true, err
}

// parseWrk reads requests/s, the 50% and 99% latencies and the request
// count from wrk's report; any non-2xx answer fails the run.
func parseWrk(out []byte) (loadRun, error) {
	var lr loadRun
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		switch {
		case len(f) >= 2 && f[0] == "Requests/sec:":
			lr.QPS, _ = strconv.ParseFloat(f[1], 64)
		case len(f) == 2 && f[0] == "50%":
			lr.P50 = wrkMS(f[1])
		case len(f) == 2 && f[0] == "99%":
			lr.P99 = wrkMS(f[1])
		case len(f) >= 3 && f[1] == "requests" && f[2] == "in":
			lr.Requests, _ = strconv.Atoi(f[0])
		case strings.HasPrefix(sc.Text(), "  Non-2xx"):
			return lr, fmt.Errorf("wrk: %s", strings.TrimSpace(sc.Text()))
		}
	}
	if lr.QPS == 0 {
		return lr, fmt.Errorf("wrk printed no Requests/sec: %s", tail(out, 1000))
	}
	return lr, nil
}

// wrkMS converts wrk's "350.00us", "1.76ms" or "1.02s" to milliseconds.
func wrkMS(s string) float64 {
	for _, u := range []struct {
		suffix string
		ms     float64
	}{{"us", 0.001}, {"ms", 1}, {"s", 1000}} {
		if v, ok := strings.CutSuffix(s, u.suffix); ok {
			x, _ := strconv.ParseFloat(v, 64)
			return x * u.ms
		}
	}
	return 0
}
