package ingest

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/lakegate/lakegate"
)

// Table names in the assessments database.
const (
	tableAttempts  = "attempts"
	tableQuestions = "questions"
	tableRaw       = "raw"
	tableRejects   = "rejects"
)

// partitionKey is the hive partition of every table; it lives in the path
// only, not in the Parquet files.
var partitionKey = lakegate.Column{Name: "ingest_date", Type: "DATE", Comment: "UTC date of the ingest run"}

func col(name, typ, comment string) lakegate.Column {
	return lakegate.Column{Name: name, Type: typ, Nullable: true, Comment: comment}
}

func req(name, typ, comment string) lakegate.Column {
	return lakegate.Column{Name: name, Type: typ, Comment: comment}
}

// tableSpec is one landed table: its catalog columns (DuckDB type names),
// which columns skip Parquet dictionary encoding (unique values: big
// strings, record numbers and offsets, timestamps; a dictionary of them only
// costs hashing until the writer falls back to plain encoding), and
// its description.
type tableSpec struct {
	name, description string
	columns           []lakegate.Column
	noDict            []string
}

var specs = []tableSpec{{
	name:        tableAttempts,
	description: "One row per unique assessment attempt (exact duplicates land once).",
	noDict: []string{"keen_id", "record_hash", "user_exam_id", "started_at", "completed_at",
		"duration_seconds", "keen_timestamp", "keen_created_at", "source_record"},
	columns: []lakegate.Column{
		req("keen_id", "VARCHAR", "event id"),
		col("user_exam_id", "VARCHAR", ""),
		col("base_exam_id", "VARCHAR", ""),
		col("exam_name", "VARCHAR", ""),
		col("certification", "BOOLEAN", "given as \"true\"/\"false\" strings in the source"),
		col("max_attempts", "DOUBLE", "given as \"1.0\" strings in the source"),
		col("started_at", "TIMESTAMP", "UTC"),
		col("completed_at", "TIMESTAMP", "UTC; latest option answer time over all questions, NULL when none"),
		col("duration_seconds", "DOUBLE", "completed_at - started_at"),
		col("keen_timestamp", "TIMESTAMP", "UTC; from epoch seconds"),
		col("keen_created_at", "TIMESTAMP", "UTC; from epoch seconds"),
		col("sequence_id", "VARCHAR", ""),
		col("attempt", "BIGINT", ""),
		req("question_count", "BIGINT", "number of questions in the record"),
		col("correct", "BIGINT", "NULL when the record has no counts"),
		col("incorrect", "BIGINT", ""),
		col("incomplete", "BIGINT", ""),
		col("submitted", "BIGINT", ""),
		col("unanswered", "BIGINT", ""),
		col("total", "BIGINT", ""),
		col("all_correct", "BOOLEAN", "NULL when the record has no counts"),
		col("score", "DOUBLE", "correct/total; NULL when total is missing or 0"),
		req("is_test", "BOOLEAN", "base_exam_id is \"example-id\""),
		req("source_file", "VARCHAR", "input path as given to ingest"),
		req("source_record", "BIGINT", "1-based record number in the source file"),
		req("batch_id", "VARCHAR", ""),
		req("record_hash", "VARCHAR", "xxh3-128 of the compacted record JSON, hex"),
	},
}, {
	name:        tableQuestions,
	description: "One row per question of each unique attempt.",
	noDict:      []string{"keen_id", "user_exam_id", "first_answer_at", "last_answer_at"},
	columns: []lakegate.Column{
		req("keen_id", "VARCHAR", ""),
		col("user_exam_id", "VARCHAR", ""),
		col("base_exam_id", "VARCHAR", ""),
		col("exam_name", "VARCHAR", ""),
		req("position", "BIGINT", "1-based position of the question in the attempt"),
		col("question_id", "VARCHAR", ""),
		col("user_correct", "BOOLEAN", ""),
		col("user_incomplete", "BOOLEAN", ""),
		col("user_submitted", "BOOLEAN", ""),
		col("user_result", "VARCHAR", ""),
		req("option_count", "BIGINT", ""),
		req("checked_count", "BIGINT", ""),
		req("correct_option_count", "BIGINT", ""),
		col("first_answer_at", "TIMESTAMP", "UTC; earliest option answer time"),
		col("last_answer_at", "TIMESTAMP", "UTC; latest option answer time"),
		req("batch_id", "VARCHAR", ""),
	},
}, {
	name:        tableRaw,
	description: "Every unique record as compacted JSON, so anything can be re-derived.",
	noDict:      []string{"record_hash", "keen_id", "json", "source_record", "source_offset"},
	columns: []lakegate.Column{
		req("record_hash", "VARCHAR", "xxh3-128 of json, hex"),
		col("keen_id", "VARCHAR", ""),
		req("json", "VARCHAR", "the record with insignificant whitespace removed"),
		req("source_file", "VARCHAR", "input path as given to ingest"),
		req("source_record", "BIGINT", ""),
		req("source_offset", "BIGINT", "byte offset in the (decompressed) source"),
		req("batch_id", "VARCHAR", ""),
	},
}, {
	name:        tableRejects,
	description: "Records that could not land, with where they were and why.",
	noDict:      []string{"raw", "source_record", "source_offset"},
	columns: []lakegate.Column{
		req("source_file", "VARCHAR", "input path as given to ingest"),
		req("source_record", "BIGINT", "1-based record number in the source file"),
		req("source_offset", "BIGINT", "byte offset in the (decompressed) source"),
		req("reason", "VARCHAR", ""),
		req("raw", "VARCHAR", "the record's text, cut at 1 MiB (the reason says so)"),
		req("batch_id", "VARCHAR", ""),
	},
}}

