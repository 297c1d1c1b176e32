package rowexport

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/lakegate/lakegate/internal/typename"
)

// arrowType maps a column type, as DuckDB names it (what every engine
// reports), to Arrow. Types Arrow has no twin for, and names this does not
// know, are strings: their values are written as the server's text.
func arrowType(name string) arrow.DataType {
	name = strings.TrimSpace(name)
	if elem, ok := strings.CutSuffix(name, "[]"); ok {
		return arrow.ListOf(arrowType(elem))
	}
	upper := strings.ToUpper(name)
	switch {
	case strings.HasPrefix(upper, "DECIMAL("):
		p, s := decimalArgs(name)
		return &arrow.Decimal128Type{Precision: p, Scale: s}
	case strings.HasPrefix(upper, "MAP("):
		args := typename.SplitArgs(name[4 : len(name)-1])
		if len(args) == 2 {
			return arrow.MapOf(arrowType(args[0]), arrowType(args[1]))
		}
	case strings.HasPrefix(upper, "STRUCT("):
		return structType(name[7 : len(name)-1])
	}
	if t, ok := scalars[upper]; ok {
		return t
	}
	return arrow.BinaryTypes.String
}

var scalars = map[string]arrow.DataType{
	"BIGINT": arrow.PrimitiveTypes.Int64, "INTEGER": arrow.PrimitiveTypes.Int32,
	"SMALLINT": arrow.PrimitiveTypes.Int16, "TINYINT": arrow.PrimitiveTypes.Int8,
	"UBIGINT": arrow.PrimitiveTypes.Uint64, "UINTEGER": arrow.PrimitiveTypes.Uint32,
	"USMALLINT": arrow.PrimitiveTypes.Uint16, "UTINYINT": arrow.PrimitiveTypes.Uint8,
	"DOUBLE": arrow.PrimitiveTypes.Float64, "FLOAT": arrow.PrimitiveTypes.Float32,
	"BOOLEAN": arrow.FixedWidthTypes.Boolean, "VARCHAR": arrow.BinaryTypes.String,
	"BLOB": arrow.BinaryTypes.Binary, "DATE": arrow.FixedWidthTypes.Date32,
	"TIMESTAMP":   &arrow.TimestampType{Unit: arrow.Microsecond},
	"TIMESTAMPTZ": &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"},
	"TIME":        arrow.FixedWidthTypes.Time64us,
	"INTERVAL":    arrow.FixedWidthTypes.MonthDayNanoInterval,
}

// intervalStruct holds an INTERVAL where Arrow's interval cannot go.
var intervalStruct = arrow.StructOf(
	arrow.Field{Name: "months", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
	arrow.Field{Name: "days", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
	arrow.Field{Name: "micros", Type: arrow.PrimitiveTypes.Int64, Nullable: true})

func decimalArgs(name string) (int32, int32) {
	args := typename.SplitArgs(name[strings.Index(name, "(")+1 : len(name)-1])
	p, _ := strconv.Atoi(strings.TrimSpace(args[0]))
	s := 0
	if len(args) > 1 {
		s, _ = strconv.Atoi(strings.TrimSpace(args[1]))
	}
	return int32(p), int32(s)
}

// structType reads "a BIGINT, b VARCHAR" (names may be double-quoted).
func structType(body string) arrow.DataType {
	var fields []arrow.Field
	for _, f := range typename.SplitArgs(body) {
		f = strings.TrimSpace(f)
		var name, typ string
		if strings.HasPrefix(f, `"`) {
			end := strings.Index(f[1:], `"`) + 1
			name, typ = f[1:end], f[end+1:]
		} else {
			name, typ, _ = strings.Cut(f, " ")
		}
		fields = append(fields, arrow.Field{Name: name, Type: arrowType(typ), Nullable: true})
	}
	return arrow.StructOf(fields...)
}

// typeError says which value a column's builder could not take.
func typeError(t arrow.DataType, v any) error {
	return fmt.Errorf("a %T value in a %s column", v, t)
}
