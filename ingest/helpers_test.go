package ingest

import (
	"compress/gzip"
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/lakegate/lakegate"
	"github.com/lakegate/lakegate/catalog"
	"github.com/lakegate/lakegate/landing"
)

// fixedNow is the clock of the tests: ingest_date 2026-11-21.
func fixedNow() time.Time { return time.Date(2026, 11, 21, 19, 30, 0, 0, time.UTC) }

// env is a lake and an embedded catalog in a temporary directory.
type env struct {
	dir   string
	store *landing.Local
	cat   *catalog.Embedded
}

func newEnv(tb testing.TB) *env {
	tb.Helper()
	dir := tb.TempDir()
	store, err := landing.NewLocal(filepath.Join(dir, "lake"))
	if err != nil {
		tb.Fatal(err)
	}
	cat, err := catalog.OpenEmbedded(filepath.Join(dir, "lake", "_catalog"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { cat.Close() })
	return &env{dir: dir, store: store, cat: cat}
}

func (e *env) opts() Options {
	return Options{Store: e.store, Catalog: e.cat, Now: fixedNow}
}

func (e *env) ingest(tb testing.TB, paths ...string) Summary {
	tb.Helper()
	sum, err := Assessments(context.Background(), e.opts(), paths...)
	if err != nil {
		tb.Fatalf("ingest %v: %v\n%s", paths, err, sum)
	}
	return sum
}

// writeFile writes data to a file in a temporary directory.
func writeFile(tb testing.TB, name, data string) string {
	tb.Helper()
	p := filepath.Join(tb.TempDir(), name)
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		tb.Fatal(err)
	}
	return p
}

func checkReconciles(tb testing.TB, s Summary) {
	tb.Helper()
	if s.Read != s.Landed+s.Duplicates+s.Rejected {
		tb.Errorf("read %d != landed %d + duplicates %d + rejected %d", s.Read, s.Landed, s.Duplicates, s.Rejected)
	}
}

var _ lakegate.Catalog = (*catalog.Embedded)(nil)

func newGzipWriter(w io.Writer) *gzip.Writer { return gzip.NewWriter(w) }
