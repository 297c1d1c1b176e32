package duckdb_test

import (
	"context"
	"strings"
	"testing"

	"github.com/lakegate/lakegate"
	"github.com/lakegate/lakegate/engine/enginetest"
)

// After schema evolution (a new nullable column, INTEGER widened to
// BIGINT), queries read old and new partitions together: old rows show
// NULL for the new column, and the widened column sums across both.
func TestQueriesAcrossSchemaEvolution(t *testing.T) {
	l := enginetest.NewLake(t)
	l.Land(t, "ev", "t", "2026-01-01", "SELECT 1::INTEGER AS n, 'a' AS s")
	e := open(t, l)
	l.Land(t, "ev", "t", "2026-01-02", "SELECT 5000000000::BIGINT AS n, 'b' AS s, 2.5::DOUBLE AS extra")

	tbl, err := l.Catalog.Table(ctx, "ev", "t")
	if err != nil {
		t.Fatal(err)
	}
	if got := tbl.Columns; len(got) != 3 || got[0].Type != "BIGINT" || got[2].Name != "extra" || !got[2].Nullable {
		t.Fatalf("evolved columns = %+v", got)
	}
	res := enginetest.MustQuery(t, e, "SELECT ingest_date::VARCHAR, n, s, extra FROM ev.t ORDER BY ingest_date", nil)
	want := [][]any{{"2026-01-01", int64(1), "a", nil}, {"2026-01-02", int64(5000000000), "b", 2.5}}
	if len(res.Rows) != 2 {
		t.Fatalf("rows = %v", res.Rows)
	}
	for i, row := range res.Rows {
		for j, v := range row {
			if v != want[i][j] {
				t.Fatalf("row %d = %v, want %v", i, row, want[i])
			}
		}
	}
	if got := enginetest.Scalar(t, e, "SELECT sum(n) FROM ev.t", nil); got != "5000000001" {
		t.Fatalf("sum(n) = %s", got)
	}

	// A real type change is refused by the catalog and the table keeps working.
	err = commitColumns(l, []lakegate.Column{{Name: "n", Type: "VARCHAR"}, {Name: "s", Type: "VARCHAR"}, {Name: "extra", Type: "DOUBLE"}})
	if lakegate.ErrorCode(err) != lakegate.ECONFLICT {
		t.Fatalf("type change: %v", err)
	}
	if got := enginetest.Scalar(t, e, "SELECT count(*) FROM ev.t", nil); got != "2" {
		t.Fatalf("count after refused change = %s", got)
	}
}

var ctx = context.Background()

func commitColumns(l *enginetest.Lake, cols []lakegate.Column) error {
	_, err := l.Catalog.Commit(ctx, lakegate.Change{Tables: []lakegate.TableChange{{Table: lakegate.Table{
		Database: "ev", Name: "t", Columns: cols,
		PartitionKeys: []lakegate.Column{{Name: "ingest_date", Type: "DATE"}},
	}}}})
	return err
}

// A view over files that share one schema binds on the first file alone
// (no union_by_name: every bind would read every footer); a file of
// another schema brings union_by_name back, and both read correctly.
func TestUniformFilesSkipUnionByName(t *testing.T) {
	l := enginetest.NewLake(t)
	l.Land(t, "ev", "u", "2026-01-01", "SELECT 1::BIGINT AS n, 'a' AS s")
	l.Land(t, "ev", "u", "2026-01-02", "SELECT 2::BIGINT AS n, 'b' AS s")
	e := open(t, l)
	view := "SELECT sql FROM duckdb_views() WHERE schema_name = 'ev' AND view_name = 'u'"
	if got := enginetest.Scalar(t, e, view, nil); strings.Contains(got, "union_by_name") {
		t.Fatalf("view over two files of one schema: %s", got)
	}
	l.Land(t, "ev", "u", "2026-01-03", "SELECT 3::BIGINT AS n, 'c' AS s, 1.5::DOUBLE AS extra")
	if got := enginetest.Scalar(t, e, "SELECT sum(n)::VARCHAR || '/' || count(extra)::VARCHAR FROM ev.u", nil); got != "6/1" {
		t.Fatalf("after a new column: %s", got)
	}
	if got := enginetest.Scalar(t, e, view, nil); !strings.Contains(got, "union_by_name") {
		t.Fatalf("view over files of two schemas: %s", got)
	}
}
