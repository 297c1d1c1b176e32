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

// row is what one row of any table is made from; each table's columns
// read the parts they need.
type row struct {
	b      *batch
	r      *result
	s      *spanRef
	q      *questionRow // the question (questions)
	json   []byte       // the compacted record (raw)
	reason string       // why it was rejected (rejects)
	text   []byte       // the rejected text (rejects)
	ev     []any        // an event's values in its table's column order (events)
	hb     hexBuf
}

func (x *row) att() *attemptRow { return &x.r.att }

// source is the row's source_file: the batch's file, or the record's own
// stream partition (a micro-batch spans several).
func (x *row) source() string {
	if x.s.src != "" {
		return x.s.src
	}
	return x.b.source
}
func (x *row) hash() null[string] { return x.hb.of(x.r) }

// column is a catalog column and how one row fills it: adding a column to
// a table is one line of its spec.
type column struct {
	lakegate.Column
	put func(f array.Builder, x *row) int64 // appends the value, returns its bytes
	key func(x *row) string                 // VARCHAR columns: the value (NULL: ""), to cluster rows by
}

// required marks a column NOT NULL in the catalog.
func (c column) required() column {
	c.Nullable = false
	return c
}

func colOf[T any](name, typ, comment string, put func(array.Builder, null[T]) int64, get func(*row) null[T]) column {
	return column{Column: lakegate.Column{Name: name, Type: typ, Nullable: true, Comment: comment},
		put: func(f array.Builder, x *row) int64 { return put(f, get(x)) }}
}

func varchar(name, comment string, get func(*row) null[string]) column {
	c := colOf(name, "VARCHAR", comment, putStr, get)
	c.key = func(x *row) string {
		if v := get(x); v.Valid {
			return v.V
		}
		return ""
	}
	return c
}

func bigint(name, comment string, get func(*row) null[int64]) column {
	return colOf(name, "BIGINT", comment, putInt, get)
}

func double(name, comment string, get func(*row) null[float64]) column {
	return colOf(name, "DOUBLE", comment, putFloat, get)
}

func boolean(name, comment string, get func(*row) null[bool]) column {
	return colOf(name, "BOOLEAN", comment, putBool, get)
}

func timestamp(name, comment string, get func(*row) null[int64]) column {
	return colOf(name, "TIMESTAMP", comment, putTS, get)
}

// tableSpec is one landed table: its columns, which columns skip Parquet
// dictionary encoding (unique values: big strings, record numbers and
// offsets, timestamps; a dictionary of them only costs hashing until the
// writer falls back to plain encoding), and its description.
type tableSpec struct {
	name, description string
	columns           []column
	noDict            []string
	clusterBy         string // a VARCHAR column whose values get row groups of their own (cluster.go); "": arrival order
}

// catalogColumns are the table's columns as the catalog keeps them.
func (t tableSpec) catalogColumns() []lakegate.Column {
	out := make([]lakegate.Column, len(t.columns))
	for i, c := range t.columns {
		out[i] = c.Column
	}
	return out
}

// Columns every table shares.
var (
	sourceFile   = varchar("source_file", "input path as given to ingest", func(x *row) null[string] { return some(x.source()) }).required()
	sourceRecord = bigint("source_record", "1-based record number in the source file", func(x *row) null[int64] { return some(x.s.n) }).required()
	sourceOffset = bigint("source_offset", "byte offset in the (decompressed) source", func(x *row) null[int64] { return some(x.s.off) }).required()
	batchID      = varchar("batch_id", "", func(x *row) null[string] { return some(x.b.id) }).required()
)

