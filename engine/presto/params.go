package presto

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/lakegate/lakegate"
	"github.com/lakegate/lakegate/internal/sqlscan"
)

// positional rewrites $name parameters as ? and lists the values in
// order; ? parameters take the values of a list as they are.
func positional(q lakegate.Query) (string, []any, error) {
	switch p := q.Params.(type) {
	case nil:
		return q.SQL, nil, nil
	case []any:
		return q.SQL, p, nil
	case map[string]any:
		var b strings.Builder
		var values []any
		last := 0
		used := map[string]bool{}
		for t := range sqlscan.Tokens(q.SQL) {
			if t.Kind != sqlscan.Param {
				continue
			}
			v, ok := p[t.Text]
			if !ok {
				return "", nil, lakegate.Errorf(lakegate.EINVALID, "parameter $%s has no value: add %q to params", t.Text, t.Text)
			}
			used[t.Text] = true
			b.WriteString(q.SQL[last:t.Pos])
			b.WriteString("?")
			last = t.Pos + 1 + len(t.Text)
			values = append(values, v)
		}
		for k := range p {
			if !used[k] {
				return "", nil, lakegate.Errorf(lakegate.EINVALID, "parameter %q is not used by the query; remove it or write $%s in the SQL", k, k)
			}
		}
		b.WriteString(q.SQL[last:])
		return b.String(), values, nil
	}
	return "", nil, lakegate.Errorf(lakegate.EINVALID, "params must be an object of named values or an array of positional values, got %T", q.Params)
}

// literal writes a value as a Presto literal of its type.
func literal(v any) (string, error) {
	switch x := v.(type) {
	case nil:
		return "NULL", nil
	case bool:
		return strconv.FormatBool(x), nil
	case string:
		return "'" + strings.ReplaceAll(x, "'", "''") + "'", nil
	case json.Number:
		return numberLiteral(x.String())
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return "", lakegate.Errorf(lakegate.EINVALID, "parameter value %v is not a finite number", x)
		}
		return "DOUBLE '" + strconv.FormatFloat(x, 'g', -1, 64) + "'", nil
	case int, int32, int64:
		return fmt.Sprint(x), nil
	}
	return "", lakegate.Errorf(lakegate.EINVALID, "parameter values must be strings, numbers, booleans or null, got %T", v)
}

func numberLiteral(s string) (string, error) {
	if _, err := strconv.ParseInt(s, 10, 64); err == nil {
		return s, nil
	}
	if _, err := strconv.ParseFloat(s, 64); err == nil {
		return "DOUBLE '" + s + "'", nil
	}
	return "", lakegate.Errorf(lakegate.EINVALID, "parameter value %q is not a number", s)
}
