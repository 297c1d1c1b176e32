package catalog_test

import (
	"testing"

	"github.com/lakegate/lakegate"
	ct "github.com/lakegate/lakegate/catalog/catalogtest"
	"github.com/lakegate/lakegate/catalog/pgtest"
)

func TestPostgresTokensConformance(t *testing.T) {
	ct.RunTokens(t, func(t *testing.T) (lakegate.TokenStore, func(t *testing.T) lakegate.TokenStore) {
		dsn := pgtest.StartShared(t) // a fresh database per subtest
		another := func(t *testing.T) lakegate.TokenStore { return openPG(t, dsn).Tokens() }
		return another(t), another
	})
}
