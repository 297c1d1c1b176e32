package pgwire

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgtype"

	"github.com/lakegate/lakegate"
)

// PostgreSQL type OIDs of the columns lakegate answers (pg_type.oid).
const (
	oidBool        = 16
	oidBytea       = 17
	oidInt8        = 20
	oidInt2        = 21
	oidInt4        = 23
	oidText        = 25
	oidJSON        = 114
	oidFloat4      = 700
	oidFloat8      = 701
	oidUnknown     = 705
	oidDate        = 1082
	oidTime        = 1083
	oidTimestamp   = 1114
	oidTimestamptz = 1184
	oidInterval    = 1186
	oidNumeric     = 1700
)

// arrayOIDs are the array types of the element types above.
var arrayOIDs = map[uint32]uint32{oidBool: 1000, oidInt2: 1005, oidInt4: 1007, oidInt8: 1016, oidText: 1009, oidFloat4: 1021,
	oidFloat8: 1022, oidDate: 1182, oidTimestamp: 1115, oidTimestamptz: 1185, oidNumeric: 1231, oidBytea: 1001, oidTime: 1183, oidInterval: 1187}

// scalarOIDs maps an engine's type name (DuckDB's, or Presto's in upper
// case) without its arguments to an OID.
var scalarOIDs = map[string]uint32{
	"BOOLEAN": oidBool, "TINYINT": oidInt2, "SMALLINT": oidInt2, "UTINYINT": oidInt2, "INTEGER": oidInt4, "USMALLINT": oidInt4,
	"BIGINT": oidInt8, "UINTEGER": oidInt8, "UBIGINT": oidNumeric, "HUGEINT": oidNumeric, "UHUGEINT": oidNumeric,
	"FLOAT": oidFloat4, "REAL": oidFloat4, "DOUBLE": oidFloat8, "DECIMAL": oidNumeric,
	"VARCHAR": oidText, "CHAR": oidText, "TEXT": oidText, "UUID": oidText, "ENUM": oidText, "BLOB": oidBytea, "VARBINARY": oidBytea,
	"DATE": oidDate, "TIME": oidTime, "TIMESTAMP": oidTimestamp, "TIMESTAMP_S": oidTimestamp, "TIMESTAMP_MS": oidTimestamp,
	"TIMESTAMP_NS": oidTimestamp, "TIMESTAMP WITH TIME ZONE": oidTimestamptz, "TIMESTAMPTZ": oidTimestamptz, "INTERVAL": oidInterval,
	"JSON": oidJSON,
}

// typeOID is the OID of an engine column type: scalars by name, lists of
// scalars as arrays, structs, maps and nested lists as json.
func typeOID(typ string) uint32 {
	t := strings.ToUpper(strings.TrimSpace(typ))
	if inner, ok := strings.CutSuffix(t, "[]"); ok {
		if el := typeOID(inner); arrayOIDs[el] != 0 {
			return arrayOIDs[el]
		}
		return oidJSON
	}
	if inner, ok := strings.CutPrefix(t, "ARRAY("); ok { // Presto's array(varchar)
		return typeOID(strings.TrimSuffix(inner, ")") + "[]")
	}
	if i := strings.IndexByte(t, '('); i > 0 {
		t = strings.TrimSpace(t[:i])
	}
	if oid, ok := scalarOIDs[t]; ok {
		return oid
	}
	switch {
	case strings.HasPrefix(t, "STRUCT"), strings.HasPrefix(t, "MAP"), strings.HasPrefix(t, "ROW"), strings.HasPrefix(t, "UNION"):
		return oidJSON
	case strings.HasPrefix(t, "TIMESTAMP"):
		return oidTimestamp
	}
	return oidText
}

// typeSize is pg_type.typlen of an OID: -1 for variable length.
func typeSize(oid uint32) int16 {
	switch oid {
	case oidBool:
		return 1
	case oidInt2:
		return 2
	case oidInt4, oidFloat4, oidDate:
		return 4
	case oidInt8, oidFloat8, oidTimestamp, oidTimestamptz, oidTime:
		return 8
	case oidInterval:
		return 16
	}
	return -1
}

// elementOIDs maps each array OID back to its element type; every value
// sent asks it, so it is built once.
var elementOIDs = func() map[uint32]uint32 {
	m := make(map[uint32]uint32, len(arrayOIDs))
	for el, arr := range arrayOIDs {
		m[arr] = el
	}
	return m
}()

// elementOID is the element type of an array OID (0 for none).
func elementOID(oid uint32) uint32 { return elementOIDs[oid] }

