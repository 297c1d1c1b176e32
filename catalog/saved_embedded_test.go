package catalog_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lakegate/lakegate"
	"github.com/lakegate/lakegate/catalog"
	ct "github.com/lakegate/lakegate/catalog/catalogtest"
)

func TestEmbeddedSavedConformance(t *testing.T) {
	ct.RunSaved(t, func(t *testing.T) (lakegate.SavedStore, func(t *testing.T) lakegate.SavedStore) {
		dir := t.TempDir()
		another := func(t *testing.T) lakegate.SavedStore { return open(t, dir).SavedQueries() }
		return another(t), another
	})
}

// TestEmbeddedSavedDamaged: a damaged saved.json is reported, never
// silently replaced by an empty document.
func TestEmbeddedSavedDamaged(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir).SavedQueries()
	if err := s.Put(context.Background(), "acme", ct.SampleSaved("q")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, catalog.SavedFile), []byte(`{"acme": [`), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := s.List(context.Background(), "acme")
	if lakegate.ErrorCode(err) != lakegate.EINTERNAL || !strings.Contains(lakegate.ErrorMessage(err), "not valid JSON") {
		t.Fatalf("List of a damaged file: %v", err)
	}
	err = s.Put(context.Background(), "acme", ct.SampleSaved("r"))
	if lakegate.ErrorCode(err) != lakegate.EINTERNAL {
		t.Fatalf("Put over a damaged file: %v", err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, catalog.SavedFile)); string(b) != `{"acme": [` {
		t.Fatalf("the damaged file was overwritten: %s", b)
	}
}
