package main

import (
	"io"
	"net/http"
	"regexp"
	"strconv"
	"testing"
)

// The demo's ingest runs inside the serving process, so its records show
// in that process's /metrics.
func TestDemoMetricsCountIngest(t *testing.T) {
	base := startDemo(t, t.TempDir(), "200")
	res, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	m := regexp.MustCompile(`(?m)^lakegate_ingest_records_total\{outcome="landed"\} (\d+)$`).FindSubmatch(body)
	if m == nil {
		t.Fatalf("no landed records in /metrics:\n%s", body)
	}
	if n, _ := strconv.Atoi(string(m[1])); n < 150 || n > 200 {
		t.Errorf("landed = %d, want the demo's unique attempts (at most 200)", n)
	}
	for _, name := range []string{"lakegate_queries_active", "lakegate_queries_queued", "lakegate_cache_hits_total"} {
		if !regexp.MustCompile(`(?m)^` + name).Match(body) {
			t.Errorf("/metrics lacks %s", name)
		}
	}
}
