package duckdb_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/lakegate/lakegate"
	"github.com/lakegate/lakegate/engine/duckdb"
	"github.com/lakegate/lakegate/engine/enginetest"
)

// setup lands the suite's attempts and opens the engine over them.
func setup(t *testing.T) (*enginetest.Lake, *duckdb.DB) {
	t.Helper()
	l := enginetest.NewLake(t)
	for _, d := range []string{"2026-01-02", "2026-01-03"} {
		l.Land(t, "assessments", "attempts", d, enginetest.Attempts[d])
	}
	return l, open(t, l)
}

// TestAttacksRefused covers statements that would read outside the lake,
// write files, change settings or load code. Each must be refused with
// EFORBIDDEN and leave the lake (and the directory above it) unchanged.
func TestAttacksRefused(t *testing.T) {
	l, db := setup(t)
	parent := filepath.Dir(l.Dir)
	lake := l.Dir
	attacks := []string{
		"SELECT * FROM read_csv('/etc/passwd')",
		"SELECT * FROM read_csv_auto('/etc/passwd')",
		"SELECT * FROM read_text('/etc/passwd')",
		"SELECT * FROM read_blob('/etc/hostname')",
		"SELECT * FROM glob('/etc/*')",
		"SELECT * FROM read_parquet('" + lake + "/../x.parquet')",
		"SELECT * FROM read_parquet('" + lake + "/../../**/*.parquet')",
		"SELECT * FROM read_json('" + parent + "/secret.json')",
		"SELECT * FROM 'https://example.com/x.parquet'",
		"COPY (SELECT 1) TO '" + lake + "/out.csv'",
		"COPY (SELECT 1) TO '/tmp/lakegate-attack.csv'",
		"COPY assessments.attempts TO '" + lake + "/dump.parquet' (FORMAT parquet)",
		"EXPORT DATABASE '" + lake + "/export'",
		"ATTACH '" + lake + "/evil.duckdb' AS evil",
		"ATTACH ':memory:' AS mem",
		"DETACH memory",
		"INSTALL httpfs",
		"LOAD httpfs",
		"FORCE INSTALL httpfs",
		"SET enable_external_access=true",
		"SET allowed_directories=['/']",
		"RESET lock_configuration",
		"PRAGMA enable_profiling",
		"PRAGMA memory_limit='100GB'",
		"CALL pragma_version()",
		"CREATE TABLE t AS SELECT * FROM assessments.attempts",
		"CREATE TEMP TABLE t(a INT)",
		"CREATE MACRO m(x) AS x + 1",
		"CREATE SECRET s (TYPE s3, KEY_ID 'k', SECRET 's')",
		"INSERT INTO assessments.attempts (user_exam_id) VALUES ('x')",
		"DROP VIEW assessments.attempts",
		"CHECKPOINT",
		"USE assessments",
		"SELECT 1; COPY (SELECT 1) TO '" + lake + "/multi.csv'",
		"COPY (SELECT 1) TO '" + lake + "/multi2.csv'; SELECT 1",
		"EXPLAIN ANALYZE COPY (SELECT 1) TO '" + lake + "/explained.csv'",
		"EXPLAIN ANALYZE CREATE TABLE t AS SELECT 1",
		"EXPLAIN /* x */ ANALYSE INSERT INTO assessments.attempts (user_exam_id) VALUES ('x')",
		"EXPLAIN (ANALYZE, FORMAT json) COPY (SELECT 1) TO '" + lake + "/explained2.csv'",
		"SELECT * FROM query('COPY (SELECT 1) TO ''" + lake + "/query.csv''')",
		"PREPARE p AS SELECT 1",
		"BEGIN",
	}
	if len(attacks) < 25 {
		t.Fatalf("only %d attack cases", len(attacks))
	}
	before := l.Files(t)
	parentBefore, _ := os.ReadDir(parent)
	for _, sql := range attacks {
		_, err := enginetest.Query(context.Background(), db, sql, nil)
		// query() nests a statement in a string: the parser refuses it, so
		// it may surface as EINVALID; everything else is EFORBIDDEN.
		want := lakegate.EFORBIDDEN
		if strings.Contains(sql, "query(") {
			want = lakegate.EINVALID
		}
		enginetest.ExpectCode(t, sql, err, want)
		if msg := lakegate.ErrorMessage(err); strings.Contains(msg, lake) {
			t.Errorf("%s: message leaks a server path: %s", sql, msg)
		}
	}
	if after := l.Files(t); !slices.Equal(before, after) {
		t.Errorf("attacks changed the lake:\nbefore %v\nafter  %v", before, after)
	}
	if parentAfter, _ := os.ReadDir(parent); len(parentAfter) != len(parentBefore) {
		t.Errorf("attacks wrote next to the lake: %v", parentAfter)
	}
	if _, err := os.Stat("/tmp/lakegate-attack.csv"); err == nil {
		t.Errorf("COPY wrote /tmp/lakegate-attack.csv")
	}
	if got := enginetest.Scalar(t, db, "SELECT count(*) FROM assessments.attempts", nil); got != "5" {
		t.Errorf("after the attacks: count = %s, want 5", got)
	}
}

