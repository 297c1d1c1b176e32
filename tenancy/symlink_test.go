package tenancy_test

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/lakegate/lakegate/catalog"
	"github.com/lakegate/lakegate/generate"
	"github.com/lakegate/lakegate/ingest"
	"github.com/lakegate/lakegate/tenancy"
)

// TestSymlinkedStagingSparesOtherTenant plants a symlink as acme's
// _staging directory pointing into beta's tables, then lets acme ingest:
// acme's ingest cleans up "stale" staged batches (older than an hour) and
// writes its own batch under _staging, so through the link it must
// neither delete nor add a file of beta's.
func TestSymlinkedStagingSparesOtherTenant(t *testing.T) {
	if testing.Short() {
		t.Skip("ingests two tenants")
	}
	ctx := context.Background()
	base := t.TempDir()
	lake := filepath.Join(base, "lake")
	shared, err := catalog.OpenEmbedded(filepath.Join(lake, "_catalog"))
	if err != nil {
		t.Fatal(err)
	}
	defer shared.Close()
	ingestAs := func(tenant string, seed int64) error {
		src := filepath.Join(base, tenant+".json")
		var buf bytes.Buffer
		if _, err := generate.Assessments(&buf, generate.Options{Attempts: 40, Seed: seed}); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(src, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		store, err := tenancy.Store(localLake(t, lake), tenant)
		if err != nil {
			t.Fatal(err)
		}
		cat, err := catalog.ForTenant(shared, tenant)
		if err != nil {
			t.Fatal(err)
		}
		_, err = ingest.Assessments(ctx, ingest.Options{Store: store, Catalog: cat}, src)
		return err
	}
	if err := ingestAs("beta", 2); err != nil {
		t.Fatal(err)
	}
	betaTables := filepath.Join(lake, "tenants", "beta", "assessments")
	// beta's files were landed two hours ago: "stale" to a staging sweep.
	old := time.Now().Add(-2 * time.Hour)
	before := files(t, betaTables, old)
	if len(before) == 0 {
		t.Fatal("beta landed no files")
	}
	if err := os.MkdirAll(filepath.Join(lake, "tenants", "acme"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(betaTables, filepath.Join(lake, "tenants", "acme", "_staging")); err != nil {
		t.Fatal(err)
	}
	err = ingestAs("acme", 1)
	t.Logf("acme's ingest through the symlinked _staging: %v", err)
	after := files(t, betaTables, time.Time{})
	if !equal(before, after) {
		t.Errorf("LEAK: acme's ingest through a symlinked _staging changed beta's files:\nbefore %q\nafter  %q", before, after)
	}
}

// files lists the files under dir (relative paths, sorted), setting their
// and their directories' times to at unless at is zero.
func files(t *testing.T, dir string, at time.Time) []string {
	t.Helper()
	var out, dirs []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if d.IsDir() {
			dirs = append(dirs, p)
		} else {
			out = append(out, rel)
		}
		if !at.IsZero() {
			return os.Chtimes(p, at, at)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// A directory's time moves when its entries change: set them last,
	// deepest first.
	for i := len(dirs) - 1; i >= 0 && !at.IsZero(); i-- {
		if err := os.Chtimes(dirs[i], at, at); err != nil {
			t.Fatal(err)
		}
	}
	sort.Strings(out)
	return out
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
