package ingest

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"

	"github.com/lakegate/lakegate/generate"
)

var (
	benchOnce sync.Once
	benchFile string
	benchSize int64
)

// benchInput generates a ~150 MB NDJSON file once per process
// (LAKEGATE_BENCH_ATTEMPTS overrides the record count).
func benchInput(b *testing.B) (string, int64) {
	benchOnce.Do(func() {
		n := 50000
		if s := os.Getenv("LAKEGATE_BENCH_ATTEMPTS"); s != "" {
			n, _ = strconv.Atoi(s)
		}
		dir, err := os.MkdirTemp("", "ingest-bench")
		if err != nil {
			b.Fatal(err)
		}
		p := filepath.Join(dir, "bench.ndjson")
		f, err := os.Create(p)
		if err != nil {
			b.Fatal(err)
		}
		st, err := generate.Assessments(f, generate.Options{Attempts: n, Seed: 42, Format: "ndjson"})
		f.Close()
		if err != nil {
			b.Fatal(err)
		}
		benchFile, benchSize = p, st.Bytes
	})
	return benchFile, benchSize
}

// BenchmarkIngest lands a generated NDJSON file into a fresh lake and
// catalog per iteration and reports source MB/s.
func BenchmarkIngest(b *testing.B) {
	p, size := benchInput(b)
	b.SetBytes(size)
	b.ReportAllocs()
	b.ResetTimer()
	var secs float64
	for range b.N {
		b.StopTimer()
		e := newEnv(b)
		b.StartTimer()
		s, err := Assessments(context.Background(), e.opts(), p)
		if err != nil {
			b.Fatal(err)
		}
		secs += s.Elapsed.Seconds()
	}
	b.ReportMetric(float64(size)*float64(b.N)/1e6/secs, "MB/s")
}
