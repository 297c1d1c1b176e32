package presto

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/lakegate/lakegate"
	"github.com/lakegate/lakegate/internal/typename"
)

// prestoType is a parsed Presto type: its base name, the DuckDB-style
// name the API shows (the same as DuckDB's for the same data), and how a
// JSON value of it becomes an engine-neutral value (lakegate's values.go).
type prestoType struct {
	base   string        // bigint, varchar, array, map, row, decimal, ...
	args   []*prestoType // element, key and value, or fields
	fields []string      // row field names
	raw    string        // decimal(p,s) arguments etc.
}

// parseType parses Presto's type text: "array(row(a bigint, b varchar))",
// "map(varchar, integer)", "decimal(18,3)", "timestamp with time zone".
func parseType(s string) *prestoType {
	s = strings.TrimSpace(s)
	open := strings.IndexByte(s, '(')
	if open < 0 || !strings.HasSuffix(s, ")") {
		return &prestoType{base: strings.ToLower(s)}
	}
	t := &prestoType{base: strings.ToLower(strings.TrimSpace(s[:open])), raw: s[open+1 : len(s)-1]}
	switch t.base {
	case "array", "map":
		for _, a := range typename.SplitArgs(t.raw) {
			t.args = append(t.args, parseType(a))
		}
	case "row":
		for _, f := range typename.SplitArgs(t.raw) {
			name, typ := rowField(f)
			t.fields = append(t.fields, name)
			t.args = append(t.args, parseType(typ))
		}
	}
	return t
}

// rowField splits `"a b" bigint` or `a bigint` into name and type.
func rowField(f string) (string, string) {
	f = strings.TrimSpace(f)
	if strings.HasPrefix(f, `"`) {
		if end := strings.Index(f[1:], `"`); end >= 0 {
			return f[1 : end+1], f[end+2:]
		}
	}
	if sp := strings.IndexByte(f, ' '); sp > 0 {
		return f[:sp], f[sp+1:]
	}
	return "", f
}

// duckNames are DuckDB's names of Presto's scalar types.
var duckNames = map[string]string{
	"bigint": "BIGINT", "integer": "INTEGER", "smallint": "SMALLINT", "tinyint": "TINYINT",
	"double": "DOUBLE", "real": "FLOAT", "boolean": "BOOLEAN", "varchar": "VARCHAR", "char": "VARCHAR",
	"date": "DATE", "timestamp": "TIMESTAMP", "timestamp with time zone": "TIMESTAMPTZ",
	"time": "TIME", "time with time zone": "TIMETZ", "varbinary": "BLOB", "uuid": "UUID",
	"json": "JSON", "interval day to second": "INTERVAL", "interval year to month": "INTERVAL", "unknown": "NULL",
}

// name is the type as DuckDB names it, so both engines' answers carry the
// same column types.
func (t *prestoType) name() string {
	switch t.base {
	case "array":
		return t.args[0].name() + "[]"
	case "map":
		return "MAP(" + t.args[0].name() + ", " + t.args[1].name() + ")"
	case "row":
		parts := make([]string, len(t.args))
		for i, a := range t.args {
			parts[i] = fmt.Sprintf("%q %s", t.fields[i], a.name())
		}
		return "STRUCT(" + strings.Join(parts, ", ") + ")"
	case "decimal":
		return "DECIMAL(" + strings.ReplaceAll(t.raw, " ", "") + ")"
	case "varchar", "char":
		return "VARCHAR"
	}
	if n, ok := duckNames[t.base]; ok {
		return n
	}
	return strings.ToUpper(t.base)
}

// value converts one JSON value of type t (decoded with UseNumber).
func (t *prestoType) value(v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch t.base {
	case "bigint", "integer", "smallint", "tinyint":
		return number(v).Int64()
	case "double", "real":
		return float(v)
	case "decimal":
		return json.Number(decimalText(fmt.Sprint(v))), nil
	case "boolean":
		return v, nil
	case "date":
		return time.Parse(time.DateOnly, fmt.Sprint(v))
	case "timestamp":
		return time.Parse("2006-01-02 15:04:05.999999999", fmt.Sprint(v))
	case "timestamp with time zone":
		return zoned(fmt.Sprint(v))
	case "varbinary":
		return base64.StdEncoding.DecodeString(fmt.Sprint(v))
	case "array", "map", "row":
		return t.nested(v)
	}
	return fmt.Sprint(v), nil
}

