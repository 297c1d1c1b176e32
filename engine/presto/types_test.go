package presto_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/lakegate/lakegate/engine/duckdb"
	"github.com/lakegate/lakegate/engine/enginetest"
	"github.com/lakegate/lakegate/server"
)

// sameValues are one value per type, written in each engine's dialect.
var sameValues = []struct{ name, duck, presto string }{
	{"decimal", "CAST(12.34 AS DECIMAL(10,2))", "CAST(12.34 AS DECIMAL(10,2))"},
	{"negative decimal", "CAST(-0.05 AS DECIMAL(38,4))", "CAST(-0.05 AS DECIMAL(38,4))"},
	{"decimal without fraction", "CAST(12.00 AS DECIMAL(10,2))", "CAST(12.00 AS DECIMAL(10,2))"},
	{"decimal zero", "CAST(0 AS DECIMAL(10,3))", "CAST(0 AS DECIMAL(10,3))"},
	{"timestamp", "TIMESTAMP '2026-01-02 10:00:00.123'", "TIMESTAMP '2026-01-02 10:00:00.123'"},
	{"timestamp with zone", "TIMESTAMPTZ '2026-01-02 10:00:00.5+00'", "TIMESTAMP '2026-01-02 10:00:00.5 UTC'"},
	{"date", "DATE '2026-01-02'", "DATE '2026-01-02'"},
	{"bigint", "CAST(9007199254740993 AS BIGINT)", "CAST(9007199254740993 AS BIGINT)"},
	{"integer", "CAST(7 AS INTEGER)", "CAST(7 AS INTEGER)"},
	{"double", "CAST(0.1 AS DOUBLE)", "CAST(0.1 AS DOUBLE)"},
	{"big double", "CAST(1e20 AS DOUBLE)", "CAST(1e20 AS DOUBLE)"},
	{"boolean", "true", "true"},
	{"varchar", "CAST('Grüße, \"x\"' AS VARCHAR)", "CAST('Grüße, \"x\"' AS VARCHAR)"},
	{"null", "CAST(NULL AS INTEGER)", "CAST(NULL AS INTEGER)"},
	{"array", "[1, 2, NULL]", "ARRAY[1, 2, NULL]"},
	{"array of varchar", "['a', 'b']::VARCHAR[]", "CAST(ARRAY['a', 'b'] AS ARRAY(VARCHAR))"},
	// A map's entries keep DuckDB's insertion order; Presto's maps have
	// none (it sends its hash order), so the case lists them in the order
	// Presto gives.
	{"map", "MAP {'a': 1, 'b': 2}", "MAP(ARRAY['b', 'a'], ARRAY[2, 1])"},
	{"row", "{'x': 1, 'y': 'a'}", "CAST(ROW(1, 'a') AS ROW(x INTEGER, y VARCHAR))"},
	{"array of rows", "[{'x': 1}, {'x': 2}]", "ARRAY[CAST(ROW(1) AS ROW(x INTEGER)), CAST(ROW(2) AS ROW(x INTEGER))]"},
	{"varbinary", "'\\xAB\\x01'::BLOB", "from_hex('AB01')"},
	{"date in array", "[DATE '2026-01-02']", "ARRAY[DATE '2026-01-02']"},
}

// TestSameRendering: each value reads back from Presto with DuckDB's type
// name and renders in JSON and CSV exactly as DuckDB's does.
func TestSameRendering(t *testing.T) {
	l := enginetest.NewLake(t)
	p := open(t, l)
	d, err := duckdb.Open(context.Background(), duckdb.Options{Catalog: l.Catalog, Store: l.Store, LakeDir: l.Dir, Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	for _, c := range sameValues {
		dr := enginetest.MustQuery(t, d, "SELECT "+c.duck+" AS v", nil)
		pr := enginetest.MustQuery(t, p, "SELECT "+c.presto+" AS v", nil)
		dt, pt := dr.Columns[0].Type, pr.Columns[0].Type
		if dt != pt {
			t.Errorf("%s: type %s from presto, %s from duckdb", c.name, pt, dt)
		}
		dj, _ := json.Marshal(server.JSONValue(dr.Rows[0][0], dt))
		pj, _ := json.Marshal(server.JSONValue(pr.Rows[0][0], pt))
		if string(dj) != string(pj) {
			t.Errorf("%s: JSON %s from presto, %s from duckdb", c.name, pj, dj)
		}
		if dc, pc := server.Text(dr.Rows[0][0], dt), server.Text(pr.Rows[0][0], pt); dc != pc {
			t.Errorf("%s: CSV %q from presto, %q from duckdb", c.name, pc, dc)
		}
	}
}
