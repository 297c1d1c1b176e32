package duckdb

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lakegate/lakegate"
)

func mirrorTables() []lakegate.Table {
	date := []lakegate.Column{{Name: "ingest_date", Type: "DATE"}}
	return []lakegate.Table{
		{Database: "assessments", Name: "attempts", Description: "one row per attempt", PartitionKeys: date, Columns: []lakegate.Column{
			{Name: "keen_id", Type: "VARCHAR"}, {Name: "exam_name", Type: "VARCHAR"}, {Name: "score", Type: "DOUBLE"},
			{Name: "started_at", Type: "TIMESTAMP WITH TIME ZONE"}, {Name: "tags", Type: "VARCHAR[]"}, {Name: "odd", Type: "array<string>"}}},
		{Database: "assessments", Name: "questions", PartitionKeys: date, Columns: []lakegate.Column{{Name: "question_id", Type: "VARCHAR"}}},
	}
}

// catalogRows runs one catalog query on the mirror and returns its rows
// as text.
func catalogRows(t *testing.T, p *PGCatalog, tables []lakegate.Table, sql string) ([][]string, error) {
	t.Helper()
	rs, err := p.Query(context.Background(), tables, 1, sql, nil)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	var out [][]string
	for rs.Next() {
		row := make([]string, len(rs.Values()))
		for i, v := range rs.Values() {
			row[i] = fmt.Sprint(v)
		}
		out = append(out, row)
	}
	return out, rs.Err()
}

// TestPGCatalogAnswersPsql runs the catalog queries psql 15 sends for
// \d TABLE, \dt, \dn, \l, \d, \dv and \df (recorded with psql -E against
// PostgreSQL 15, testdata/psql) on a mirror of two tables.
func TestPGCatalogAnswersPsql(t *testing.T) {
	p, tables := NewPGCatalog(), mirrorTables()
	lookup, err := catalogRows(t, p, tables, readPsql(t, "00_d_lookup.sql", ""))
	if err != nil || len(lookup) != 1 || lookup[0][2] != "attempts" {
		t.Fatalf("\\d's lookup: %v %v", lookup, err)
	}
	oid := lookup[0][0]
	files, _ := filepath.Glob("testdata/psql/*.sql")
	for _, f := range files {
		rows, err := catalogRows(t, p, tables, readPsql(t, filepath.Base(f), oid))
		if err != nil {
			t.Errorf("%s: %v", filepath.Base(f), err)
			continue
		}
		switch filepath.Base(f) {
		case "02_d_columns.sql":
			if len(rows) != 7 || rows[0][0] != "keen_id" || rows[3][1] != "timestamp with time zone" || rows[6][0] != "ingest_date" {
				t.Errorf("\\d attempts' columns: %v", rows)
			}
		case "09_dt.sql", "12_d_all.sql":
			if len(rows) != 2 || rows[0][0] != "assessments" || rows[0][1] != "attempts" || rows[0][2] != "table" {
				t.Errorf("%s: %v", filepath.Base(f), rows)
			}
		case "10_dn.sql":
			if len(rows) != 1 || rows[0][0] != "assessments" {
				t.Errorf("\\dn: %v", rows)
			}
		}
	}
}

func readPsql(t *testing.T, name, oid string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "psql", name))
	if err != nil {
		t.Fatal(err)
	}
	return strings.ReplaceAll(string(b), "{{oid}}", oid)
}

// The mirror holds the tenant's tables and nothing of its own: no
// pgcompat or main schema in information_schema, no writes.
func TestPGCatalogShowsOnlyTheTenantsTables(t *testing.T) {
	p := NewPGCatalog()
	rows, err := catalogRows(t, p, mirrorTables(), "SELECT table_catalog, table_schema, table_name FROM information_schema.tables ORDER BY 2, 3")
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(rows) != "[[lakegate assessments attempts] [lakegate assessments questions]]" {
		t.Errorf("information_schema.tables: %v", rows)
	}
	rows, err = catalogRows(t, p, mirrorTables()[1:], "SELECT relname FROM pg_catalog.pg_class WHERE relkind = 'r'")
	if err != nil || fmt.Sprint(rows) != "[[questions]]" {
		t.Errorf("another tenant's mirror: %v %v", rows, err)
	}
	rows, err = catalogRows(t, p, mirrorTables(), "SELECT current_schema(), version()")
	if err != nil || len(rows) != 1 || rows[0][0] != "assessments" || !strings.HasPrefix(rows[0][1], "PostgreSQL 15") {
		t.Errorf("current_schema, version: %v %v", rows, err)
	}
	for _, sql := range []string{"CREATE TABLE pgcompat.x AS SELECT 1", "DROP VIEW pgcompat.pg_class", "SELECT 1; DROP TABLE assessments.attempts",
		"COPY (SELECT 1) TO '/tmp/x.csv'", "SET search_path = main"} {
		if _, err := catalogRows(t, p, mirrorTables(), sql); lakegate.ErrorCode(err) != lakegate.EFORBIDDEN && lakegate.ErrorCode(err) != lakegate.EINVALID {
			t.Errorf("%s: %v", sql, err)
		}
	}
}
