package catalog_test

import (
	"context"
	"fmt"
	"hash/crc32"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/lakegate/lakegate"
	"github.com/lakegate/lakegate/catalog"
	ct "github.com/lakegate/lakegate/catalog/catalogtest"
)

func TestEmbeddedConformance(t *testing.T) {
	ct.Run(t, func(t *testing.T) (lakegate.Catalog, func(t *testing.T) lakegate.Catalog) {
		dir := t.TempDir()
		another := func(t *testing.T) lakegate.Catalog { return open(t, dir) }
		return another(t), another
	})
}

func open(t testing.TB, dir string) *catalog.Embedded {
	t.Helper()
	c, err := catalog.OpenEmbedded(dir)
	if err != nil {
		t.Fatalf("OpenEmbedded: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func logPath(dir string) string { return filepath.Join(dir, catalog.LogFile) }

func appendRaw(t *testing.T, dir, s string) {
	t.Helper()
	f, err := os.OpenFile(logPath(dir), os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(s); err != nil {
		t.Fatal(err)
	}
}

func TestReopenReloadsIdenticalState(t *testing.T) {
	dir := t.TempDir()
	c := open(t, dir)
	for i := range 3 {
		ch := ct.AddFiles("db", "t", fmt.Sprintf("2026-11-2%d", i), fmt.Sprintf("db/t/%d.parquet", i))
		ch.Batches = []lakegate.Batch{{ID: fmt.Sprint("b", i), Checksum: "sha"}}
		ch.Tables[0].Table.Description = "<attempts> & \"more\"" // HTML-escaped by encoding/json
		ct.MustCommit(t, c, ch)
	}
	ch := ct.AddFiles("db", "t", "2026-11-24", "db/t/x.parquet")
	ch.Tables[0].Table.Columns = append(ct.Cols(), lakegate.Column{Name: "extra", Type: "DOUBLE"})
	ch.Tables[0].Table.Properties = map[string]string{"k": "v"}
	ct.MustCommit(t, c, ch)
	ch = ct.AddFiles("db", "x", "2026-11-24", "db/x/x.parquet")
	ch.Tables[0].Table.Type = lakegate.TableExternal
	ct.MustCommit(t, c, ch)
	ct.MustCommit(t, c, lakegate.Change{DropPartitions: []lakegate.PartitionRef{{Database: "db", Table: "t", Name: "ingest_date=2026-11-20"}}})
	ch = ct.AddFiles("db", "x", "2026-11-24", "db/x/y.parquet")
	ch.DropTables = []lakegate.TableRef{{Database: "db", Name: "x"}}
	ct.MustCommit(t, c, ch)
	ct.MustCommit(t, c, lakegate.Change{DropTables: []lakegate.TableRef{{Database: "db", Name: "x"}}})
	before := ct.Snap(t, c)
	delta, _ := c.Changes(context.Background(), 3)
	batches, _ := c.Batches(context.Background(), "sha")

	re := open(t, dir)
	ct.SameSnap(t, ct.Snap(t, re), before)
	if got, _ := re.Batches(context.Background(), "sha"); fmt.Sprint(got) != fmt.Sprint(batches) || len(got) != 3 {
		t.Fatalf("batches after reopen = %+v, want %+v", got, batches)
	}
	if got, _ := re.Changes(context.Background(), 3); !reflect.DeepEqual(got, delta) || len(got.Dropped) != 1 {
		t.Fatalf("Changes(3) after reopen = %+v, want %+v", got, delta)
	}
}

// A log written before tables had types, properties and drops replays: its
// tables are managed.
func TestOldLogReplays(t *testing.T) {
	dir := t.TempDir()
	change := `{"tables":[{"table":{"database":"db","name":"t","location":"","format":"","columns":[{"name":"a","type":"BIGINT"}],` +
		`"partition_keys":[],"created":"0001-01-01T00:00:00Z","updated":"0001-01-01T00:00:00Z","schema_version":0,"version":0,` +
		`"stats":{"rows":0,"bytes":0,"files":0,"partitions":0}},"partitions":[{"name":"","values":[],"location":"",` +
		`"files":[{"path":"db/t/0.parquet","bytes":5,"rows":1,"checksum":"x"}],"rows":0,"bytes":0,"created":"0001-01-01T00:00:00Z"}]}]}`
	line := fmt.Sprintf(`{"v":1,"at":"2026-11-21T10:00:00Z","crc":%d,"change":%s}`+"\n", crc32.ChecksumIEEE([]byte(change)), change)
	if err := os.WriteFile(logPath(dir), []byte(line), 0o644); err != nil {
		t.Fatal(err)
	}
	c := open(t, dir)
	tb, err := c.Table(context.Background(), "db", "t")
	if err != nil || tb.Type != lakegate.TableManaged || tb.Stats.Files != 1 || tb.Version != 1 {
		t.Fatalf("Table = %+v, %v", tb, err)
	}
	if v := ct.MustCommit(t, c, lakegate.Change{DropTables: []lakegate.TableRef{{Database: "db", Name: "t"}}}); v != 2 {
		t.Fatalf("drop = version %d", v)
	}
}

func TestSecondInstanceSeesCommits(t *testing.T) {
	dir := t.TempDir()
	a, b := open(t, dir), open(t, dir)
	ctx := context.Background()
	ct.MustCommit(t, a, ct.AddFiles("db", "t", "2026-11-21", "db/t/a1.parquet"))
	if v, err := b.Version(ctx); err != nil || v != 1 {
		t.Fatalf("b.Version = %d, %v; want 1", v, err)
	}
	if tables, err := b.Tables(ctx, "db"); err != nil || len(tables) != 1 || tables[0].Stats.Files != 1 {
		t.Fatalf("b.Tables = %+v, %v", tables, err)
	}
	// Interleaved commits from both: each catches up under the lock.
	for i := range 5 {
		if v := ct.MustCommit(t, b, ct.AddFiles("db", "t", "2026-11-21", fmt.Sprintf("db/t/b%d.parquet", i))); v != int64(2+2*i) {
			t.Fatalf("b committed version %d", v)
		}
		if v := ct.MustCommit(t, a, ct.AddFiles("db", "t", "2026-11-22", fmt.Sprintf("db/t/a%d.parquet", i+2))); v != int64(3+2*i) {
			t.Fatalf("a committed version %d", v)
		}
	}
	ct.SameSnap(t, ct.Snap(t, a), ct.Snap(t, b))
	if n := ct.CountFiles(t, b, "db", "t"); n != 11 {
		t.Fatalf("%d files, want 11", n)
	}
	// A file registered through a is a conflict through b.
	_, err := b.Commit(ctx, ct.AddFiles("db", "t", "2026-11-23", "db/t/a3.parquet"))
	ct.WantError(t, err, lakegate.ECONFLICT, "db/t/a3.parquet")
}

func TestTornLastLine(t *testing.T) {
	for _, torn := range []string{
		`{"v":2,"at":"2026-11-21T10:00:00Z","crc":12`, // half a line, no newline
		"garbage\n",        // a complete but corrupt last line
		"\x00\x00\x00\x00", // zeroed blocks after a crash
	} {
		t.Run(strconv.Quote(torn), func(t *testing.T) {
			dir := t.TempDir()
			c := open(t, dir)
			ct.MustCommit(t, c, ct.AddFiles("db", "t", "2026-11-21", "db/t/a.parquet"))
			appendRaw(t, dir, torn)
			reader := open(t, dir)
			if v, err := reader.Version(context.Background()); err != nil || v != 1 {
				t.Fatalf("Version with a torn tail = %d, %v; want 1", v, err)
			}
			re := open(t, dir)
			if v := ct.MustCommit(t, re, ct.AddFiles("db", "t", "2026-11-21", "db/t/b.parquet")); v != 2 {
				t.Fatalf("commit after a torn tail = version %d", v)
			}
			// The reader that saw the torn line catches up once it is replaced.
			if v, err := reader.Version(context.Background()); err != nil || v != 2 {
				t.Fatalf("reader Version = %d, %v; want 2", v, err)
			}
			if data, _ := os.ReadFile(logPath(dir)); strings.Contains(string(data), torn) {
				t.Fatal("the torn line was not truncated away")
			}
			ct.SameSnap(t, ct.Snap(t, open(t, dir)), ct.Snap(t, re))
		})
	}
}

func TestCorruptionInTheMiddle(t *testing.T) {
	dir := t.TempDir()
	c := open(t, dir)
	for i := range 3 {
		ct.MustCommit(t, c, ct.AddFiles("db", "t", "2026-11-21", fmt.Sprintf("db/t/%d.parquet", i)))
	}
	data, err := os.ReadFile(logPath(dir))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(data), "\n")
	lines[1] = strings.Replace(lines[1], "1.parquet", "X.parquet", 1) // CRC no longer matches
	if err := os.WriteFile(logPath(dir), []byte(strings.Join(lines, "")), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = catalog.OpenEmbedded(dir)
	ct.WantError(t, err, lakegate.EINTERNAL, logPath(dir), "line 2", "CRC")
}

func TestConcurrentInstances(t *testing.T) {
	dir := t.TempDir()
	insts := []*catalog.Embedded{open(t, dir), open(t, dir)}
	const each = 20
	var wg sync.WaitGroup
	for i, c := range insts {
		for g := range 2 {
			wg.Go(func() {
				for n := range each {
					p := fmt.Sprintf("db/t/i%d-g%d-%d.parquet", i, g, n)
					if _, err := c.Commit(context.Background(), ct.AddFiles("db", "t", "2026-11-21", p)); err != nil {
						t.Errorf("Commit: %v", err)
					}
				}
			})
		}
	}
	wg.Wait()
	for _, c := range insts {
		if n := ct.CountFiles(t, c, "db", "t"); n != 4*each {
			t.Fatalf("%d files, want %d", n, 4*each)
		}
	}
	ct.SameSnap(t, ct.Snap(t, open(t, dir)), ct.Snap(t, insts[0]))
}

const childEnv = "LAKEGATE_CATALOG_TEST_CHILD"

// TestChildProcessCommits is the child half of TestMultiProcess.
func TestChildProcessCommits(t *testing.T) {
	spec := os.Getenv(childEnv)
	if spec == "" {
		t.Skip("only runs as the child of TestMultiProcess")
	}
	dir, n, _ := strings.Cut(spec, "|")
	count, _ := strconv.Atoi(n)
	c := open(t, dir)
	for i := range count {
		ct.MustCommit(t, c, ct.AddFiles("db", "t", "2026-11-21", fmt.Sprintf("db/t/child-%d.parquet", i)))
	}
}

func TestMultiProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	const n = 30
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestChildProcessCommits$", "-test.count=1")
	cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%s|%d", childEnv, dir, n))
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := open(t, dir)
	for i := range n {
		ct.MustCommit(t, c, ct.AddFiles("db", "t", "2026-11-22", fmt.Sprintf("db/t/parent-%d.parquet", i)))
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("child: %v\n%s", err, out.String())
	}
	if v, err := c.Version(context.Background()); err != nil || v != 2*n {
		t.Fatalf("Version = %d, %v; want %d", v, err, 2*n)
	}
	if got := ct.CountFiles(t, c, "db", "t"); got != 2*n {
		t.Fatalf("%d files, want %d", got, 2*n)
	}
}

func TestClosed(t *testing.T) {
	c := open(t, t.TempDir())
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	_, err := c.Version(context.Background())
	ct.WantError(t, err, lakegate.EUNAVAILABLE, "closed")
	_, err = c.Commit(context.Background(), ct.AddFiles("db", "t", "2026-11-21", "db/t/a.parquet"))
	ct.WantError(t, err, lakegate.EUNAVAILABLE, "closed")
	if err := c.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}
