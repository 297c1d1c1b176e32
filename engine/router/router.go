// Package router chooses, for each query, the engine that answers it:
// the tenant's embedded DuckDB or the Presto cluster.
//
// The rule of engine "auto" (the default), in order:
//
//  1. A query over every tenant (?tenant=all) runs on DuckDB: only its
//     admin engine reads all tenants.
//  2. Without presto_url, DuckDB.
//  3. The bytes the query may scan: the catalog's bytes of every table the
//     SQL names (all partitions: filters are not weighed, so this is an
//     upper bound). Below presto_threshold, DuckDB: Presto's fixed cost
//     per query (planning, scheduling, ~100 ms) buys nothing on small data.
//  4. At or above it, Presto, unless it is down or starting (then DuckDB,
//     which reads the same files locally or through its HDFS cache) or has
//     more than presto_max_queued queries waiting (then DuckDB too).
//
// A named engine ("duckdb", "presto") is used or refused, never swapped.
package router

import (
	"context"
	"fmt"
	"strings"

	"github.com/lakegate/lakegate"
	"github.com/lakegate/lakegate/internal/sqlscan"
)

// Remote is the scale-out engine (Presto): each tenant's engine, and its
// state. Health returns EUNAVAILABLE when it cannot answer; Queued is how
// many queries wait in it (-1 when unknown).
type Remote interface {
	Engine(tenant string) lakegate.Engine
	Health(ctx context.Context) error
	Queued(ctx context.Context) int
}

// Options configures the router.
type Options struct {
	Local  lakegate.Tenancy // every tenant's DuckDB engine and catalog
	Remote Remote           // nil: no Presto
	// Threshold is the bytes a query must be able to scan for Presto.
	Threshold int64
	// MaxQueued is how many queries may wait in Presto before auto keeps
	// queries on DuckDB (0: no limit).
	MaxQueued int
}

// Router implements lakegate.Router.
type Router struct{ opt Options }

var _ lakegate.Router = (*Router)(nil)

// New returns the router.
func New(opt Options) *Router { return &Router{opt: opt} }

// Route chooses q's engine; see the package comment for the rule.
func (r *Router) Route(ctx context.Context, tenant string, q lakegate.Query, want string) (lakegate.Route, error) {
	switch strings.ToLower(want) {
	case "", lakegate.EngineAuto:
		return r.auto(ctx, tenant, q)
	case lakegate.EngineDuckDB:
		return r.local(ctx, tenant, "named", "engine duckdb was asked for")
	case lakegate.EnginePresto:
		return r.presto(ctx, tenant)
	}
	return lakegate.Route{}, lakegate.Errorf(lakegate.EINVALID, "unknown engine %q: ask for auto, duckdb or presto", want)
}

func (r *Router) local(ctx context.Context, tenant, rule, reason string) (lakegate.Route, error) {
	e, err := r.opt.Local.Engine(ctx, tenant)
	if err != nil {
		return lakegate.Route{}, err
	}
	return lakegate.Route{Engine: e, Rule: rule, Reason: reason}, nil
}

// presto is the named Presto engine, or why it cannot answer.
func (r *Router) presto(ctx context.Context, tenant string) (lakegate.Route, error) {
	if r.opt.Remote == nil {
		return lakegate.Route{}, lakegate.Errorf(lakegate.EUNAVAILABLE, "engine presto is not configured on this gateway: set presto_url (--presto-url), or ask for engine auto or duckdb")
	}
	if tenant == lakegate.AllTenants {
		return lakegate.Route{}, lakegate.Errorf(lakegate.EINVALID, "engine presto reads one tenant's tables: ask for engine duckdb (or auto) to query every tenant")
	}
	if err := r.opt.Remote.Health(ctx); err != nil {
		return lakegate.Route{}, lakegate.Wrap(lakegate.EUNAVAILABLE, err, "engine presto was asked for and cannot answer (%s); retry later or ask for engine auto or duckdb", lakegate.ErrorMessage(err))
	}
	return lakegate.Route{Engine: r.opt.Remote.Engine(tenant), Rule: "named", Reason: "engine presto was asked for"}, nil
}

