package ingest

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/lakegate/lakegate/generate"
)

// TestIngestBigMemory lands a ~1 GB generated NDJSON file and checks the
// process's peak RSS stays under 300 MB. It is slow, so it only runs with
// LAKEGATE_BIG_TEST=1 (LAKEGATE_BIG_ATTEMPTS overrides the record count).
func TestIngestBigMemory(t *testing.T) {
	if os.Getenv("LAKEGATE_BIG_TEST") == "" {
		t.Skip("set LAKEGATE_BIG_TEST=1 to ingest a 1 GB file")
	}
	n := 340000
	if s := os.Getenv("LAKEGATE_BIG_ATTEMPTS"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	p, st := genFile(t, t.TempDir(), "big.ndjson", generate.Options{Attempts: n, Seed: 3, Format: "ndjson"})
	base := peakRSS(t)
	e := newEnv(t)
	s, err := Assessments(context.Background(), e.opts(), p)
	if err != nil {
		t.Fatal(err)
	}
	checkReconciles(t, s)
	peak := peakRSS(t)
	t.Logf("%d MB source, peak RSS %d MB (before ingest %d MB)\n%s", st.Bytes>>20, peak>>20, base>>20, s)
	if s.Landed != st.Unique {
		t.Errorf("landed %d, generator says %d unique", s.Landed, st.Unique)
	}
	if peak > 300<<20 {
		t.Errorf("peak RSS %d MB, want < 300 MB", peak>>20)
	}
}

// peakRSS reads VmHWM, the peak resident set size, of this process.
func peakRSS(t *testing.T) int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skip("no /proc/self/status")
	}
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "VmHWM:" {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb << 10
		}
	}
	return 0
}
