package catalogtest

import (
	"context"
	"testing"

	"github.com/lakegate/lakegate"
)

func col(name, typ string) lakegate.Column { return lakegate.Column{Name: name, Type: typ} }

func testSchemaEvolution(t *testing.T, c lakegate.Catalog) {
	base := []lakegate.Column{col("keen_id", "VARCHAR"), col("n", "INTEGER"), col("ratio", "FLOAT")}
	tests := []struct {
		name    string
		next    []lakegate.Column
		want    []lakegate.Column // nil when refused
		version int               // SchemaVersion after
		refuse  []string          // message parts when refused
	}{
		{name: "same schema", next: base, want: base, version: 1},
		{name: "reordered", next: []lakegate.Column{base[2], base[0], base[1]}, want: base, version: 1},
		{name: "append column",
			next: append(base[:3:3], col("extra", "BOOLEAN")),
			want: append(base[:3:3], lakegate.Column{Name: "extra", Type: "BOOLEAN", Nullable: true}), version: 2},
		{name: "widen INTEGER to BIGINT",
			next: []lakegate.Column{base[0], col("n", "BIGINT"), base[2]},
			want: []lakegate.Column{base[0], col("n", "BIGINT"), base[2]}, version: 2},
		{name: "widen FLOAT to DOUBLE",
			next: []lakegate.Column{base[0], base[1], col("ratio", "DOUBLE")},
			want: []lakegate.Column{base[0], base[1], col("ratio", "DOUBLE")}, version: 2},
		{name: "change type", next: []lakegate.Column{base[0], col("n", "VARCHAR"), base[2]},
			refuse: []string{`"n"`, "INTEGER", "VARCHAR"}},
		{name: "narrow table", next: []lakegate.Column{col("keen_id", "BIGINT"), base[1], base[2]},
			refuse: []string{`"keen_id"`, "VARCHAR", "BIGINT"}},
		{name: "drop column", next: []lakegate.Column{base[0], base[2]},
			refuse: []string{`"n"`, "INTEGER", "missing"}},
	}
	ctx := context.Background()
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			table := "t"
			db := "s" + string(rune('a'+i)) // one database per case on the shared catalog
			ch := AddFiles(db, table, day, db+"/t/a.parquet")
			ch.Tables[0].Table.Columns = base
			MustCommit(t, c, ch)
			before := Snap(t, c)
			ch = AddFiles(db, table, day, db+"/t/b.parquet")
			ch.Tables[0].Table.Columns = tt.next
			_, err := c.Commit(ctx, ch)
			if tt.want == nil {
				parts := append([]string{db + ".t"}, tt.refuse...)
				WantError(t, err, lakegate.ECONFLICT, parts...)
				SameSnap(t, Snap(t, c), before)
				return
			}
			if err != nil {
				t.Fatalf("Commit: %v", err)
			}
			tb, _ := c.Table(ctx, db, table)
			if !sameCols(tb.Columns, tt.want) || tb.SchemaVersion != tt.version {
				t.Fatalf("columns = %+v (schema version %d), want %+v (%d)", tb.Columns, tb.SchemaVersion, tt.want, tt.version)
			}
		})
	}
}

func sameCols(a, b []lakegate.Column) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
