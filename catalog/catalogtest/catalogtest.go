// Package catalogtest is the conformance suite every lakegate.Catalog store
// passes: go test runs it against the embedded store and against PostgreSQL.
//
// A store runs it with an Open function that returns a fresh, empty catalog
// and a way to open more handles on that same catalog:
//
//	catalogtest.Run(t, func(t *testing.T) (lakegate.Catalog, func(t *testing.T) lakegate.Catalog) {
//		dir := t.TempDir() // or: a fresh PostgreSQL database/schema
//		another := func(t *testing.T) lakegate.Catalog { return openOn(t, dir) }
//		return another(t), another
//	})
//
// Every handle, the first included, must be closed by t.Cleanup. Another
// handle stands for another gateway process sharing the catalog: it must
// see the first handle's commits and may commit concurrently with it (for
// the embedded store, another OpenEmbedded of the same directory; for
// PostgreSQL, another connection pool on the same database).
package catalogtest

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/lakegate/lakegate"
)

// Open returns a new, empty catalog for each call, and a function that opens
// another handle on the same backing store. Every handle is closed by
// t.Cleanup.
type Open func(t *testing.T) (c lakegate.Catalog, another func(t *testing.T) lakegate.Catalog)

// Run runs the suite; see the package documentation for open.
func Run(t *testing.T, open Open) {
	tests := []struct {
		name string
		fn   func(t *testing.T, c lakegate.Catalog)
	}{
		{"Empty", testEmpty},
		{"FirstCommitCreates", testFirstCommit},
		{"VersionsIncreaseByOne", testVersions},
		{"FilesAndStats", testFilesAndStats},
		{"DuplicateFile", testDuplicateFile},
		{"SchemaEvolution", testSchemaEvolution},
		{"PartitionKeyMismatch", testPartitionKeys},
		{"Invalid", testInvalid},
		{"Batches", testBatches},
		{"NotFound", testNotFound},
		{"ReturnsCopies", testCopies},
		{"ConcurrentCommits", testConcurrent},
		{"AtomicAcrossTables", testAtomic},
		{"CanceledContext", testCanceled},
		{"Changes", testChanges},
		{"DropTable", testDropTable},
		{"DropPartition", testDropPartition},
		{"DropAndRecreateInOneChange", testDropAndRecreate},
		{"TableType", testTableType},
		{"Properties", testProperties},
		{"Offsets", testOffsets},
		{"OffsetsInvalid", testOffsetsInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := open(t)
			tt.fn(t, c)
		})
	}
	shared := []struct {
		name string
		fn   func(t *testing.T, c lakegate.Catalog, another func(t *testing.T) lakegate.Catalog)
	}{
		{"ChangesSeenByAnotherHandle", testChangesOtherHandle},
		{"ConcurrentWriters", testConcurrentWriters},
		{"OffsetsRace", testOffsetsRace},
	}
	for _, tt := range shared {
		t.Run(tt.name, func(t *testing.T) {
			c, another := open(t)
			tt.fn(t, c, another)
		})
	}
}

const day = "2026-11-21"

// Cols is the base schema of the suite's tables.
func Cols() []lakegate.Column {
	return []lakegate.Column{{Name: "keen_id", Type: "VARCHAR"}, {Name: "score", Type: "BIGINT"}}
}

// Keys is the suite's partition keys.
func Keys() []lakegate.Column { return []lakegate.Column{{Name: "ingest_date", Type: "DATE"}} }

// Files returns file records of 10 rows and 100 bytes each.
func Files(paths ...string) []lakegate.File {
	out := make([]lakegate.File, len(paths))
	for i, p := range paths {
		out[i] = lakegate.File{Path: p, Rows: 10, Bytes: 100, Checksum: "sum-" + p}
	}
	return out
}

// Part is an ingest_date partition of db.table holding files.
func Part(db, table, date string, files ...string) lakegate.Partition {
	name := "ingest_date=" + date
	return lakegate.Partition{
		Name: name, Values: []string{date}, Location: db + "/" + table + "/" + name, Files: Files(files...),
	}
}

// TableChange adds parts to db.table with the suite's schema.
func TableChange(db, table string, parts ...lakegate.Partition) lakegate.TableChange {
	return lakegate.TableChange{
		Table:      lakegate.Table{Database: db, Name: table, Columns: Cols(), PartitionKeys: Keys()},
		Partitions: parts,
	}
}