func TestRefusalMessages(t *testing.T) {
	_, db := setup(t)
	for _, c := range []struct{ sql, want string }{
		{"SELECT 1; SELECT 2", "send one statement per request"},
		{"COPY (SELECT 1) TO 'x.csv'", "only read-only queries (SELECT, WITH, VALUES, EXPLAIN, DESCRIBE, SHOW, SUMMARIZE) are allowed; got COPY"},
		{"INSERT INTO assessments.attempts (user_exam_id) VALUES ('x')", "are allowed; got INSERT"},
		{"EXPLAIN ANALYZE COPY (SELECT 1) TO 'x.csv'", "got EXPLAIN of COPY"},
		{"SET threads=1", "got SET"},
		{"-- only a comment", "missing SQL"},
		{"PIVOT assessments.attempts ON exam_name USING count(*)", "list the values"},
		{"EXPORT DATABASE 'x'", "got EXPORT"},
		{"/* a /* nested */ comment */ DROP VIEW assessments.attempts", "got DROP"},
		{"EXPLAIN ANALYZE ($$)$$) COPY (SELECT 1) TO 'x.csv'", "EXPLAIN"},
		{"SELECT $$ ; $$; DROP VIEW assessments.attempts", "send one statement per request"},
	} {
		_, err := enginetest.Query(context.Background(), db, c.sql, nil)
		if msg := lakegate.ErrorMessage(err); !strings.Contains(msg, c.want) {
			t.Errorf("%s: message %q, want it to contain %q", c.sql, msg, c.want)
		}
	}
}

// TestReadOnlyForms checks that every read-only form is allowed.
func TestReadOnlyForms(t *testing.T) {
	_, db := setup(t)
	for _, sql := range []string{
		"SELECT 1",
		"WITH a AS (SELECT * FROM assessments.attempts) SELECT count(*) FROM a",
		"VALUES (1), (2)",
		"FROM assessments.attempts LIMIT 1",
		"DESCRIBE assessments.attempts",
		"SHOW TABLES",
		"SHOW ALL TABLES",
		"SUMMARIZE assessments.attempts",
		"EXPLAIN SELECT * FROM assessments.attempts",
		"EXPLAIN ANALYZE SELECT count(*) FROM assessments.attempts",
		"EXPLAIN (SELECT 1)",
		"PIVOT assessments.attempts ON exam_name IN ('Algebra', 'Physics') USING count(*)",
		"  -- leading comment\n SELECT 1;",
		"SELECT $$it's ; -- not a comment$$ AS s;",
		"SELECT $t$ /* $t$ AS s, E'\\' ; ' AS e",
		"/* /* nested */ */ SELECT 1 AS \"prénom\"",
	} {
		if _, err := enginetest.Query(context.Background(), db, sql, nil); err != nil {
			t.Errorf("%s: %v", sql, err)
		}
	}
}