// encodeText writes v as PostgreSQL's text output of type oid; nil is NULL.
func encodeText(v any, oid uint32) []byte {
	if v == nil {
		return nil
	}
	if el := elementOID(oid); el != 0 {
		if xs, ok := v.([]any); ok {
			return arrayText(xs, el)
		}
	}
	if oid == oidJSON {
		return jsonText(v)
	}
	switch x := v.(type) {
	case int64:
		return strconv.AppendInt(nil, x, 10)
	case int32:
		return strconv.AppendInt(nil, int64(x), 10)
	case int16:
		return strconv.AppendInt(nil, int64(x), 10)
	case int8:
		return strconv.AppendInt(nil, int64(x), 10)
	case int:
		return strconv.AppendInt(nil, int64(x), 10)
	case bool:
		if x {
			return []byte("t")
		}
		return []byte("f")
	case string:
		return []byte(x)
	case []byte:
		return []byte(`\x` + fmt.Sprintf("%x", x))
	case float32:
		return floatText(float64(x), 32)
	case float64:
		return floatText(x, 64)
	case json.Number:
		return []byte(x)
	case *big.Int:
		return []byte(x.String())
	case time.Time:
		return []byte(timeText(x, oid))
	case lakegate.Interval:
		return []byte(intervalText(x))
	case []any, map[string]any, lakegate.Map:
		return jsonText(v)
	}
	return []byte(fmt.Sprint(v)) // integers
}

func floatText(f float64, bits int) []byte {
	switch {
	case math.IsNaN(f):
		return []byte("NaN")
	case math.IsInf(f, 1):
		return []byte("Infinity")
	case math.IsInf(f, -1):
		return []byte("-Infinity")
	}
	return strconv.AppendFloat(nil, f, 'g', -1, bits)
}

func timeText(t time.Time, oid uint32) string {
	switch oid {
	case oidDate:
		return t.Format("2006-01-02")
	case oidTime:
		return t.Format("15:04:05.999999")
	case oidTimestamptz:
		return t.UTC().Format("2006-01-02 15:04:05.999999") + "+00"
	}
	return t.Format("2006-01-02 15:04:05.999999")
}

