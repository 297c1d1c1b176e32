package enginetest

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/lakegate/lakegate"
)

// Harness is what the suite needs from an engine implementation.
type Harness struct {
	// Open returns the engine under test over the lake's catalog; the
	// suite closes it.
	Open func(tb testing.TB, l *Lake) lakegate.Engine
	// Lake returns a fresh lake the engine can read; NewLake by default.
	Lake func(tb testing.TB) *Lake
	// SlowSQL is a query that runs for many seconds; the suite cuts it
	// short with a deadline.
	SlowSQL string
}

// Attempts is the suite's data: three attempts on 2026-01-02, two on
// 2026-01-03. The SQL is plain enough for any engine's writer.
var Attempts = map[string]string{
	"2026-01-02": `SELECT * FROM (VALUES
		('u1', 'Algebra', 7, CAST('2026-01-02 10:00:00' AS TIMESTAMP)),
		('u2', 'Algebra', 5, CAST('2026-01-02 11:00:00' AS TIMESTAMP)),
		('u3', 'Physics', 9, CAST('2026-01-02 12:30:00' AS TIMESTAMP))
	) AS t(user_exam_id, exam_name, correct, started_at)`,
	"2026-01-03": `SELECT * FROM (VALUES
		('u4', 'Algebra', 3, CAST('2026-01-03 09:00:00' AS TIMESTAMP)),
		('u5', 'Physics', 8, CAST('2026-01-03 09:15:00' AS TIMESTAMP))
	) AS t(user_exam_id, exam_name, correct, started_at)`,
}

// Run runs every engine-agnostic case against the harness's engine.
func Run(t *testing.T, h Harness) {
	if h.Lake == nil {
		h.Lake = NewLake
	}
	setup := func(t *testing.T) (*Lake, lakegate.Engine) {
		t.Helper()
		l := h.Lake(t)
		for _, d := range []string{"2026-01-02", "2026-01-03"} {
			l.Land(t, "assessments", "attempts", d, Attempts[d])
		}
		e := h.Open(t, l)
		t.Cleanup(func() { e.Close() })
		return l, e
	}
	t.Run("views", func(t *testing.T) { _, e := setup(t); testViews(t, e) })
	t.Run("new commit visible", func(t *testing.T) { l, e := setup(t); testNewCommit(t, l, e) })
	t.Run("empty table", func(t *testing.T) { l, e := setup(t); testEmptyTable(t, l, e) })
	t.Run("partition filter", func(t *testing.T) { _, e := setup(t); testPartitionFilter(t, e) })
	t.Run("positional params", func(t *testing.T) { _, e := setup(t); testPositionalParams(t, e) })
	t.Run("writes refused", func(t *testing.T) { l, e := setup(t); testWritesRefused(t, l, e) })
	t.Run("errors", func(t *testing.T) { _, e := setup(t); testErrors(t, e) })
	t.Run("timeout", func(t *testing.T) { _, e := setup(t); testTimeout(t, e, h.SlowSQL) })
	t.Run("cancel", func(t *testing.T) { _, e := setup(t); testCancel(t, e, h.SlowSQL) })
}

// Result is a fully read query result.
type Result struct {
	Columns []lakegate.Column
	Rows    [][]any
}

// Query runs q and reads every row; the error is the query's or the
// cursor's.
func Query(ctx context.Context, e lakegate.Engine, sql string, params any) (Result, error) {
	rs, err := e.Query(ctx, lakegate.Query{ID: "test", SQL: sql, Params: params})
	if err != nil {
		return Result{}, err
	}
	defer rs.Close()
	res := Result{Columns: rs.Columns()}
	for rs.Next() {
		res.Rows = append(res.Rows, slices.Clone(rs.Values()))
	}
	return res, rs.Err()
}

// MustQuery is Query that fails the test on error.
func MustQuery(tb testing.TB, e lakegate.Engine, sql string, params any) Result {
	tb.Helper()
	res, err := Query(context.Background(), e, sql, params)
	if err != nil {
		tb.Fatalf("%s: %v", sql, err)
	}
	return res
}

// Scalar runs a one-value query and renders the value with fmt.Sprint,
// which keeps comparisons independent of the engine's Go types.
func Scalar(tb testing.TB, e lakegate.Engine, sql string, params any) string {
	tb.Helper()
	res := MustQuery(tb, e, sql, params)
	if len(res.Rows) != 1 || len(res.Rows[0]) != 1 {
		tb.Fatalf("%s: want one value, got %v", sql, res.Rows)
	}
	return fmt.Sprint(res.Rows[0][0])
}

