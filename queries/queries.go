// Package queries holds the canned business queries, one .sql file each,
// embedded in the binary. A file starts with "-- key: value" header lines
// (name, title, description, chart) followed by the SQL.
package queries

import (
	"bufio"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
)

//go:embed *.sql
var files embed.FS

// Query is one canned query.
type Query struct {
	Name        string `json:"name"`
	Title       string `json:"title"`
	Description string `json:"description"`
	Chart       string `json:"chart,omitempty"`
	SQL         string `json:"sql"`
}

// All returns the embedded queries sorted by name.
func All() ([]Query, error) {
	return Load(files)
}

// Load reads every .sql file at the top of fsys.
func Load(fsys fs.FS) ([]Query, error) {
	names, err := fs.Glob(fsys, "*.sql")
	if err != nil {
		return nil, err
	}
	out := make([]Query, 0, len(names))
	for _, n := range names {
		b, err := fs.ReadFile(fsys, n)
		if err != nil {
			return nil, err
		}
		q, err := Parse(string(b))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", n, err)
		}
		if want := strings.TrimSuffix(path.Base(n), ".sql"); q.Name != want {
			return nil, fmt.Errorf("%s: header name %q must match the file name %q", n, q.Name, want)
		}
		out = append(out, q)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Parse splits a query file into its header and SQL.
func Parse(text string) (Query, error) {
	var q Query
	var body strings.Builder
	sc := bufio.NewScanner(strings.NewReader(text))
	header := true
	for line := 1; sc.Scan(); line++ {
		l := sc.Text()
		if header && strings.HasPrefix(l, "-- ") && strings.Contains(l, ":") {
			k, v, _ := strings.Cut(strings.TrimPrefix(l, "-- "), ":")
			if err := q.set(strings.TrimSpace(k), strings.TrimSpace(v)); err != nil {
				return q, fmt.Errorf("line %d: %w", line, err)
			}
			continue
		}
		header = false
		body.WriteString(l + "\n")
	}
	q.SQL = strings.TrimSpace(body.String())
	if q.Name == "" || q.SQL == "" {
		return q, fmt.Errorf("a query needs a \"-- name:\" header and SQL")
	}
	return q, nil
}

func (q *Query) set(k, v string) error {
	switch k {
	case "name":
		q.Name = v
	case "title":
		q.Title = v
	case "description":
		q.Description = strings.TrimSpace(q.Description + " " + v)
	case "chart":
		q.Chart = v
	default:
		return fmt.Errorf("unknown header %q (known: name, title, description, chart)", k)
	}
	return nil
}