// auto applies the rule.
func (r *Router) auto(ctx context.Context, tenant string, q lakegate.Query) (lakegate.Route, error) {
	if tenant == lakegate.AllTenants {
		return r.local(ctx, tenant, "all_tenants", "a query over every tenant runs on DuckDB")
	}
	if r.opt.Remote == nil {
		return r.local(ctx, tenant, "no_presto", "no Presto is configured (presto_url)")
	}
	bytes, tables, err := r.scanBytes(ctx, tenant, q.SQL)
	if err != nil {
		return lakegate.Route{}, err
	}
	size := fmt.Sprintf("it may scan %s (%s)", human(bytes), tableList(tables))
	if bytes < r.opt.Threshold {
		return r.local(ctx, tenant, "small", size+", below presto_threshold "+human(r.opt.Threshold))
	}
	if err := r.opt.Remote.Health(ctx); err != nil {
		return r.local(ctx, tenant, "presto_down", size+", but Presto cannot answer ("+lakegate.ErrorMessage(err)+"): DuckDB reads the same files")
	}
	if n := r.opt.Remote.Queued(ctx); r.opt.MaxQueued > 0 && n > r.opt.MaxQueued {
		return r.local(ctx, tenant, "presto_busy", fmt.Sprintf("%s, but %d queries wait in Presto (presto_max_queued %d)", size, n, r.opt.MaxQueued))
	}
	reason := size + ", at least presto_threshold " + human(r.opt.Threshold)
	return lakegate.Route{Engine: r.opt.Remote.Engine(tenant), Rule: "large", Reason: reason}, nil
}

// scanBytes sums the catalog's bytes (table statistics: the sum of its
// partitions) of the tenant's tables that sql names as database.table.
func (r *Router) scanBytes(ctx context.Context, tenant, sql string) (int64, []string, error) {
	cat, err := r.opt.Local.Catalog(tenant)
	if err != nil {
		return 0, nil, err
	}
	var total int64
	var named []string
	for _, ref := range tableRefs(sql) {
		t, err := cat.Table(ctx, ref.Database, ref.Name)
		if lakegate.ErrorCode(err) == lakegate.ENOTFOUND {
			continue // a CTE's name, an alias, or a typo the engine will name
		}
		if err != nil {
			return 0, nil, err
		}
		total += t.Stats.Bytes
		named = append(named, ref.Database+"."+ref.Name)
	}
	return total, named, nil
}

// tableRefs lists every distinct dotted name of sql (outside strings and
// comments) as database.table: the last two parts (catalog.db.table is
// db.table), unquoted and lower-cased as the catalog names tables.
func tableRefs(sql string) []lakegate.TableRef {
	var toks []sqlscan.Token
	for t := range sqlscan.Tokens(sql) {
		toks = append(toks, t)
	}
	seen := map[lakegate.TableRef]bool{}
	var out []lakegate.TableRef
	for i := 0; i < len(toks); {
		j := i // the chain name (. name)* starting at i ends before j
		for j < len(toks) && isName(toks[j]) && (j == i || toks[j-1].Text == ".") {
			if j+1 < len(toks) && toks[j+1].Text == "." {
				j += 2
				continue
			}
			j++
			break
		}
		if parts := (j - i + 1) / 2; parts >= 2 && isName(toks[j-1]) {
			ref := lakegate.TableRef{Database: name(toks[j-3]), Name: name(toks[j-1])}
			if !seen[ref] {
				seen[ref] = true
				out = append(out, ref)
			}
		}
		i = max(j, i+1)
	}
	return out
}

func isName(t sqlscan.Token) bool { return t.Kind == sqlscan.Word || t.Kind == sqlscan.Ident }

func name(t sqlscan.Token) string {
	if t.Kind == sqlscan.Ident {
		return strings.ReplaceAll(t.Text[1:len(t.Text)-1], `""`, `"`)
	}
	return strings.ToLower(t.Text)
}

func tableList(tables []string) string {
	if len(tables) == 0 {
		return "no table of the catalog"
	}
	return strings.Join(tables, ", ")
}

// human writes a byte count in binary units.
func human(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit && exp < 4; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTP"[exp])
}