// ExpectCode fails the test unless err carries the application code want.
func ExpectCode(tb testing.TB, what string, err error, want string) {
	tb.Helper()
	if got := lakegate.ErrorCode(err); got != want {
		tb.Errorf("%s: got code %q (%v), want %q", what, got, err, want)
	}
}

func testViews(t *testing.T, e lakegate.Engine) {
	if got := Scalar(t, e, "SELECT count(*) FROM assessments.attempts", nil); got != "5" {
		t.Errorf("count = %s, want 5", got)
	}
	res := MustQuery(t, e, "SELECT * FROM assessments.attempts ORDER BY user_exam_id", nil)
	want := map[string]string{"user_exam_id": "VARCHAR", "exam_name": "VARCHAR", "correct": "INTEGER",
		"started_at": "TIMESTAMP", "ingest_date": "DATE"}
	if len(res.Columns) != len(want) {
		t.Errorf("columns = %v, want %d", res.Columns, len(want))
	}
	for _, c := range res.Columns {
		if want[c.Name] != c.Type {
			t.Errorf("column %s has type %s, want %s", c.Name, c.Type, want[c.Name])
		}
	}
	if len(res.Rows) != 5 || fmt.Sprint(res.Rows[0][0]) != "u1" {
		t.Errorf("rows = %v", res.Rows)
	}
	ts, ok := res.Rows[0][3].(time.Time)
	if !ok || !ts.Equal(time.Date(2026, 1, 2, 10, 0, 0, 0, time.UTC)) {
		t.Errorf("started_at = %#v, want 2026-01-02T10:00:00Z as time.Time", res.Rows[0][3])
	}
}

func testNewCommit(t *testing.T, l *Lake, e lakegate.Engine) {
	if got := Scalar(t, e, "SELECT count(*) FROM assessments.attempts", nil); got != "5" {
		t.Fatalf("count = %s, want 5", got)
	}
	l.Land(t, "assessments", "attempts", "2026-01-04", `SELECT * FROM (VALUES ('u6', 'Biology', 4, CAST('2026-01-04 08:00:00' AS TIMESTAMP))) AS t(user_exam_id, exam_name, correct, started_at)`)
	if got := Scalar(t, e, "SELECT count(*) FROM assessments.attempts", nil); got != "6" {
		t.Errorf("after a commit: count = %s, want 6", got)
	}
	l.Land(t, "events", "logins", "2026-01-04", `SELECT * FROM (VALUES ('u1', 'web')) AS t(user_id, channel)`)
	if got := Scalar(t, e, "SELECT channel FROM events.logins", nil); got != "web" {
		t.Errorf("new table: channel = %s, want web", got)
	}
}

func testEmptyTable(t *testing.T, l *Lake, e lakegate.Engine) {
	l.Commit(t, lakegate.TableChange{Table: lakegate.Table{Database: "assessments", Name: "pending",
		Columns:       []lakegate.Column{{Name: "id", Type: "VARCHAR"}, {Name: "score", Type: "DOUBLE"}},
		PartitionKeys: []lakegate.Column{{Name: "ingest_date", Type: "DATE"}}}})
	res := MustQuery(t, e, "SELECT * FROM assessments.pending", nil)
	got := fmt.Sprint(res.Columns)
	want := fmt.Sprint([]lakegate.Column{{Name: "id", Type: "VARCHAR", Nullable: true}, {Name: "score", Type: "DOUBLE", Nullable: true}, {Name: "ingest_date", Type: "DATE", Nullable: true}})
	if len(res.Rows) != 0 || len(res.Columns) != 3 || res.Columns[1].Type != "DOUBLE" || res.Columns[2].Name != "ingest_date" {
		t.Errorf("empty table: columns %s (want %s), rows %v", got, want, res.Rows)
	}
}

func testPartitionFilter(t *testing.T, e lakegate.Engine) {
	for date, want := range map[string]string{"2026-01-02": "3", "2026-01-03": "2", "2026-01-09": "0"} {
		q := "SELECT count(*) FROM assessments.attempts WHERE ingest_date = DATE '" + date + "'"
		if got := Scalar(t, e, q, nil); got != want {
			t.Errorf("%s: count = %s, want %s", date, got, want)
		}
	}
}

func testPositionalParams(t *testing.T, e lakegate.Engine) {
	got := Scalar(t, e, "SELECT count(*) FROM assessments.attempts WHERE exam_name = ? AND correct >= ?", []any{"Algebra", 5})
	if got != "2" {
		t.Errorf("count = %s, want 2", got)
	}
	// A value that would be SQL if spliced must stay a value.
	got = Scalar(t, e, "SELECT count(*) FROM assessments.attempts WHERE exam_name = ?", []any{"x' OR '1'='1"})
	if got != "0" {
		t.Errorf("injected value matched %s rows, want 0", got)
	}
}
