package duckdb_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/lakegate/lakegate"
	"github.com/lakegate/lakegate/engine/duckdb"
	"github.com/lakegate/lakegate/engine/enginetest"
)

func TestQueryLog(t *testing.T) {
	l := enginetest.NewLake(t)
	db := open(t, l)
	ctx := context.Background()
	start := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	entries := []lakegate.QueryLogEntry{
		{ID: "q1", User: "ada", SQL: "SELECT $x", Params: `{"x":1}`, Engine: "duckdb", Format: "json", Status: 200,
			Rows: 1, Bytes: 120, Elapsed: 1500 * time.Microsecond, Start: start},
		{ID: "q2", User: "bob", SQL: "SELEC 1", Engine: "duckdb", Format: "csv", Status: 400, Code: lakegate.EINVALID,
			Error: "syntax error", Elapsed: time.Millisecond, Cached: false, Start: start.Add(time.Second)},
		{ID: "q3", User: "ada", SQL: "SELECT $x", Params: `{"x":1}`, Engine: "duckdb", Format: "json", Status: 200,
			Rows: 1, Bytes: 120, Elapsed: 50 * time.Microsecond, Cached: true, Start: start.Add(2 * time.Second)},
	}
	for _, e := range entries {
		if err := db.LogQuery(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	// Read at once: naming the table flushes what was appended.
	got := enginetest.MustQuery(t, db, `SELECT query_id, username, sql, coalesce(params, '-'), format, status, coalesce(code, '-'),
		rows, bytes, elapsed_ms, cached, coalesce(error, '-'), strftime(started_at, '%H:%M:%S')
		FROM lakegate.query_log ORDER BY seq`, nil)
	want := [][]string{
		{"q1", "ada", "SELECT $x", `{"x":1}`, "json", "200", "-", "1", "120", "1.5", "false", "-", "10:00:00"},
		{"q2", "bob", "SELEC 1", "-", "csv", "400", "invalid", "0", "0", "1", "false", "syntax error", "10:00:01"},
		{"q3", "ada", "SELECT $x", `{"x":1}`, "json", "200", "-", "1", "120", "0.05", "true", "-", "10:00:02"},
	}
	if fmt.Sprint(got.Rows) != fmt.Sprint(want) {
		t.Errorf("query log:\n got %v\nwant %v", got.Rows, want)
	}
	// The name users know, system.query_log, reads the same table, in any
	// case and quoting, with parameters, in subqueries and exports.
	for _, sql := range []string{
		"SELECT count(*) FROM system.query_log WHERE username = $u",
		`SELECT count(*) FROM "System"."QUERY_LOG" l WHERE l.username = $u`,
		"WITH x AS (SELECT * FROM system.query_log) SELECT count(*) FROM x WHERE username = $u AND sql <> 'system.query_log'",
	} {
		if got := enginetest.Scalar(t, db, sql, map[string]any{"u": "ada"}); got != "2" {
			t.Errorf("%s = %s, want 2", sql, got)
		}
	}
	f, err := db.Export(ctx, lakegate.Query{SQL: "SELECT query_id FROM system.query_log ORDER BY seq"}, "csv", 0)
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	for _, sql := range []string{
		"INSERT INTO system.query_log (seq) VALUES (1)",
		"SELECT 1; SELECT * FROM system.query_log",
		"INSERT INTO lakegate.query_log (seq) VALUES (1)",
		"DELETE FROM lakegate.query_log",
		"UPDATE lakegate.query_log SET username = 'x'",
		"DROP TABLE lakegate.query_log",
	} {
		_, err := db.Query(ctx, lakegate.Query{SQL: sql})
		enginetest.ExpectCode(t, sql, err, lakegate.EFORBIDDEN)
	}
}

func TestQueryLogBounded(t *testing.T) {
	l := enginetest.NewLake(t)
	db, err := duckdb.Open(context.Background(), duckdb.Options{Catalog: l.Catalog, Store: l.Store, LakeDir: l.Dir, Threads: 2, QueryLogRows: 10})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for i := 1; i <= 35; i++ {
		if err := db.LogQuery(context.Background(), lakegate.QueryLogEntry{ID: fmt.Sprint(i), SQL: "SELECT 1"}); err != nil {
			t.Fatal(err)
		}
		if i%3 == 0 { // trimming happens at flushes
			enginetest.Scalar(t, db, "SELECT count(*) FROM lakegate.query_log", nil)
		}
	}
	// At most a tenth of the bound beyond it (here none), and the newest kept.
	if got := enginetest.Scalar(t, db, "SELECT count(*) || ' ' || min(seq) || ' ' || max(seq) FROM lakegate.query_log", nil); got != "11 25 35" && got != "10 26 35" {
		t.Errorf("count min max = %s, want the latest 10 (or 11 before a trim)", got)
	}
}

func TestQueryLogAfterClose(t *testing.T) {
	l := enginetest.NewLake(t)
	db := open(t, l)
	db.Close()
	err := db.LogQuery(context.Background(), lakegate.QueryLogEntry{ID: "late"})
	enginetest.ExpectCode(t, "LogQuery after Close", err, lakegate.EUNAVAILABLE)
}
