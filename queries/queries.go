// Package queries holds the canned business queries, one .sql file each,
// embedded in the binary, and the rules every saved query follows: its
// header, its parameters and how values bind to them.
//
// A file starts with "-- key: value" header lines followed by the SQL:
//
//	-- name: pass_rate
//	-- title: Pass rate
//	-- description: Share of scored attempts with a score at or above the threshold.
//	-- chart: none
//	-- param: threshold number 0.7 -- share of correct answers needed to pass
//	SELECT ... WHERE score >= $threshold
//
// A param line is "NAME TYPE [DEFAULT] [-- HELP]": TYPE is one of
// lakegate.ParamTypes, DEFAULT is the rest up to " -- " (quote it, Go
// style, for leading spaces or an empty string) and a parameter without
// one is required. Every declared parameter must appear as $NAME in the
// SQL and every $NAME must be declared.
//
// Where an engine's dialect cannot run the SQL, a line "-- dialect: presto"
// ends it; the text after it is that engine's (Dialects), with the same
// parameters.
package queries

import (
	"bufio"
	"embed"
	"fmt"
	"io/fs"
	"maps"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/lakegate/lakegate"
)

//go:embed *.sql
var files embed.FS

// Query is one canned or saved query.
type Query = lakegate.SavedQuery

// All returns the embedded queries sorted by name.
func All() ([]Query, error) {
	qs, err := Load(files)
	for i := range qs {
		qs[i].Source = lakegate.SourceBuiltin
	}
	return qs, err
}

// Load reads every .sql file at the top of fsys (e.g. the queries_dir
// folder); the queries are read-only, with Source folder.
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
		q.Builtin, q.Source = true, lakegate.SourceFolder
		out = append(out, q)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Parse splits a query file into its header and SQL and validates it.
func Parse(text string) (Query, error) {
	q := Query{Params: []lakegate.Param{}}
	var body strings.Builder
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	header, dialect := true, ""
	for line := 1; sc.Scan(); line++ {
		l := sc.Text()
		if !header && strings.HasPrefix(strings.TrimSpace(l), dialectMarker) {
			if err := addText(&q, dialect, body.String()); err != nil {
				return q, fmt.Errorf("line %d: %w", line, err)
			}
			dialect = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(l), dialectMarker))
			body.Reset()
			continue
		}
		if header && strings.HasPrefix(l, "-- ") && strings.Contains(l, ":") {
			k, v, _ := strings.Cut(strings.TrimPrefix(l, "-- "), ":")
			if err := set(&q, strings.TrimSpace(k), strings.TrimSpace(v)); err != nil {
				return q, fmt.Errorf("line %d: %w", line, err)
			}
			continue
		}
		header = false
		body.WriteString(l + "\n")
	}
	if err := sc.Err(); err != nil {
		return q, err
	}
	if err := addText(&q, dialect, body.String()); err != nil {
		return q, err
	}
	if q.Name == "" || q.SQL == "" {
		return q, fmt.Errorf("a query needs a \"-- name:\" header and SQL")
	}
	return q, Validate(&q)
}

const dialectMarker = "-- dialect:"

// addText sets the SQL of the dialect ("" for every engine).
func addText(q *Query, dialect, text string) error {
	text = strings.TrimSpace(text)
	switch {
	case dialect == "":
		q.SQL = text
	case dialect != lakegate.EnginePresto:
		return fmt.Errorf("unknown dialect %q (known: presto)", dialect)
	case text == "":
		return fmt.Errorf("dialect %s has no SQL", dialect)
	default:
		if q.Dialects == nil {
			q.Dialects = map[string]string{}
		}
		q.Dialects[dialect] = text
	}
	return nil
}

func set(q *Query, k, v string) error {
	switch k {
	case "name":
		q.Name = v
	case "title":
		q.Title = v
	case "description":
		q.Description = strings.TrimSpace(q.Description + " " + v)
	case "chart":
		q.Chart = v
	case "param":
		p, err := parseParam(v)
		if err != nil {
			return err
		}
		q.Params = append(q.Params, p)
	default:
		return fmt.Errorf("unknown header %q (known: name, title, description, chart, param)", k)
	}
	return nil
}

// parseParam reads "NAME TYPE [DEFAULT] [-- HELP]".
func parseParam(v string) (lakegate.Param, error) {
	const syntax = "write \"-- param: NAME TYPE [DEFAULT] [-- HELP]\""
	decl, help, _ := strings.Cut(v, " -- ")
	if strings.HasPrefix(strings.TrimSpace(v), "--") {
		decl, help = "", v
	}
	f := strings.Fields(decl)
	if len(f) < 2 {
		return lakegate.Param{}, fmt.Errorf("param %q: %s", v, syntax)
	}
	p := lakegate.Param{Name: f[0], Type: f[1], Help: strings.TrimSpace(help)}
	// The default is the rest of the declaration after the type.
	rest := strings.TrimSpace(decl)
	rest = strings.TrimSpace(strings.TrimPrefix(rest, f[0]))
	rest = strings.TrimSpace(strings.TrimPrefix(rest, f[1]))
	if strings.HasPrefix(rest, `"`) {
		s, err := strconv.Unquote(rest)
		if err != nil {
			return p, fmt.Errorf("param %s: default %s is not a well-quoted string", p.Name, rest)
		}
		p.Default = s
	} else if rest != "" {
		p.Default = rest
	}
	return p, nil
}

// Text writes q in the file format Parse reads.
func Text(q Query) string {
	var b strings.Builder
	fmt.Fprintf(&b, "-- name: %s\n", q.Name)
	line := func(k, v string) {
		if v != "" {
			fmt.Fprintf(&b, "-- %s: %s\n", k, strings.ReplaceAll(v, "\n", " "))
		}
	}
	line("title", q.Title)
	line("description", q.Description)
	line("chart", q.Chart)
	for _, p := range q.Params {
		d := ""
		switch v := p.Default.(type) {
		case nil:
		case string:
			d = " " + v
			if v == "" || strings.TrimSpace(v) != v || strings.HasPrefix(v, `"`) || strings.Contains(v, " -- ") {
				d = " " + strconv.Quote(v)
			}
		default:
			d = fmt.Sprint(" ", v)
		}
		h := ""
		if p.Help != "" {
			h = " -- " + p.Help
		}
		line("param", p.Name+" "+p.Type+d+h)
	}
	b.WriteString(q.SQL + "\n")
	for _, d := range slices.Sorted(maps.Keys(q.Dialects)) {
		b.WriteString(dialectMarker + " " + d + "\n" + q.Dialects[d] + "\n")
	}
	return b.String()
}
