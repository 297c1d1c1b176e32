package duckdb

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/lakegate/lakegate"
)

// plainTypes are the column types whose driver values already are
// engine-neutral (see lakegate's values.go): their rows skip conversion.
var plainTypes = map[string]bool{
	"BOOLEAN": true, "TINYINT": true, "SMALLINT": true, "INTEGER": true, "BIGINT": true,
	"UTINYINT": true, "USMALLINT": true, "UINTEGER": true, "UBIGINT": true,
	"HUGEINT": true, "UHUGEINT": true, "FLOAT": true, "DOUBLE": true,
	"VARCHAR": true, "BLOB": true, "DATE": true, "TIME": true, "TIMETZ": true,
	"TIMESTAMP": true, "TIMESTAMP_S": true, "TIMESTAMP_MS": true, "TIMESTAMP_NS": true,
	"TIMESTAMPTZ": true, "TIMESTAMP WITH TIME ZONE": true,
}

// needsNeutral reports whether values of a column of type typ may hold
// driver types that neutral must convert.
func needsNeutral(typ string) bool { return !plainTypes[typ] }

// neutral converts one driver value to its engine-neutral form. typ is
// the column type of a top-level value, "" inside nested ones: the
// driver hands out a top-level UUID as a UUID and a nested one as bytes,
// and the text of both has stayed as it was (TestTypeText in server).
func neutral(v any, typ string) any {
	switch x := v.(type) {
	case duckdb.Decimal:
		return json.Number(x.String())
	case duckdb.UUID:
		return x.String()
	case *duckdb.UUID:
		return x.String()
	case []byte:
		if typ == "UUID" && len(x) == 16 {
			u := duckdb.UUID(x)
			return u.String()
		}
		return x
	case duckdb.Interval:
		return lakegate.Interval{Days: x.Days, Months: x.Months, Micros: x.Micros}
	case duckdb.OrderedMap:
		return neutralMap(x.Keys(), x.Values())
	case duckdb.Map:
		return unorderedMap(x)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = neutral(e, "")
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = neutral(e, "")
		}
		return out
	case duckdb.Union, duckdb.Bit:
		return fmt.Sprint(x)
	}
	return v
}

func neutralMap(keys, vals []any) lakegate.Map {
	m := lakegate.Map{Keys: make([]any, len(keys)), Values: make([]any, len(vals))}
	for i := range keys {
		m.Keys[i], m.Values[i] = neutral(keys[i], ""), neutral(vals[i], "")
	}
	return m
}

// unorderedMap orders a Go map's entries by their keys' text, so the
// same MAP always renders the same way.
func unorderedMap(x duckdb.Map) lakegate.Map {
	keys := make([]any, 0, len(x))
	for k := range x {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		return strings.Compare(fmt.Sprint(keys[i]), fmt.Sprint(keys[j])) < 0
	})
	vals := make([]any, len(keys))
	for i, k := range keys {
		vals[i] = x[k]
	}
	return neutralMap(keys, vals)
}