// nested reads an array, map or row. Presto sends a constant one (a
// query without FROM) as its JSON text, in a string.
func (t *prestoType) nested(v any) (any, error) {
	if s, ok := v.(string); ok {
		dec := json.NewDecoder(strings.NewReader(s))
		dec.UseNumber()
		var err error
		if v, err = decodeJSON(dec); err != nil {
			return nil, fmt.Errorf("%s value %q: %w", t.base, s, err)
		}
	}
	switch t.base {
	case "array":
		return t.array(v)
	case "map":
		return t.mapValue(v)
	}
	return t.row(v)
}

// decimalText writes a decimal as DuckDB's driver does: no trailing
// zeros after the point ("-0.0500" is "-0.05", "12.00" is "12").
func decimalText(s string) string {
	if !strings.Contains(s, ".") {
		return s
	}
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}

func number(v any) json.Number {
	if n, ok := v.(json.Number); ok {
		return n
	}
	return json.Number(fmt.Sprint(v))
}

// float reads a double: a number, or "NaN", "Infinity", "-Infinity".
func float(v any) (any, error) {
	switch fmt.Sprint(v) {
	case "NaN":
		return math.NaN(), nil
	case "Infinity":
		return math.Inf(1), nil
	case "-Infinity":
		return math.Inf(-1), nil
	}
	return number(v).Float64()
}

// zoned reads "2018-01-23 14:23:19.082 UTC" (or a zone name or offset).
func zoned(s string) (time.Time, error) {
	at, zone, _ := strings.Cut(s, " ")
	if rest, z, ok := strings.Cut(zone, " "); ok {
		at, zone = at+" "+rest, z
	}
	loc, err := time.LoadLocation(zone)
	if err != nil {
		if t, err2 := time.Parse("2006-01-02 15:04:05.999999999 -07:00", s); err2 == nil {
			return t, nil
		}
		return time.Time{}, err
	}
	return time.ParseInLocation("2006-01-02 15:04:05.999999999", at, loc)
}

func (t *prestoType) array(v any) (any, error) {
	in, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("array value %T", v)
	}
	out := make([]any, len(in))
	for i, e := range in {
		var err error
		if out[i], err = t.args[0].value(e); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// mapValue: Presto sends a map as a JSON object, its keys as text, in
// the map's own order, which decodeJSON keeps (DuckDB's order, for maps
// both engines built the same way).
func (t *prestoType) mapValue(v any) (any, error) {
	in, ok := v.(object)
	if !ok {
		return nil, fmt.Errorf("map value %T", v)
	}
	m := lakegate.Map{}
	for i, k := range in.keys {
		key, err := t.args[0].value(k)
		if err != nil {
			key = k
		}
		val, err := t.args[1].value(in.vals[i])
		if err != nil {
			return nil, err
		}
		m.Keys, m.Values = append(m.Keys, key), append(m.Values, val)
	}
	return m, nil
}

// object is a JSON object with its keys in order.
type object struct {
	keys []string
	vals []any
}

// decodeJSON reads one JSON value: numbers as json.Number, objects as
// object (encoding/json's maps would lose the order).
func decodeJSON(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch tok {
	case json.Delim('['):
		out := []any{}
		for dec.More() {
			v, err := decodeJSON(dec)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		_, err = dec.Token()
		return out, err
	case json.Delim('{'):
		var o object
		for dec.More() {
			k, err := dec.Token()
			if err != nil {
				return nil, err
			}
			v, err := decodeJSON(dec)
			if err != nil {
				return nil, err
			}
			o.keys, o.vals = append(o.keys, fmt.Sprint(k)), append(o.vals, v)
		}
		_, err = dec.Token()
		return o, err
	}
	return tok, nil
}

// row: Presto sends a row as a JSON array in field order.
func (t *prestoType) row(v any) (any, error) {
	in, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("row value %T", v)
	}
	out := make(map[string]any, len(in))
	for i, e := range in {
		if i >= len(t.args) {
			break
		}
		val, err := t.args[i].value(e)
		if err != nil {
			return nil, err
		}
		out[t.fields[i]] = val
	}
	return out, nil
}
