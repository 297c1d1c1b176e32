package rowexport

import (
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"reflect"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"

	"github.com/lakegate/lakegate"
)

// appendValue appends one engine-neutral value to a builder of its
// column's Arrow type.
func appendValue(b array.Builder, v any) error {
	if v == nil {
		b.AppendNull()
		return nil
	}
	switch b := b.(type) {
	case *array.Int64Builder:
		n, err := toInt(v)
		b.Append(n)
		return err
	case *array.Int32Builder:
		n, err := toInt(v)
		b.Append(int32(n))
		return err
	case *array.Int16Builder:
		n, err := toInt(v)
		b.Append(int16(n))
		return err
	case *array.Int8Builder:
		n, err := toInt(v)
		b.Append(int8(n))
		return err
	case *array.Float64Builder:
		f, err := toFloat(v)
		b.Append(f)
		return err
	case *array.Float32Builder:
		f, err := toFloat(v)
		b.Append(float32(f))
		return err
	case *array.BooleanBuilder:
		x, ok := v.(bool)
		b.Append(x)
		return okOr(ok, b.Type(), v)
	case *array.StringBuilder:
		b.Append(text(v))
		return nil
	case *array.BinaryBuilder:
		x, ok := v.([]byte)
		b.Append(x)
		return okOr(ok, b.Type(), v)
	}
	return appendTyped(b, v)
}

// appendTyped handles the builders whose values need their type.
func appendTyped(b array.Builder, v any) error {
	switch b := b.(type) {
	case *array.Date32Builder:
		t, ok := v.(time.Time)
		b.Append(arrow.Date32FromTime(t))
		return okOr(ok, b.Type(), v)
	case *array.TimestampBuilder:
		t, ok := v.(time.Time)
		b.Append(arrow.Timestamp(t.UnixMicro()))
		return okOr(ok, b.Type(), v)
	case *array.Time64Builder:
		t, ok := v.(time.Time)
		day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, t.Location())
		b.Append(arrow.Time64(t.Sub(day).Microseconds()))
		return okOr(ok, b.Type(), v)
	case *array.MonthDayNanoIntervalBuilder:
		x, ok := v.(lakegate.Interval)
		b.Append(arrow.MonthDayNanoInterval{Months: x.Months, Days: x.Days, Nanoseconds: x.Micros * 1000})
		return okOr(ok, b.Type(), v)
	case *array.Decimal128Builder:
		d, err := toDecimal(v, b.Type().(*arrow.Decimal128Type))
		b.Append(d)
		return err
	}
	return appendNested(b, v)
}

// appendNested appends lists, maps and structs, element by element.
func appendNested(b array.Builder, v any) error {
	switch b := b.(type) {
	case *array.MapBuilder:
		m, ok := v.(lakegate.Map)
		if !ok {
			b.AppendNull()
			return typeError(b.Type(), v)
		}
		b.Append(true)
		for i := range m.Keys {
			if err := appendValue(b.KeyBuilder(), m.Keys[i]); err != nil {
				return err
			}
			if err := appendValue(b.ItemBuilder(), m.Values[i]); err != nil {
				return err
			}
		}
		return nil
	case *array.ListBuilder:
		items, ok := v.([]any)
		if !ok {
			b.AppendNull()
			return typeError(b.Type(), v)
		}
		b.Append(true)
		for _, e := range items {
			if err := appendValue(b.ValueBuilder(), e); err != nil {
				return err
			}
		}
		return nil
	case *array.StructBuilder:
		return appendStruct(b, v)
	}
	b.AppendNull()
	return typeError(b.Type(), v)
}

func appendStruct(b *array.StructBuilder, v any) error {
	if iv, ok := v.(lakegate.Interval); ok {
		v = map[string]any{"months": iv.Months, "days": iv.Days, "micros": iv.Micros}
	}
	m, ok := v.(map[string]any)
	if !ok {
		b.AppendNull()
		return typeError(b.Type(), v)
	}
	b.Append(true)
	st := b.Type().(*arrow.StructType)
	for i, f := range st.Fields() {
		if err := appendValue(b.FieldBuilder(i), m[f.Name]); err != nil {
			return err
		}
	}
	return nil
}

func okOr(ok bool, t arrow.DataType, v any) error {
	if ok {
		return nil
	}
	return typeError(t, v)
}

func toInt(v any) (int64, error) {
	rv := reflect.ValueOf(v)
	switch {
	case rv.CanInt():
		return rv.Int(), nil
	case rv.CanUint() && rv.Uint() <= math.MaxInt64:
		return int64(rv.Uint()), nil
	}
	if n, ok := v.(json.Number); ok {
		return n.Int64()
	}
	return 0, fmt.Errorf("a %T value in an integer column", v)
}

func toFloat(v any) (float64, error) {
	switch x := v.(type) {
	case float64:
		return x, nil
	case float32:
		return float64(x), nil
	case json.Number:
		return x.Float64()
	}
	n, err := toInt(v)
	return float64(n), err
}

// toDecimal reads a decimal's text (json.Number, as every engine gives
// it) at the column's scale.
func toDecimal(v any, t *arrow.Decimal128Type) (decimal128.Num, error) {
	switch x := v.(type) {
	case json.Number:
		return decimal128.FromString(string(x), t.Precision, t.Scale)
	case *big.Int:
		return decimal128.FromBigInt(x), nil
	case float64:
		return decimal128.FromFloat64(x, t.Precision, t.Scale)
	}
	return decimal128.Num{}, typeError(t, v)
}

// text is a value of a column written as a string (VARCHAR, UUID, JSON
// and types Arrow has no twin for).
func text(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []byte:
		return string(x)
	case fmt.Stringer:
		return x.String()
	}
	if b, err := json.Marshal(v); err == nil {
		return string(b)
	}
	return fmt.Sprint(v)
}
