package catalog_test

import (
	"testing"

	"github.com/lakegate/lakegate"
	ct "github.com/lakegate/lakegate/catalog/catalogtest"
	"github.com/lakegate/lakegate/catalog/pgtest"
)

func TestPostgresSavedConformance(t *testing.T) {
	ct.RunSaved(t, func(t *testing.T) (lakegate.SavedStore, func(t *testing.T) lakegate.SavedStore) {
		dsn := pgtest.StartShared(t) // a fresh database per subtest
		another := func(t *testing.T) lakegate.SavedStore { return openPG(t, dsn).SavedQueries() }
		return another(t), another
	})
}