// AddFiles is a change adding files to one partition of db.table.
func AddFiles(db, table, date string, files ...string) lakegate.Change {
	return lakegate.Change{Tables: []lakegate.TableChange{TableChange(db, table, Part(db, table, date, files...))}}
}

// MustCommit commits c and fails the test on error.
func MustCommit(t testing.TB, c lakegate.Catalog, ch lakegate.Change) int64 {
	t.Helper()
	v, err := c.Commit(context.Background(), ch)
	if err != nil {
		t.Fatalf("Commit: %v", err)
	}
	return v
}

// WantError fails unless err has the code and its message holds every part.
func WantError(t testing.TB, err error, code string, parts ...string) {
	t.Helper()
	if got := lakegate.ErrorCode(err); got != code {
		t.Fatalf("error code = %q (%v), want %q", got, err, code)
	}
	msg := lakegate.ErrorMessage(err)
	for _, p := range parts {
		if !strings.Contains(msg, p) {
			t.Errorf("error message %q does not mention %q", msg, p)
		}
	}
}

// Snapshot is everything a catalog shows, for before/after comparisons.
type Snapshot struct {
	Version    int64
	Databases  []lakegate.Database
	Tables     map[string][]lakegate.Table
	Partitions map[string][]lakegate.Partition
}

// Snap reads the whole catalog.
func Snap(t testing.TB, c lakegate.Catalog) Snapshot {
	t.Helper()
	ctx := context.Background()
	s := Snapshot{Tables: map[string][]lakegate.Table{}, Partitions: map[string][]lakegate.Partition{}}
	var err error
	if s.Version, err = c.Version(ctx); err != nil {
		t.Fatalf("Version: %v", err)
	}
	if s.Databases, err = c.Databases(ctx); err != nil {
		t.Fatalf("Databases: %v", err)
	}
	for _, d := range s.Databases {
		tables, err := c.Tables(ctx, d.Name)
		if err != nil {
			t.Fatalf("Tables(%s): %v", d.Name, err)
		}
		s.Tables[d.Name] = tables
		for _, tb := range tables {
			parts, err := c.Partitions(ctx, d.Name, tb.Name)
			if err != nil {
				t.Fatalf("Partitions(%s): %v", tb.FullName(), err)
			}
			s.Partitions[tb.FullName()] = parts
		}
	}
	return s
}

// SameSnap fails when two snapshots differ.
func SameSnap(t testing.TB, got, want Snapshot) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("catalog state differs:\n got %+v\nwant %+v", got, want)
	}
}

// CountFiles counts the files registered in db.table.
func CountFiles(t testing.TB, c lakegate.Catalog, db, table string) int {
	t.Helper()
	parts, err := c.Partitions(context.Background(), db, table)
	if err != nil {
		t.Fatalf("Partitions: %v", err)
	}
	n := 0
	for _, p := range parts {
		n += len(p.Files)
	}
	return n
}

func testEmpty(t *testing.T, c lakegate.Catalog) {
	ctx := context.Background()
	if v, err := c.Version(ctx); err != nil || v != 0 {
		t.Fatalf("Version = %d, %v; want 0", v, err)
	}
	if dbs, err := c.Databases(ctx); err != nil || len(dbs) != 0 {
		t.Fatalf("Databases = %v, %v; want none", dbs, err)
	}
	if bs, err := c.Batches(ctx, "abc"); err != nil || len(bs) != 0 {
		t.Fatalf("Batches = %v, %v; want none", bs, err)
	}
}