// arrowSchema maps catalog columns to Arrow. TIMESTAMP is timestamp[us]
// without a time zone, which Parquet stores as not adjusted to UTC, so
// DuckDB reads TIMESTAMP rather than TIMESTAMP WITH TIME ZONE.
func arrowSchema(cols []lakegate.Column) *arrow.Schema {
	fields := make([]arrow.Field, len(cols))
	for i, c := range cols {
		var t arrow.DataType
		switch c.Type {
		case "VARCHAR":
			t = arrow.BinaryTypes.String
		case "BIGINT":
			t = arrow.PrimitiveTypes.Int64
		case "DOUBLE":
			t = arrow.PrimitiveTypes.Float64
		case "BOOLEAN":
			t = arrow.FixedWidthTypes.Boolean
		case "TIMESTAMP":
			t = &arrow.TimestampType{Unit: arrow.Microsecond}
		default:
			panic("ingest: no arrow type for " + c.Type)
		}
		fields[i] = arrow.Field{Name: c.Name, Type: t, Nullable: c.Nullable}
	}
	return arrow.NewSchema(fields, nil)
}

// Typed appenders over a record builder's fields; each returns the bytes
// it adds, so row groups can be bounded by size.

func putStr(b array.Builder, v null[string]) int64 {
	sb := b.(*array.StringBuilder)
	if !v.Valid {
		sb.AppendNull()
		return 1
	}
	sb.Append(v.V)
	return int64(len(v.V)) + 4
}

func putInt(b array.Builder, v null[int64]) int64 {
	ib := b.(*array.Int64Builder)
	if v.Valid {
		ib.Append(v.V)
	} else {
		ib.AppendNull()
	}
	return 8
}

func putFloat(b array.Builder, v null[float64]) int64 {
	fb := b.(*array.Float64Builder)
	if v.Valid {
		fb.Append(v.V)
	} else {
		fb.AppendNull()
	}
	return 8
}

func putBool(b array.Builder, v null[bool]) int64 {
	bb := b.(*array.BooleanBuilder)
	if v.Valid {
		bb.Append(v.V)
	} else {
		bb.AppendNull()
	}
	return 1
}

func putTS(b array.Builder, v null[int64]) int64 {
	tb := b.(*array.TimestampBuilder)
	if v.Valid {
		tb.Append(arrow.Timestamp(v.V))
	} else {
		tb.AppendNull()
	}
	return 8
}
