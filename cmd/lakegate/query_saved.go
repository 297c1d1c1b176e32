package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/lakegate/lakegate"
	"github.com/lakegate/lakegate/queries"
)

// queryKeys are the settings of the query command: the engine's and the
// folder of extra canned queries.
var queryKeys = append(append([]string{}, engineKeys...), "queries_dir", "tenant")

// library is every query the stack can run: the embedded canned queries,
// those of queries_dir, and the catalog's store of users' saved ones.
func (s *stack) library() (*queries.Library, error) {
	builtin, err := queries.All()
	if err != nil {
		return nil, lakegate.Wrap(lakegate.EINTERNAL, err, "the embedded canned queries do not parse")
	}
	var folder []queries.Query
	if dir := s.cfg.QueriesDir; dir != "" {
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			return nil, lakegate.Errorf(lakegate.EINVALID, "queries_dir %s is not a readable directory; create it or unset queries_dir", dir)
		}
		if folder, err = queries.Load(os.DirFS(dir)); err != nil {
			return nil, lakegate.Errorf(lakegate.EINVALID, "queries_dir %s: %v", dir, strings.TrimPrefix(err.Error(), "invalid: "))
		}
	}
	var store lakegate.SavedStore
	if c, ok := s.shared.(interface{ SavedQueries() lakegate.SavedStore }); ok {
		store = c.SavedQueries()
	}
	return queries.NewLibrary(store, builtin, folder)
}

// savedQuery is the query NAME of the default tenant with params bound:
// checked against their declared types, defaults filling in the rest.
func savedQuery(ctx context.Context, s *stack, name string, params paramFlag) (lakegate.Query, error) {
	lib, err := s.library()
	if err != nil {
		return lakegate.Query{}, err
	}
	q, err := lib.Get(ctx, s.cfg.Tenant, name)
	if err != nil {
		return lakegate.Query{}, err
	}
	bound, err := queries.Bind(q, params)
	if err != nil {
		return lakegate.Query{}, err
	}
	return lakegate.Query{SQL: q.SQL, Params: bound}, nil
}

// listSaved prints the queries --saved can run, one a line.
func listSaved(ctx context.Context, a *app, s *stack) error {
	lib, err := s.library()
	if err != nil {
		return err
	}
	qs, err := lib.List(ctx, s.cfg.Tenant)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tSOURCE\tPARAMETERS\tTITLE")
	for _, q := range qs {
		ps := make([]string, len(q.Params))
		for i, p := range q.Params {
			ps[i] = p.Name + " " + p.Type
			if p.Default != nil {
				ps[i] += fmt.Sprintf("=%v", p.Default)
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", q.Name, q.Source, strings.Join(ps, ", "), q.Title)
	}
	return tw.Flush()
}
