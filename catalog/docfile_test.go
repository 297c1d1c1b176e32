package catalog_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/lakegate/lakegate"
	"github.com/lakegate/lakegate/catalog"
)

type counters map[string]int

func TestDocFileReadUpdate(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	d := catalog.NewDocFile[counters](dir, "doc.json", 0o600)
	if got, err := d.Read(ctx); err != nil || got != nil {
		t.Fatalf("Read of a missing document = %v, %v; want nil, nil", got, err)
	}
	if err := d.Update(ctx, func(c *counters) error {
		*c = counters{"a": 1}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	boom := lakegate.Errorf(lakegate.ECONFLICT, "no")
	if err := d.Update(ctx, func(c *counters) error { (*c)["a"] = 99; return boom }); !errors.Is(err, boom) {
		t.Fatalf("Update whose fn fails = %v, want fn's error", err)
	}
	got, err := catalog.NewDocFile[counters](dir, "doc.json", 0o600).Read(ctx)
	if err != nil || got["a"] != 1 {
		t.Fatalf("Read after a failed update = %v, %v; want a=1", got, err)
	}
	fi, err := os.Stat(filepath.Join(dir, "doc.json"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("document mode = %v, %v; want 0600", fi.Mode(), err)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, "doc.json.tmp-*")); len(left) != 0 {
		t.Fatalf("temp files left: %v", left)
	}
}

// Writers with their own instances (as separate processes would be) lose
// no update, and share the lock with catalog commits.
func TestDocFileConcurrentWriters(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	cat, err := catalog.OpenEmbedded(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer cat.Close()
	var wg sync.WaitGroup
	for range 8 {
		d := catalog.NewDocFile[counters](dir, "doc.json", 0o644)
		wg.Go(func() {
			for range 10 {
				if err := d.Update(ctx, func(c *counters) error {
					if *c == nil {
						*c = counters{}
					}
					(*c)["n"]++
					return nil
				}); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	got, err := catalog.NewDocFile[counters](dir, "doc.json", 0o644).Read(ctx)
	if err != nil || got["n"] != 80 {
		t.Fatalf("after 80 concurrent increments: %v, %v", got, err)
	}
}

func TestDocFileCorruptAndCanceled(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "doc.json"), []byte("{not json"), 0o644); err != nil {
		t.Fatal(err)
	}
	d := catalog.NewDocFile[counters](dir, "doc.json", 0o644)
	if _, err := d.Read(context.Background()); lakegate.ErrorCode(err) != lakegate.EINTERNAL {
		t.Fatalf("Read of a corrupt document = %v, want EINTERNAL", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := d.Read(ctx); lakegate.ErrorCode(err) != lakegate.ECANCELED {
		t.Fatalf("Read with a canceled context = %v", err)
	}
}

func TestDocFileReadOnlyDirectory(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root ignores directory permissions")
	}
	dir := t.TempDir()
	os.Chmod(dir, 0o555)
	defer os.Chmod(dir, 0o755)
	d := catalog.NewDocFile[counters](dir, "doc.json", 0o644)
	err := d.Update(context.Background(), func(*counters) error { return nil })
	if lakegate.ErrorCode(err) != lakegate.EUNAVAILABLE {
		t.Fatalf("Update in a read-only directory = %v, want EUNAVAILABLE", err)
	}
}
