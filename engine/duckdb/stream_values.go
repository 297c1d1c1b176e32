//go:build duckdb_arrow

package duckdb

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/lakegate/lakegate"
)

// arrowValue is row i of a column DuckDB converted to Arrow, as the
// engine-neutral value the driver's cursor gives for the same DuckDB type
// (streamTypes): integers keep their width, times are UTC, decimals are
// json.Number in duckdb.Decimal's text, HUGEINT (typ; a Decimal128 in
// Arrow) a *big.Int, UUID (text in Arrow) a string. Strings and bytes are
// copied: the batch's buffers are freed with it.
func arrowValue(col arrow.Array, i int, typ string) any {
	if col.IsNull(i) {
		return nil
	}
	switch a := col.(type) {
	case *array.Boolean:
		return a.Value(i)
	case *array.Int8:
		return a.Value(i)
	case *array.Int16:
		return a.Value(i)
	case *array.Int32:
		return a.Value(i)
	case *array.Int64:
		return a.Value(i)
	case *array.Uint8:
		return a.Value(i)
	case *array.Uint16:
		return a.Value(i)
	case *array.Uint32:
		return a.Value(i)
	case *array.Uint64:
		return a.Value(i)
	case *array.Float32:
		return a.Value(i)
	case *array.Float64:
		return a.Value(i)
	}
	return arrowOther(col, i, typ)
}

func arrowOther(col arrow.Array, i int, typ string) any {
	switch a := col.(type) {
	case *array.String:
		return strings.Clone(a.Value(i))
	case *array.LargeString:
		return strings.Clone(a.Value(i))
	case *array.StringView:
		return strings.Clone(a.Value(i))
	case *array.Binary:
		return append([]byte{}, a.Value(i)...)
	case *array.LargeBinary:
		return append([]byte{}, a.Value(i)...)
	case *array.BinaryView:
		return append([]byte{}, a.Value(i)...)
	case *array.Date32:
		return time.Unix(int64(a.Value(i))*86400, 0).UTC()
	case *array.Timestamp:
		unit := a.DataType().(*arrow.TimestampType).Unit
		return a.Value(i).ToTime(unit).UTC()
	case *array.MonthDayNanoInterval:
		v := a.Value(i)
		return lakegate.Interval{Months: v.Months, Days: v.Days, Micros: v.Nanoseconds / 1000}
	case *array.Decimal128:
		return arrowDecimal(a, i, typ)
	}
	return arrowUnexpected(col, i)
}

// arrowDecimal is a DECIMAL's text, or a HUGEINT's *big.Int.
func arrowDecimal(a *array.Decimal128, i int, typ string) any {
	t := a.DataType().(*arrow.Decimal128Type)
	v := a.Value(i).BigInt()
	if typ == "HUGEINT" {
		return v
	}
	d := duckdb.Decimal{Width: uint8(t.Precision), Scale: uint8(t.Scale), Value: v}
	return json.Number(d.String())
}

// arrowUnexpected is a column whose Arrow type streamTypes did not
// foresee: its text, so that nothing is lost (TestStreamMatches guards
// that none occurs).
func arrowUnexpected(col arrow.Array, i int) any {
	return col.ValueStr(i)
}