func testFirstCommit(t *testing.T, c lakegate.Catalog) {
	ctx := context.Background()
	if v := MustCommit(t, c, AddFiles("acme", "attempts", day, "acme/attempts/ingest_date=2026-11-21/a.parquet")); v != 1 {
		t.Fatalf("first version = %d, want 1", v)
	}
	dbs, err := c.Databases(ctx)
	if err != nil || len(dbs) != 1 || dbs[0].Name != "acme" || dbs[0].Location != "acme" || dbs[0].Created.IsZero() {
		t.Fatalf("Databases = %+v, %v", dbs, err)
	}
	tb, err := c.Table(ctx, "acme", "attempts")
	if err != nil {
		t.Fatal(err)
	}
	want := lakegate.TableStats{Rows: 10, Bytes: 100, Files: 1, Partitions: 1}
	if tb.Location != "acme/attempts" || tb.Format != "parquet" || tb.Type != lakegate.TableManaged || tb.SchemaVersion != 1 || tb.Version != 1 ||
		tb.Stats != want || tb.Created.IsZero() || !tb.Updated.Equal(tb.Created) {
		t.Fatalf("Table = %+v", tb)
	}
	if !reflect.DeepEqual(tb.Columns, Cols()) || !reflect.DeepEqual(tb.PartitionKeys, Keys()) {
		t.Fatalf("schema = %+v / %+v", tb.Columns, tb.PartitionKeys)
	}
	parts, err := c.Partitions(ctx, "acme", "attempts")
	if err != nil || len(parts) != 1 {
		t.Fatalf("Partitions = %+v, %v", parts, err)
	}
	p := parts[0]
	if p.Name != "ingest_date="+day || !reflect.DeepEqual(p.Values, []string{day}) ||
		p.Location != "acme/attempts/ingest_date="+day || p.Rows != 10 || p.Bytes != 100 || p.Created.IsZero() ||
		!reflect.DeepEqual(p.Files, Files("acme/attempts/ingest_date=2026-11-21/a.parquet")) {
		t.Fatalf("Partition = %+v", p)
	}
}

func testVersions(t *testing.T, c lakegate.Catalog) {
	for i := 1; i <= 5; i++ {
		v := MustCommit(t, c, AddFiles("db", "t", day, fmt.Sprintf("db/t/f%d.parquet", i)))
		if v != int64(i) {
			t.Fatalf("commit %d returned version %d", i, v)
		}
		if got, _ := c.Version(context.Background()); got != v {
			t.Fatalf("Version = %d after commit %d", got, v)
		}
		if tb, _ := c.Table(context.Background(), "db", "t"); tb.Version != v {
			t.Fatalf("Table.Version = %d, want %d", tb.Version, v)
		}
	}
}

func testFilesAndStats(t *testing.T, c lakegate.Catalog) {
	ctx := context.Background()
	MustCommit(t, c, AddFiles("db", "t", "2026-11-20", "db/t/a.parquet", "db/t/b.parquet"))
	ch := lakegate.Change{Tables: []lakegate.TableChange{TableChange("db", "t",
		Part("db", "t", "2026-11-21", "db/t/c.parquet"), Part("db", "t", "2026-11-20", "db/t/d.parquet"))}}
	ch.Tables[0].Partitions[0].Files[0].Rows = 7
	ch.Tables[0].Partitions[0].Files[0].Bytes = 70
	MustCommit(t, c, ch)
	parts, err := c.Partitions(ctx, "db", "t")
	if err != nil || len(parts) != 2 {
		t.Fatalf("Partitions = %+v, %v", parts, err)
	}
	if parts[0].Name != "ingest_date=2026-11-20" || parts[0].Rows != 30 || parts[0].Bytes != 300 || len(parts[0].Files) != 3 {
		t.Errorf("first partition = %+v", parts[0])
	}
	if parts[1].Name != "ingest_date=2026-11-21" || parts[1].Rows != 7 || parts[1].Bytes != 70 || len(parts[1].Files) != 1 {
		t.Errorf("second partition = %+v", parts[1])
	}
	tb, _ := c.Table(ctx, "db", "t")
	if want := (lakegate.TableStats{Rows: 37, Bytes: 370, Files: 4, Partitions: 2}); tb.Stats != want {
		t.Errorf("Stats = %+v, want %+v", tb.Stats, want)
	}
	if tb.Version != 2 || !tb.Updated.After(tb.Created) && !tb.Updated.Equal(tb.Created) {
		t.Errorf("Version/Updated = %d %v (created %v)", tb.Version, tb.Updated, tb.Created)
	}
}

func testDuplicateFile(t *testing.T, c lakegate.Catalog) {
	MustCommit(t, c, AddFiles("db", "t", "2026-11-20", "db/t/a.parquet"))
	before := Snap(t, c)
	for _, date := range []string{"2026-11-20", "2026-11-22"} { // same and another partition
		_, err := c.Commit(context.Background(), AddFiles("db", "t", date, "db/t/new.parquet", "db/t/a.parquet"))
		WantError(t, err, lakegate.ECONFLICT, "db/t/a.parquet")
		SameSnap(t, Snap(t, c), before)
	}
}
