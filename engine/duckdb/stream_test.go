//go:build duckdb_arrow

package duckdb_test

import (
	"context"
	"fmt"
	"os"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lakegate/lakegate"
	"github.com/lakegate/lakegate/engine/duckdb"
)

// streamTypesSQL has a column of every type the streaming cursor reads,
// with edge values and NULLs.
const streamTypesSQL = `SELECT * FROM (VALUES
 (true, (-128)::TINYINT, (-32768)::SMALLINT, (-2147483648)::INTEGER, (-9223372036854775808)::BIGINT,
  255::UTINYINT, 65535::USMALLINT, 4294967295::UINTEGER, 18446744073709551615::UBIGINT,
  1.5::FLOAT, -2.25::DOUBLE, 'héllo', '\xAA\x00'::BLOB, DATE '1969-12-31',
  TIMESTAMP '2026-01-02 03:04:05.123456', '2026-01-02 03:04:05'::TIMESTAMP_S,
  '2026-01-02 03:04:05.123'::TIMESTAMP_MS, '2026-01-02 03:04:05.123456789'::TIMESTAMP_NS,
  TIMESTAMPTZ '2026-01-02 03:04:05.5+02', -12.345::DECIMAL(9,3), 123456789012345678.5::DECIMAL(38,1),
  0.1::DECIMAL(4,1), INTERVAL '1 year 2 days 3.000004 seconds', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::UUID,
  170141183460469231731687303715884105727::HUGEINT),
 (NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
 (false, 0, 0, 0, 0, 0, 0, 0, 0, 'NaN'::FLOAT, 'inf'::DOUBLE, '', ''::BLOB, DATE '2400-02-29',
  TIMESTAMP '1900-01-01', NULL, NULL, NULL, TIMESTAMPTZ '1970-01-01 00:00:00+00', 0::DECIMAL(9,3),
  -0.5::DECIMAL(38,1), -999.9::DECIMAL(4,1), INTERVAL '-3 months', NULL, -1::HUGEINT)
) t(b, i1, i2, i4, i8, u1, u2, u4, u8, f4, f8, s, bl, d, ts, ts_s, ts_ms, ts_ns, tz, dec, dec38, dec4, iv, u, h)`

// TestStreamMatches: a streamed query gives the columns and values the
// driver's cursor gives, for every type it streams; queries it does not
// stream (nested columns, JSON, parameters) are answered the same way.
func TestStreamMatches(t *testing.T) {
	_, db := setup(t)
	for _, c := range []struct {
		sql    string
		params any
	}{
		{sql: streamTypesSQL},
		{sql: "SELECT * FROM assessments.attempts ORDER BY ALL"},
		{sql: "SELECT [1, 2] AS l, {'a': 1} AS st, MAP {'k': 1} AS m, '{}'::JSON AS j, TIME '01:02:03' AS tm"},
		{sql: "SELECT $1::INTEGER + 1 AS n", params: []any{int64(41)}},
		{sql: "SELECT 1 AS one WHERE false"},
	} {
		want, wantCols := readStream(t, db, lakegate.Query{SQL: c.sql, Params: c.params})
		got, gotCols := readStream(t, db, lakegate.Query{SQL: c.sql, Params: c.params, Stream: true})
		if !reflect.DeepEqual(gotCols, wantCols) {
			t.Errorf("%.60s: streamed columns\n%v\nwant\n%v", c.sql, gotCols, wantCols)
		}
		if len(got) != len(want) {
			t.Fatalf("%.60s: %d rows streamed, want %d", c.sql, len(got), len(want))
		}
		for r := range want {
			for i := range want[r] {
				if !sameValue(got[r][i], want[r][i]) {
					t.Errorf("%.60s: row %d column %s: streamed %#v, want %#v", c.sql, r, wantCols[i].Name, got[r][i], want[r][i])
				}
			}
		}
	}
}

func sameValue(a, b any) bool {
	if ta, ok := a.(time.Time); ok {
		tb, ok := b.(time.Time)
		return ok && ta.Equal(tb) && ta.Location().String() == tb.Location().String()
	}
	if fa, ok := a.(float32); ok && fa != fa {
		fb, ok := b.(float32)
		return ok && fb != fb
	}
	return reflect.DeepEqual(a, b)
}

func readStream(t *testing.T, db *duckdb.DB, q lakegate.Query) ([][]any, []lakegate.Column) {
	t.Helper()
	rs, err := db.Query(context.Background(), q)
	if err != nil {
		t.Fatalf("%.60s: %v", q.SQL, err)
	}
	defer rs.Close()
	var out [][]any
	for rs.Next() {
		out = append(out, append([]any(nil), rs.Values()...))
	}
	if err := rs.Err(); err != nil {
		t.Fatalf("%.60s: %v", q.SQL, err)
	}
	return out, rs.Columns()
}

