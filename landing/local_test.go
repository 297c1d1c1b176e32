package landing_test

import (
	"context"
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

// TestLocalRefusesLinksOut: one store is one tenant's directory of a
// shared lake, so a symbolic link in it that leads out (planted by hand)
// must not let the store list, open, write or delete what lies outside.
// Links that stay inside are fine.
func TestLocalRefusesLinksOut(t *testing.T) {
	ctx := context.Background()
	lake := t.TempDir()
	other := filepath.Join(lake, "tenants", "beta", "t")
	os.MkdirAll(other, 0o755)
	os.WriteFile(filepath.Join(other, "f.parquet"), []byte("beta"), 0o644)
	s, err := landing.NewLocal(filepath.Join(lake, "tenants", "acme"))
	if err != nil {
		t.Fatal(err)
	}
	root := s.Root()
	os.Symlink(other, filepath.Join(root, "out"))
	os.Symlink(filepath.Join(other, "f.parquet"), filepath.Join(root, "file.parquet"))
	os.MkdirAll(filepath.Join(root, "real"), 0o755)
	os.Symlink(filepath.Join(root, "real"), filepath.Join(root, "in"))
	for name, op := range map[string]func() error{
		"list":         func() error { _, err := s.List(ctx, "out"); return err },
		"open":         func() error { _, err := s.Open(ctx, "out/f.parquet"); return err },
		"open file":    func() error { _, err := s.Open(ctx, "file.parquet"); return err },
		"remove":       func() error { return s.Remove(ctx, "out/f.parquet") },
		"create below": func() error { _, err := s.Create(ctx, "out/new/x.parquet"); return err },
	} {
		if err := op(); lakegate.ErrorCode(err) != lakegate.EFORBIDDEN {
			t.Errorf("%s through a link out: %v, want forbidden", name, err)
		}
	}
	if _, err := os.Stat(filepath.Join(other, "f.parquet")); err != nil {
		t.Errorf("beta's file is gone: %v", err)
	}
	w, err := s.Create(ctx, "in/ok.parquet")
	if err != nil {
		t.Fatalf("a link inside the store: %v", err)
	}
	w.Close()
}
