package ingest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/apache/arrow-go/v18/parquet/schema"

	"github.com/lakegate/lakegate"
	"github.com/lakegate/lakegate/generate"
)

// readTable reads every catalogued file of a table into rows keyed by
// column name (timestamps as arrow.Timestamp micros).
func (e *env) readTable(t *testing.T, table string) []map[string]any {
	t.Helper()
	return e.readTableIn(t, DefaultDatabase, table)
}

// readTableIn is readTable for a table of database db.
func (e *env) readTableIn(t *testing.T, db, table string) []map[string]any {
	t.Helper()
	ctx := context.Background()
	parts, err := e.cat.Partitions(ctx, db, table)
	if err != nil {
		t.Fatalf("partitions of %s: %v", table, err)
	}
	var rows []map[string]any
	for _, p := range parts {
		for _, f := range p.Files {
			rf, err := e.store.Open(ctx, f.Path)
			if err != nil {
				t.Fatal(err)
			}
			pr, err := file.NewParquetReader(rf)
			if err != nil {
				t.Fatal(err)
			}
			checkTimestampsLocal(t, pr.MetaData().Schema)
			fr, _ := pqarrow.NewFileReader(pr, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
			tbl, err := fr.ReadTable(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if tbl.NumRows() != f.Rows {
				t.Errorf("%s: %d rows, catalog says %d", f.Path, tbl.NumRows(), f.Rows)
			}
			tr := array.NewTableReader(tbl, 1<<20)
			for tr.Next() {
				rec := tr.RecordBatch()
				for i := 0; i < int(rec.NumRows()); i++ {
					row := map[string]any{}
					for c, fld := range rec.Schema().Fields() {
						col := rec.Column(c)
						if col.IsNull(i) {
							row[fld.Name] = nil
							continue
						}
						row[fld.Name] = col.GetOneForMarshal(i)
						if ts, ok := col.(*array.Timestamp); ok {
							row[fld.Name] = int64(ts.Value(i))
						}
					}
					rows = append(rows, row)
				}
			}
			tr.Release()
			tbl.Release()
			pr.Close()
		}
	}
	return rows
}

// checkTimestampsLocal insists TIMESTAMP columns are not adjusted to UTC,
// which DuckDB reads as TIMESTAMP (not TIMESTAMP WITH TIME ZONE).
func checkTimestampsLocal(t *testing.T, s *schema.Schema) {
	t.Helper()
	for i := 0; i < s.NumColumns(); i++ {
		if ts, ok := s.Column(i).LogicalType().(*schema.TimestampLogicalType); ok {
			if ts.IsAdjustedToUTC() || ts.TimeUnit() != schema.TimeUnitMicros {
				t.Errorf("column %s: %s, want a local microsecond timestamp", s.Column(i).Name(), ts)
			}
		}
	}
}

func byKey(rows []map[string]any, key string) map[string]map[string]any {
	m := map[string]map[string]any{}
	for _, r := range rows {
		m[fmt.Sprint(r[key])] = r
	}
	return m
}

func TestIngestQuirks(t *testing.T) {
	e := newEnv(t)
	s := e.ingest(t, "testdata/quirks.ndjson")
	checkReconciles(t, s)
	if s.Read != 8 || s.Landed != 8 || s.Rejected != 0 || s.Questions != 6 || len(s.Batches) != 1 {
		t.Fatalf("summary:\n%s", s)
	}
	att := byKey(e.readTable(t, tableAttempts), "keen_id")
	k1 := att["k1-full"]
	for col, want := range map[string]any{
		"keen_timestamp": int64(1516717442735266), "certification": false, "max_attempts": 1.0,
		"score": 0.5, "duration_seconds": 150.0, "question_count": int64(2), "is_test": false,
		"source_file": "testdata/quirks.ndjson", "source_record": int64(1), "batch_id": s.Batches[0],
	} {
		if k1[col] != want {
			t.Errorf("k1-full %s = %v (%T), want %v", col, k1[col], k1[col], want)
		}
	}
	if att["k2-missing-counts"]["score"] != nil || att["k2-missing-counts"]["correct"] != nil {
		t.Errorf("missing counts must be NULL: %v", att["k2-missing-counts"])
	}
	if att["k6-test-row"]["is_test"] != true {
		t.Errorf("example-id must be a test row")
	}
	qs := e.readTable(t, tableQuestions)
	if len(qs) != 6 {
		t.Errorf("%d question rows, want 6", len(qs))
	}
	raw := e.readTable(t, tableRaw)
	if len(raw) != 8 || raw[0]["record_hash"] != k1["record_hash"] || !strings.HasPrefix(raw[0]["json"].(string), `{"keen_timestamp":"1516717442.735266"`) {
		t.Errorf("raw: %d rows, first %v", len(raw), raw[0])
	}
	tables, err := e.cat.Tables(context.Background(), DefaultDatabase)
	if err != nil || len(tables) != 4 {
		t.Fatalf("tables: %v %v", tables, err)
	}
	for _, tb := range tables {
		if len(tb.PartitionKeys) != 1 || tb.PartitionKeys[0].Name != "ingest_date" || tb.PartitionKeys[0].Type != "DATE" {
			t.Errorf("%s partition keys %v", tb.Name, tb.PartitionKeys)
		}
	}
	parts, _ := e.cat.Partitions(context.Background(), DefaultDatabase, tableAttempts)
	if len(parts) != 1 || parts[0].Name != "ingest_date=2026-11-21" || !strings.HasPrefix(parts[0].Files[0].Path, "assessments/attempts/ingest_date=2026-11-21/part-"+s.Batches[0]) {
		t.Errorf("partitions %+v", parts)
	}
}

func TestIngestRejectsAndDuplicates(t *testing.T) {
	e := newEnv(t)
	s := e.ingest(t, "testdata/rejects.ndjson")
	checkReconciles(t, s)
	if s.Read != 10 || s.Landed != 2 || s.Duplicates != 1 || s.Rejected != 7 {
		t.Fatalf("summary:\n%s", s)
	}
	rej := e.readTable(t, tableRejects)
	if len(rej) != 7 {
		t.Fatalf("%d rejects", len(rej))
	}
	want := map[int64]string{
		2: "field keen_id: missing", 3: "field exam_name: got a JSON number", 4: "field certification",
		5: "field started_at", 6: "line break inside a string", 7: "field sequences.counts.correct",
		8: "field sequences.questions",
	}
	lines := readLines(t, "testdata/rejects.ndjson")
	var off int64
	offsets := map[int64]int64{}
	for i, l := range lines {
		offsets[int64(i+1)] = off
		off += int64(len(l)) + 1
	}
	for _, r := range rej {
		n := r["source_record"].(int64)
		if !strings.Contains(r["reason"].(string), want[n]) {
			t.Errorf("record %d: reason %q, want %q", n, r["reason"], want[n])
		}
		if r["source_offset"] != offsets[n] || r["raw"] != string(lines[n-1]) || r["source_file"] != "testdata/rejects.ndjson" {
			t.Errorf("record %d: %v", n, r)
		}
	}
	if att := e.readTable(t, tableAttempts); len(att) != 2 {
		t.Errorf("%d attempts, want 2", len(att))
	}
}

// TestIngestUnknownFields: a top-level field no column holds lands in raw
// and the summary names it with its count, in the text and the JSON.
func TestIngestUnknownFields(t *testing.T) {
	e := newEnv(t)
	p := filepath.Join(t.TempDir(), "extra.ndjson")
	rec := `{"keen_id":"k%d","exam_name":"Git","started_at":"2018-01-23T14:23:19.082Z","browser":"firefox"%s}`
	body := fmt.Sprintf(rec, 1, "") + "\n" + fmt.Sprintf(rec, 2, `,"utm":{"source":"x"}`) + "\n" + fmt.Sprintf(rec, 3, "") + "\n"
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	s := e.ingest(t, p)
	if s.Landed != 3 || s.UnknownFields["browser"] != 3 || s.UnknownFields["utm"] != 1 || len(s.UnknownFields) != 2 {
		t.Fatalf("summary:\n%s%v", s, s.UnknownFields)
	}
	if !strings.Contains(s.String(), "unknown fields (kept only in assessments.raw's json): browser in 3 records, utm in 1 records") {
		t.Errorf("summary text:\n%s", s)
	}
	if b, _ := json.Marshal(s); !strings.Contains(string(b), `"unknown_fields":{"browser":3,"utm":1}`) {
		t.Errorf("summary JSON: %s", b)
	}
}

// genFile writes a generated file and returns its path.
func genFile(t testing.TB, dir, name string, opt generate.Options) (string, generate.Stats) {
	t.Helper()
	p := filepath.Join(dir, name)
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	st, err := generate.Assessments(f, opt)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	return p, st
}

func TestIngestReingestAndOverlap(t *testing.T) {
	e := newEnv(t)
	dir := t.TempDir()
	nd, st := genFile(t, dir, "a.ndjson", generate.Options{Attempts: 2000, Seed: 7, Format: "ndjson"})
	arr, _ := genFile(t, dir, "a.json", generate.Options{Attempts: 3000, Seed: 7, Format: "array"})
	s1 := e.ingest(t, nd)
	checkReconciles(t, s1)
	if s1.Landed != st.Unique || s1.Duplicates != st.Duplicates {
		t.Fatalf("landed %d dup %d, generator says unique %d dup %d", s1.Landed, s1.Duplicates, st.Unique, st.Duplicates)
	}
	v1, _ := e.cat.Version(context.Background())
	s2 := e.ingest(t, nd)
	v2, _ := e.cat.Version(context.Background())
	if s2.SkippedFiles != 1 || s2.Landed != 0 || v2 != v1 || !strings.Contains(s2.String(), "already ingested in batch "+s1.Batches[0]) {
		t.Fatalf("re-ingest (version %d -> %d):\n%s", v1, v2, s2)
	}
	// The array file starts with the same 2000 records: they dedupe
	// against the first batch, whatever the layout.
	s3 := e.ingest(t, arr)
	checkReconciles(t, s3)
	att := e.readTable(t, tableAttempts)
	if int64(len(att)) != s1.Landed+s3.Landed || s3.Duplicates < 2000 {
		t.Fatalf("overlap: %d attempts rows; second file:\n%s", len(att), s3)
	}
	seen := map[any]bool{}
	for _, r := range att {
		if seen[r["record_hash"]] {
			t.Fatalf("record %v landed twice", r["record_hash"])
		}
		seen[r["record_hash"]] = true
	}
	// A new run loads the landed hashes from the raw table.
	gz := gzipCopy(t, arr)
	s4 := e.ingest(t, gz)
	if s4.Landed != 0 || s4.Duplicates != 3000 {
		t.Fatalf("gzip copy of a landed file:\n%s", s4)
	}
}

func gzipCopy(t *testing.T, p string) string {
	t.Helper()
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := newGzipWriter(&buf)
	zw.Write(data)
	zw.Close()
	out := p + ".gz"
	os.WriteFile(out, buf.Bytes(), 0o644)
	return out
}

func TestIngestBadInputs(t *testing.T) {
	e := newEnv(t)
	good := writeFile(t, "good.json", `[{"keen_id":"a"}]`)
	notJSON := writeFile(t, "x.json", "x,y\n1,2\n")
	s, err := Assessments(context.Background(), e.opts(), "missing.json", notJSON, good)
	if lakegate.ErrorCode(err) != lakegate.ENOTFOUND || lakegate.ErrorMessage(err) != "open missing.json: no such file" {
		t.Fatalf("got %v", err)
	}
	if s.Landed != 1 || s.Files != 3 || s.FailedFiles != 2 {
		t.Errorf("the good file must still land and the two bad ones count as failed:\n%s", s)
	}
	text := s.String()
	if !strings.Contains(text, "3 files (2 failed, see the notes)") || strings.Contains(text, "x.json: "+notJSON) {
		t.Errorf("summary must count failed files and name each once:\n%s", text)
	}
	if !strings.Contains(text, "x.json: expected a JSON array") || !strings.Contains(text, "found") && !strings.Contains(text, "'x'") {
		t.Errorf("summary must explain the bad file:\n%s", text)
	}
	_, err = Assessments(context.Background(), e.opts(), notJSON)
	if lakegate.ErrorCode(err) != lakegate.EINVALID || !strings.Contains(lakegate.ErrorMessage(err), "x.json") {
		t.Errorf("not JSON: %v", err)
	}
}

// failStore fails the nth Rename.
type failStore struct {
	lakegate.Store
	renames, failAt int
}

func (f *failStore) Rename(ctx context.Context, from, to string) error {
	f.renames++
	if f.renames == f.failAt {
		return lakegate.Errorf(lakegate.EUNAVAILABLE, "injected rename failure")
	}
	return f.Store.Rename(ctx, from, to)
}

// failCatalog fails Commit.
type failCatalog struct{ lakegate.Catalog }

func (failCatalog) Commit(context.Context, lakegate.Change) (int64, error) {
	return 0, lakegate.Errorf(lakegate.EUNAVAILABLE, "injected commit failure")
}

func TestIngestAtomic(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts func(e *env) Options
	}{
		{"rename fails", func(e *env) Options {
			o := e.opts()
			o.Store = &failStore{Store: e.store, failAt: 3}
			return o
		}},
		{"commit fails", func(e *env) Options {
			o := e.opts()
			o.Catalog = failCatalog{e.cat}
			return o
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			_, err := Assessments(context.Background(), e.opts(), "testdata/quirks.ndjson")
			if err != nil {
				t.Fatal(err)
			}
			before, _ := e.cat.Version(context.Background())
			files := lakeFiles(t, e.store.Root())
			s, err := Assessments(context.Background(), tc.opts(e), "testdata/rejects.ndjson")
			if lakegate.ErrorCode(err) != lakegate.EUNAVAILABLE || len(s.Batches) != 0 {
				t.Fatalf("got %v\n%s", err, s)
			}
			after, _ := e.cat.Version(context.Background())
			if after != before {
				t.Errorf("catalog version %d -> %d", before, after)
			}
			if got := lakeFiles(t, e.store.Root()); strings.Join(got, "\n") != strings.Join(files, "\n") {
				t.Errorf("files left behind:\nbefore %v\nafter  %v", files, got)
			}
		})
	}
}

// lakeFiles lists the data files of the lake (not the catalog's own).
func lakeFiles(t *testing.T, root string) []string {
	t.Helper()
	var out []string
	filepath.Walk(root, func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() && !strings.Contains(p, "_catalog") {
			rel, _ := filepath.Rel(root, p)
			out = append(out, rel)
		}
		return nil
	})
	return out
}

func TestStaleStagingRemoved(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	for _, p := range []string{"_staging/old/attempts/part-00000.parquet", "_staging/new/attempts/part-00000.parquet"} {
		w, _ := e.store.Create(ctx, p)
		w.Close()
	}
	old := fixedNow().Add(-2 * staleStaging)
	for _, p := range []string{"_staging/old/attempts/part-00000.parquet", "_staging/old/attempts", "_staging/old"} {
		os.Chtimes(filepath.Join(e.store.Root(), p), old, old)
	}
	o := e.opts()
	o.Now = func() time.Time { return fixedNow() }
	if _, err := Assessments(ctx, o); err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.List(ctx, "_staging/old"); lakegate.ErrorCode(err) != lakegate.ENOTFOUND {
		t.Errorf("stale staging kept: %v", err)
	}
	if _, err := e.store.List(ctx, "_staging/new"); err != nil {
		t.Errorf("fresh staging removed: %v", err)
	}
}
