package presto_test

import (
	"testing"

	"github.com/lakegate/lakegate"
	"github.com/lakegate/lakegate/engine/enginetest"
	"github.com/lakegate/lakegate/engine/presto"
	"github.com/lakegate/lakegate/internal/prestotest"
)

// slowSQL makes Presto join ten billion generated rows: minutes of work.
const slowSQL = `SELECT count(*) FROM UNNEST(sequence(1, 10000)) a(x)
	CROSS JOIN UNNEST(sequence(1, 10000)) b(y) CROSS JOIN UNNEST(sequence(1, 100)) c(z)
	WHERE (x * y + z) % 7 = 3`

// open serves the lake as tenant acme's on the peer's metastore port and
// returns acme's Presto engine.
func open(tb testing.TB, l *enginetest.Lake) lakegate.Engine {
	tb.Helper()
	return openTenants(tb, prestotest.Tenants{"acme": {Catalog: l.Catalog, Store: l.Store}}, "acme")
}

func openTenants(tb testing.TB, ts prestotest.Tenants, tenant string) *presto.DB {
	tb.Helper()
	url := prestotest.URL(tb)
	prestotest.Serve(tb, ts)
	c, err := presto.New(presto.Options{URL: url})
	if err != nil {
		tb.Fatal(err)
	}
	return c.Engine(tenant)
}

func TestSuite(t *testing.T) {
	enginetest.Run(t, enginetest.Harness{Open: open, SlowSQL: slowSQL})
}