// TestPartitionPruning proves, with EXPLAIN ANALYZE, that a filter on the
// partition column makes DuckDB read only the matching files.
func TestPartitionPruning(t *testing.T) {
	_, db := setup(t)
	res := enginetest.MustQuery(t, db, "EXPLAIN ANALYZE SELECT count(*) FROM assessments.attempts WHERE ingest_date = DATE '2026-01-03'", nil)
	plan := fmt.Sprint(res.Rows)
	for _, want := range []string{"Scanning Files: 1/2", "Total Files Read: 1"} {
		if !strings.Contains(plan, want) {
			t.Errorf("plan lacks %q:\n%s", want, plan)
		}
	}
	if strings.Contains(plan, "2026-01-02") {
		t.Errorf("plan mentions the pruned partition:\n%s", plan)
	}
	if got := enginetest.Scalar(t, db, "SELECT count(*) FROM assessments.attempts WHERE ingest_date = DATE '2026-01-03'", nil); got != "2" {
		t.Errorf("count = %s, want 2", got)
	}
}

func TestNamedParams(t *testing.T) {
	_, db := setup(t)
	q := "SELECT count(*) FROM assessments.attempts WHERE exam_name = $exam AND ingest_date = CAST($day AS DATE)"
	if got := enginetest.Scalar(t, db, q, map[string]any{"exam": "Algebra", "day": "2026-01-02"}); got != "2" {
		t.Errorf("count = %s, want 2", got)
	}
	for _, c := range []struct {
		params any
		want   string
	}{
		{map[string]any{"exam": "Algebra"}, "parameter $day has no value"},
		{map[string]any{"exam": "Algebra", "day": "2026-01-02", "other": 1}, `parameter "other" is not used`},
		{nil, "no params were sent"},
		{[]any{"Algebra"}, "the query has 2 parameters but 1 values were sent"},
	} {
		_, err := enginetest.Query(context.Background(), db, q, c.params)
		enginetest.ExpectCode(t, fmt.Sprint(c.params), err, lakegate.EINVALID)
		if msg := lakegate.ErrorMessage(err); !strings.Contains(msg, c.want) {
			t.Errorf("%v: message %q, want %q", c.params, msg, c.want)
		}
	}
}

// TestMessagesHideLake checks that engine messages name <lake>, not the
// server's directory.
func TestMessagesHideLake(t *testing.T) {
	l, db := setup(t)
	_, err := enginetest.Query(context.Background(), db, "SELECT * FROM read_parquet('"+l.Dir+"/missing.parquet')", nil)
	msg := lakegate.ErrorMessage(err)
	if strings.Contains(msg, l.Dir) || !strings.Contains(msg, "<lake>/missing.parquet") {
		t.Errorf("message %q should name <lake>/missing.parquet", msg)
	}
	_, err = enginetest.Query(context.Background(), db, "SELECT * FROM assessments.nope", nil)
	if msg := lakegate.ErrorMessage(err); !strings.Contains(msg, "Table with name nope does not exist") {
		t.Errorf("not found message = %q", msg)
	}
}

// TestNoSettingAdvice: DuckDB's advice to SET a limit, which the gateway
// refuses, becomes advice the user can follow.
func TestNoSettingAdvice(t *testing.T) {
	_, db := setup(t)
	q := "SELECT " + strings.Repeat("abs(", 1100) + "1" + strings.Repeat(")", 1100)
	_, err := enginetest.Query(context.Background(), db, q, nil)
	msg := lakegate.ErrorMessage(err)
	if lakegate.ErrorCode(err) != lakegate.EINVALID || strings.Contains(msg, "SET ") ||
		!strings.Contains(msg, "Max expression depth limit of 1000 exceeded") || !strings.Contains(msg, "less nesting") {
		t.Errorf("message %q", msg)
	}
}

