package duckdb

import "testing"

// TestRewriteCatalogSQL: the rewrites BI tools' catalog SQL needs.
func TestRewriteCatalogSQL(t *testing.T) {
	for in, want := range map[string]string{
		// Metabase's describe-fields: a cast of a format()ted name.
		`COL_DESCRIPTION(CAST(CAST(FORMAT('%I.%I', CAST(s AS TEXT), t) AS REGCLASS) AS OID), 1)`: `COL_DESCRIPTION(CAST(to_regclass(FORMAT('%I.%I', CAST(s AS TEXT), t)) AS OID), 1)`,
		`SELECT CAST('a(b' AS regclass)`:        `SELECT to_regclass('a(b')`,
		`SELECT CAST(x AS TEXT), CAST(y AS INT`: `SELECT CAST(x AS TEXT), CAST(y AS INT`, // unclosed: left alone
		// JDBC's getSQLKeywords (DBeaver): an array literal with ALL.
		`WHERE word <> ALL ('{a,abs}'::text[])`:                      `WHERE word <> ALL (SELECT unnest(string_split('a,abs', ',')))`,
		`SELECT * FROM information_schema._pg_expandarray(i.indkey)`: `SELECT * FROM pgcompat._pg_expandarray(i.indkey)`,
	} {
		if got := rewriteCatalogSQL(in); got != want {
			t.Errorf("rewrite %s\n got %s\nwant %s", in, got, want)
		}
	}
}
