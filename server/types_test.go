package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/lakegate/lakegate"
	"github.com/lakegate/lakegate/engine/duckdb"
	"github.com/lakegate/lakegate/engine/enginetest"
	"github.com/lakegate/lakegate/server"
)

// typeCases is one expression of every DuckDB type the engine can return,
// nested ones included. TestTypeText pins the JSON and CSV text of each:
// whatever engine produces the values, the text must not change.
var typeCases = []string{
	"NULL::INTEGER", "true", "false",
	"(-7)::TINYINT", "(-300)::SMALLINT", "(-70000)::INTEGER", "(-9223372036854775808)::BIGINT",
	"170141183460469231731687303715884105727::HUGEINT", "(-170141183460469231731687303715884105727)::HUGEINT",
	"255::UTINYINT", "65535::USMALLINT", "4294967295::UINTEGER", "18446744073709551615::UBIGINT",
	"340282366920938463463374607431768211455::UHUGEINT",
	"1.5::FLOAT", "0.1::FLOAT", "0.1::DOUBLE", "1e300::DOUBLE", "(-0.0)::DOUBLE",
	"'nan'::DOUBLE", "'inf'::DOUBLE", "'-inf'::FLOAT",
	"1.23::DECIMAL(4,2)", "(-1.5)::DECIMAL(9,3)", "123456789012.345678::DECIMAL(18,6)",
	"12345678901234567890123456.7890123456::DECIMAL(38,10)", "0::DECIMAL(5,2)", "(-0.01)::DECIMAL(3,2)",
	"'abc'::VARCHAR", "'ünï ✓ \"q\" \\ ,;\n'::VARCHAR", "''::VARCHAR",
	"'\\x00\\xFF\\x41'::BLOB", "'6ba7b810-9dad-11d1-80b4-00c04fd430c8'::UUID",
	"DATE '2026-01-02'", "DATE '1970-01-01'", "TIME '13:14:15.123456'", "TIMETZ '13:14:15+02'",
	"TIMESTAMP '2018-01-23 14:23:19.082'", "TIMESTAMP_S '2018-01-23 14:23:19'", "TIMESTAMP_MS '2018-01-23 14:23:19.082'",
	"TIMESTAMP_NS '2018-01-23 14:23:19.082123456'", "TIMESTAMPTZ '2018-01-23 14:23:19.5+02'",
	"INTERVAL 1 DAY", "INTERVAL '1 year 2 months 3 days 04:05:06.789'",
	"[1, 2, NULL]", "[]::INTEGER[]", "['a', NULL]", "[[1.5, 2], [3]]", "[1, 2, 3]::INTEGER[3]",
	"{'a': 1, 'b': 'x', 'c': NULL}", "{'t': TIMESTAMP '2018-01-23 14:23:19', 'd': 1.5::DECIMAL(3,1), 'u': '6ba7b810-9dad-11d1-80b4-00c04fd430c8'::UUID}",
	"[{'k': 1}, {'k': 2}]", "MAP {'k': 1, 'a': 2}", "MAP {2: 'two', 1: 'one'}", "MAP {'x': [1, 2]}",
	"MAP {'t': INTERVAL 2 DAY}", "MAP {'d': 'nan'::DOUBLE}",
	"union_value(num := 2)::UNION(num INTEGER, str VARCHAR)", "'b'::ENUM('a', 'b')",
	"'101'::BIT", "'{\"a\": [1, 2]}'::JSON", "[NULL, 'nan'::DOUBLE, 'inf'::DOUBLE]",
	"{'n': 'nan'::DOUBLE, 'b': '\\x01'::BLOB}", "[DATE '2026-01-02']", "[TIMESTAMPTZ '2018-01-23 14:23:19+00']",
	"[170141183460469231731687303715884105727::HUGEINT]", "[1.25::DECIMAL(5,2)]",
	"['6ba7b810-9dad-11d1-80b4-00c04fd430c8'::UUID]", "MAP {1.5::DECIMAL(3,1): 'x'}",
}

func TestTypeText(t *testing.T) {
	l := enginetest.NewLake(t)
	db, err := duckdb.Open(context.Background(), duckdb.Options{Catalog: l.Catalog, Store: l.Store, LakeDir: l.Dir, Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	var out bytes.Buffer
	for _, expr := range typeCases {
		col, v := queryOne(t, db, "SELECT "+expr+" AS v")
		j, err := json.Marshal(server.JSONValue(v, col.Type))
		if err != nil {
			t.Fatalf("%s: %v", expr, err)
		}
		fmt.Fprintf(&out, "%s\n  type %s\n  json %s\n  csv  %q\n", expr, col.Type, j, server.Text(v, col.Type))
	}
	path := filepath.Join("testdata", "types.golden")
	if *update {
		if err := os.WriteFile(path, out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(out.Bytes(), want) {
		t.Errorf("the text of some type changed; got:\n%s", out.Bytes())
	}
}

func queryOne(t *testing.T, db lakegate.Engine, sql string) (lakegate.Column, any) {
	t.Helper()
	rs, err := db.Query(context.Background(), lakegate.Query{SQL: sql})
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	defer rs.Close()
	if !rs.Next() {
		t.Fatalf("%s: no row: %v", sql, rs.Err())
	}
	return rs.Columns()[0], rs.Values()[0]
}
