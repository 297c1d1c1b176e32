package main

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2" // writes Parquet "landed by someone else"
)

// mustRun runs a command that must succeed and returns its stdout.
func mustRun(t *testing.T, args ...string) string {
	t.Helper()
	code, out, errs := run(t, nil, args...)
	if code != 0 {
		t.Fatalf("lakegate %s exited %d:\n%s\n%s", strings.Join(args, " "), code, out, errs)
	}
	return out
}

// wantOut fails unless out contains every one of parts.
func wantOut(t *testing.T, what, out string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(out, p) {
			t.Errorf("%s lacks %q:\n%s", what, p, out)
		}
	}
}

// writeParquet lands rows with a plain DuckDB at rel inside the lake.
func writeParquet(t *testing.T, lake, rel, selectSQL string) {
	t.Helper()
	w, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	abs := filepath.Join(lake, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(abs), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Exec(fmt.Sprintf("COPY (%s) TO '%s' (FORMAT parquet)", selectSQL, abs)); err != nil {
		t.Fatal(err)
	}
}

func count(t *testing.T, lake, table string) string {
	t.Helper()
	out := mustRun(t, "query", "--lake", lake, "--format", "csv", "SELECT count(*) AS n FROM "+table)
	return strings.TrimPrefix(strings.TrimSpace(out), "n\n")
}

// ingested is a lake with the generator's attempts ingested (managed tables).
func ingested(t *testing.T) string {
	t.Helper()
	lake := t.TempDir()
	src := filepath.Join(t.TempDir(), "a.json")
	mustRun(t, "generate", "assessments", "--attempts", "200", "-o", src)
	mustRun(t, "ingest", "assessments", src, "--lake", lake)
	return lake
}

func TestCatalogBrowse(t *testing.T) {
	lake := ingested(t)
	out := mustRun(t, "catalog", "ls", "--lake", lake)
	wantOut(t, "catalog ls", out, "TABLE", "LOCATION", "assessments.attempts", "managed", "assessments/attempts", "assessments.questions")
	out = mustRun(t, "catalog", "ls", "assessments", "--lake", lake)
	wantOut(t, "catalog ls assessments", out, "assessments.attempts")
	out = mustRun(t, "catalog", "describe", "assessments.attempts", "--lake", lake)
	wantOut(t, "catalog describe", out, "table           assessments.attempts", "type            managed",
		"COLUMN", "NULLABLE", "keen_id", "VARCHAR", "PARTITION KEY", "ingest_date", "DATE", "1 partition,")
	out = mustRun(t, "catalog", "partitions", "assessments.attempts", "--lake", lake)
	wantOut(t, "catalog partitions", out, "PARTITION", "ingest_date=", "(1 partition)")

	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"catalog", "ls", "nope"}, 1, `database "nope" not found`},
		{[]string{"catalog", "describe", "assessments.nope"}, 1, `table "assessments.nope" not found`},
		{[]string{"catalog", "describe", "attempts"}, 2, "want DB.TABLE"},
		{[]string{"catalog", "partitions"}, 2, "missing arguments"},
		{[]string{"catalog", "frob"}, 2, `unknown catalog command "frob"`},
		{[]string{"catalog"}, 2, "lakegate catalog: missing command"},
		{[]string{"catalog", "register", "--db", "x"}, 2, "--location are required"},
		{[]string{"catalog", "drop", "assessments.attempts", "--partition", "ingest_date=1999-01-01"}, 1, "not found"},
	} {
		code, out, errs := run(t, nil, append(c.args, "--lake", lake)...)
		if code != c.code || !strings.Contains(out+errs, c.want) {
			t.Errorf("lakegate %s: exit %d (want %d), output lacks %q:\n%s%s", strings.Join(c.args, " "), code, c.code, c.want, out, errs)
		}
	}
}

func TestCatalogHelp(t *testing.T) {
	for _, sub := range []string{"ls", "describe", "partitions", "register", "repair", "drop"} {
		code, out, _ := run(t, nil, "catalog", sub, "--help")
		if code != 0 || !strings.Contains(out, "lakegate catalog "+sub) || !strings.Contains(out, "--lake DIR") {
			t.Errorf("catalog %s --help: exit %d\n%s", sub, code, out)
		}
	}
	code, out, _ := run(t, nil, "catalog", "help")
	if code != 0 || !strings.Contains(out, "register") || !strings.Contains(out, "repair") {
		t.Errorf("catalog help: exit %d\n%s", code, out)
	}
	_, out, _ = run(t, nil, "help")
	wantOut(t, "lakegate help", out, "catalog")
}

