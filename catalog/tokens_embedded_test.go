package catalog_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/lakegate/lakegate"
	"github.com/lakegate/lakegate/catalog"
	ct "github.com/lakegate/lakegate/catalog/catalogtest"
)

func TestEmbeddedTokensConformance(t *testing.T) {
	ct.RunTokens(t, func(t *testing.T) (lakegate.TokenStore, func(t *testing.T) lakegate.TokenStore) {
		dir := t.TempDir()
		another := func(t *testing.T) lakegate.TokenStore { return open(t, dir).Tokens() }
		return another(t), another
	})
}

// The token file is its owner's only: it names every user and tenant.
func TestEmbeddedTokensFileMode(t *testing.T) {
	dir := t.TempDir()
	s := catalog.NewEmbeddedTokens(dir)
	if err := s.Create(t.Context(), ct.NewTokenRecord(t, "ana", 0)); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(filepath.Join(dir, catalog.TokensFile))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("%s mode = %v, %v; want 0600", catalog.TokensFile, fi.Mode(), err)
	}
}