// TestBrokenTable checks that a table whose file vanished fails alone,
// with EUNAVAILABLE, while the other tables keep answering.
func TestBrokenTable(t *testing.T) {
	l, db := setup(t)
	l.Land(t, "events", "logins", "2026-01-04", `SELECT 'u1' AS user_id`)
	if err := os.RemoveAll(filepath.Join(l.Dir, "events")); err != nil {
		t.Fatal(err)
	}
	_, err := enginetest.Query(context.Background(), db, "SELECT count(*) FROM events.logins", nil)
	enginetest.ExpectCode(t, "vanished file", err, lakegate.EUNAVAILABLE)
	if msg := lakegate.ErrorMessage(err); strings.Contains(msg, l.Dir) {
		t.Errorf("message leaks the lake path: %s", msg)
	}
	if got := enginetest.Scalar(t, db, "SELECT count(*) FROM assessments.attempts", nil); got != "5" {
		t.Errorf("other table: count = %s, want 5", got)
	}
}

// TestValueTypes checks the Go values of common DuckDB types.
func TestValueTypes(t *testing.T) {
	_, db := setup(t)
	res := enginetest.MustQuery(t, db, `SELECT 1::BIGINT AS i, 1.5::DOUBLE AS d, 12.345::DECIMAL(18,3) AS dec,
		'x' AS s, true AS b, DATE '2026-01-02' AS day, TIMESTAMP '2026-01-02 03:04:05' AS ts, NULL AS n,
		[1, 2] AS list, {'a': 1} AS st`, nil)
	types := map[string]string{}
	for _, c := range res.Columns {
		types[c.Name] = c.Type
	}
	for name, want := range map[string]string{"i": "BIGINT", "d": "DOUBLE", "dec": "DECIMAL(18,3)", "s": "VARCHAR",
		"b": "BOOLEAN", "day": "DATE", "ts": "TIMESTAMP", "list": "INTEGER[]"} {
		if types[name] != want {
			t.Errorf("column %s: type %q, want %q", name, types[name], want)
		}
	}
	if v := res.Rows[0][7]; v != nil {
		t.Errorf("NULL = %#v, want nil", v)
	}
}

func TestOpenOptions(t *testing.T) {
	l := enginetest.NewLake(t)
	for _, opt := range []duckdb.Options{
		{Store: l.Store, LakeDir: l.Dir},
		{Catalog: l.Catalog, Store: l.Store},
		{Catalog: l.Catalog, Store: l.Store, LakeDir: "relative/lake"},
		{Catalog: l.Catalog, Store: l.Store, LakeDir: l.Dir, Threads: -1},
		{Catalog: l.Catalog, Store: l.Store, LakeDir: l.Dir, MemoryLimit: "lots"},
	} {
		db, err := duckdb.Open(context.Background(), opt)
		if err == nil {
			db.Close()
		}
		enginetest.ExpectCode(t, fmt.Sprintf("%+v", opt), err, lakegate.EINVALID)
	}
	db := open(t, l)
	if db.Name() != "duckdb" {
		t.Errorf("Name() = %q", db.Name())
	}
	db.Close()
	_, err := db.Query(context.Background(), lakegate.Query{SQL: "SELECT 1"})
	enginetest.ExpectCode(t, "query after Close", err, lakegate.EUNAVAILABLE)
}

// TestConcurrentRefresh runs queries while commits land; every query
// must succeed and see a consistent count.
func TestConcurrentRefresh(t *testing.T) {
	l, db := setup(t)
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 10 {
				if _, err := enginetest.Query(context.Background(), db, "SELECT count(*) FROM assessments.attempts", nil); err != nil {
					errs <- err
				}
			}
		}()
	}
	for i := range 3 {
		l.Land(t, "assessments", "attempts", fmt.Sprintf("2026-02-0%d", i+1), enginetest.Attempts["2026-01-03"])
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if got := enginetest.Scalar(t, db, "SELECT count(*) FROM assessments.attempts", nil); got != "11" {
		t.Errorf("count = %s, want 11", got)
	}
}