func TestCatalogRegisterAndDropExternal(t *testing.T) {
	lake := t.TempDir()
	writeParquet(t, home(lake), "ext/sales/region=eu/a.parquet", "SELECT range AS id, 'x' AS name FROM range(3)")
	writeParquet(t, home(lake), "ext/sales/region=us/b.parquet", "SELECT range AS id, 'y' AS name FROM range(4)")
	out := mustRun(t, "catalog", "register", "--db", "shop", "--table", "sales", "--location", "ext/sales", "--lake", lake)
	wantOut(t, "register", out, "registered shop.sales (external) at ext/sales: 2 partitions, 2 files, 7 rows")
	if n := count(t, lake, "shop.sales"); n != "7" {
		t.Errorf("count = %s", n)
	}
	// Again, by absolute path: nothing new.
	out = mustRun(t, "catalog", "register", "--db", "shop", "--table", "sales", "--location", filepath.Join(home(lake), "ext", "sales"), "--lake", lake)
	wantOut(t, "register again", out, "nothing new")
	writeParquet(t, home(lake), "ext/sales/region=us/c.parquet", "SELECT 9 AS id, 'z' AS name")
	out = mustRun(t, "catalog", "register", "--db", "shop", "--table", "sales", "--location", "ext/sales", "--lake", lake)
	wantOut(t, "register a new file", out, "added 1 file to shop.sales", "3 files, 8 rows")

	code, _, errs := run(t, nil, "catalog", "register", "--db", "shop", "--table", "other", "--location", t.TempDir(), "--lake", lake)
	if code != 1 || !strings.Contains(errs, "outside the lake") {
		t.Errorf("outside the lake: exit %d %s", code, errs)
	}
	code, _, errs = run(t, nil, "catalog", "register", "--db", "shop", "--table", "other", "--location", "nowhere", "--lake", lake)
	if code != 1 || !strings.Contains(errs, "no Parquet files under nowhere") {
		t.Errorf("no files: exit %d %s", code, errs)
	}

	out = mustRun(t, "catalog", "drop", "shop.sales", "--partition", "region=eu", "--lake", lake)
	wantOut(t, "drop partition", out, "dropped partition region=eu of shop.sales (external): 1 partition, 1 file, 3 rows", "files kept")
	if n := count(t, lake, "shop.sales"); n != "5" {
		t.Errorf("count after dropping region=eu = %s", n)
	}
	out = mustRun(t, "catalog", "drop", "shop.sales", "--lake", lake)
	wantOut(t, "drop table", out, "dropped table shop.sales (external)", "files kept under ext/sales")
	if _, err := os.Stat(filepath.Join(home(lake), "ext/sales/region=eu/a.parquet")); err != nil {
		t.Errorf("external files removed: %v", err)
	}
	code, _, errs = run(t, nil, "query", "--lake", lake, "SELECT * FROM shop.sales")
	if code != 1 || !strings.Contains(errs, "sales") {
		t.Errorf("query after drop: exit %d %s", code, errs)
	}
}

func TestCatalogRepairAndDropManaged(t *testing.T) {
	lake := ingested(t)
	before := count(t, lake, "assessments.attempts")
	parts, _ := filepath.Glob(filepath.Join(home(lake), "assessments", "attempts", "ingest_date=*"))
	if len(parts) != 1 {
		t.Fatalf("partitions %v", parts)
	}
	// Copy a partition in by hand.
	copyDir(t, parts[0], filepath.Join(home(lake), "assessments", "attempts", "ingest_date=2030-01-01"))
	out := mustRun(t, "catalog", "repair", "assessments.attempts", "--dry-run", "--lake", lake)
	wantOut(t, "repair --dry-run", out, "new partition", "ingest_date=2030-01-01", "dry run", "nothing changed")
	if n := count(t, lake, "assessments.attempts"); n != before {
		t.Errorf("dry run changed the count: %s -> %s", before, n)
	}
	out = mustRun(t, "catalog", "repair", "assessments.attempts", "--lake", lake)
	wantOut(t, "repair", out, "new partition", "ingest_date=2030-01-01", "repaired assessments.attempts", "added 1 file, dropped 0 partitions")
	if n, want := count(t, lake, "assessments.attempts"), double(t, before); n != want {
		t.Errorf("after adding a partition: count %s, want %s", n, want)
	}
	out = mustRun(t, "catalog", "repair", "assessments.attempts", "--lake", lake)
	wantOut(t, "repair again", out, "in sync")

	// Delete the original partition directory.
	if err := os.RemoveAll(parts[0]); err != nil {
		t.Fatal(err)
	}
	out = mustRun(t, "catalog", "repair", "assessments.attempts", "--lake", lake)
	wantOut(t, "repair after delete", out, "partition gone", filepath.Base(parts[0]), "dropped 1 partition,")
	if n := count(t, lake, "assessments.attempts"); n != before {
		t.Errorf("after deleting a partition: count %s, want %s", n, before)
	}

	out = mustRun(t, "catalog", "drop", "assessments.questions", "--lake", lake)
	wantOut(t, "drop managed", out, "dropped table assessments.questions (managed)", "removed assessments/questions")
	if _, err := os.Stat(filepath.Join(home(lake), "assessments", "questions")); !os.IsNotExist(err) {
		t.Errorf("managed table's files are still there: %v", err)
	}
	out = mustRun(t, "catalog", "ls", "--lake", lake)
	if strings.Contains(out, "assessments.questions") {
		t.Errorf("dropped table still listed:\n%s", out)
	}
}

func double(t *testing.T, n string) string {
	t.Helper()
	var v int
	fmt.Sscan(n, &v)
	return fmt.Sprint(2 * v)
}

func copyDir(t *testing.T, from, to string) {
	t.Helper()
	if err := os.MkdirAll(to, 0o755); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(from)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(from, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(to, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// home is the default tenant's part of the lake, where its files land.
func home(lake string) string { return filepath.Join(lake, "tenants", "default") }
