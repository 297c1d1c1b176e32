package router

import (
	"context"
	"strings"
	"testing"

	"github.com/lakegate/lakegate"
	"github.com/lakegate/lakegate/engine/enginetest"
)

// named is an engine that only has a name: the rule never runs queries.
type named string

func (n named) Name() string { return string(n) }
func (n named) Query(context.Context, lakegate.Query) (lakegate.Rows, error) {
	return nil, lakegate.Errorf(lakegate.EINTERNAL, "not in this test")
}
func (n named) Close() error { return nil }

// local is the tenancy of one lake: DuckDB's engine and its catalog.
type local struct{ l *enginetest.Lake }

func (t local) Engine(context.Context, string) (lakegate.Engine, error) { return named("duckdb"), nil }
func (t local) Catalog(string) (lakegate.Catalog, error)                { return t.l.Catalog, nil }

// remote is Presto's state as the rule sees it.
type remote struct {
	down   error
	queued int
}

func (r *remote) Engine(string) lakegate.Engine { return named("presto") }
func (r *remote) Health(context.Context) error  { return r.down }
func (r *remote) Queued(context.Context) int    { return r.queued }

func TestRule(t *testing.T) {
	l := enginetest.NewLake(t)
	l.Land(t, "assessments", "attempts", "2026-01-02", enginetest.Attempts["2026-01-02"])
	p := &remote{}
	r := New(Options{Local: local{l}, Remote: p, Threshold: 100, MaxQueued: 4})
	table := lakegate.Query{SQL: "SELECT count(*) FROM assessments.attempts"}
	cases := []struct {
		name, tenant, want string
		q                  lakegate.Query
		setup              func()
		engine, rule       string
		code               string
	}{
		{name: "large", q: table, engine: "presto", rule: "large"},
		{name: "small", q: lakegate.Query{SQL: "SELECT 1"}, engine: "duckdb", rule: "small"},
		{name: "all tenants", tenant: lakegate.AllTenants, q: table, engine: "duckdb", rule: "all_tenants"},
		{name: "named duckdb", want: "duckdb", q: table, engine: "duckdb", rule: "named"},
		{name: "named presto", want: "PRESTO", q: lakegate.Query{SQL: "SELECT 1"}, engine: "presto", rule: "named"},
		{name: "unknown", want: "spark", q: table, code: lakegate.EINVALID},
		{name: "busy", q: table, setup: func() { p.queued = 5 }, engine: "duckdb", rule: "presto_busy"},
		{name: "down", q: table, setup: func() { p.queued, p.down = 0, lakegate.Errorf(lakegate.EUNAVAILABLE, "presto is starting") }, engine: "duckdb", rule: "presto_down"},
		{name: "named presto down", want: "presto", q: table, code: lakegate.EUNAVAILABLE},
	}
	for _, c := range cases {
		if c.setup != nil {
			c.setup()
		}
		rt, err := r.Route(context.Background(), c.tenant, c.q, c.want)
		if c.code != "" {
			if lakegate.ErrorCode(err) != c.code {
				t.Errorf("%s: %v, want %s", c.name, err, c.code)
			}
			continue
		}
		if err != nil || rt.Engine.Name() != c.engine || rt.Rule != c.rule || rt.Reason == "" {
			t.Errorf("%s: %+v %v, want %s by %s", c.name, rt, err, c.engine, c.rule)
		}
	}
	none := New(Options{Local: local{l}})
	if _, err := none.Route(context.Background(), "", table, "presto"); !strings.Contains(lakegate.ErrorMessage(err), "presto_url") {
		t.Errorf("presto without presto_url: %v", err)
	}
}

// BenchmarkRouteAuto is auto's cost per query: what it adds over naming
// the engine.
func BenchmarkRouteAuto(b *testing.B) {
	l := enginetest.NewLake(b)
	l.Land(b, "assessments", "attempts", "2026-01-02", enginetest.Attempts["2026-01-02"])
	r := New(Options{Local: local{l}, Remote: &remote{}, Threshold: 10 << 30, MaxQueued: 16})
	q := lakegate.Query{SQL: "SELECT exam_name, count(*) FROM assessments.attempts WHERE NOT is_test GROUP BY exam_name ORDER BY 2 DESC"}
	for b.Loop() {
		if _, err := r.Route(context.Background(), "", q, "auto"); err != nil {
			b.Fatal(err)
		}
	}
}