// intervalText is PostgreSQL's default ("postgres") interval style.
func intervalText(iv lakegate.Interval) string {
	var parts []string
	unit := func(n int64, name string) {
		if n != 0 {
			s := ""
			if n != 1 && n != -1 {
				s = "s"
			}
			parts = append(parts, fmt.Sprintf("%d %s%s", n, name, s))
		}
	}
	unit(int64(iv.Months/12), "year")
	unit(int64(iv.Months%12), "mon")
	unit(int64(iv.Days), "day")
	if iv.Micros != 0 || len(parts) == 0 {
		d := time.Duration(iv.Micros) * time.Microsecond
		sign := ""
		if d < 0 {
			sign, d = "-", -d
		}
		h, m := int64(d/time.Hour), int64(d%time.Hour/time.Minute)
		sec := float64(d%time.Minute) / float64(time.Second)
		parts = append(parts, fmt.Sprintf("%s%02d:%02d:%s", sign, h, m, strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%09.6f", sec), "0"), ".")))
	}
	return strings.Join(parts, " ")
}

// arrayText is an array literal: {1,2,NULL} or {"a b","c"}.
func arrayText(xs []any, el uint32) []byte {
	var b strings.Builder
	b.WriteByte('{')
	for i, x := range xs {
		if i > 0 {
			b.WriteByte(',')
		}
		if x == nil {
			b.WriteString("NULL")
			continue
		}
		s := string(encodeText(x, el))
		if s == "" || strings.EqualFold(s, "NULL") || strings.ContainsAny(s, "{},\"\\ \t\n\r") {
			s = `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
		}
		b.WriteString(s)
	}
	b.WriteByte('}')
	return []byte(b.String())
}

// jsonText is a nested value as JSON: maps as objects when their keys
// are text, else as a list of {key, value}.
func jsonText(v any) []byte {
	b, err := json.Marshal(jsonable(v))
	if err != nil {
		return []byte(strconv.Quote(fmt.Sprint(v)))
	}
	return b
}

func jsonable(v any) any {
	switch x := v.(type) {
	case []any:
		out := make([]any, len(x))
		for i := range x {
			out[i] = jsonable(x[i])
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = jsonable(e)
		}
		return out
	case lakegate.Map:
		out := make([]any, len(x.Keys))
		for i := range x.Keys {
			out[i] = map[string]any{"key": jsonable(x.Keys[i]), "value": jsonable(x.Values[i])}
		}
		return out
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return string(floatText(x, 64))
		}
	case []byte:
		return string(encodeText(x, oidBytea))
	case *big.Int:
		return json.Number(x.String())
	}
	return v
}

// pgEpoch is PostgreSQL's binary time origin.
var pgEpoch = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// typeMap encodes the binary formats this file does not write itself
// (numeric, arrays).
var typeMap = pgtype.NewMap()

// encodeBinary writes v in PostgreSQL's binary format of oid.
func encodeBinary(v any, oid uint32) ([]byte, error) {
	if v == nil {
		return nil, nil
	}
	switch oid {
	case oidBool, oidInt2, oidInt4, oidInt8, oidFloat4, oidFloat8:
		return numberBinary(v, oid)
	case oidText, oidJSON, oidUnknown:
		return encodeText(v, oid), nil
	case oidBytea:
		if b, ok := v.([]byte); ok {
			return b, nil
		}
	case oidDate, oidTimestamp, oidTimestamptz, oidTime:
		if t, ok := v.(time.Time); ok {
			return timeBinary(t, oid), nil
		}
	case oidInterval:
		if iv, ok := v.(lakegate.Interval); ok {
			b := binary.BigEndian.AppendUint64(nil, uint64(iv.Micros))
			b = binary.BigEndian.AppendUint32(b, uint32(iv.Days))
			return binary.BigEndian.AppendUint32(b, uint32(iv.Months)), nil
		}
	}
	return typeMap.Encode(oid, pgtype.BinaryFormatCode, pgValue(v), nil)
}

func numberBinary(v any, oid uint32) ([]byte, error) {
	switch oid {
	case oidBool:
		if b, ok := v.(bool); ok && b {
			return []byte{1}, nil
		}
		return []byte{0}, nil
	case oidFloat4:
		f, _ := toFloat(v)
		return binary.BigEndian.AppendUint32(nil, math.Float32bits(float32(f))), nil
	case oidFloat8:
		f, _ := toFloat(v)
		return binary.BigEndian.AppendUint64(nil, math.Float64bits(f)), nil
	}
	n, err := toInt64(v)
	if err != nil {
		return nil, err
	}
	switch oid {
	case oidInt2:
		return binary.BigEndian.AppendUint16(nil, uint16(n)), nil
	case oidInt4:
		return binary.BigEndian.AppendUint32(nil, uint32(n)), nil
	}
	return binary.BigEndian.AppendUint64(nil, uint64(n)), nil
}

// toInt64 is an integer value of any width; unsigned and wide ones are
// checked to fit.
func toInt64(v any) (int64, error) {
	switch x := v.(type) {
	case int64:
		return x, nil
	case int32:
		return int64(x), nil
	case int16:
		return int64(x), nil
	case int8:
		return int64(x), nil
	case int:
		return int64(x), nil
	}
	n, err := strconv.ParseInt(string(encodeText(v, oidInt8)), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%v is not a 64-bit integer", v)
	}
	return n, nil
}

func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case float32:
		return float64(x), true
	}
	f, err := strconv.ParseFloat(string(encodeText(v, oidFloat8)), 64)
	return f, err == nil
}

func timeBinary(t time.Time, oid uint32) []byte {
	switch oid {
	case oidDate:
		days := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC).Sub(pgEpoch) / (24 * time.Hour)
		return binary.BigEndian.AppendUint32(nil, uint32(int32(days)))
	case oidTime:
		micros := int64(t.Hour())*3600e6 + int64(t.Minute())*60e6 + int64(t.Second())*1e6 + int64(t.Nanosecond()/1000)
		return binary.BigEndian.AppendUint64(nil, uint64(micros))
	}
	// A TIMESTAMP's wall clock is taken as UTC, as PostgreSQL stores it.
	wall := time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
	if oid == oidTimestamptz {
		wall = t.UTC()
	}
	return binary.BigEndian.AppendUint64(nil, uint64(wall.Sub(pgEpoch).Microseconds()))
}

// pgValue turns engine values into what pgtype encodes: exact decimals
// as pgtype.Numeric, lists element by element.
func pgValue(v any) any {
	switch x := v.(type) {
	case json.Number:
		var n pgtype.Numeric
		if err := n.Scan(string(x)); err == nil {
			return n
		}
	case *big.Int:
		return pgtype.Numeric{Int: x, Valid: true}
	case []any:
		out := make([]any, len(x))
		for i := range x {
			out[i] = pgValue(x[i])
		}
		return out
	}
	return v
}
