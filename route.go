package lakegate

import "context"

// Engine names a query may ask for (its engine field, ?engine=).
const (
	EngineAuto   = "auto"
	EngineDuckDB = "duckdb"
	EnginePresto = "presto"
)

// Route is the engine chosen for one query and why.
type Route struct {
	Engine Engine
	// Rule is the reason's kind, few and fixed (a metrics label):
	// named, all_tenants, no_presto, small, large, presto_down, presto_busy.
	Rule string
	// Reason says it in a sentence, for answers, logs and EXPLAIN.
	Reason string
}

// Router chooses the engine of a tenant's query: the one named, or for
// EngineAuto (or "") the one the data and the engines' state call for.
//
// Route returns EINVALID for an engine name it does not know, and
// EUNAVAILABLE, naming the engine, when the engine asked for is not
// configured or cannot answer now: a named engine never falls back.
type Router interface {
	Route(ctx context.Context, tenant string, q Query, want string) (Route, error)
}
