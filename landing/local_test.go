package landing_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/lakegate/lakegate"
	"github.com/lakegate/lakegate/landing"
	"github.com/lakegate/lakegate/landing/landingtest"
)

func newLocal(t *testing.T) lakegate.Store {
	t.Helper()
	s, err := landing.NewLocal(filepath.Join(t.TempDir(), "lake"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestLocalConformance(t *testing.T) {
	landingtest.Run(t, newLocal)
}

func TestLocalURIIsAbsolutePathInsideRoot(t *testing.T) {
	dir := t.TempDir()
	s, err := landing.NewLocal(dir)
	if err != nil {
		t.Fatal(err)
	}
	landingtest.Put(t, s, "db/t/a.parquet", "x")
	uri := s.URI("db/t/a.parquet")
	if uri != filepath.Join(dir, "db", "t", "a.parquet") {
		t.Fatalf("URI = %q", uri)
	}
	if _, err := os.Stat(uri); err != nil {
		t.Fatal(err)
	}
	if s.URI("../escape") != "" {
		t.Fatal("URI of an escaping path must be empty")
	}
}