var specs = []tableSpec{{
	name:        tableAttempts,
	description: "One row per unique assessment attempt (exact duplicates land once).",
	noDict: []string{"keen_id", "record_hash", "user_exam_id", "started_at", "completed_at",
		"duration_seconds", "keen_timestamp", "keen_created_at", "source_record"},
	columns: []column{
		varchar("keen_id", "event id", func(x *row) null[string] { return x.att().KeenID }).required(),
		varchar("user_exam_id", "", func(x *row) null[string] { return x.att().UserExamID }),
		varchar("base_exam_id", "", func(x *row) null[string] { return x.att().BaseExamID }),
		varchar("exam_name", "", func(x *row) null[string] { return x.att().ExamName }),
		boolean("certification", "given as \"true\"/\"false\" strings in the source", func(x *row) null[bool] { return x.att().Certification }),
		double("max_attempts", "given as \"1.0\" strings in the source", func(x *row) null[float64] { return x.att().MaxAttempts }),
		timestamp("started_at", "UTC", func(x *row) null[int64] { return x.att().StartedAt }),
		timestamp("completed_at", "UTC; latest option answer time over all questions, NULL when none", func(x *row) null[int64] { return x.att().CompletedAt }),
		double("duration_seconds", "completed_at - started_at", func(x *row) null[float64] { return x.att().Duration }),
		timestamp("keen_timestamp", "UTC; from epoch seconds", func(x *row) null[int64] { return x.att().KeenTimestamp }),
		timestamp("keen_created_at", "UTC; from epoch seconds", func(x *row) null[int64] { return x.att().KeenCreated }),
		varchar("sequence_id", "", func(x *row) null[string] { return x.att().SequenceID }),
		bigint("attempt", "", func(x *row) null[int64] { return x.att().Attempt }),
		bigint("question_count", "number of questions in the record", func(x *row) null[int64] { return some(x.att().QuestionCount) }).required(),
		bigint("correct", "NULL when the record has no counts", func(x *row) null[int64] { return x.att().Correct }),
		bigint("incorrect", "", func(x *row) null[int64] { return x.att().Incorrect }),
		bigint("incomplete", "", func(x *row) null[int64] { return x.att().Incomplete }),
		bigint("submitted", "", func(x *row) null[int64] { return x.att().Submitted }),
		bigint("unanswered", "", func(x *row) null[int64] { return x.att().Unanswered }),
		bigint("total", "", func(x *row) null[int64] { return x.att().Total }),
		boolean("all_correct", "NULL when the record has no counts", func(x *row) null[bool] { return x.att().AllCorrect }),
		double("score", "correct/total; NULL when total is missing or 0", func(x *row) null[float64] { return x.att().Score }),
		boolean("is_test", "base_exam_id is \"example-id\"", func(x *row) null[bool] { return some(x.att().IsTest) }).required(),
		sourceFile,
		sourceRecord,
		batchID,
		varchar("record_hash", "xxh3-128 of the compacted record JSON, hex", (*row).hash).required(),
	},
}, {
	name:        tableQuestions,
	description: "One row per question of each unique attempt.",
	noDict:      []string{"keen_id", "user_exam_id", "first_answer_at", "last_answer_at"},
	columns: []column{
		varchar("keen_id", "", func(x *row) null[string] { return x.att().KeenID }).required(),
		varchar("user_exam_id", "", func(x *row) null[string] { return x.att().UserExamID }),
		varchar("base_exam_id", "", func(x *row) null[string] { return x.att().BaseExamID }),
		varchar("exam_name", "", func(x *row) null[string] { return x.att().ExamName }),
		bigint("position", "1-based position of the question in the attempt", func(x *row) null[int64] { return some(x.q.Position) }).required(),
		varchar("question_id", "", func(x *row) null[string] { return x.q.QuestionID }),
		boolean("user_correct", "", func(x *row) null[bool] { return x.q.UserCorrect }),
		boolean("user_incomplete", "", func(x *row) null[bool] { return x.q.UserIncomplete }),
		boolean("user_submitted", "", func(x *row) null[bool] { return x.q.UserSubmitted }),
		varchar("user_result", "", func(x *row) null[string] { return x.q.UserResult }),
		bigint("option_count", "", func(x *row) null[int64] { return some(x.q.OptionCount) }).required(),
		bigint("checked_count", "", func(x *row) null[int64] { return some(x.q.CheckedCount) }).required(),
		bigint("correct_option_count", "", func(x *row) null[int64] { return some(x.q.CorrectOptions) }).required(),
		timestamp("first_answer_at", "UTC; earliest option answer time", func(x *row) null[int64] { return x.q.FirstAnswerAt }),
		timestamp("last_answer_at", "UTC; latest option answer time", func(x *row) null[int64] { return x.q.LastAnswerAt }),
		batchID,
	},
}, {
	name:        tableRaw,
	description: "Every unique record as compacted JSON, so anything can be re-derived.",
	noDict:      []string{"record_hash", "keen_id", "json", "source_record", "source_offset"},
	columns: []column{
		varchar("record_hash", "xxh3-128 of json, hex", (*row).hash).required(),
		varchar("keen_id", "", func(x *row) null[string] { return x.att().KeenID }),
		varchar("json", "the record with insignificant whitespace removed", func(x *row) null[string] { return some(bytesView(x.json)) }).required(),
		sourceFile,
		sourceRecord,
		sourceOffset,
		batchID,
	},
}, {
	name:        tableRejects,
	description: "Records that could not land, with where they were and why.",
	noDict:      []string{"raw", "source_record", "source_offset"},
	columns: []column{
		sourceFile,
		sourceRecord,
		sourceOffset,
		varchar("reason", "", func(x *row) null[string] { return some(x.reason) }).required(),
		varchar("raw", "the record's text, cut at 1 MiB (the reason says so)", func(x *row) null[string] { return some(bytesView(x.text)) }).required(),
		batchID,
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
