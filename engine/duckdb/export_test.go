package duckdb_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/ipc"

	"github.com/lakegate/lakegate"
	"github.com/lakegate/lakegate/engine/duckdb"
	"github.com/lakegate/lakegate/engine/enginetest"
)

// openSpill opens the engine with its own spill directory and returns
// the directory the engine made in it.
func openSpill(t *testing.T) (*duckdb.DB, string) {
	t.Helper()
	l := enginetest.NewLake(t)
	base := t.TempDir()
	db, err := duckdb.Open(context.Background(), duckdb.Options{
		Catalog: l.Catalog, Store: l.Store, LakeDir: l.Dir, Threads: 2, MemoryLimit: "1GB", SpillDir: base,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	dirs, _ := filepath.Glob(filepath.Join(base, "lakegate-spill-*"))
	if len(dirs) != 1 {
		t.Fatalf("spill directories %v, want one", dirs)
	}
	return db, dirs[0]
}

// spillEmpty fails when an export left a file behind.
func spillEmpty(t *testing.T, dir string) {
	t.Helper()
	os.Chmod(dir, 0o700) // the engine keeps it unlistable (TestSpillNotListable)
	defer os.Chmod(dir, 0o300)
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		t.Errorf("spill file left behind: %s", e.Name())
	}
}

func export(t *testing.T, db *duckdb.DB, q lakegate.Query, format string, limit int) ([]byte, lakegate.ExportFile) {
	t.Helper()
	f, err := db.Export(context.Background(), q, format, limit)
	if err != nil {
		t.Fatalf("export %s of %q: %v", format, q.SQL, err)
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	if err != nil {
		t.Fatal(err)
	}
	if f.Size() >= 0 && int64(len(b)) != f.Size() {
		t.Errorf("read %d bytes, Size says %d", len(b), f.Size())
	}
	return b, f
}

const typedSQL = `SELECT * FROM (VALUES
 (1, 'plain', TIMESTAMP '2018-01-23 14:23:19.082', 1.5::DOUBLE, [1, 2], '\xAA'::BLOB),
 (2, 'a,"quoted"
 line', NULL, 'nan'::DOUBLE, NULL, NULL)) t(id, name, ts, score, list, raw) ORDER BY id`

func TestExportFormats(t *testing.T) {
	db, spill := openSpill(t)
	q := lakegate.Query{ID: "q1", SQL: typedSQL}
	wantHeader := []string{"id", "name", "ts", "score", "list", "raw"}
	wantRows := [][]string{
		{"1", "plain", "2018-01-23 14:23:19.082", "1.5", "[1,2]", "qg=="}, // as DuckDB writes CSV
		{"2", "a,\"quoted\"\n line", "", "nan", "", ""},
	}
	for _, format := range []string{"csv", "tsv"} {
		t.Run(format, func(t *testing.T) {
			b, f := export(t, db, q, format, 0)
			r := csv.NewReader(bytes.NewReader(b))
			if format == "tsv" {
				r.Comma = '\t'
			}
			recs, err := r.ReadAll()
			if err != nil {
				t.Fatalf("%v\n%s", err, b)
			}
			if got := strings.Join(recs[0], "|"); got != strings.Join(wantHeader, "|") {
				t.Errorf("header %q", got)
			}
			for i, want := range wantRows {
				if strings.Join(recs[i+1], "|") != strings.Join(want, "|") {
					t.Errorf("row %d = %q, want %q", i, recs[i+1], want)
				}
			}
			if f.Rows() != 2 || f.Truncated() || len(f.Columns()) != 6 || f.Columns()[2].Type != "TIMESTAMP" {
				t.Errorf("rows %d truncated %v columns %v", f.Rows(), f.Truncated(), f.Columns())
			}
		})
	}
	t.Run("ndjson", func(t *testing.T) {
		b, _ := export(t, db, q, "ndjson", 0)
		var rows []map[string]any
		sc := bufio.NewScanner(bytes.NewReader(b))
		for sc.Scan() {
			var m map[string]any
			if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
				t.Fatalf("line %q: %v", sc.Text(), err)
			}
			rows = append(rows, m)
		}
		if len(rows) != 2 || rows[0]["ts"] != "2018-01-23T14:23:19.082Z" || rows[0]["score"] != 1.5 ||
			rows[1]["score"] != "NaN" || rows[1]["ts"] != nil || rows[0]["raw"] != "qg==" || rows[0]["id"] != 1.0 {
			t.Errorf("rows %v", rows)
		}
		if l, ok := rows[0]["list"].([]any); !ok || len(l) != 2 {
			t.Errorf("list %v", rows[0]["list"])
		}
	})
	t.Run("arrow", func(t *testing.T) {
		b, _ := export(t, db, q, "arrow", 0)
		r, err := ipc.NewReader(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		defer r.Release()
		s := r.Schema()
		if s.NumFields() != 6 || s.Field(0).Name != "id" || s.Field(2).Type.String() != "timestamp[us]" {
			t.Errorf("schema %v", s)
		}
		n := 0
		for r.Next() {
			rec := r.RecordBatch()
			n += int(rec.NumRows())
			if rec.Column(2).IsNull(1) != true {
				t.Errorf("NULL timestamp lost")
			}
		}
		if n != 2 || r.Err() != nil {
			t.Errorf("rows %d err %v", n, r.Err())
		}
	})
	t.Run("parquet", func(t *testing.T) {
		b, _ := export(t, db, q, "parquet", 0)
		got := enginetest.ReadParquet(t, b, "SELECT typeof(id), typeof(ts), CAST(ts AS VARCHAR), typeof(list), count(*) OVER () FROM p ORDER BY id")
		want := "INTEGER|TIMESTAMP|2018-01-23 14:23:19.082|INTEGER[]|2"
		if got[0] != want {
			t.Errorf("parquet row %q, want %q", got[0], want)
		}
	})
	spillEmpty(t, spill)
}

func TestExportLimit(t *testing.T) {
	db, spill := openSpill(t)
	q := lakegate.Query{SQL: "SELECT i, 'x\ny' AS s FROM range(10) t(i) ORDER BY i"}
	for _, c := range []struct {
		format    string
		limit     int
		rows      int64
		truncated bool
	}{
		{"csv", 3, 3, true}, {"csv", 10, 10, false}, {"csv", 0, 10, false},
		{"tsv", 4, 4, true}, {"ndjson", 5, 5, true}, {"ndjson", 11, 10, false},
		{"parquet", 3, 3, true}, {"arrow", 7, 7, true}, {"arrow", 0, 10, false},
	} {
		b, f := export(t, db, q, c.format, c.limit)
		if f.Rows() != c.rows || f.Truncated() != c.truncated {
			t.Errorf("%s limit %d: rows %d truncated %v, want %d %v", c.format, c.limit, f.Rows(), f.Truncated(), c.rows, c.truncated)
		}
		var n int
		switch c.format {
		case "csv", "tsv":
			r := csv.NewReader(bytes.NewReader(b))
			r.Comma = map[string]rune{"csv": ',', "tsv": '\t'}[c.format]
			recs, err := r.ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			n = len(recs) - 1
		case "ndjson":
			n = bytes.Count(b, []byte("\n"))
		case "parquet":
			n = len(enginetest.ReadParquet(t, b, "SELECT * FROM p"))
		case "arrow":
			r, err := ipc.NewReader(bytes.NewReader(b))
			if err != nil {
				t.Fatal(err)
			}
			for r.Next() {
				n += int(r.RecordBatch().NumRows())
			}
			r.Release()
		}
		if int64(n) != c.rows {
			t.Errorf("%s limit %d: decoded %d rows, want %d", c.format, c.limit, n, c.rows)
		}
	}
	spillEmpty(t, spill)
}

func TestExportSplice(t *testing.T) {
	db, spill := openSpill(t)
	for _, text := range []string{"SELECT 1 AS a --", "SELECT 1 AS a;", "SELECT 1 AS a; -- done\n;", "SELECT 1 AS a /* c */", "SELECT '--;' AS a"} {
		b, _ := export(t, db, lakegate.Query{SQL: text}, "csv", 0)
		if !strings.HasPrefix(string(b), "a\n") {
			t.Errorf("%q exported %q", text, b)
		}
	}
	outside := filepath.Join(t.TempDir(), "evil.csv")
	for _, text := range []string{
		"SELECT 1) TO '" + outside + "' (FORMAT csv) --",
		"SELECT 1 --\n) TO '" + outside + "' (FORMAT csv); SELECT (1",
		"COPY (SELECT 1) TO '" + outside + "'",
		"EXPLAIN SELECT 1",
		"EXPLAIN ANALYZE SELECT 1",
	} {
		f, err := db.Export(context.Background(), lakegate.Query{SQL: text}, "csv", 0)
		if err == nil {
			f.Close()
			t.Errorf("%q was exported", text)
			continue
		}
		if code := lakegate.ErrorCode(err); code != lakegate.EINVALID && code != lakegate.EFORBIDDEN {
			t.Errorf("%q: %v", text, err)
		}
		if _, err := os.Stat(outside); err == nil {
			t.Fatalf("%q wrote %s", text, outside)
		}
	}
	if _, err := db.Export(context.Background(), lakegate.Query{SQL: "EXPLAIN SELECT 1"}, "csv", 0); lakegate.ErrorCode(err) != lakegate.EINVALID ||
		!strings.Contains(lakegate.ErrorMessage(err), "EXPLAIN") {
		t.Errorf("EXPLAIN export: %v", err)
	}
	spillEmpty(t, spill)
}

func TestExportParams(t *testing.T) {
	db, _ := openSpill(t)
	b, _ := export(t, db, lakegate.Query{SQL: "SELECT $n::INT + 1 AS x, $s AS s", Params: map[string]any{"n": int64(41), "s": "hi"}}, "csv", 0)
	if string(b) != "x,s\n42,hi\n" {
		t.Errorf("named params: %q", b)
	}
	b, _ = export(t, db, lakegate.Query{SQL: "SELECT ?::INT * 2 AS x", Params: []any{int64(21)}}, "ndjson", 0)
	if string(b) != "{\"x\":42}\n" {
		t.Errorf("positional params: %q", b)
	}
	if _, err := db.Export(context.Background(), lakegate.Query{SQL: "SELECT $n AS x"}, "csv", 0); lakegate.ErrorCode(err) != lakegate.EINVALID {
		t.Errorf("missing param: %v", err)
	}
}

func TestExportFailuresLeaveNoFile(t *testing.T) {
	db, spill := openSpill(t)
	// A conversion error before the answer starts: Export fails.
	_, err := db.Export(context.Background(), lakegate.Query{SQL: "SELECT CASE WHEN i = 1000 THEN 'x'::INT ELSE i END AS i FROM range(2000000) t(i)"}, "csv", 0)
	if lakegate.ErrorCode(err) != lakegate.EINVALID {
		t.Errorf("early error: %v", err)
	}
	spillEmpty(t, spill)
	// After many rows were written (and streamed): reading fails.
	late := "SELECT CASE WHEN i = 1500000 THEN 'x'::INT ELSE i END AS i FROM range(2000000) t(i)"
	if code := readAll(t, db, context.Background(), late); code != lakegate.EINVALID {
		t.Errorf("late error: %s", code)
	}
	spillEmpty(t, spill)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if code := readAll(t, db, ctx, "SELECT i, i * 2 FROM range(10000000000) t(i)"); code != lakegate.ETIMEOUT {
		t.Errorf("timeout: %s", code)
	}
	spillEmpty(t, spill)
	// Closing an Arrow export before reading it all stops the conversion.
	f, err := db.Export(context.Background(), lakegate.Query{SQL: "SELECT * FROM range(1000000)"}, "arrow", 0)
	if err != nil {
		t.Fatal(err)
	}
	io.CopyN(io.Discard, f, 1000)
	if err := f.Close(); err != nil {
		t.Error(err)
	}
	spillEmpty(t, spill)
}

func TestExportSpillRemovedAtClose(t *testing.T) {
	db, spill := openSpill(t)
	f, err := db.Export(context.Background(), lakegate.Query{SQL: "SELECT 1"}, "parquet", 0)
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	db.Close()
	if _, err := os.Stat(spill); !os.IsNotExist(err) {
		t.Errorf("spill directory still there after Close: %v", err)
	}
}

// TestSpillNotListable: queries may write into the spill directory (COPY
// needs it allowed), so it is write-and-search only and export names are
// random: a user cannot find another's export being written.
func TestSpillNotListable(t *testing.T) {
	db, spill := openSpill(t)
	fi, err := os.Stat(spill)
	if err != nil {
		t.Fatal(err)
	}
	if mode := fi.Mode().Perm(); mode != 0o300 {
		t.Errorf("spill directory mode %o, want 300", mode)
	}
	if os.Geteuid() == 0 {
		t.Log("running as root, which lists any directory: the glob check needs an ordinary user")
		return
	}
	for _, sql := range []string{
		"SELECT count(*) FROM glob('" + spill + "/*')",
		"SELECT count(*) FROM glob('" + spill + "/**')",
	} {
		if got := enginetest.Scalar(t, db, sql, nil); got != "0" {
			t.Errorf("%s = %s, want 0", sql, got)
		}
	}
}

// readAll exports sql as CSV, reads the whole answer and closes it; it
// returns the error code of Export or, for a streamed export that failed
// after it started, of Read ("" when all went well).
func readAll(t *testing.T, db *duckdb.DB, ctx context.Context, sql string) string {
	t.Helper()
	f, err := db.Export(ctx, lakegate.Query{SQL: sql}, "csv", 0)
	if err != nil {
		return lakegate.ErrorCode(err)
	}
	defer f.Close()
	if _, err := io.Copy(io.Discard, f); err != nil {
		return lakegate.ErrorCode(err)
	}
	return ""
}

// TestExportStreamsWhileWritten: an unlimited CSV export starts before
// COPY finished, and its rows are all there, in order, at the end.
func TestExportStreamsWhileWritten(t *testing.T) {
	db, spill := openSpill(t)
	f, err := db.Export(context.Background(), lakegate.Query{SQL: "SELECT i, 'row ' || i AS s FROM range(3000000) t(i) ORDER BY i"}, "csv", 0)
	if err != nil {
		t.Fatal(err)
	}
	if f.Rows() != -1 && f.Rows() != 3000000 {
		t.Errorf("rows before reading: %d", f.Rows())
	}
	sc := bufio.NewScanner(f)
	n := -1 // the header
	for sc.Scan() {
		if n >= 0 && sc.Text() != fmt.Sprintf("%d,row %d", n, n) {
			t.Fatalf("line %d: %q", n, sc.Text())
		}
		n++
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if n != 3000000 || f.Rows() != 3000000 {
		t.Errorf("read %d rows, Rows() = %d, want 3000000", n, f.Rows())
	}
	f.Close()
	spillEmpty(t, spill)
}