// TestStreamFlatMemory: while a client is halfway through a 3M-row
// (~400 MB) result, the streamed query holds a few chunks; the driver's
// materialized result holds all of it. DuckDB's materialized results are
// outside its memory_limit (duckdb_memory() shows 0), so the process's
// resident memory is what is measured.
func TestStreamFlatMemory(t *testing.T) {
	if _, err := residentMB(); err != nil {
		t.Skipf("no /proc/self/statm: %v", err)
	}
	_, db := setup(t)
	const big = "SELECT i, repeat('x', 100) || i AS s FROM range(3000000) t(i)"
	growth := func(stream bool) float64 {
		runtime.GC()
		before, _ := residentMB()
		rs, err := db.Query(context.Background(), lakegate.Query{SQL: big, Stream: stream})
		if err != nil {
			t.Fatal(err)
		}
		defer rs.Close()
		var mid float64
		for n := 0; rs.Next(); n++ {
			if n == 1500000 {
				mid, _ = residentMB()
			}
		}
		if err := rs.Err(); err != nil {
			t.Fatal(err)
		}
		return mid - before
	}
	streamed := growth(true)
	materialized := growth(false)
	t.Logf("resident memory halfway: +%.0f MB streamed, +%.0f MB materialized", streamed, materialized)
	if streamed > 100 {
		t.Errorf("streamed: +%.0f MB halfway through, want under 100", streamed)
	}
	if materialized < 200 {
		t.Errorf("materialized: +%.0f MB; the test no longer tells the two apart", materialized)
	}
}

// residentMB is the process's resident memory now.
func residentMB() (float64, error) {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0, err
	}
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return 0, fmt.Errorf("statm %q", b)
	}
	pages, err := strconv.ParseFloat(f[1], 64)
	return pages * float64(os.Getpagesize()) / (1 << 20), err
}

// TestStreamErrors: an error met after rows comes from Err; a cancelled
// query stops with ECANCELED; the engine answers after both.
func TestStreamErrors(t *testing.T) {
	_, db := setup(t)
	rs, err := db.Query(context.Background(), lakegate.Query{Stream: true,
		SQL: "SELECT CASE WHEN i < 5000000 THEN i ELSE error('boom at ' || i) END AS v FROM range(10000000) t(i)"})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for rs.Next() {
		n++
	}
	if err := rs.Err(); err == nil || n == 0 {
		t.Errorf("after %d rows: error %v, want rows then boom", n, err)
	}
	rs.Close()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rs, err = db.Query(ctx, lakegate.Query{Stream: true, SQL: "SELECT i FROM range(100000000) t(i)"})
	if err != nil {
		t.Fatal(err)
	}
	for n = 0; rs.Next(); n++ {
		if n == 5000 {
			cancel()
		}
	}
	if code := lakegate.ErrorCode(rs.Err()); code != lakegate.ECANCELED {
		t.Errorf("cancelled after %d rows: %v, want %s", n, rs.Err(), lakegate.ECANCELED)
	}
	rs.Close()
	if rows, _ := readStream(t, db, lakegate.Query{SQL: "SELECT 42", Stream: true}); len(rows) != 1 {
		t.Errorf("the engine does not answer after a cancel: %v", rows)
	}
}

// TestStreamEarlyClose: closing a streamed cursor before its end, while
// DuckDB still produces rows, returns promptly, and the engine's
// connections answer afterwards.
func TestStreamEarlyClose(t *testing.T) {
	_, db := setup(t)
	for _, sql := range []string{
		"SELECT i FROM range(100000000) t(i)",
		"SELECT i, 'row ' || i AS s FROM range(3000000) t(i) ORDER BY i DESC",
	} {
		rs, err := db.Query(context.Background(), lakegate.Query{SQL: sql, Stream: true})
		if err != nil {
			t.Fatal(err)
		}
		for n := 0; n < 10 && rs.Next(); n++ {
		}
		start := time.Now()
		rs.Close()
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("%s: Close took %s", sql, d)
		}
	}
	for i := 0; i < 20; i++ {
		if rows, _ := readStream(t, db, lakegate.Query{SQL: "SELECT 42 AS n", Stream: i%2 == 0}); len(rows) != 1 {
			t.Fatalf("query %d after early closes: %v", i, rows)
		}
	}
}
