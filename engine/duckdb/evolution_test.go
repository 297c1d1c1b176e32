package duckdb_test

import (
	"context"

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
