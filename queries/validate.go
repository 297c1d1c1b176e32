package queries

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/lakegate/lakegate"
	"github.com/lakegate/lakegate/internal/sqlscan"
)

// namePattern is what a query or parameter name may be: it travels in
// URLs, file names and $NAME placeholders.
var namePattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,62}$`)

// Reserved are query-string keys of the run route that cannot be
// parameter names.
var Reserved = []string{"format", "limit", "timeout", "params", "engine"}

// Charts are the chart hints a query may give.
var Charts = []string{"none", "bar", "line", "pie", "table"}

// Validate checks a query's name, chart, parameters (names, types and
// defaults, normalized to their types) and that the parameters declared
// are exactly the $NAMEs the SQL uses. Errors are EINVALID and name what
// is wrong.
func Validate(q *Query) error {
	if !namePattern.MatchString(q.Name) {
		return lakegate.Errorf(lakegate.EINVALID, "query name %q: use 1 to 63 lower-case letters, digits and _, starting with a letter", q.Name)
	}
	if strings.TrimSpace(q.SQL) == "" {
		return lakegate.Errorf(lakegate.EINVALID, "query %s has no SQL", q.Name)
	}
	if q.Chart == "" {
		q.Chart = "none"
	}
	if !contains(Charts, q.Chart) {
		return lakegate.Errorf(lakegate.EINVALID, "query %s: unknown chart %q (known: %s)", q.Name, q.Chart, strings.Join(Charts, ", "))
	}
	if q.Title == "" {
		q.Title = q.Name
	}
	if q.Params == nil {
		q.Params = []lakegate.Param{}
	}
	declared := map[string]bool{}
	for i := range q.Params {
		p := &q.Params[i]
		if err := checkParam(p, declared); err != nil {
			return lakegate.Errorf(lakegate.EINVALID, "query %s: %v", q.Name, err)
		}
	}
	for d, text := range q.Dialects {
		if !slices.Equal(sortedPlaceholders(text), sortedPlaceholders(q.SQL)) {
			return lakegate.Errorf(lakegate.EINVALID, "query %s: its %s text uses parameters %v, its SQL %v: both must use the same", q.Name, d, sortedPlaceholders(text), sortedPlaceholders(q.SQL))
		}
	}
	used := Placeholders(q.SQL)
	for _, n := range used {
		if !declared[n] {
			return lakegate.Errorf(lakegate.EINVALID, "query %s uses $%s but does not declare it: add \"-- param: %s TYPE [DEFAULT]\" (or a params entry)", q.Name, n, n)
		}
	}
	for _, p := range q.Params {
		if !contains(used, p.Name) {
			return lakegate.Errorf(lakegate.EINVALID, "query %s declares parameter %s but its SQL never uses $%s", q.Name, p.Name, p.Name)
		}
	}
	return nil
}

func checkParam(p *lakegate.Param, seen map[string]bool) error {
	switch {
	case !namePattern.MatchString(p.Name):
		return fmt.Errorf("parameter name %q: use lower-case letters, digits and _, starting with a letter", p.Name)
	case contains(Reserved, p.Name):
		return fmt.Errorf("parameter name %q is reserved (%s are options of the run route)", p.Name, strings.Join(Reserved, ", "))
	case seen[p.Name]:
		return fmt.Errorf("parameter %s is declared twice", p.Name)
	case !lakegate.ValidParamType(p.Type):
		return fmt.Errorf("parameter %s: unknown type %q (known: %s)", p.Name, p.Type, strings.Join(lakegate.ParamTypes, ", "))
	}
	seen[p.Name] = true
	if p.Default != nil {
		v, err := p.Value(p.Default)
		if err != nil {
			return fmt.Errorf("parameter %s: bad default: %v", p.Name, err)
		}
		p.Default = v
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Placeholders returns the distinct $NAME parameters of sql, sorted,
// skipping string literals (dollar-quoted and E'...' ones too), quoted
// identifiers and comments. Positional $1 and ? are not named parameters
// and are not returned.
func Placeholders(sql string) []string {
	out := append([]string{}, sqlscan.Params(sql)...)
	sort.Strings(out)
	return out
}

// Bind checks values (strings from a URL or command line, or JSON-decoded
// values) against q's parameters and returns every parameter's value, the
// defaults filled in, ready for the engine to bind as $NAME. One EINVALID
// error names every missing, unknown and badly typed parameter.
func Bind(q Query, values map[string]any) (map[string]any, error) {
	out := make(map[string]any, len(q.Params))
	var problems []string
	for _, p := range q.Params {
		v, ok := values[p.Name]
		if !ok {
			if p.Default == nil {
				problems = append(problems, fmt.Sprintf("%s is missing (%s%s)", p.Name, p.Type, helpOf(p)))
				continue
			}
			v = p.Default
		}
		tv, err := p.Value(v)
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", p.Name, err))
			continue
		}
		out[p.Name] = tv
	}
	var unknown []string
	for k := range values {
		if !hasParam(q, k) {
			unknown = append(unknown, k)
		}
	}
	sort.Strings(unknown)
	for _, k := range unknown {
		problems = append(problems, fmt.Sprintf("%s is not a parameter of %s (it has %s)", k, q.Name, paramList(q)))
	}
	if len(problems) > 0 {
		return nil, lakegate.Errorf(lakegate.EINVALID, "bad parameters for query %s: %s", q.Name, strings.Join(problems, "; "))
	}
	return out, nil
}

func helpOf(p lakegate.Param) string {
	if p.Help == "" {
		return ""
	}
	return ": " + p.Help
}

func hasParam(q Query, name string) bool {
	for _, p := range q.Params {
		if p.Name == name {
			return true
		}
	}
	return false
}

func paramList(q Query) string {
	if len(q.Params) == 0 {
		return "none"
	}
	names := make([]string, len(q.Params))
	for i, p := range q.Params {
		names[i] = p.Name
	}
	return strings.Join(names, ", ")
}

// sortedPlaceholders lists the $names of sql in name order.
func sortedPlaceholders(sql string) []string {
	return slices.Sorted(slices.Values(Placeholders(sql)))
}
