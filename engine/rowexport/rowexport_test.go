package rowexport_test

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"

	"github.com/lakegate/lakegate"
	"github.com/lakegate/lakegate/engine/duckdb"
	"github.com/lakegate/lakegate/engine/enginetest"
	"github.com/lakegate/lakegate/engine/rowexport"
	"github.com/lakegate/lakegate/internal/peertest"
)

// everyType is one row of every type an engine reports, and a row of
// NULLs.
const everyType = `SELECT * FROM (VALUES
  (1::BIGINT, 2::INTEGER, 3::SMALLINT, 1.5::DOUBLE, 2.5::FLOAT, true, 'Grüße'::VARCHAR, '\xAB\x01'::BLOB,
   DATE '2026-01-02', TIMESTAMP '2026-01-02 10:00:00.123456', TIMESTAMPTZ '2026-01-02 10:00:00+00', TIME '12:34:56.5',
   12.34::DECIMAL(10,2), -0.0500::DECIMAL(38,4), [1, 2, NULL], MAP {'a': 1, 'b': 2}, {'x': 1, 'y': 'a'},
   [{'x': 1}], INTERVAL 3 DAY, '6f1c4b8e-0000-4000-8000-000000000001'::UUID),
  (NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)
) AS t(b, i, s, d, f, ok, v, bl, dt, ts, tz, tm, dec, dec2, l, m, st, ls, iv, u)`

func engine(t *testing.T) lakegate.Engine {
	l := enginetest.NewLake(t)
	e, err := duckdb.Open(context.Background(), duckdb.Options{Catalog: l.Catalog, Store: l.Store, LakeDir: l.Dir, Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

// export writes q in format to a file of the test and returns its path.
func export(t *testing.T, x *rowexport.Exporter, q, format string, limit int) (string, lakegate.ExportFile) {
	t.Helper()
	f, err := x.Export(context.Background(), lakegate.Query{ID: "t", SQL: q}, format, limit)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	name := filepath.Join(t.TempDir(), "out."+format)
	out, _ := os.Create(name)
	n, err := io.Copy(out, f)
	out.Close()
	if err != nil || n != f.Size() {
		t.Fatalf("read %d bytes of %d: %v", n, f.Size(), err)
	}
	return name, f
}

// TestReadBack: DuckDB's own reader (another implementation than
// arrow-go's writer) reads the Parquet export back as the query's values.
func TestReadBack(t *testing.T) {
	x := &rowexport.Exporter{Engine: engine(t), Dir: t.TempDir()}
	name, f := export(t, x, everyType, lakegate.FormatParquet, 0)
	if f.Rows() != 2 || f.Truncated() {
		t.Errorf("rows %d truncated %v", f.Rows(), f.Truncated())
	}
	db, _ := sql.Open("duckdb", "")
	defer db.Close()
	var same bool
	q := fmt.Sprintf(`SELECT count(*) = 2 FROM (SELECT * EXCLUDE (u, iv) FROM read_parquet('%s') INTERSECT ALL SELECT * EXCLUDE (u, iv) FROM (%s))`, name, everyType)
	if err := db.QueryRow(q).Scan(&same); err != nil || !same {
		var got string
		db.QueryRow(fmt.Sprintf(`SELECT string_agg(t::VARCHAR, ' | ') FROM read_parquet('%s') t`, name)).Scan(&got)
		t.Errorf("the parquet export differs from the query (%v): %s", err, got)
	}
	var u string
	if err := db.QueryRow(fmt.Sprintf(`SELECT u FROM read_parquet('%s') WHERE u IS NOT NULL`, name)).Scan(&u); err != nil || u != "6f1c4b8e-0000-4000-8000-000000000001" {
		t.Errorf("uuid as text: %q %v", u, err)
	}
	var days int
	if err := db.QueryRow(fmt.Sprintf(`SELECT iv.days FROM read_parquet('%s') WHERE iv IS NOT NULL`, name)).Scan(&days); err != nil || days != 3 {
		t.Errorf("interval as {months, days, micros}: %d %v", days, err)
	}
	if left, _ := os.ReadDir(x.Dir); len(left) != 0 {
		t.Errorf("spill files left after Close: %v", left)
	}
}

// TestPyArrow: pyarrow, an independent decoder, reads both formats.
func TestPyArrow(t *testing.T) {
	py := peertest.Env(t, "LAKEGATE_TEST_PYTHON", "python")
	x := &rowexport.Exporter{Engine: engine(t), Dir: t.TempDir()}
	pq, _ := export(t, x, everyType, lakegate.FormatParquet, 0)
	ar, _ := export(t, x, everyType, lakegate.FormatArrow, 0)
	script := `
import sys, pyarrow.parquet as pq, pyarrow.ipc as ipc
a = pq.read_table(sys.argv[1]).to_pylist()
b = ipc.open_stream(open(sys.argv[2], "rb")).read_all().to_pylist()
ivs = (a[0].pop("iv")["days"], b[0].pop("iv").days)  # a struct in Parquet, Arrow's interval in Arrow
a[1].pop("iv"); b[1].pop("iv")
assert a == b, (a, b)
r = a[0]
print(r["b"], r["v"], r["dec"], r["dec2"], r["l"], r["m"], r["st"], r["ts"].isoformat(), r["tz"].isoformat(), r["dt"], ivs, a[1]["b"])
`
	out, err := exec.Command(py, "-c", script, pq, ar).CombinedOutput()
	want := "1 Grüße 12.34 -0.0500 [1, 2, None] [('a', 1), ('b', 2)] {'x': 1, 'y': 'a'} 2026-01-02T10:00:00.123456 2026-01-02T10:00:00+00:00 2026-01-02 (3, 3) None"
	if err != nil || strings.TrimSpace(string(out)) != want {
		t.Errorf("pyarrow: %v\n got %s\nwant %s", err, out, want)
	}
}

func TestLimitAndFormats(t *testing.T) {
	x := &rowexport.Exporter{Engine: engine(t), Dir: t.TempDir()}
	_, f := export(t, x, "SELECT range AS i FROM range(200000)", lakegate.FormatArrow, 100001)
	if f.Rows() != 100001 || !f.Truncated() {
		t.Errorf("limit: rows %d truncated %v", f.Rows(), f.Truncated())
	}
	if _, err := x.Export(context.Background(), lakegate.Query{SQL: "SELECT 1"}, lakegate.FormatCSV, 0); lakegate.ErrorCode(err) != lakegate.EINVALID {
		t.Errorf("csv: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := x.Export(ctx, lakegate.Query{SQL: "SELECT range FROM range(1000000)"}, lakegate.FormatParquet, 0); err == nil {
		t.Errorf("a canceled export succeeded")
	}
	if left, _ := os.ReadDir(x.Dir); len(left) != 0 {
		t.Errorf("spill files left: %v", left)
	}
}
